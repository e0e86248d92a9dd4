package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/marketplace"
	"p2pdesk/server"
)

// APIOptions bound the API benchmark.
type APIOptions struct {
	Clients     int
	Duration    time.Duration
	Rate        float64 // offered load of the paced run, requests per second
	Subscribers int
	Events      int
}

// DefaultAPIOptions are the figures the issue asks for.
func DefaultAPIOptions() APIOptions {
	return APIOptions{Clients: 64, Duration: 5 * time.Second, Rate: 2000, Subscribers: 1000, Events: 30}
}

// API starts a marketplace on 127.0.0.1 with a fresh database and drives
// it with signed clients, then measures stream fan-out. It stops by itself.
func API(ctx context.Context, w io.Writer, o APIOptions) error {
	dir, err := os.MkdirTemp("", "p2pdesk-bench-api-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	m, err := marketplace.Start(ctx, marketplace.Options{DBPath: filepath.Join(dir, "api.db"), ServerKey: auth.GenerateKey()})
	if err != nil {
		return err
	}
	defer m.Close(context.Background())
	merchant, err := m.Provision(ctx, api.NewUserRequest{Name: "bench-merchant", KYCLevel: 2, Verified: true, Deposits: map[string]string{"USDT": "1000000000"}})
	if err != nil {
		return err
	}
	mc := m.Client(merchant.Credentials)
	if _, err := mc.SetPaymentAccount(ctx, api.Alipay, "13800000000", ""); err != nil {
		return err
	}
	var ads []int64
	for i := 0; i < 16; i++ {
		a, err := mc.PostAd(ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "50000000",
			MinFiat: "1", MaxFiat: "1000000", Payments: []string{"alipay"}, WindowMin: 15})
		if err != nil {
			return err
		}
		ads = append(ads, a.ID)
	}
	clients, creds, err := benchClients(ctx, m, o.Clients)
	if err != nil {
		return err
	}
	if _, err := orderCreate(ctx, w, m, clients, ads, o, o.Rate); err != nil {
		return err
	}
	max, err := orderCreate(ctx, w, m, clients, ads, o, 0)
	if err != nil {
		return err
	}
	if err := baseline(ctx, w, m, creds, ads, o, max); err != nil {
		return err
	}
	return fanout(ctx, w, m, merchant.Credentials, ads[0], o)
}

// baseline drives the same signed order creations, closed loop, at a
// second server built like the marketplace's (the same router, body read,
// fail limiter, signature and key check, replay record, rate limiter,
// JSON decode and answer) whose POST /orders answers a real order view
// without touching the market: what the HTTP stack alone does here.
func baseline(ctx context.Context, w io.Writer, m *marketplace.Marketplace, creds []client.Credentials, ads []int64, o APIOptions, max loadResult) error {
	first, err := client.New(m.URL, creds[0], client.Options{})
	if err != nil {
		return err
	}
	answer, err := first.TakeAd(ctx, api.TakeRequest{AdID: ads[0], Amount: "1"}, "")
	if err != nil {
		return err
	}
	// A market service of its own: the baseline's server points its event
	// hub at it, and the marketplace's hub stays as it was. No order
	// reaches it.
	own := market.New(m.Store, clock.Real{}, market.DefaultConfig())
	srv := server.New(own, m.Auth, server.Options{
		TakeAd: func(ctx context.Context, user int64, req api.TakeRequest, idem *market.Idem) (api.OrderView, error) {
			return answer, nil
		}})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	hc := transport(len(creds))
	clients := make([]*client.Client, len(creds))
	for i, c := range creds {
		if clients[i], err = client.New(hs.URL, c, client.Options{HTTP: hc, MaxRetries: 1}); err != nil {
			return err
		}
	}
	base, err := drive(ctx, clients, ads, o, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "api-order-create-baseline: %.0f req/s p50 %.2f ms p99 %.2f ms (%d clients, closed loop, the same signed requests, auth check and decode, no market)\n",
		base.rps, ms(base.p50), ms(base.p99), len(clients))
	fmt.Fprintf(w, "  api-order-create-max is %.0f%% of the HTTP stack alone\n", 100*max.rps/base.rps)
	return nil
}

func transport(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	tr.MaxIdleConns = conns
	return &http.Client{Transport: tr}
}

func benchClients(ctx context.Context, m *marketplace.Marketplace, n int) ([]*client.Client, []client.Credentials, error) {
	clients := make([]*client.Client, n)
	creds := make([]client.Credentials, n)
	hc := transport(n)
	for i := range clients {
		r, err := m.Provision(ctx, api.NewUserRequest{Name: fmt.Sprintf("bench-client-%d", i), KYCLevel: 2})
		if err != nil {
			return nil, nil, err
		}
		creds[i] = client.Credentials{APIKey: r.Credentials.APIKey, Secret: r.Credentials.Secret, Passphrase: r.Credentials.Passphrase}
		c, _ := client.New(m.URL, creds[i], client.Options{HTTP: hc, MaxRetries: 1})
		clients[i] = c
	}
	return clients, creds, nil
}

// loadResult is what a run of order creations measured.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
}

// orderCreate drives POST /orders from every client. With rate > 0 the
// load is paced: client i sends its k-th request at start + (i + k*n)/rate,
// and latency counts from that scheduled moment, so a server that falls
// behind is charged for the queue it builds (no coordinated omission).
// With rate 0 each client sends as fast as answers come back (closed loop:
// the server's maximum, where latency is queueing by Little's law).
func orderCreate(ctx context.Context, w io.Writer, m *marketplace.Marketplace, clients []*client.Client, ads []int64, o APIOptions, rate float64) (loadResult, error) {
	r, err := drive(ctx, clients, ads, o, rate)
	if err != nil {
		return r, err
	}
	name, how := "api-order-create", fmt.Sprintf("paced at %.0f req/s offered", rate)
	if rate == 0 {
		name, how = "api-order-create-max", "closed loop, as fast as answers come"
	}
	fmt.Fprintf(w, "%s: %.0f req/s p50 %.2f ms p99 %.2f ms (%d clients, %s)\n",
		name, r.rps, ms(r.p50), ms(r.p99), len(clients), how)
	return r, market.CheckInvariants(ctx, m.Store)
}

// drive sends POST /orders from every client for o.Duration, paced at
// rate or closed loop (rate 0).
func drive(ctx context.Context, clients []*client.Client, ads []int64, o APIOptions, rate float64) (loadResult, error) {
	var lat latencies
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(o.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	n := len(clients)
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client.Client) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for k := 0; ; k++ {
				t0 := time.Now()
				if rate > 0 {
					t0 = start.Add(time.Duration(float64(i+k*n) / rate * float64(time.Second)))
					if d := time.Until(t0); d > 0 {
						time.Sleep(d)
					}
				}
				if !t0.Before(deadline) {
					break
				}
				_, err := c.TakeAd(ctx, api.TakeRequest{AdID: ads[i%len(ads)], Amount: "1"}, "")
				local = append(local, time.Since(t0))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
			lat.merge(local)
		}(i, c)
	}
	wg.Wait()
	el := time.Since(start)
	if n := failed.Load(); n > 0 {
		return loadResult{}, fmt.Errorf("%d order creations failed, first: %v", n, firstErr.Load())
	}
	return loadResult{rps: float64(ok.Load()) / el.Seconds(), p50: lat.pct(50), p99: lat.pct(99)}, nil
}

// fanout opens Subscribers streams of the merchant and times each order
// event from just before the order request to its arrival on every stream.
func fanout(ctx context.Context, w io.Writer, m *marketplace.Marketplace, merchant api.Credentials, ad int64, o APIOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hc := transport(o.Subscribers)
	hc.Transport.(*http.Transport).MaxConnsPerHost = 0
	creds := client.Credentials{APIKey: merchant.APIKey, Secret: merchant.Secret, Passphrase: merchant.Passphrase}
	var connected, received atomic.Int64
	type arrival struct {
		order int64
		at    time.Time
	}
	arrivals := make([][]arrival, o.Subscribers) // one slice per subscriber: no lock on the hot path
	var streams sync.WaitGroup
	defer streams.Wait()
	for i := 0; i < o.Subscribers; i++ {
		c, _ := client.New(m.URL, creds, client.Options{HTTP: hc})
		streams.Add(1)
		go c.Stream(ctx, -1, func(e api.Event) {
			if e.Type != api.EventOrderCreated {
				return
			}
			at := time.Now()
			var id int64
			fmt.Sscanf(string(e.Data), `{"id":"%d"`, &id)
			arrivals[i] = append(arrivals[i], arrival{id, at})
			received.Add(1)
		}, func(s client.StreamState) {
			if s.Connected {
				connected.Add(1)
			}
		})
	}
	// Stream returns when ctx ends; count it done then.
	go func() { <-ctx.Done(); streams.Add(-o.Subscribers) }()
	deadline := time.Now().Add(60 * time.Second)
	for connected.Load() < int64(o.Subscribers) {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d subscribers connected", connected.Load(), o.Subscribers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	buyer, err := m.Provision(ctx, api.NewUserRequest{Name: "bench-fanout-buyer", KYCLevel: 2})
	if err != nil {
		return err
	}
	bc := m.Client(buyer.Credentials)
	sent := map[int64]time.Time{} // order id -> just before its request
	for i := 0; i < o.Events; i++ {
		t0 := time.Now()
		ord, err := bc.TakeAd(ctx, api.TakeRequest{AdID: ad, Amount: "1"}, "")
		if err != nil {
			return err
		}
		sent[ord.ID] = t0
		time.Sleep(100 * time.Millisecond)
	}
	want := int64(o.Subscribers * o.Events)
	for end := time.Now().Add(10 * time.Second); received.Load() < want && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	streams.Wait()
	var lat latencies
	for _, as := range arrivals {
		for _, a := range as {
			if t0, ok := sent[a.order]; ok {
				lat.add(a.at.Sub(t0))
			}
		}
	}
	fmt.Fprintf(w, "stream-fanout: %d subscribers p99 %.2f ms\n", o.Subscribers, ms(lat.pct(99)))
	fmt.Fprintf(w, "  stream-fanout detail: %d events, %d of %d deliveries timed, p50 %.2f ms\n", o.Events, lat.n(), want, ms(lat.pct(50)))
	return nil
}
