package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"p2pdesk/api"
	"p2pdesk/money"
)

// TestBaitMarkSurvivesANarrowWindow: an ad 4.5 % from the index is
// marked ⚠ on its price, so the mark stays at 80 columns, where the
// vs-index column is dropped (found playing: the bait ad topped the list
// with no warning).
func TestBaitMarkSurvivesANarrowWindow(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	p := newMarketPage(m.c)
	dev, fair := int64(-450), int64(10)
	comp := int64(9900)
	ad := func(id int64, price string, d *int64) api.AdView {
		return api.AdView{ID: id, Maker: api.TraderCard{Name: "m", Record: api.Record{CompletionBP: &comp}}, Side: api.Sell, Asset: api.USDT, Fiat: api.CNY,
			Price: money.MustParse(price, 4), DevBP: d, MinFiat: money.MustParse("100", 2), MaxFiat: money.MustParse("5000", 2), Remaining: money.MustParse("100", 6)}
	}
	p.table.SetRows([]api.AdView{ad(1, "6.8900", &dev), ad(2, "7.2200", &fair)})
	for _, w := range []int{80, 120} {
		rows := strings.Split(ansi.Strip(p.table.View(m.c.St, w)), "\n")
		if len(rows) < 3 || !strings.Contains(rows[1], "⚠6.8900") || strings.Contains(rows[2], "⚠") {
			t.Fatalf("at %d columns:\n%s", w, strings.Join(rows, "\n"))
		}
	}
}
