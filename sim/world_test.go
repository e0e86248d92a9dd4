package sim

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
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
	t.Parallel()
	w := openWorld(t, Options{Seed: 7, Merchants: 6, History: true})
	ctx := context.Background()
	page, err := w.Admin.Ads(ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY})
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
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "speed" {
			t.Errorf("speed %v: %v, want a 400 on the speed field", bad, err)
		}
	}
	if w.Sched.Speed() != 60 {
		t.Fatalf("a refused change moved the clock to %v", w.Sched.Speed())
	}
}

// TestRestartAttachesMerchantsInBackground restarts a world the way the
// app does: Open returns while the merchants are still being given fresh
// credentials; once Ready, every merchant is back and trades (a buyer's
// order with one of them completes), and the books balance.
func TestRestartAttachesMerchantsInBackground(t *testing.T) {
	ctx := context.Background()
	o := Options{Dir: fastDir(t), ServerKey: auth.GenerateKey(), Seed: 21, Merchants: 3, Fast: true}
	w, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, m := range w.Merchants {
		names[m.UserID] = m.Name
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}

	o.AttachInBackground = true
	w, err = Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	select {
	case <-w.Ready():
	case <-time.After(2 * time.Minute):
		t.Fatal("the merchants never came back")
	}
	if done, err := w.Attached(); !done || err != nil {
		t.Fatalf("ready, but Attached says done=%v err=%v", done, err)
	}
	if len(w.Merchants) != len(names) {
		t.Fatalf("%d merchants back of %d", len(w.Merchants), len(names))
	}
	for _, m := range w.Merchants {
		if names[m.UserID] != m.Name {
			t.Fatalf("merchant %d came back as %q, was %q", m.UserID, m.Name, names[m.UserID])
		}
	}

	page, err := w.Admin.Ads(ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Payment: api.Alipay, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ad *api.AdView
	for i := range page.Ads {
		if a := page.Ads[i]; a.MinCompBP == 0 && a.MinKYC <= 2 && names[a.Maker.ID] != "" {
			ad = &page.Ads[i]
			break
		}
	}
	if ad == nil {
		t.Fatal("no merchant's USDT/CNY Alipay sell ad that a new buyer may take")
	}
	seller := w.Bot(ad.Maker.ID)
	buyer, _, err := w.NewPerson(ctx, w.nextPerson(), 2, false, nil, "200000")
	if err != nil {
		t.Fatal(err)
	}
	buyer.Script = &Honest{P: Persona{PayDelay: time.Minute}}
	w.Watch(buyer, 20*time.Second)
	ord, err := buyer.Market.TakeAd(ctx, api.TakeRequest{AdID: ad.ID, FiatAmount: ad.MinFiat.Fixed(), Payment: string(api.Alipay)}, "restart-take")
	if err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(time.Hour)
	got, err := buyer.Market.Order(ctx, ord.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != api.StateCompleted {
		t.Fatalf("order with %s after an hour: %s (the merchant did not come back to trade)", seller.Name, got.State)
	}
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
}
