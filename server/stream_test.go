package server_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/market"
)

// cutter is a dialer whose connections the test can cut.
type cutter struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (c *cutter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		c.mu.Lock()
		c.conns = append(c.conns, conn)
		c.mu.Unlock()
	}
	return conn, err
}

func (c *cutter) cutAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func TestStreamResumesExactlyOnce(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	ad, _ := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})

	cut := &cutter{}
	tr := &http.Transport{DialContext: cut.dial}
	sc, err := client.New(e.m.URL, clientCredsOf(b), client.Options{HTTP: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	start, _ := e.m.Market.LastEventID(e.ctx)
	var mu sync.Mutex
	var got []int64
	connects := 0
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go sc.Stream(ctx, start, func(ev api.Event) {
		mu.Lock()
		got = append(got, ev.ID)
		mu.Unlock()
	}, func(s client.StreamState) {
		if s.Connected {
			mu.Lock()
			connects++
			mu.Unlock()
		}
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	waitFor("connect", func() bool { mu.Lock(); defer mu.Unlock(); return connects == 1 })

	connected := func() int { mu.Lock(); defer mu.Unlock(); return connects }
	trade := func(round int) {
		o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
		if err != nil {
			t.Fatal(err)
		}
		m.c.SendMessage(e.ctx, o.ID, "hello")
		was := connected()
		if round%2 == 0 {
			cut.cutAll() // mid-trade: the rest happens while the stream is down
		}
		b.c.MarkPaid(e.ctx, o.ID, "")
		m.c.SendMessage(e.ctx, o.ID, "checking my statement")
		m.c.Release(e.ctx, o.ID, code(t, m.totp, round), "")
		if round%2 == 0 {
			waitFor("reconnect", func() bool { return connected() > was })
		}
	}
	for round := 0; round < 4; round++ {
		trade(round)
	}
	want, err := e.m.Market.Events(e.ctx, b.id, start, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	waitFor("all events", func() bool { return count() >= len(want) })
	time.Sleep(50 * time.Millisecond) // anything extra would be a duplicate
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Fatalf("event %d: got id %d, want %d (order or duplicate)", i, got[i], want[i].ID)
		}
	}
	if connects < 3 {
		t.Fatalf("the stream was cut twice but connected only %d times", connects)
	}
}

// TestStreamReset: a client resuming from an event the server no longer
// keeps is told to reload.
func TestStreamReset(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	for i := 0; i < 3; i++ {
		if _, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "5", MinFiat: "10", MaxFiat: "35", Payments: []string{"alipay"}, WindowMin: 15}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.m.Store.Update(e.ctx, func(tx market.Tx) error {
		last, _ := tx.LastEventID()
		return tx.DeleteEventsBefore(last)
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	var first api.Event
	m.c.Stream(ctx, 0, func(ev api.Event) {
		if first.Type == "" {
			first = ev
			cancel()
		}
	}, nil)
	if first.Type != "reset" {
		t.Fatalf("first event %q, want reset", first.Type)
	}
}

func clientCredsOf(u user) client.Credentials {
	return client.Credentials{APIKey: u.cred.APIKey, Secret: u.cred.Secret, Passphrase: u.cred.Passphrase}
}
