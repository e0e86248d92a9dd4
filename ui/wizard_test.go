package ui

import (
	"strings"
	"testing"

	"p2pdesk/api"
	"p2pdesk/market"
)

// The seller list puts the ads the user may not take (a completion rate
// or KYC level they miss) last, saying why, however good their score: a
// learner whose one order expired (0 %) was sent first to a seller that
// asks for 85 % and met COMPLETION_RATE_TOO_LOW at the take.
func TestWizardPutsAdsTheUserCannotTakeLast(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	w := newWizard(m.c, market.Buy)
	w.step = 3
	ads := fakeAds(3)
	ads[0].Maker.Name, ads[0].MinCompBP = "Picky", 8500
	ads[0].Maker.Record.Orders30d = 900 // the best score of the three
	ads[1].Maker.Name, ads[1].MinKYC = "KYCTwo", 2
	zero := int64(0)
	acct := &api.Account{AccountView: market.AccountView{User: market.User{KYCLevel: 1}, Record: market.Record{CompletionBP: &zero}}}
	free := ads[2].Maker.Name
	w.Update(wizAdsMsg{ads: append([]market.AdView(nil), ads...), acct: acct})
	if got := w.ads[0].Maker.Name; got != free {
		t.Fatalf("first seller offered: %s, want the one the user may take (%s)", got, free)
	}
	v := w.View(200, 40)
	for _, want := range []string{"you cannot take it: this ad needs a completion rate of 85%; yours is 0%", "you cannot take it: this ad needs KYC level 2; you have 1"} {
		if !strings.Contains(v, want) {
			t.Errorf("the list does not say %q:\n%s", want, v)
		}
	}

	// A new trader (no finished order, no rate) may take the picky ad.
	acct.Record.CompletionBP = nil
	if why := w.c.takeBlock(acct, ads[0]); why != "" {
		t.Fatalf("a trader with no rate yet was refused: %s", why)
	}
}

// A drill's wizard opens on the drill's own counterparty and stays there
// when the 2FA check answers: it used to fall back to the amount step,
// and enter then listed the whole market with a real merchant on top, so
// a learner's "drill" became an ordinary trade.
func TestDrillWizardStaysOnTheDrillsCounterparty(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	drillAd := fakeAds(1)[0]
	drillAd.Maker.Name = "Lucky_Hui61"
	w := newWizard(m.c, market.Sell)
	w.drill, w.step, w.ads = 3, 3, []market.AdView{drillAd}
	w.amount.SetValue("725")
	w.Update(wiz2FAMsg{st: api.TwoFactor{Enabled: true}})
	if w.step != 3 || len(w.ads) != 1 || w.ads[0].Maker.Name != "Lucky_Hui61" {
		t.Fatalf("after the 2FA answer: step %d, %d ads", w.step, len(w.ads))
	}
	if v := w.View(120, 40); !strings.Contains(v, "▸") || !strings.Contains(v, "Lucky_Hui61") {
		t.Fatalf("the drill's counterparty is not under the cursor:\n%s", v)
	}
}
