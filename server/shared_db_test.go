package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/marketplace"
	"p2pdesk/money"
	"p2pdesk/store/pgtest"
)

// TestTwoServersShareOnePostgres runs two marketplace servers on one
// PostgreSQL database, as when one machine is not enough. Takers rush one
// ad through both at once: the ad never oversells, the books balance, and
// the maker's event stream on server B carries every order opened on
// either server, each once, in order.
func TestTwoServersShareOnePostgres(t *testing.T) {
	db := pgtest.URL(t)
	ctx := context.Background()
	key := auth.GenerateKey()
	clk := clock.NewManual(time.Now().UTC())
	var servers [2]*marketplace.Marketplace
	for i := range servers {
		m, err := marketplace.Start(ctx, marketplace.Options{DBPath: db, ServerKey: key, Clock: clk, RateLimit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close(context.Background()) })
		servers[i] = m
	}
	a, b := servers[0], servers[1]

	provision := func(m *marketplace.Marketplace, name string, deposits map[string]string) (*client.Client, api.Credentials) {
		r, err := m.Provision(ctx, api.NewUserRequest{Name: name, RealName: "Real " + name, KYCLevel: 2, Deposits: deposits})
		if err != nil {
			t.Fatal(err)
		}
		c := m.Client(r.Credentials)
		if _, err := c.SetPaymentAccount(ctx, api.Alipay, fmt.Sprintf("139%08d", r.User.ID), ""); err != nil {
			t.Fatal(err)
		}
		return c, r.Credentials
	}
	// The maker's account is made on A and used on B: one database.
	makerOnA, makerCreds := provision(a, "maker", map[string]string{"USDT": "1000"})
	ad, err := makerOnA.PostAd(ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "100",
		MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}

	// The maker watches the stream on server B.
	makerOnB := b.Client(makerCreds)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	var seen []api.Event
	go makerOnB.Stream(sctx, 0, func(e api.Event) {
		mu.Lock()
		seen = append(seen, e)
		mu.Unlock()
	}, nil)

	const takers = 40
	var wg sync.WaitGroup
	errs := make([]error, takers)
	start := make(chan struct{})
	for i := 0; i < takers; i++ {
		c, _ := provision(servers[i%2], fmt.Sprintf("taker%02d", i), nil)
		wg.Add(1)
		go func(i int, c *client.Client) {
			defer wg.Done()
			<-start
			_, errs[i] = c.TakeAd(ctx, api.TakeRequest{AdID: ad.ID, Amount: "3"}, fmt.Sprintf("rush-%d", i))
		}(i, c)
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch code := api.CodeOf(err); {
		case err == nil:
			ok++
		case code == "AMOUNT_OVER_AVAILABLE" || code == "AD_NOT_ONLINE":
		default:
			t.Fatalf("take: %v", err)
		}
	}
	if ok != 33 { // 100 USDT in lots of 3
		t.Fatalf("%d takes succeeded across two servers, want 33", ok)
	}
	got, err := makerOnB.Ad(ctx, ad.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Remaining.Cmp(money.MustParse("1", 6)) != 0 {
		t.Fatalf("ad remaining %s after the rush, want 1", got.Remaining)
	}
	if err := market.CheckInvariants(ctx, b.Store); err != nil {
		t.Fatal(err)
	}

	// Every order reaches the stream on B, each once, ids increasing.
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		orders := map[string]int{}
		last := int64(0)
		inOrder := true
		for _, e := range seen {
			if e.ID <= last {
				inOrder = false
			}
			last = e.ID
			if e.Type == "order.created" {
				orders[string(e.Data)]++
			}
		}
		n := len(orders)
		mu.Unlock()
		if !inOrder {
			t.Fatal("the stream delivered an event out of order or twice")
		}
		if n == ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the maker's stream on B saw %d of %d orders", n, ok)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
