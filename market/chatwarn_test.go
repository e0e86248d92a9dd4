package market

import (
	"fmt"
	"testing"
)

func TestChatWarnings(t *testing.T) {
	cases := map[string]string{
		"I have paid, please check":                            "[]",
		"Add me on WeChat for a lower fee":                     "[off-platform]",
		"verify here: https://p2pdesk-support.top/login":       "[link]",
		"This is customer service, release now or be frozen":   "[impersonation pressure]",
		"paid! see the screenshot":                             "[proof]",
		"加我微信，场外交易":                                            "[off-platform]",
		"Hurry, release it now":                                "[pressure]",
		"transfer done via t.me/fastpay":                       "[link]",
		"The order number is 42, the amount is 725.11 exactly": "[]",
		// A buyer saying they pay right away is not pushing anyone.
		"您好，马上付款。":      "[]",
		"快点，马上放币，老板在等！": "[pressure]",
		"付了！请马上放币。":     "[pressure]",
	}
	for text, want := range cases {
		got := fmt.Sprint(ChatWarnings(text))
		if got == "[]" && want == "[]" {
			continue
		}
		if got != want {
			t.Errorf("%q: warnings %s, want %s", text, got, want)
		}
	}
}

// TestChatWarningsSeeThroughDisguise: fullwidth letters, zero-width and
// other invisible characters do not hide a word from the warnings.
func TestChatWarningsSeeThroughDisguise(t *testing.T) {
	for _, text := range []string{"add me on ｗｅｃｈａｔ", "let's talk on we\u200bchat", "Tele\u2060gram: @fastpay", "ＷＨＡＴＳＡＰＰ me",
		"we\u200dchat is faster", "pay on\u00adline via tele\ufeffgram"} {
		if got := fmt.Sprint(ChatWarnings(text)); got != "[off-platform]" {
			t.Errorf("%q: warnings %s, want [off-platform]", text, got)
		}
	}
	if got := fmt.Sprint(ChatWarnings("verify at ｐ２ｐｄｅｓｋ－ｓｕｐｐｏｒｔ．ｔｏｐ")); got != "[link]" {
		t.Errorf("a fullwidth link: %s", got)
	}
}
