package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/marketplace"
	"p2pdesk/store/pgtest"
)

// TestReplayedRequestRefused: a captured request sent again within the
// 30 s window, even with another Idempotency-Key, is refused with 401
// SIGNATURE_REUSED and has no second effect (issue 12, item 3: a replayed
// take opened a second order and locked more escrow; a replayed chat
// message posted twice). A read sent again is answered: it changes nothing.
func TestReplayedRequestRefused(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	u := e.user("taker", 1, nil)
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	take := []byte(`{"adId":"` + itoa(ad.ID) + `","amount":"10"}`)
	ts := time.Now()
	idem := func(k string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(api.HeaderIdempotencyKey, k) }
	}
	if st, code := e.raw("POST", "/api/v1/orders", take, u.cred, ts, idem("first")); st != http.StatusCreated {
		t.Fatalf("take: %d %s", st, code)
	}
	time.Sleep(time.Second)
	if st, code := e.raw("POST", "/api/v1/orders", take, u.cred, ts, idem("second")); st != http.StatusUnauthorized || code != "SIGNATURE_REUSED" {
		t.Fatalf("replayed take: %d %s, want 401 SIGNATURE_REUSED", st, code)
	}
	orders, err := u.c.Orders(e.ctx, clientOpen(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 {
		t.Fatalf("%d orders after a replayed take, want 1", len(orders))
	}
	msg := []byte(`{"text":"paid now"}`)
	path := "/api/v1/orders/" + itoa(orders[0].ID) + "/messages"
	if st, code := e.raw("POST", path, msg, u.cred, ts, nil); st != http.StatusCreated {
		t.Fatalf("message: %d %s", st, code)
	}
	if st, code := e.raw("POST", path, msg, u.cred, ts, nil); st != http.StatusUnauthorized || code != "SIGNATURE_REUSED" {
		t.Fatalf("replayed message: %d %s", st, code)
	}
	for i := 0; i < 2; i++ {
		if st, code := e.raw("GET", "/api/v1/balances", nil, u.cred, ts, nil); st != 200 {
			t.Fatalf("read %d: %d %s", i, st, code)
		}
	}
	// The client signs every request anew: the same call twice, at once,
	// is two requests, not a replay.
	for i := 0; i < 3; i++ {
		if _, err := u.c.SetPaymentAccount(e.ctx, api.Alipay, "13900001111", ""); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

// TestReplayRefusedOnAnotherServer: the seen signatures are shared through
// the database, so a request replayed to a second server is refused too.
func TestReplayRefusedOnAnotherServer(t *testing.T) {
	db := pgtest.URL(t)
	key := auth.GenerateKey()
	var urls [2]string
	var first *marketplace.Marketplace
	for i := range urls {
		m, err := marketplace.Start(context.Background(), marketplace.Options{DBPath: db, ServerKey: key, RateLimit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close(context.Background()) })
		urls[i] = m.URL
		if i == 0 {
			first = m
		}
	}
	r, err := first.Provision(context.Background(), api.NewUserRequest{Name: "erin", RealName: "Erin", KYCLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"code":"blue heron"}`)
	ts := time.Now()
	for i, want := range []int{200, http.StatusUnauthorized} {
		e := &env{t: t, ctx: context.Background(), m: &marketplace.Marketplace{URL: urls[i]}}
		if st, code := e.raw("PUT", "/api/v1/account/anti-phishing", body, r.Credentials, ts, nil); st != want {
			t.Fatalf("server %d: %d %s, want %d", i, st, code, want)
		}
	}
}
