package server_test

import (
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
)

// TestAdSortsByRecord sorts the market by price, by the makers'
// completion rate and by their average release time, over HTTP on each
// store, and pages through a ranked sort with its cursor.
func TestAdSortsByRecord(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		buyer := e.user("buyer", 2, nil)
		// steady: three orders, each released a minute after "paid";
		// slow: two, twenty minutes each; fresh: none.
		steady := e.user("steady", 2, map[string]string{"USDT": "1000"})
		slow := e.user("slow", 2, map[string]string{"USDT": "1000"})
		fresh := e.user("fresh", 2, map[string]string{"USDT": "1000"})
		trade := func(maker user, n int, wait time.Duration) {
			ad, err := maker.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "100",
				MinFiat: "100", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				o, err := buyer.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, FiatAmount: "144"}, "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := buyer.c.MarkPaid(e.ctx, o.ID, ""); err != nil {
					t.Fatal(err)
				}
				e.clk.Advance(wait)
				if _, err := maker.c.Release(e.ctx, o.ID, code(t, maker.totp, i-1), ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := maker.c.SetAdStatus(e.ctx, ad.ID, "delete"); err != nil {
				t.Fatal(err)
			}
		}
		trade(steady, 3, time.Minute)
		trade(slow, 2, 20*time.Minute)
		ids := map[int64]string{}
		for _, p := range []struct {
			u     user
			price string
		}{{fresh, "7.10"}, {slow, "7.15"}, {steady, "7.20"}} {
			ad, err := p.u.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: p.price, Total: "100",
				MinFiat: "100", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
			if err != nil {
				t.Fatal(err)
			}
			ids[ad.ID] = map[int64]string{fresh.id: "fresh", slow.id: "slow", steady.id: "steady"}[p.u.id]
		}
		order := func(sort string, limit int) []string {
			var got []string
			cursor := ""
			for range 10 {
				page, err := buyer.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Sort: sort,
					Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatalf("sort=%s: %v", sort, err)
				}
				for _, a := range page.Ads {
					got = append(got, ids[a.ID])
				}
				if cursor = page.Next; cursor == "" {
					break
				}
			}
			return got
		}
		for _, c := range []struct {
			sort  string
			limit int
			want  string
		}{
			{"price", 20, "fresh slow steady"},
			// Both at 100 %: more orders first; no record last.
			{"completion", 20, "steady slow fresh"},
			{"completion", 1, "steady slow fresh"},
			{"release", 20, "steady slow fresh"},
			{"release", 2, "steady slow fresh"},
		} {
			if got := join(order(c.sort, c.limit)); got != c.want {
				t.Errorf("sort=%s limit=%d: %s, want %s", c.sort, c.limit, got, c.want)
			}
		}
		_, err := buyer.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Sort: "cheapest"})
		wantCode(t, err, "INVALID_ARGUMENT")
		_, err = buyer.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Limit: 500})
		wantCode(t, err, "INVALID_ARGUMENT")
		// A price cursor is no ranked cursor.
		page, err := buyer.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Limit: 1})
		if err != nil || page.Next == "" {
			t.Fatalf("price page: %+v %v", page, err)
		}
		_, err = buyer.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Sort: "completion", Cursor: page.Next})
		wantCode(t, err, "INVALID_ARGUMENT")
	})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
