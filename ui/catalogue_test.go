package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
	"p2pdesk/i18n"
)

// literalIDs are the message IDs the screens' code names as literals:
// c.T("…"), c.N("…"), help texts of key bindings, column titles, the ad
// form's fields.
var literalIDs = []*regexp.Regexp{
	regexp.MustCompile(`\.[TN]\("([a-z][a-z0-9_.\-]*)"`),
	regexp.MustCompile(`WithHelp\("[^"]*", "([^"]+)"\)`),
	regexp.MustCompile(`b\("[^"]*", "([^"]+)"`),
	regexp.MustCompile(`Title: "([^"]+)"`),
	regexp.MustCompile(`"(myads\.f\.[a-z]+)"`),
	regexp.MustCompile(`"(market\.sort\.[a-z]+)"`),
}

// TestEveryIDTheScreensNameIsInTheCatalogue reads the ui sources: an ID
// typed in code and missing from a catalogue would show as the ID.
func TestEveryIDTheScreensNameIsInTheCatalogue(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range literalIDs {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				seen[m[1]] = true
			}
		}
	}
	if len(seen) < 300 {
		t.Fatalf("only %d IDs found in the sources: the scan is broken", len(seen))
	}
	var missing []string
	for id := range seen {
		if !strings.Contains(id, ".") || strings.HasSuffix(id, ".") || strings.HasSuffix(id, "_") {
			continue // a family, completed at run time: checked below
		}
		for _, l := range i18n.Langs {
			if _, ok := i18n.Messages(l)[id]; !ok {
				missing = append(missing, string(l)+":"+id)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("named in the code, not in the catalogue: %v", missing)
	}
}

// codes are the stable codes of refusals, read from where they are
// defined: the API (every marketplace code) and the rail.
func codes(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})"`)
	seen := map[string]bool{}
	for _, f := range []string{"../api/errors.go", "../alipay/http.go", "../alipay/alipay.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for c := range seen {
		switch c {
		case "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "CNY", "USDT", "USD", "EUR", "BTC", "ETH":
			continue
		}
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Every refusal the server can give has words in every language, and the
// family lookups of the screens (states, reasons, warnings, methods, ad
// statuses) are complete.
func TestEveryCodeAndFamilyHasItsWords(t *testing.T) {
	cs := codes(t)
	if len(cs) < 40 {
		t.Fatalf("only %d codes read: %v", len(cs), cs)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, "err."+c)
	}
	for _, s := range []api.OrderState{api.StateCreated, api.StatePaid, api.StateCompleted, api.StateCancelled,
		api.StateExpired, api.StateDisputed, api.StateResolved} {
		ids = append(ids, "state."+string(s))
	}
	for _, r := range api.DisputeReasons {
		ids = append(ids, "reason."+r)
	}
	for _, w := range []string{api.WarnLink, api.WarnOffPlatform, api.WarnImpersonation, api.WarnPressure, api.WarnProof} {
		ids = append(ids, "warn."+w)
	}
	for _, m := range []api.PaymentMethod{api.Alipay, api.WeChat, api.Bank} {
		ids = append(ids, "method."+string(m))
	}
	for _, s := range []api.AdStatus{api.AdOnline, api.AdPaused, api.AdExhausted, api.AdDeleted} {
		ids = append(ids, "adstatus."+string(s))
	}
	for _, r := range []api.Resolution{api.ResolveRelease, api.ResolveRefund} {
		ids = append(ids, "resolution."+string(r))
	}
	var missing []string
	for _, id := range ids {
		for _, l := range i18n.Langs {
			if _, ok := i18n.Messages(l)[id]; !ok {
				missing = append(missing, string(l)+":"+id)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("no words for: %v", missing)
	}
}

// L on the Account tab switches every screen to the other language at
// once, and keeps the choice through the hook it was given.
func TestLanguageSwitchesFromTheAccountTab(t *testing.T) {
	var kept []i18n.Lang
	tr := i18n.New(i18n.EN)
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Tr: tr, SaveLang: func(l i18n.Lang) error { kept = append(kept, l); return nil }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("5")})
	if v := m.View(); !strings.Contains(v, "1 Market") {
		t.Fatalf("not in English to begin with:\n%s", v)
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("L")})
	if tr.Lang() != i18n.ZH {
		t.Fatalf("L left the language at %s", tr.Lang())
	}
	if cmd == nil {
		t.Fatal("no command keeps the choice")
	}
	_, notice := m.Update(cmd())
	if len(kept) != 1 || kept[0] != i18n.ZH {
		t.Fatalf("kept: %v", kept)
	}
	if notice == nil {
		t.Fatal("the switch is not said")
	}
	m.Update(notice())
	v := m.View()
	for _, want := range []string{"1 市场", "5 账户", "语言：简体中文"} {
		if !strings.Contains(v, want) {
			t.Errorf("after L the screen does not say %q:\n%s", want, v)
		}
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("L")})
	if tr.Lang() != i18n.EN || !strings.Contains(m.View(), "1 Market") {
		t.Fatalf("a second L did not come back to English")
	}
}
