package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
)

// wrapCells wraps s to lines of at most w terminal cells. Lines break at
// spaces, and also between any two double-width characters: Chinese puts
// no spaces between words, and a word wrap that waits for one leaves a
// half-empty line before every run of Chinese. Closing punctuation (，。)
// never starts a line, opening punctuation (（「) never ends one. Colour
// escapes take no cells and go with the text after them; lines already in
// s are kept; a word longer than a line is cut.
func wrapCells(s string, w int) string {
	if w <= 0 {
		return s
	}
	in := strings.Split(s, "\n")
	out := make([]string, 0, len(in))
	for _, l := range in {
		out = append(out, wrapLine(l, w)...)
	}
	return strings.Join(out, "\n")
}

// token is a piece that is not broken: a word, a space, or one wide
// character with the punctuation that clings to it.
type token struct {
	text  string
	width int
	space bool
}

func tokens(l string) []token {
	var ts []token
	var cur strings.Builder
	curW, curWide := 0, false
	pending := "" // escapes, given to the next token
	flush := func() {
		if cur.Len() > 0 {
			ts = append(ts, token{text: cur.String(), width: curW})
			cur.Reset()
			curW, curWide = 0, false
		}
	}
	for i := 0; i < len(l); {
		if l[i] == 0x1b { // an escape sequence: CSI ... final byte
			j := i + 1
			if j < len(l) && l[j] == '[' {
				j++
				for j < len(l) && (l[j] < 0x40 || l[j] > 0x7e) {
					j++
				}
				j++
			} else {
				j++
			}
			j = min(j, len(l))
			if cur.Len() > 0 {
				cur.WriteString(l[i:j])
			} else {
				pending += l[i:j]
			}
			i = j
			continue
		}
		r, n := utf8.DecodeRuneInString(l[i:])
		ch := l[i : i+n]
		i += n
		rw := lipgloss.Width(ch)
		switch {
		case r == ' ':
			flush()
			ts = append(ts, token{text: pending + ch, width: 1, space: true})
			pending = ""
		case strings.ContainsRune(closing, r):
			// Clings to what stands before it.
			if cur.Len() == 0 && len(ts) > 0 && !ts[len(ts)-1].space {
				last := &ts[len(ts)-1]
				last.text += pending + ch
				last.width += rw
			} else {
				cur.WriteString(pending + ch)
				curW += rw
			}
			pending = ""
		case rw >= 2 || strings.ContainsRune(opening, r):
			// A wide character stands alone (a break may come before
			// it), unless opening punctuation precedes it.
			if !(cur.Len() > 0 && curWide) {
				flush()
			}
			cur.WriteString(pending + ch)
			curW += rw
			pending = ""
			if strings.ContainsRune(opening, r) {
				curWide = true // glue the next character to it
				continue
			}
			flush()
		default:
			curWide = false
			cur.WriteString(pending + ch)
			curW += rw
			pending = ""
		}
	}
	flush()
	if pending != "" {
		ts = append(ts, token{text: pending})
	}
	return ts
}

const (
	closing = "，。、；：？！）」』》】”’…%,.;:?!)]"
	opening = "（「『《【“‘"
)

func wrapLine(l string, w int) []string {
	if lipgloss.Width(l) <= w {
		return []string{l}
	}
	var lines []string
	var cur strings.Builder
	curW := 0
	end := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for _, t := range tokens(l) {
		if t.space && curW == 0 && len(lines) > 0 {
			continue // no space starts a wrapped line
		}
		if curW+t.width > w && curW > 0 {
			end()
			if t.space {
				continue
			}
		}
		for t.width > w { // longer than a line: cut it
			head, rest := cutCells(t.text, w)
			cur.WriteString(head)
			curW = lipgloss.Width(head)
			end()
			t.text, t.width = rest, lipgloss.Width(rest)
		}
		cur.WriteString(t.text)
		curW += t.width
	}
	if cur.Len() > 0 || len(lines) == 0 {
		end()
	}
	return lines
}

// cutCells splits s after at most w cells.
func cutCells(s string, w int) (string, string) {
	n := 0
	for i, r := range s {
		rw := lipgloss.Width(string(r))
		if n+rw > w {
			return s[:i], s[i:]
		}
		n += rw
	}
	return s, ""
}
