// Package i18n is p2pdesk's message catalogue: it loads the message files
// embedded under locales/ (one per language, go-i18n format with CLDR
// plural rules and text/template placeholders), picks a language and
// translates a message ID with its data and plural count. It has one job
// and imports nothing of ours.
package i18n

import (
	"embed"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Lang is a language the app speaks, as its BCP 47 tag.
type Lang string

// The languages there are catalogues for.
const (
	EN Lang = "en"
	ZH Lang = "zh-CN"
)

// Langs are the languages, in the order a switch cycles through them.
var Langs = []Lang{EN, ZH}

// Name is the language's own name for itself.
func (l Lang) Name() string {
	if l == ZH {
		return "简体中文"
	}
	return "English"
}

// Next is the language after l in Langs (the run-time switch).
func (l Lang) Next() Lang {
	for i, x := range Langs {
		if x == l {
			return Langs[(i+1)%len(Langs)]
		}
	}
	return EN
}

// Parse reads a ui.lang value: en or zh-CN (any case, _ for -). Anything
// else is refused with an error naming the choices.
func Parse(s string) (Lang, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	switch t {
	case "en":
		return EN, nil
	case "zh-cn":
		return ZH, nil
	}
	return "", fmt.Errorf("unknown language %q: use en or zh-CN", s)
}

// FromLocale reads the POSIX locale variables in their order of
// precedence (LC_ALL, LC_MESSAGES, LANG: the first one set decides) and
// says which language they ask for: zh_CN.UTF-8, zh_SG, zh_Hans or zh are
// Simplified Chinese; anything else (C, POSIX, en_US, zh_TW) is English.
func FromLocale(getenv func(string) string) Lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		if i := strings.IndexAny(v, ".@"); i >= 0 {
			v = v[:i]
		}
		v = strings.ReplaceAll(v, "-", "_")
		switch {
		case v == "zh", v == "zh_cn", v == "zh_sg", strings.HasPrefix(v, "zh_hans"):
			return ZH
		}
		return EN
	}
	return EN
}

//go:embed locales/*.yaml
var files embed.FS

var (
	loadOnce sync.Once
	bundle   *goi18n.Bundle
	catalog  map[Lang]map[string]*goi18n.Message
	loadErr  error
)

func load() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	catalog = map[Lang]map[string]*goi18n.Message{}
	for _, l := range Langs {
		path := "locales/" + string(l) + ".yaml"
		buf, err := files.ReadFile(path)
		if err != nil {
			loadErr = err
			return
		}
		mf, err := bundle.ParseMessageFileBytes(buf, path)
		if err != nil {
			loadErr = fmt.Errorf("%s: %w", path, err)
			return
		}
		byID := map[string]*goi18n.Message{}
		for _, m := range mf.Messages {
			byID[m.ID] = m
		}
		catalog[l] = byID
	}
}

// Check loads the catalogues and says if they are broken (the app
// refuses to start with a broken catalogue rather than show IDs).
func Check() error {
	loadOnce.Do(load)
	return loadErr
}

// Messages are the messages of one language by ID (tests compare the
// languages with it).
func Messages(l Lang) map[string]*goi18n.Message {
	loadOnce.Do(load)
	return catalog[l]
}

// IDs are every message ID of a language, sorted.
func IDs(l Lang) []string {
	var ids []string
	for id := range Messages(l) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Tr translates into one language, which can be changed at run time:
// every holder of the same *Tr speaks the new language at its next look.
// A nil *Tr speaks English. It is safe for concurrent use.
type Tr struct {
	cur    atomic.Pointer[state]
	missMu sync.Mutex
	missed map[string]bool
}

type state struct {
	lang  Lang
	loc   *goi18n.Localizer
	plain sync.Map // id -> string, messages without data
	// filled remembers messages with data: a screen says the same
	// sentences frame after frame, and running a template is most of
	// what a translation costs. Bounded: emptied when full.
	filledMu sync.Mutex
	filled   map[string]string
}

// maxFilled bounds the memo of filled-in messages.
const maxFilled = 8192

// New is a translator into l.
func New(l Lang) *Tr {
	t := &Tr{}
	t.Set(l)
	return t
}

// Set changes the language.
func (t *Tr) Set(l Lang) {
	loadOnce.Do(load)
	if _, ok := catalog[l]; !ok {
		l = EN
	}
	t.cur.Store(&state{lang: l, loc: goi18n.NewLocalizer(bundle, string(l), string(EN))})
}

// Lang is the language spoken now.
func (t *Tr) Lang() Lang {
	if t == nil {
		return EN
	}
	return t.cur.Load().lang
}

// T translates id. args are pairs of placeholder name and value:
// T("order.title", "ID", 42) fills {{.ID}}.
func (t *Tr) T(id string, args ...any) string {
	return t.translate(id, nil, args)
}

// N translates id with the plural form for n; n is also {{.Count}}.
func (t *Tr) N(id string, n int, args ...any) string {
	return t.translate(id, n, append(args, "Count", n))
}

func (t *Tr) translate(id string, count any, args []any) string {
	if t == nil {
		t = english()
	}
	s := t.cur.Load()
	if count == nil && len(args) == 0 {
		if v, ok := s.plain.Load(id); ok {
			return v.(string)
		}
	}
	var memo string
	if len(args) > 0 && len(args)%2 == 0 {
		var k strings.Builder
		k.WriteString(id)
		if count != nil {
			fmt.Fprint(&k, "\x00#", count)
		}
		for _, a := range args {
			k.WriteByte(0)
			fmt.Fprint(&k, a)
		}
		memo = k.String()
		s.filledMu.Lock()
		v, ok := s.filled[memo]
		s.filledMu.Unlock()
		if ok {
			return v
		}
	}
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	out, err := s.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil || out == "" {
		// Shown as the ID, and remembered, so a test that looks at every
		// screen finds it.
		t.missMu.Lock()
		if t.missed == nil {
			t.missed = map[string]bool{}
		}
		t.missed[id] = true
		t.missMu.Unlock()
		return id
	}
	if count == nil && len(args) == 0 {
		s.plain.Store(id, out)
	}
	if memo != "" {
		s.filledMu.Lock()
		if s.filled == nil || len(s.filled) >= maxFilled {
			s.filled = make(map[string]string, 256)
		}
		s.filled[memo] = out
		s.filledMu.Unlock()
	}
	return out
}

// Missed are the IDs asked for that no catalogue holds, sorted.
func (t *Tr) Missed() []string {
	if t == nil {
		return nil
	}
	t.missMu.Lock()
	defer t.missMu.Unlock()
	var ids []string
	for id := range t.missed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var (
	enOnce sync.Once
	enTr   *Tr
)

func english() *Tr {
	enOnce.Do(func() { enTr = New(EN) })
	return enTr
}

// Refusal is a server's refusal in t's language: the stable code keys the
// catalogue's message for it (the server writes English), with the field
// it names; English keeps the server's own message where it gave one,
// which says more than the catalogue's. The code stays beside it, for
// searching and for support.
func (t *Tr) Refusal(code, field, message string) string {
	if t.Lang() == ZH || message == "" {
		if _, ok := Messages(t.Lang())["err."+code]; ok {
			s := t.T("err." + code)
			if field != "" {
				s += t.T("err.field", "Field", field)
			}
			return s + " (" + code + ")"
		}
	}
	if message != "" {
		return message + " (" + code + ")"
	}
	return code
}
