package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"p2pdesk/i18n"
)

func noLocale(string) string { return "" }

// TestLangFromFileEnvFlagAndLocale: flag over environment over file over
// the locale over English.
func TestLangFromFileEnvFlagAndLocale(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("P2PDESK_UI_LANG", "")
	c, _, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Lang(noLocale); got != i18n.EN {
		t.Fatalf("nothing set: %s", got)
	}
	if got := c.Lang(func(k string) string { return map[string]string{"LANG": "zh_CN.UTF-8"}[k] }); got != i18n.ZH {
		t.Fatalf("LANG=zh_CN.UTF-8: %s", got)
	}
	file := filepath.Join(dir, "p2pdesk", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("ui:\n  lang: zh-CN\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err = Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	zhLocale := func(k string) string { return map[string]string{"LANG": "en_US.UTF-8"}[k] }
	if got := c.Lang(zhLocale); got != i18n.ZH {
		t.Fatalf("file says zh-CN, locale en: %s", got)
	}
	t.Setenv("P2PDESK_UI_LANG", "en")
	c, _, _ = Load("", nil)
	if got := c.Lang(noLocale); got != i18n.EN {
		t.Fatalf("env en over file zh-CN: %s", got)
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("lang", "", "")
	if err := fs.Parse([]string{"--lang", "zh-CN"}); err != nil {
		t.Fatal(err)
	}
	c, _, err = Load("", fs)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Lang(noLocale); got != i18n.ZH {
		t.Fatalf("flag zh-CN over env en: %s", got)
	}
}

// TestUnknownLangIsRefused: a ui.lang that is no language of the app is an
// error at start that names the key and the choices, wherever it is set.
func TestUnknownLangIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("P2PDESK_UI_LANG", "fr")
	_, _, err := Load("", nil)
	if err == nil || !strings.Contains(err.Error(), "ui.lang") || !strings.Contains(err.Error(), "en or zh-CN") {
		t.Fatalf("P2PDESK_UI_LANG=fr: %v", err)
	}
	t.Setenv("P2PDESK_UI_LANG", "")
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("ui:\n  lang: klingon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(file, nil); err == nil || !strings.Contains(err.Error(), `"klingon"`) {
		t.Fatalf("ui.lang: klingon in a file: %v", err)
	}
}

// TestSetLangKeepsTheRestOfTheFile: switching the language at run time
// writes ui.lang and leaves every other key and comment where it was.
func TestSetLangKeepsTheRestOfTheFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("P2PDESK_UI_LANG", "")
	file := filepath.Join(dir, "conf", "config.yaml")
	if err := SetLang(file, i18n.ZH); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(file, nil)
	if err != nil || c.UI.Lang != "zh-CN" {
		t.Fatalf("new file: %q %v", c.UI.Lang, err)
	}
	orig := "# my settings\nprofile: work # the work one\nui:\n  bell: false\n  lang: zh-CN\nembedded:\n  speed: 30\n"
	if err := os.WriteFile(file, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetLang(file, i18n.EN); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	for _, want := range []string{"# my settings", "# the work one", "bell: false", "lang: en", "speed: 30"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("after SetLang the file lost %q:\n%s", want, raw)
		}
	}
	c, _, err = Load(file, nil)
	if err != nil || c.UI.Lang != "en" || c.UI.Bell || c.Profile != "work" || c.Embedded.Speed != 30 {
		t.Fatalf("reloaded: %+v %v", c.UI, err)
	}
	if err := os.WriteFile(file, []byte("ui: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetLang(file, i18n.ZH); err != nil {
		t.Fatal(err)
	}
	if c, _, err = Load(file, nil); err != nil || c.UI.Lang != "zh-CN" {
		t.Fatalf("ui: {}: %q %v", c.UI.Lang, err)
	}
}
