package sim

import (
	"context"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
)

// TestMarketLooksReal checks the seeded market against what a P2P desk
// looks like: enough merchants, believable records derived from history,
// prices around the index with a few outliers, ordinary windows and all
// three payment methods; and after two simulated hours, trades happened
// and ads followed the index.
func TestMarketLooksReal(t *testing.T) {
	// CPU-bound, in parallel with the live drills, which mostly wait on wall time.
	t.Parallel()
	w := openWorld(t, Options{Seed: 11, Merchants: 30, History: true})
	ctx := context.Background()
	if n := len(w.Merchants); n < 30 || n > 100 {
		t.Fatalf("%d merchants, want 30 to 100", n)
	}
	verified := 0
	for _, m := range w.Merchants {
		card, err := w.Admin.Trader(ctx, m.UserID)
		if err != nil {
			t.Fatal(err)
		}
		r := card.Record
		if r.CompletionBP == nil || *r.CompletionBP < 8000 || *r.CompletionBP > 10000 {
			t.Errorf("%s: completion %v, want about 85%% to 99.9%%", card.Name, bp(r.CompletionBP))
		}
		if r.AvgReleaseS == nil || *r.AvgReleaseS < 10 || *r.AvgReleaseS > 30*60 {
			t.Errorf("%s: average release %v is not believable", card.Name, secsOf(r.AvgReleaseS))
		}
		if r.Orders30d < 20 {
			t.Errorf("%s: only %d orders in 30 days", card.Name, r.Orders30d)
		}
		if card.Verified {
			verified++
		}
	}
	if verified == 0 || verified == len(w.Merchants) {
		t.Errorf("%d of %d merchants verified: a badge must mean something", verified, len(w.Merchants))
	}

	ads := allAds(t, w)
	if len(ads) < len(w.Merchants) {
		t.Fatalf("only %d ads for %d merchants", len(ads), len(w.Merchants))
	}
	near, far := 0, 0
	methods := map[api.PaymentMethod]bool{}
	for _, a := range ads {
		if a.WindowMin < 10 || a.WindowMin > 30 {
			t.Errorf("ad %d: window %d min, want 10 to 30", a.ID, a.WindowMin)
		}
		for _, p := range a.Payments {
			methods[p] = true
		}
		if a.DevBP == nil {
			t.Errorf("ad %d has no deviation from the index", a.ID)
			continue
		}
		if abs(*a.DevBP) <= 100 {
			near++
		} else {
			far++
		}
		if a.MinFiat.Cmp(a.MaxFiat) > 0 {
			t.Errorf("ad %d: min %s above max %s", a.ID, a.MinFiat, a.MaxFiat)
		}
	}
	if near*100 < len(ads)*80 {
		t.Errorf("%d of %d ads within ±1%% of the index, want most", near, len(ads))
	}
	if far == 0 {
		t.Errorf("no ad beyond ±1%%: a real market has a few outliers and bait")
	}
	for _, m := range []api.PaymentMethod{api.Alipay, api.WeChat, api.Bank} {
		if !methods[m] {
			t.Errorf("no ad accepts %s", m)
		}
	}
	before := map[int64]string{}
	for _, a := range ads {
		before[a.ID] = a.Price.String()
	}
	_, eventsBefore, _ := w.EventLog(ctx)

	w.Sched.RunFor(2 * time.Hour)

	hist, err := w.Admin.IndexHistory(ctx, api.USDT, api.CNY, time.Time{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) < 60 {
		t.Errorf("%d index points after two hours", len(hist))
	}
	moved := 0
	for _, a := range allAds(t, w) {
		if p, ok := before[a.ID]; ok && p != a.Price.String() {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no ad's price moved in two hours: merchants do not follow the index")
	}
	_, eventsAfter, _ := w.EventLog(ctx)
	if eventsAfter <= eventsBefore {
		t.Error("nothing happened in two simulated hours")
	}
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d ads, %d within ±1%%, %d further; %d verified merchants; %d ads repriced; %d events in 2h",
		len(ads), near, far, verified, moved, eventsAfter-eventsBefore)
}

func allAds(t *testing.T, w *World) []api.AdView {
	t.Helper()
	var out []api.AdView
	for _, side := range []api.Side{api.Buy, api.Sell} {
		for _, asset := range []api.Asset{api.USDT, api.BTC, api.ETH} {
			q := client.AdQuery{Side: side, Asset: asset, Fiat: api.CNY, Limit: 100}
			for {
				page, err := w.Admin.Ads(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, page.Ads...)
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
		}
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestSameSeedSameEvents runs the same scenario twice with one seed and
// once with another: the event log hash is equal across the first two and
// differs for the third.
func TestSameSeedSameEvents(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) string {
		rep, err := RunScenario(context.Background(), RunOptions{Scenario: "bait-price", Seed: seed, Policy: Careful})
		if err != nil {
			t.Fatal(err)
		}
		return rep.EventLog
	}
	a, b, c := run(5), run(5), run(6)
	if a != b {
		t.Fatalf("seed 5 gave two event logs: %s and %s", a, b)
	}
	if a == c {
		t.Fatalf("seeds 5 and 6 gave the same event log %s: the seed does nothing", a)
	}
}

// TestWorldIsDeterministic runs a whole market (merchants, history, feed,
// honest trades) twice for an hour with the same seed.
func TestWorldIsDeterministic(t *testing.T) {
	t.Parallel()
	hash := func(seed uint64) string {
		w := openWorld(t, Options{Seed: seed, Merchants: 5, History: true})
		w.Sched.RunFor(time.Hour)
		h, _, err := w.EventLog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if a, b := hash(9), hash(9); a != b {
		t.Fatalf("one seed, two worlds: %s vs %s", a, b)
	}
}
