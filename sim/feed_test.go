package sim

import (
	"testing"
	"time"

	"p2pdesk/api"
)

// TestPricesAgreeAcrossFiats: an asset's index in CNY and EUR is its USD
// index at the USDT rate of that fiat, within 2 %: BTC/CNY once stood ten
// times too high.
func TestPricesAgreeAcrossFiats(t *testing.T) {
	for _, a := range []api.Asset{api.BTC, api.ETH} {
		usd := levels[api.Pair{Asset: a, Fiat: api.USD}].price
		for _, f := range []api.Fiat{api.CNY, api.EUR} {
			rate := levels[api.Pair{Asset: api.USDT, Fiat: f}].price // fiat per USDT, x10^4
			want := usd * rate / levels[api.Pair{Asset: api.USDT, Fiat: api.USD}].price
			got := levels[api.Pair{Asset: a, Fiat: f}].price
			if d := got - want; d*50 > want || -d*50 > want {
				t.Errorf("%s/%s is %d, its USD price at the USDT rate gives %d", a, f, got, want)
			}
		}
	}
}

// TestPastLeadsToTheLiveFeed: the 30 days of history end where the live
// feed begins, an hour apart, in time order, the same for a seed.
func TestPastLeadsToTheLiveFeed(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	f := NewFeed(7)
	past := f.Past(7, start, 30*24)
	if len(past) != 30*24*len(api.Pairs()) {
		t.Fatalf("%d points", len(past))
	}
	last := map[api.Pair]api.IndexPoint{}
	for i, p := range past {
		if i > 0 && p.At.Before(past[i-1].At) {
			t.Fatalf("point %d goes back in time", i)
		}
		last[api.Pair{Asset: p.Asset, Fiat: p.Fiat}] = p
	}
	for pr, p := range last {
		if !p.At.Equal(start.Add(-time.Hour)) || p.Price.Cmp(f.Price(pr)) != 0 {
			t.Errorf("%s ends at %s %s, the live feed begins at %s", pr, p.At, p.Price, f.Price(pr))
		}
	}
	again := NewFeed(7).Past(7, start, 30*24)
	for i := range past {
		if past[i] != again[i] {
			t.Fatalf("point %d differs for the same seed", i)
		}
	}
}
