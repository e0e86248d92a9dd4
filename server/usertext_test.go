package server_test

import (
	"slices"
	"testing"

	"p2pdesk/api"
)

// Text from users reaches nobody with a control, bidi or invisible
// character in it: chat, ad terms, dispute statements, names and the
// anti-phishing code are refused with 400 INVALID_ARGUMENT naming the
// field; chat that disguises an off-platform lure is still warned.
func TestHostileTextRefused(t *testing.T) { onStores(t, hostileTextRefused) }

func hostileTextRefused(t *testing.T, e *env) {
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 2, nil)
	adm := e.admin()
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "1", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10", Payment: "alipay"}, "")
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"\x1b[2J\x1b[Hrelease now", "paid \u202Eelaser", "o\u0085k", "\u2066hidden\u2069", "null\x00byte", "zero\u200bwidth", "bell\x07", "csi\u009b31m"}
	for _, text := range hostile {
		_, err := b.c.SendMessage(e.ctx, o.ID, text)
		wantCode(t, err, "INVALID_ARGUMENT")
		terms := "terms " + text
		_, err = m.c.EditAd(e.ctx, ad.ID, api.AdPatch{Terms: &terms})
		wantCode(t, err, "INVALID_ARGUMENT")
	}
	// Newlines stay allowed in chat and terms.
	if _, err := b.c.SendMessage(e.ctx, o.ID, "line one\nline two"); err != nil {
		t.Fatal(err)
	}
	// The anti-phishing code: ESC and invisible characters are 400.
	for _, c := range []string{"\x1b[31mSAFE", "SA\u200bFE", "SAFE\u202E", "\u2060code", "ab\ncd"} {
		wantCode(t, b.c.SetAntiPhishing(e.ctx, c), "INVALID_ARGUMENT")
	}
	if err := b.c.SetAntiPhishing(e.ctx, "海豚 blue"); err != nil {
		t.Fatal(err)
	}
	// Names: an admin cannot open an account with a disguised name either.
	for _, nu := range []api.NewUserRequest{{Name: "supp\u200bort", KYCLevel: 1}, {Name: "bob\u3164", KYCLevel: 1}, {Name: "carol", RealName: "Carol \u202EnaM", KYCLevel: 1}} {
		_, err := adm.c.CreateUser(e.ctx, nu)
		wantCode(t, err, "INVALID_ARGUMENT")
	}
	// Nothing hostile was stored.
	log, err := m.c.Messages(e.ctx, o.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range log {
		for _, h := range hostile {
			if l.Text == h {
				t.Fatalf("stored: %q", l.Text)
			}
		}
	}
}

func TestDisguisedLuresWarned(t *testing.T) { onStores(t, disguisedLuresWarned) }

func disguisedLuresWarned(t *testing.T, e *env) {
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 2, nil)
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "1", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10", Payment: "alipay"}, "")
	if err != nil {
		t.Fatal(err)
	}
	lures := []string{"add me on ｗｅｃｈａｔ for a lower fee", "ＴＥＬＥＧＲＡＭ @fastpay"}
	for _, l := range lures {
		if _, err := b.c.SendMessage(e.ctx, o.ID, l); err != nil {
			t.Fatal(err)
		}
	}
	log, err := m.c.Messages(e.ctx, o.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	warned := 0
	for _, l := range log {
		if slices.Contains(lures, l.Text) {
			if !slices.Contains(l.Warnings, api.WarnOffPlatform) {
				t.Errorf("%q: warnings %v, want off-platform", l.Text, l.Warnings)
			}
			warned++
		}
	}
	if warned != len(lures) {
		t.Fatalf("found %d of %d messages", warned, len(lures))
	}
}
