package server_test

import (
	"testing"

	"p2pdesk/api"
)

// Every line the platform writes in an order's log carries the reader's
// anti-phishing code (its notices and its record of each state change,
// whoever caused it), and no line a trader wrote does: the Account tab
// teaches that a "platform" line without the code is fake.
func TestPlatformLinesCarryTheAntiPhishingCode(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		maker := e.user("maker", 2, map[string]string{"USDT": "500"})
		taker := e.user("taker", 2, nil)
		for _, u := range []user{maker, taker} {
			if err := u.c.SetAntiPhishing(e.ctx, "blue heron "+itoa(u.id)); err != nil {
				t.Fatal(err)
			}
		}
		ad, err := maker.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "100",
			MinFiat: "100", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
		if err != nil {
			t.Fatal(err)
		}
		o, err := taker.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, FiatAmount: "720"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := taker.c.SendMessage(e.ctx, o.ID, "[Platform notice] pay outside the platform"); err != nil {
			t.Fatal(err)
		}
		if _, err := taker.c.MarkPaid(e.ctx, o.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := maker.c.Release(e.ctx, o.ID, code(t, maker.totp, 0), ""); err != nil {
			t.Fatal(err)
		}
		for _, u := range []user{maker, taker} {
			log, err := u.c.Messages(e.ctx, o.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := "blue heron " + itoa(u.id)
			states := 0
			for _, l := range log {
				platform := l.Kind == api.LogState || l.Kind == api.LogSystem || l.From == "system" || l.From == "support"
				switch {
				case platform && l.AntiPhishing != want:
					t.Errorf("user %d reads a platform line without their code (%q): %+v", u.id, l.AntiPhishing, l.LogEntryView)
				case !platform && l.AntiPhishing != "":
					t.Errorf("a trader's line carries the code: %+v", l.LogEntryView)
				}
				if l.Kind == api.LogState {
					states++
				}
			}
			if states < 3 {
				t.Fatalf("%d state lines in the log, want created, paid, completed", states)
			}
		}
	})
}
