package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

func TestCataloguesLoad(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	for _, l := range Langs {
		if n := len(Messages(l)); n < 300 {
			t.Fatalf("%s has %d messages: the catalogue was not read", l, n)
		}
	}
}

// TestEveryMessageInEveryLanguage: a message in one language and not in
// the other is a screen half translated.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	for _, a := range Langs {
		for _, b := range Langs {
			if a == b {
				continue
			}
			var missing []string
			for id := range Messages(a) {
				if _, ok := Messages(b)[id]; !ok {
					missing = append(missing, id)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("in %s but not in %s: %s", a, b, strings.Join(missing, ", "))
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{\{-?\s*\.(\w+)`)

func forms(m *goi18n.Message) map[string]string {
	f := map[string]string{}
	for k, v := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if v != "" {
			f[k] = v
		}
	}
	return f
}

func names(m *goi18n.Message) []string {
	seen := map[string]bool{}
	for _, s := range forms(m) {
		for _, p := range placeholder.FindAllStringSubmatch(s, -1) {
			seen[p[1]] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestPlaceholdersAndPluralsAgree: both languages fill the same
// placeholders; English plurals have one and other, Chinese (no plural
// inflection in CLDR) only other.
func TestPlaceholdersAndPluralsAgree(t *testing.T) {
	for id, en := range Messages(EN) {
		zh, ok := Messages(ZH)[id]
		if !ok {
			continue
		}
		if a, b := strings.Join(names(en), ","), strings.Join(names(zh), ","); a != b {
			t.Errorf("%s: en fills {%s}, zh-CN fills {%s}", id, a, b)
		}
		ef, zf := forms(en), forms(zh)
		if _, ok := ef["other"]; !ok {
			t.Errorf("%s: en has no other form", id)
		}
		if len(ef) > 1 {
			if _, ok := ef["one"]; !ok {
				t.Errorf("%s: en plural without one", id)
			}
			if len(zf) != 1 || zf["other"] == "" {
				t.Errorf("%s: zh-CN plural should have only other, has %v", id, zf)
			}
		}
		if len(zf) > 1 {
			t.Errorf("%s: zh-CN has forms %v; Chinese has only other", id, zf)
		}
	}
}

func TestPluralAndPlaceholders(t *testing.T) {
	en, zh := New(EN), New(ZH)
	if got := en.N("count.orders", 1); got != "1 order" {
		t.Errorf("en one: %q", got)
	}
	if got := en.N("count.orders", 3); got != "3 orders" {
		t.Errorf("en other: %q", got)
	}
	if got := zh.N("count.orders", 3); got != "3 个订单" {
		t.Errorf("zh: %q", got)
	}
	if got := en.T("no.such.message"); got != "no.such.message" {
		t.Errorf("a missing message shows its ID, got %q", got)
	}
	if m := en.Missed(); len(m) != 1 || m[0] != "no.such.message" {
		t.Errorf("missed: %v", m)
	}
	var nilTr *Tr
	if got := nilTr.N("count.orders", 2); got != "2 orders" {
		t.Errorf("nil speaks English: %q", got)
	}
}

func TestSwitchAtRunTime(t *testing.T) {
	tr := New(EN)
	a := tr.T("tab.market")
	tr.Set(ZH)
	b := tr.T("tab.market")
	if a == b || tr.Lang() != ZH {
		t.Fatalf("no switch: %q then %q", a, b)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"en": EN, "EN": EN, "zh-CN": ZH, "zh_cn": ZH, " zh-cn ": ZH} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "fr", "zh", "zh-TW", "chinese"} {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), "en or zh-CN") {
			t.Errorf("Parse(%q) accepted or unclear: %v", in, err)
		}
	}
}

func TestFromLocale(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, EN},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LANG": "zh_CN.utf8"}, ZH},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, EN},
		{map[string]string{"LC_ALL": "zh_SG.UTF-8", "LANG": "en_GB.UTF-8"}, ZH},
		{map[string]string{"LANG": "C.UTF-8"}, EN},
	}
	for _, c := range cases {
		if got := FromLocale(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
		}
	}
}
