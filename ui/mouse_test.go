package ui_test

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/i18n"
	"p2pdesk/sim"
	"p2pdesk/ui"
)

// TestMouse: with the mouse on, the wheel moves the market's cursor, a
// click selects an ad and a second click opens its ticket, and a click on
// a tab opens that tab; against a real market.
func TestMouse(t *testing.T) {
	ctx := context.Background()
	w, err := sim.Open(ctx, sim.Options{Dir: t.TempDir(), ServerKey: auth.GenerateKey(), Seed: 33, Merchants: 6, History: true, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	acct, mc, _ := practiceTrader(t, w)
	tr := i18n.New(i18n.EN)
	d := &driver{t: t, m: ui.New(ui.Deps{Market: mc, Alipay: client.NewAlipay(w.URL(), acct.AlipayToken, nil), Embedded: true,
		Theme: ui.DefaultTheme(), Keys: ui.DefaultKeys(), Now: w.Sched.Now, SteadyCursor: true, Tick: neverTick, Tr: tr})}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.send(d.m.Init()())
	lines := func() []string { return strings.Split(ansi.Strip(d.m.View()), "\n") }
	selected := func() int {
		for i, l := range lines() {
			if strings.HasPrefix(l, "▸ ") {
				return i
			}
		}
		return -1
	}
	press := func(b tea.MouseButton, x, y int) {
		d.send(tea.MouseMsg{X: x, Y: y, Button: b, Action: tea.MouseActionPress})
	}
	first := selected()
	if first < 0 {
		t.Fatalf("no ad selected:\n%s", d.m.View())
	}
	press(tea.MouseButtonWheelDown, 10, first)
	if got := selected(); got != first+1 {
		t.Fatalf("the wheel moved the cursor from line %d to %d", first, got)
	}
	press(tea.MouseButtonWheelUp, 10, first)
	if got := selected(); got != first {
		t.Fatalf("the wheel up left the cursor on line %d, not %d", got, first)
	}
	press(tea.MouseButtonLeft, 10, first+2)
	if got := selected(); got != first+2 {
		t.Fatalf("a click on line %d selected line %d", first+2, got)
	}
	press(tea.MouseButtonLeft, 10, first+2)
	if v := ansi.Strip(d.m.View()); !strings.Contains(lines()[0], "›") || !strings.Contains(v, "BUY USDT from") {
		t.Fatalf("a second click did not open the ticket:\n%s", v)
	}
	d.key("esc")
	x := strings.Index(lines()[0], "2 "+tr.T("tab.orders"))
	if x < 0 {
		t.Fatalf("no orders tab in %q", lines()[0])
	}
	press(tea.MouseButtonLeft, ansi.StringWidth(lines()[0][:x])+1, 0)
	if v := ansi.Strip(d.m.View()); !strings.Contains(v, tr.T("orders.open")) || !strings.Contains(v, tr.T("orders.history")) {
		t.Fatalf("a click on the tab did not open the orders:\n%s", v)
	}
}
