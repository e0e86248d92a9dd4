package ui

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
	"p2pdesk/money"
)

// fakeAds builds n distinct ads the way the server sends them.
func fakeAds(n int) []api.AdView {
	ads := make([]api.AdView, n)
	comp, rel := int64(9730), int64(312)
	for i := range ads {
		dev := int64(i%400 - 200)
		ads[i] = api.AdView{
			ID: int64(i + 1), Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, PriceType: "fixed",
			Price: money.New(72000+int64(i%300), 4), DevBP: &dev, Remaining: money.New(int64(1000+i)*1e6, 6),
			MinFiat: money.New(10000, 2), MaxFiat: money.New(5000000, 2), WindowMin: 15,
			Payments: []api.PaymentMethod{api.Alipay, api.WeChat},
			Maker: api.TraderCard{Name: fmt.Sprintf("Merchant%07d", i), Verified: i%3 == 0,
				Record: api.Record{Orders30d: int64(100 + i%900), CompletionBP: &comp, AvgReleaseS: &rel}},
		}
	}
	return ads
}

// marketModel is the whole app at 120×40 on the Market tab, its table
// holding the ads.
func marketModel(ads []api.AdView) (*Model, *marketPage) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Now: func() time.Time { return now }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	mp := m.tabs[0].(*marketPage)
	mp.Update(adsMsg{version: mp.version, page: api.AdPage{Ads: ads}})
	return m, mp
}

// BenchmarkMarketFrame: one frame of the app (cursor moved, whole screen
// rendered) over books of each size. Only visible rows are rendered, so
// the time should not grow with the book.
func BenchmarkMarketFrame(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("ads=%d", n), func(b *testing.B) {
			m, _ := marketModel(fakeAds(n))
			down := tea.KeyMsg{Type: tea.KeyDown}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.Update(down)
				_ = m.View()
			}
		})
	}
}

// BenchmarkMarketBurst: 1,000 ad updates arrive from the stream, then the
// debounced refetch lands and one frame is drawn. Per op: the whole burst.
func BenchmarkMarketBurst(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("ads=%d", n), func(b *testing.B) {
			ads := fakeAds(n)
			m, mp := marketModel(ads)
			events := make([]EventMsg, 1000)
			for i := range events {
				data, _ := json.Marshal(api.AdChange{ID: int64(i*97%n + 1), Price: money.New(72100, 4), Remaining: money.New(5e8, 6), Status: api.AdOnline})
				events[i] = EventMsg{Event: api.Event{ID: int64(i + 1), Type: "ad.changed", Data: data}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, e := range events {
					m.Update(e)
				}
				mp.dirty = false // the debounce fired
				mp.Update(adsMsg{version: mp.version, page: api.AdPage{Ads: ads}})
				_ = m.View()
			}
		})
	}
}
