package sim

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/market"
)

func openWorld(t testing.TB, o Options) *World {
	t.Helper()
	if o.Dir == "" {
		o.Dir = fastDir(t)
	}
	if o.ServerKey == nil {
		o.ServerKey = auth.GenerateKey()
	}
	o.Fast = true
	w, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return w
}

func TestWorldBootsAndTrades(t *testing.T) {
	w := openWorld(t, Options{Seed: 7, Merchants: 6, History: true})
	ctx := context.Background()
	page, err := w.Admin.Ads(ctx, client.AdQuery{Side: market.Sell, Asset: market.USDT, Fiat: market.CNY})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d USDT/CNY sell ads", len(page.Ads))
	for _, m := range w.Merchants {
		card, _ := w.Admin.Trader(ctx, m.UserID)
		t.Logf("%s: %d orders, completion %v, release %v", card.Name, card.Record.Orders30d, bp(card.Record.CompletionBP), secsOf(card.Record.AvgReleaseS))
		if card.Record.Orders30d < 20 {
			t.Errorf("%s has a thin past: %d orders", card.Name, card.Record.Orders30d)
		}
	}
	w.Sched.RunFor(2 * time.Hour)
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	h, n, err := w.EventLog(ctx)
	if err != nil || n == 0 {
		t.Fatal(err)
	}
	t.Logf("event log %s over %d entries", h[:12], n)
}

func bp(p *int64) any {
	if p == nil {
		return "-"
	}
	return float64(*p) / 100
}

func secsOf(p *int64) any {
	if p == nil {
		return "-"
	}
	return time.Duration(*p) * time.Second
}

// fastDir is a temporary directory on tmpfs where there is one: a fast
// world commits thousands of times, and these tests check behaviour, not
// the disk (the store's crash test does that).
func fastDir(t testing.TB) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "p2pdesk-sim-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// TestSpeedOverTheAPI changes a live world's clock through the admin API:
// within 1..MaxSpeed it takes, outside it is a 400 with the field named.
func TestSpeedOverTheAPI(t *testing.T) {
	w, err := Open(context.Background(), Options{Dir: fastDir(t), ServerKey: auth.GenerateKey(), Seed: 1, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	ctx := context.Background()
	got, err := w.Admin.SetSpeed(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	if got.Speed != "60x" || w.Sched.Speed() != 60 {
		t.Fatalf("speed %q / %v after setting 60", got.Speed, w.Sched.Speed())
	}
	h, err := w.Admin.Health(ctx)
	if err != nil || h.Speed != "60x" {
		t.Fatalf("health says %q, %v", h.Speed, err)
	}
	for _, bad := range []float64{0, -1, 601} {
		_, err := w.Admin.SetSpeed(ctx, bad)
		var ae *client.Error
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "speed" {
			t.Errorf("speed %v: %v, want a 400 on the speed field", bad, err)
		}
	}
	if w.Sched.Speed() != 60 {
		t.Fatalf("a refused change moved the clock to %v", w.Sched.Speed())
	}
}
