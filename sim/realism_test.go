package sim

import (
	"context"
	"reflect"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/market"
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

// TestMerchantRecordsSpread: the merchants' 30-day records spread as on a
// real P2P market, new accounts with a few dozen orders, mid-size ones
// with hundreds, large ones with thousands, a badge only on the
// established; the volume carried beyond the played orders keeps each
// merchant's completion rate and release time, moves no money, follows
// the days, and is the same after a restart.
func TestMerchantRecordsSpread(t *testing.T) {
	t.Parallel()
	dir := fastDir(t)
	key := auth.GenerateKey()
	ctx := context.Background()
	w := openWorld(t, Options{Dir: dir, ServerKey: key, Seed: 5, Merchants: 40, History: true})
	records := func(w *World) map[int64]api.TraderCard {
		t.Helper()
		out := map[int64]api.TraderCard{}
		for _, m := range w.Merchants {
			card, err := w.Admin.Trader(ctx, m.UserID)
			if err != nil {
				t.Fatal(err)
			}
			out[m.UserID] = card
		}
		return out
	}
	before := records(w)
	small, mid, large := 0, 0, 0
	for _, m := range w.Merchants {
		card, p := before[m.UserID], m.Script.(*Honest).P
		r := card.Record
		switch n := r.Orders30d; {
		case n < 150:
			small++
			if card.Verified {
				t.Errorf("%s: verified with only %d orders", card.Name, n)
			}
		case n < 800:
			mid++
		default:
			large++
		}
		// The carried volume keeps the persona: completion within a
		// point of its target, release time near its delay.
		if got := *r.CompletionBP; r.Orders30d >= 150 && (got < p.CompletionBP-100 || got > p.CompletionBP+100) {
			t.Errorf("%s: completion %d bp with %d orders, persona %d bp", card.Name, got, r.Orders30d, p.CompletionBP)
		}
		want := int64((p.ReleaseDelay + 45*time.Second) / time.Second)
		if got := *r.AvgReleaseS; r.Orders30d >= 150 && (got < want-30 || got > want+30) {
			t.Errorf("%s: average release %d s, persona %d s", card.Name, got, want)
		}
	}
	t.Logf("records: %d new, %d mid-size, %d large", small, mid, large)
	if small < 4 || mid < 8 || large < 4 {
		t.Errorf("records do not spread: %d new (<150), %d mid-size, %d large (>=800) of %d", small, mid, large, len(w.Merchants))
	}
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatalf("carried records broke an invariant: %v", err)
	}

	// A restart carries the same days: every record as it was.
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w2 := openWorld(t, Options{Dir: dir, ServerKey: key, Seed: 5, Merchants: 40, History: true})
	again := records(w2)
	for id, c := range before {
		if !reflect.DeepEqual(again[id].Record, c.Record) {
			t.Errorf("%s after a restart: %+v, before %+v", c.Name, again[id].Record, c.Record)
		}
	}
}

// TestCarriedRecordsFollowTheDays: when a simulated day ends, the day is
// carried and the window's oldest leaves it: records move, none jumps.
func TestCarriedRecordsFollowTheDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openWorld(t, Options{Seed: 5, Merchants: 4, History: true})
	records := func() map[int64]api.Record {
		t.Helper()
		out := map[int64]api.Record{}
		for _, m := range w.Merchants {
			card, err := w.Admin.Trader(ctx, m.UserID)
			if err != nil {
				t.Fatal(err)
			}
			out[m.UserID] = card.Record
		}
		return out
	}
	before := records()
	// Past the next midnight, and the hour the carrying looks again.
	w.Sched.RunUntil(market.DayStart(w.Sched.Now()).Add(24*time.Hour + 61*time.Minute))
	after := records()
	moved := 0
	for id, r := range before {
		a, b := r.Orders30d, after[id].Orders30d
		if b < a/2 || b > a*2+200 {
			t.Errorf("merchant %d: %d orders, a day later %d", id, a, b)
		}
		if a != b {
			moved++
		}
	}
	if moved == 0 {
		t.Error("a day passed and no record moved: the carried days do not follow the clock")
	}
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
}
