// Package usertext keeps text typed by one person safe to show another:
// it finds the characters that could drive a terminal or hide what a text
// says (C0 and C1 controls, bidirectional overrides and isolates,
// zero-width and other invisible characters), cleans them out for
// display, and folds text to one normalised form for matching warnings.
// It is a leaf: the market refuses such text on the way in, auth refuses
// it in anti-phishing codes, the TUI cleans whatever it shows.
package usertext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Forbidden returns the first character of s that user text may not hold,
// and whether there is one. In multiline text a newline and a tab are
// allowed; in a single line (names, codes) neither is. The zero-width
// joiner and non-joiner, which emoji sequences and some scripts need, are
// allowed in multiline text only. Invalid UTF-8 is forbidden (reported as
// utf8.RuneError).
func Forbidden(s string, multiline bool) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, true
			}
		}
		if multiline && (r == '\n' || r == '\t' || r == zwj || r == zwnj) {
			continue
		}
		if hidden(r) {
			return r, true
		}
	}
	return 0, false
}

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// hidden: a control character, or one that is invisible or reorders text.
func hidden(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7F && r <= 0x9F: // C0, DEL, C1
		return true
	case unicode.Is(unicode.Cf, r):
		// Format characters: bidi marks, embeddings, overrides and
		// isolates (U+200E-200F, U+202A-202E, U+2066-2069, U+061C),
		// zero-width space and joiners (U+200B-200D), word joiner and
		// invisible operators (U+2060-2064), BOM (U+FEFF), soft hyphen,
		// tags (U+E0000-E007F), interlinear annotations.
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r == '\u034F', // combining grapheme joiner
		r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', // Hangul fillers
		r == '\u2800',                // braille blank
		r == '\uFFFE', r == '\uFFFF': // noncharacters
		return true
	}
	return false
}

// Display is s made safe to print on one line of a terminal: newlines and
// tabs become spaces, every other forbidden character is dropped.
func Display(s string) string {
	if _, bad := Forbidden(s, false); !bad {
		return s
	}
	return clean(s, false)
}

// DisplayLines is like Display but keeps newlines.
func DisplayLines(s string) string {
	if _, bad := Forbidden(s, true); !bad && !strings.ContainsRune(s, '\t') {
		return s
	}
	return clean(s, true)
}

func clean(s string, lines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\n' && lines:
			b.WriteByte('\n')
		case r == '\n', r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size > 1 {
				b.WriteRune(r) // a real U+FFFD
			}
		case lines && (r == zwj || r == zwnj):
			b.WriteRune(r)
		case hidden(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Fold is the form warnings are matched on: every invisible or control
// character removed (so "we\u200Bchat" is "wechat"), then NFKC (fullwidth
// "ｗｅｃｈａｔ" becomes "wechat", ligatures and other compatibility forms
// their plain letters), lower-cased. Newlines and tabs become spaces.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n', r == '\t':
			b.WriteByte(' ')
		case hidden(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.ToLower(norm.NFKC.String(b.String()))
}
