package sim

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"p2pdesk/i18n"
	"p2pdesk/market"
)

// The catalogue's English of every scenario is the text written here, and
// every scenario has its Chinese.
func TestScenarioTextsAreInTheCatalogue(t *testing.T) {
	zh := i18n.New(i18n.ZH)
	for _, n := range ScenarioNames() {
		s := Scenarios[n]
		for field, text := range map[string]string{"summary": s.Summary, "risk": s.Risk, "careful": s.Careful, "careless": s.Careless} {
			id := "scenario." + n + "." + field
			if got := english.T(id); got != text {
				t.Errorf("%s: catalogue %q, scenario %q", id, got, text)
			}
		}
		sum, _, careful, _ := s.In(zh)
		if sum == s.Summary || careful == s.Careful || sum == "" {
			t.Errorf("%s has no Chinese", n)
		}
		// The guide's advice the debrief ends on, in both languages.
		if g := "scenario." + n + ".guide"; english.T(g) == g || zh.T(g) == g || english.T(g) == zh.T(g) {
			t.Errorf("%s has no guide sentence in both languages", n)
		}
	}
	if m := zh.Missed(); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
}

// A learner who reads Chinese is written to in Chinese, and every warning
// the English line earns, its Chinese earns too: the lesson stays.
func TestChineseChatKeepsItsWarnings(t *testing.T) {
	w := &World{}
	b := &Bot{w: w}
	en := "Hurry, release it now, my boss is waiting!"
	if got := b.lineOf(en); got != en {
		t.Fatalf("no learner language set, yet %q", got)
	}
	w.SetLearner(i18n.New(i18n.ZH))
	if got := b.lineOf(en); got == en || got == "" {
		t.Fatalf("a Chinese learner reads %q", got)
	}
	zh := i18n.New(i18n.ZH)
	n := 0
	for id, m := range i18n.Messages(i18n.EN) {
		if !strings.HasPrefix(id, "sim.chat.") {
			continue
		}
		n++
		enText := english.T(id, "Total", "700.00", "Name", "Zhou Hao", "Tx", "2026", "Account", "13000000001", "ID", 1)
		zhText := zh.T(id, "Total", "700.00", "Name", "Zhou Hao", "Tx", "2026", "Account", "13000000001", "ID", 1)
		have := map[string]bool{}
		for _, x := range market.ChatWarnings(zhText) {
			have[x] = true
		}
		for _, x := range market.ChatWarnings(enText) {
			if !have[x] {
				t.Errorf("%s: the English %q earns %s, the Chinese %q does not", id, m.Other, x, zhText)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d chat lines", n)
	}
}

// Every fixed line the sim passes through lineOf, and every list of
// pushes a scenario gives its script, has its Chinese: else a Chinese
// learner would meet it in English.
func TestEveryFixedLineHasItsChinese(t *testing.T) {
	w := &World{}
	w.SetLearner(i18n.New(i18n.ZH))
	b := &Bot{w: w}
	re := regexp.MustCompile(`lineOf\("((?:[^"\\]|\\.)*)"\)`)
	lists := regexp.MustCompile(`(?:neverPays|pushesFirst)\(\[\]string\{([^}]*)\}`)
	quoted := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	var lines []string
	for _, f := range []string{"scripts.go", "merchant.go", "support.go", "scenario.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			lines = append(lines, m[1])
		}
		for _, l := range lists.FindAllStringSubmatch(string(src), -1) {
			for _, m := range quoted.FindAllStringSubmatch(l[1], -1) {
				lines = append(lines, m[1])
			}
		}
	}
	if len(lines) < 25 {
		t.Fatalf("only %d lines found: the scan is broken", len(lines))
	}
	for _, l := range lines {
		l = strings.ReplaceAll(l, `\"`, `"`)
		if b.lineOf(l) == l {
			t.Errorf("no Chinese for %q", l)
		}
	}
}

// A debrief printed in Chinese says the sim's sentences in Chinese from
// the IDs kept beside them, and in English exactly as before.
func TestDebriefPrintsInEitherLanguage(t *testing.T) {
	text, said := say("debrief.p.released_unpaid", "Amount", "100", "Asset", "USDT")
	funds, fsaid := say("debrief.funds.seller_gone", "Amount", "100", "Asset", "USDT")
	d := Debrief{Scenario: "fake-proof", Grade: "F", Lesson: Scenarios["fake-proof"].Careful, Funds: funds, FundsSaid: fsaid,
		Points: []Point{{Text: text, Said: said}}}
	var en, zh strings.Builder
	d.Print(&en)
	d.PrintIn(&zh, i18n.New(i18n.ZH))
	for _, want := range []string{"Debrief: fake-proof, grade F", "You released 100 USDT with no payment in your own statement. A release is final.",
		"Your funds: Your 100 USDT went to the buyer.", "What a careful user does: A screenshot is not a payment"} {
		if !strings.Contains(en.String(), want) {
			t.Errorf("English lost %q:\n%s", want, en.String())
		}
	}
	for _, want := range []string{"复盘：假付款截图（fake-proof），评分 F", "您却放了 100 USDT", "您的资金：您的 100 USDT 已给了买家。", "谨慎的用户会这样做：截图不是付款"} {
		if !strings.Contains(zh.String(), want) {
			t.Errorf("Chinese lacks %q:\n%s", want, zh.String())
		}
	}
	if strings.Contains(zh.String(), "You released") {
		t.Errorf("English left in the Chinese debrief:\n%s", zh.String())
	}
}
