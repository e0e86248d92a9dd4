package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// TestPracticeAccountSurvivesRestart: the first start creates the practice
// account and keeps it in the secret store; the second start finds it and
// the marketplace still accepts it. Nothing of it is in the world's files.
func TestPracticeAccountSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	st := secrets.NewMemory()
	key := auth.GenerateKey()
	o := Options{Dir: dir, ServerKey: key, Secrets: st, Speed: 60, Seed: 4, Merchants: 3}
	e, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !e.FirstRun || e.Profile.APIKey == "" || e.Profile.AlipayKey == "" {
		t.Fatalf("first start: %+v", e.FirstRun)
	}
	first := e.Profile
	time.Sleep(200 * time.Millisecond) // the live clock moves at 60x
	stopped := e.World.Sched.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if now := e.World.Sched.Now(); now.Before(stopped) {
		t.Fatalf("the simulated clock went back from %s to %s on restart", stopped, now)
	}
	if e.FirstRun || e.Profile.APIKey != first.APIKey {
		t.Fatalf("second start made a new account (first run %v)", e.FirstRun)
	}
	c, err := client.New(e.Profile.Server, client.Credentials{APIKey: e.Profile.APIKey, Secret: e.Profile.Secret, Passphrase: e.Profile.Passphrase}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := c.Account(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(acct.Payments) == 0 || acct.Payments[0].RealName != "Chen Jing" {
		t.Fatalf("the practice account has no Alipay method: %+v", acct.Payments)
	}
	me, err := client.NewAlipay(e.Profile.Server, e.Profile.AlipayKey, nil).Me(context.Background())
	if err != nil || !me.Balance.IsPositive() {
		t.Fatalf("practice Alipay: %+v, %v", me, err)
	}
}

// TestCutShortCreationIsMadeAgain: when the first start is cut short
// (the user quits while the practice market is being created), the
// database holds part of a world; the next start must not trip over it
// (it used to fail for ever with NAME_TAKEN on the admin) but create the
// market again and open the practice account in it.
func TestCutShortCreationIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := auth.GenerateKey()
	// A world whose creation began but never saved its state: the
	// merchants and their records are in the database, the state is not.
	w, err := sim.Open(ctx, sim.Options{Dir: dir, ServerKey: key, Seed: 2, Merchants: 2, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Market.Store.SetMeta(ctx, "sim_world", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Open(ctx, sim.Options{Dir: dir, ServerKey: key, Seed: 2, Merchants: 2, Fast: true, KeepUnfinished: true}); !errors.Is(err, sim.ErrUnfinished) {
		t.Fatalf("opening a half-made world: %v, want ErrUnfinished", err)
	}

	e, err := Start(ctx, Options{Dir: dir, ServerKey: key, Secrets: secrets.NewMemory(), Speed: 60, Seed: 3, Merchants: 2})
	if err != nil {
		t.Fatalf("the start after a cut-short creation: %v", err)
	}
	defer e.Close()
	<-e.World.Ready()
	if !e.FirstRun || len(e.World.Merchants) != 2 {
		t.Fatalf("first run %v, %d merchants", e.FirstRun, len(e.World.Merchants))
	}
	c, err := client.New(e.Profile.Server, client.Credentials{APIKey: e.Profile.APIKey, Secret: e.Profile.Secret, Passphrase: e.Profile.Passphrase}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Ads(ctx, client.AdQuery{Side: "sell", Asset: "USDT", Fiat: "CNY"})
	if err != nil || len(page.Ads) == 0 {
		t.Fatalf("the new practice market has no ads: %v", err)
	}
}

// TestPracticeMerchantsHaveRecordsOfTheirSize: in the practice market as
// the app runs it (live clock), the merchants' 30-day records spread from
// new accounts to large merchants, and a restart shows the same records.
func TestPracticeMerchantsHaveRecordsOfTheirSize(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, ServerKey: auth.GenerateKey(), Secrets: secrets.NewMemory(), Speed: 60, Seed: 4, Merchants: 12}
	makers := func(e *Embedded) map[int64]int64 {
		t.Helper()
		c, err := client.New(e.Profile.Server, client.Credentials{APIKey: e.Profile.APIKey, Secret: e.Profile.Secret, Passphrase: e.Profile.Passphrase}, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]int64{}
		for _, side := range []api.Side{api.Buy, api.Sell} {
			page, err := c.Ads(context.Background(), client.AdQuery{Side: side, Asset: api.USDT, Fiat: api.CNY, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Ads {
				out[a.Maker.ID] = a.Maker.Record.Orders30d
			}
		}
		return out
	}
	e, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	first := makers(e)
	small, big := 0, 0
	for _, n := range first {
		if n < 150 {
			small++
		} else {
			big++
		}
	}
	if small == 0 || big == 0 {
		t.Errorf("30-day orders of the makers %v: want new accounts (<150) and established merchants (>=150)", first)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e, err = Start(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	<-e.World.Ready()
	for id, n := range makers(e) {
		// A trade or two may have happened live in between.
		if was, ok := first[id]; ok && (n < was || n > was+5) {
			t.Errorf("maker %d: %d orders before the restart, %d after", id, was, n)
		}
	}
}
