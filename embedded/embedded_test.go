package embedded

import (
	"context"
	"testing"
	"time"

	"p2pdesk/auth"
	"p2pdesk/client"
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
