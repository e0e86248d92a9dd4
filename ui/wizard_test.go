package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// The seller list puts the ads the user may not take (a completion rate
// or KYC level they miss) last, saying why, however good their score: a
// learner whose one order expired (0 %) was sent first to a seller that
// asks for 85 % and met COMPLETION_RATE_TOO_LOW at the take.
func TestWizardPutsAdsTheUserCannotTakeLast(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	w := newWizard(m.c, api.Buy)
	w.step = 3
	ads := fakeAds(3)
	ads[0].Maker.Name, ads[0].MinCompBP = "Picky", 8500
	ads[0].Maker.Record.Orders30d = 900 // the best score of the three
	ads[1].Maker.Name, ads[1].MinKYC = "KYCTwo", 2
	zero := int64(0)
	acct := &api.Account{AccountView: api.AccountView{User: api.User{KYCLevel: 1}, Record: api.Record{CompletionBP: &zero}}}
	free := ads[2].Maker.Name
	w.Update(wizAdsMsg{side: api.Buy, ads: append([]api.AdView(nil), ads...), acct: acct})
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
	w := newWizard(m.c, api.Sell)
	w.drill, w.step, w.ads = 3, 3, []api.AdView{drillAd}
	w.amount.SetValue("725")
	w.Update(wiz2FAMsg{side: api.Sell, st: api.TwoFactor{Enabled: true}})
	if w.step != 3 || len(w.ads) != 1 || w.ads[0].Maker.Name != "Lucky_Hui61" {
		t.Fatalf("after the 2FA answer: step %d, %d ads", w.step, len(w.ads))
	}
	if v := w.View(120, 40); !strings.Contains(v, "▸") || !strings.Contains(v, "Lucky_Hui61") {
		t.Fatalf("the drill's counterparty is not under the cursor:\n%s", v)
	}
}

// Each guide shows its own order: the Withdraw guide's answers reach the
// Deposit guide too (every page gets every answer), and it showed the
// withdrawal as its own finished buy.
func TestWizardIgnoresTheOtherWizardsOrder(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	deposit := newWizard(m.c, api.Buy)
	deposit.step = 3
	sold := api.OrderView{ID: 7, Role: "seller", Side: api.Sell, State: api.StateCompleted, Asset: api.USDT}
	deposit.Update(wizOrderMsg{side: api.Sell, o: sold, seq: 1})
	if deposit.order != nil {
		t.Fatalf("the Deposit guide took the Withdraw guide's order %d", deposit.order.ID)
	}
	bought := api.OrderView{ID: 8, Role: "buyer", Side: api.Buy, State: api.StateCreated, Asset: api.USDT}
	deposit.Update(wizOrderMsg{side: api.Buy, o: bought, seq: 1})
	if deposit.order == nil || deposit.order.ID != 8 {
		t.Fatalf("the Deposit guide did not take its own order: %+v", deposit.order)
	}
}

// W and D open their guide over the tab: esc leaves it for the tab, not
// for an order opened before it, and pressing D again in the guide does
// not stack a second guide that esc lands in.
func TestWizardOpensOverTheTab(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.ready = true
	m.stack = []Page{newOrderPage(m.c, 2678)} // an old order, opened before
	press := func(r rune) {
		if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}); cmd != nil {
			if pm, ok := cmd().(pushMsg); ok {
				m.Update(pm)
			}
		}
	}
	press('D')
	if len(m.stack) != 1 {
		t.Fatalf("after D the stack holds %d pages, want the guide alone", len(m.stack))
	}
	guide := m.stack[0]
	m.stack = append(m.stack, newOrderPage(m.c, 9)) // opened from the guide
	press('D')
	if len(m.stack) != 1 || m.stack[0] != guide {
		t.Fatalf("D again: %d pages, the same guide %v", len(m.stack), len(m.stack) > 0 && m.stack[0] == guide)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if len(m.stack) != 0 {
		t.Fatalf("esc from the guide left %d pages, want the tab", len(m.stack))
	}
}

// The guided list scrolls: at 80×24 only two sellers fit, and the cursor
// used to walk off the bottom (enter then opened an ad the learner never
// saw, and the look-alike merchant a drill stages was never on screen).
func TestWizardListScrollsToTheCursor(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	w := newWizard(m.c, api.Buy)
	w.step = 3
	ads := fakeAds(30)
	w.Update(wizAdsMsg{side: api.Buy, ads: ads, acct: &api.Account{}})
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	selected := func(v string) string {
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "▸") && strings.Contains(l, "Merchant") {
				return l[strings.Index(l, "Merchant"):][:len("Merchant0000000")]
			}
		}
		return ""
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for range 20 {
			w.Update(down)
		}
		v := w.View(size[0], size[1])
		if got, want := selected(v), w.ads[w.cursor].Maker.Name; got != want {
			t.Fatalf("%dx%d, the 21st seller under the cursor: the screen shows %q, want %q:\n%s", size[0], size[1], got, want, v)
		}
		if !strings.Contains(v, "of 30") {
			t.Errorf("%dx%d: the list does not say where it is:\n%s", size[0], size[1], v)
		}
		if n := strings.Count(v, "\n") + 1; n > size[1] {
			t.Errorf("%dx%d: the view is %d lines high", size[0], size[1], n)
		}
		for range 20 {
			w.Update(up)
		}
		if got, want := selected(w.View(size[0], size[1])), w.ads[0].Maker.Name; got != want {
			t.Fatalf("%dx%d, back at the top: %q under the cursor, want %q", size[0], size[1], got, want)
		}
	}
}
