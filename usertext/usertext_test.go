package usertext

import (
	"strings"
	"testing"
)

func TestForbidden(t *testing.T) {
	bad := []string{"\x1b[2J", "a\x00b", "\x7f", "\u0085", "\u009b31m", "pay\u202Eemit", "\u2066x\u2069", "\u200E", "\u200F",
		"we\u200Bchat", "\uFEFF", "\u2060", "\u00AD", "\u3164", "\U000E0041", "\u2028", "a\rb", "\xff"}
	for _, s := range bad {
		for _, ml := range []bool{true, false} {
			if _, found := Forbidden(s, ml); !found {
				t.Errorf("%q (multiline %v) passed", s, ml)
			}
		}
	}
	for _, s := range []string{"hello", "你好，付款了", "ｗｅｃｈａｔ", "café", "مرحبا", "\U0001F44D", "\u00e9\u0301", "7.215 USDT \uFFFD"} {
		if r, found := Forbidden(s, false); found {
			t.Errorf("%q refused for %U", s, r)
		}
	}
	if _, found := Forbidden("line one\nline\ttwo \U0001F468\u200D\U0001F469", true); found {
		t.Error("newline, tab or an emoji's joiner refused in multiline text")
	}
	for _, s := range []string{"a\nb", "a\tb", "a\u200Db"} {
		if _, found := Forbidden(s, false); !found {
			t.Errorf("%q passed as one line", s)
		}
	}
}

func TestDisplayPrintsNoControl(t *testing.T) {
	in := "\x1b]0;owned\x07pay\u202Enow\u200B \u0090x\ty\nz\xff"
	for _, out := range []string{Display(in), DisplayLines(in)} {
		for _, r := range out {
			if r != '\n' && hidden(r) {
				t.Fatalf("%q still holds %U", out, r)
			}
		}
		if strings.ContainsAny(out, "\x1b\x07\t") {
			t.Fatalf("%q", out)
		}
	}
	if got := Display(in); got != "]0;ownedpaynow x y z" {
		t.Fatalf("Display = %q", got)
	}
	if got := DisplayLines("a\nb\tc"); got != "a\nb c" {
		t.Fatalf("DisplayLines = %q", got)
	}
	if s := "plain 你好"; Display(s) != s {
		t.Fatal("clean text changed")
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"ｗｅｃｈａｔ":         "wechat",
		"we\u200Bchat":   "wechat",
		"We\u2060Chat":   "wechat",
		"\u202Etahcew":   "tahcew",
		"ＡＤＤ ＭＥ":         "add me",
		"ﬁne":            "fine",
		"line\nbreak":    "line break",
		"微\u200D信":       "微信",
		"ｔ．ｍｅ／ｘ":         "t.me/x",
		"Telegram\uFEFF": "telegram",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
