package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"p2pdesk/i18n"
	"p2pdesk/store/secrets"
)

// An unknown language is refused at start, as a usage error naming the
// key and the choices, from the flag, the environment or the file.
func TestUnknownLanguageIsRefusedAtStart(t *testing.T) {
	home := isolate(t)
	t.Setenv("P2PDESK_UI_LANG", "")
	_, _, err := run(t, nil, "", "--lang", "fr", "version")
	if !isUsage(err) || !strings.Contains(err.Error(), "ui.lang") || !strings.Contains(err.Error(), "en or zh-CN") {
		t.Fatalf("--lang fr: %v", err)
	}
	t.Setenv("P2PDESK_UI_LANG", "zh-TW")
	if _, _, err := run(t, nil, "", "version"); !isUsage(err) || !strings.Contains(err.Error(), `"zh-TW"`) {
		t.Fatalf("P2PDESK_UI_LANG=zh-TW: %v", err)
	}
	t.Setenv("P2PDESK_UI_LANG", "")
	file := filepath.Join(home, "c.yaml")
	if err := os.WriteFile(file, []byte("ui:\n  lang: chinese\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "", "--config", file, "version"); !isUsage(err) || !strings.Contains(err.Error(), `"chinese"`) {
		t.Fatalf("ui.lang: chinese: %v", err)
	}
	if out, _, err := run(t, nil, "", "--lang", "zh-CN", "version"); err != nil || !strings.Contains(out, "p2pdesk") {
		t.Fatalf("--lang zh-CN: %q %v", out, err)
	}
}

// The catalogue's English of every command's help is what the command
// says, and in Chinese the help page is Chinese: headings, lines, flags.
func TestHelpInChinese(t *testing.T) {
	a := &app{}
	root := a.rootCommand()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		if got := i18n.New(i18n.EN).T(helpID(c)); got != c.Short {
			t.Errorf("%s: catalogue %q, command %q", helpID(c), got, c.Short)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	if n < 40 {
		t.Fatalf("only %d commands", n)
	}
	var out bytes.Buffer
	zh := &app{out: &out, errOut: &out}
	root = zh.rootCommand()
	localiseHelp(root, i18n.New(i18n.ZH))
	root.SetArgs([]string{"--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"用法：", "可用命令：", "列出您的订单", "市场地址；留空则运行内置市场", "不用真钱就能练习", "查看命令的详细说明"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the Chinese help lacks %q:\n%s", want, out.String())
		}
	}
	for _, english := range []string{"Available Commands:", "List your orders", "marketplace URL"} {
		if strings.Contains(out.String(), english) {
			t.Errorf("the Chinese help still says %q", english)
		}
	}
}

func TestHelpLanguageBeforeFlags(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		args []string
		env  map[string]string
		want i18n.Lang
	}{
		{nil, nil, i18n.EN},
		{nil, map[string]string{"LANG": "zh_CN.UTF-8"}, i18n.ZH},
		{[]string{"--lang", "en", "--help"}, map[string]string{"LANG": "zh_CN.UTF-8"}, i18n.EN},
		{[]string{"--lang=zh-CN"}, nil, i18n.ZH},
		{nil, map[string]string{"P2PDESK_UI_LANG": "zh-CN", "LANG": "C"}, i18n.ZH},
	} {
		if got := helpLang(c.args, env(c.env)); got != c.want {
			t.Errorf("%v %v: %s", c.args, c.env, got)
		}
	}
}

// TestKeyringNoticeInBothLanguages: the notice of a missing keyring says,
// in English, what the secrets package says, and in Chinese the same
// reason and fix in Chinese.
func TestKeyringNoticeInBothLanguages(t *testing.T) {
	st := secrets.Status{Backend: "Secret Service", Cause: "no-bus", Reason: "there is no D-Bus session bus", Fix: "run p2pdesk inside a desktop session or `dbus-run-session`, with a Secret Service such as gnome-keyring (apt install gnome-keyring)"}
	en := &app{}
	en.cfg.UI.Lang = "en"
	if got := en.keyringNotice(st); got != st.Message() {
		t.Errorf("English:\n%s\nwant\n%s", got, st.Message())
	}
	zh := &app{}
	zh.cfg.UI.Lang = "zh-CN"
	if got := zh.keyringNotice(st); !strings.Contains(got, "没有 D-Bus 会话总线") || !strings.Contains(got, "仅限本次运行") || strings.Contains(got, "session bus") {
		t.Errorf("Chinese: %s", got)
	}
	if (&app{}).keyringNotice(secrets.Status{Available: true}) != "" {
		t.Error("a working keyring has no notice")
	}
}
