// Package marketplace assembles a running marketplace: the database, the
// rules, credentials, the HTTP API on a listener and the deadline sweeper.
// `p2pdesk serve`, the embedded marketplace of the TUI and the tests all
// start it the same way, so there is one code path.
package marketplace

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/server"
	"p2pdesk/store"
)

// Options describe a marketplace to start.
type Options struct {
	DBPath    string      // a SQLite file, or a postgres:// URL
	ServerKey []byte      // seals secrets at rest; must match the database
	Listen    string      // e.g. "127.0.0.1:0"
	Clock     clock.Clock // the market's clock (simulated or wall)
	Wall      clock.Clock // wall time, for request signatures
	// Codes is the clock of one-time codes (default: Wall). A deterministic
	// simulation sets its own clock here.
	Codes     clock.Clock
	Config    *market.Config
	RateLimit float64 // requests per second per key; 0 = none
	Log       *slog.Logger
	// SweepEvery is how often the deadline sweeper runs, in wall time; 0
	// turns the sweeper off (the simulator then drives it).
	SweepEvery time.Duration
	Version    string
	Speed      func() string
	SetSpeed   func(float64) error
	Mount      map[string]http.Handler
	// OpenAlipay opens a new user's simulated Alipay account (see
	// server.Options); set where the simulated rail runs.
	OpenAlipay func(ctx context.Context, u api.User) (api.AlipayAccount, error)
	// Net: timeouts, the connection cap per client address, TLS.
	Net Net
	// SoleWriter: no other process writes this database (see
	// server.Options.EventPoll): the event hub does not poll it.
	SoleWriter bool
}

// Marketplace is a running marketplace.
type Marketplace struct {
	Store  store.Database
	Market *market.Service
	Auth   *auth.Service
	Server *server.Server
	URL    string // http://127.0.0.1:PORT, or https:// under TLS

	http   *http.Server
	tls    *tls.Config // nil: plain HTTP
	ln     net.Listener
	stop   chan struct{}
	wg     sync.WaitGroup
	log    *slog.Logger
	closed sync.Once
}

// ErrKeyMismatch: the server key is not the one the database was made with.
var ErrKeyMismatch = errors.New("the server key does not match this database: it was created with another key (another machine, keyring or P2PDESK_SERVER_KEY)")

// Start opens the database and serves the API.
func Start(ctx context.Context, o Options) (*Marketplace, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Wall == nil {
		o.Wall = clock.Real{}
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	cfg := market.DefaultConfig()
	if o.Config != nil {
		cfg = *o.Config
	}
	key, err := auth.NewServerKey(o.ServerKey)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, o.DBPath, "market")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Marketplace, error) {
		st.Close()
		return nil, err
	}
	check, err := st.Meta(ctx, "server_key_check")
	if err != nil {
		return fail(err)
	}
	switch {
	case check == "":
		if err := st.SetMeta(ctx, "server_key_check", key.Check()); err != nil {
			return fail(err)
		}
	case check != key.Check():
		return fail(ErrKeyMismatch)
	}
	svc := market.New(st, o.Clock, cfg)
	au := auth.NewService(st, key, o.Wall)
	if o.Codes != nil {
		au.Codes = o.Codes
	}
	nt := o.Net.withDefaults()
	tc, err := serverTLS(nt)
	if err != nil {
		return fail(err)
	}
	srv := server.New(svc, au, server.Options{Version: o.Version, RateLimit: o.RateLimit, Log: o.Log, Wall: o.Wall, Speed: o.Speed, SetSpeed: o.SetSpeed, Mount: o.Mount,
		OpenAlipay: o.OpenAlipay, StreamWriteTimeout: nt.StreamWriteTimeout, FailLimit: nt.FailLimit, EventPoll: eventPoll(o.SoleWriter)})
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		srv.Close()
		return fail(fmt.Errorf("listen on %s: %w", o.Listen, err))
	}
	ln = server.LimitListener(ln, server.ConnLimit{PerAddr: nt.MaxConnsPerAddr, Loopback: nt.CapLoopback, Log: o.Log})
	scheme := "http://"
	if tc != nil {
		// Under TLS, so the cap counts TCP connections before any handshake.
		ln, scheme = tls.NewListener(ln, tc), "https://"
	} else if Exposed(o.Listen) {
		o.Log.Warn("listening beyond loopback without TLS: anyone on the path can read requests and answers; use --tls-cert and --tls-key", "listen", o.Listen)
	}
	m := &Marketplace{Store: st, Market: svc, Auth: au, Server: srv, URL: scheme + ln.Addr().String(), tls: tc,
		ln: ln, stop: make(chan struct{}), log: o.Log,
		http: &http.Server{Handler: srv, ReadHeaderTimeout: nt.ReadHeaderTimeout, ReadTimeout: nt.ReadTimeout, WriteTimeout: nt.WriteTimeout,
			IdleTimeout: nt.IdleTimeout, ErrorLog: slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn)}}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Log.Error("http server", "err", err)
		}
	}()
	if o.SweepEvery > 0 {
		m.wg.Add(1)
		go m.sweeper(o.SweepEvery)
	}
	o.Log.Info("marketplace started", "url", m.URL, "db", store.Redact(o.DBPath))
	return m, nil
}

func (m *Marketplace) sweeper(every time.Duration) {
	defer m.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			for {
				n, err := m.Market.Sweep(context.Background(), 200)
				if err != nil {
					m.log.Error("sweep", "err", err)
				}
				if n < 200 {
					break
				}
			}
		}
	}
}

// Close finishes in-flight requests (up to ctx's deadline), ends the
// streams, stops the sweeper and closes the database cleanly.
func (m *Marketplace) Close(ctx context.Context) error {
	var err error
	m.closed.Do(func() {
		close(m.stop)
		m.Server.Close() // streams end, so Shutdown need not wait for them
		err = m.http.Shutdown(ctx)
		m.wg.Wait()
		err = errors.Join(err, m.Store.Close())
		m.log.Info("marketplace stopped")
	})
	return err
}

// Provision opens an account directly on this marketplace (as an
// operator would with `p2pdesk account create --db`).
func (m *Marketplace) Provision(ctx context.Context, req api.NewUserRequest) (api.NewUserResponse, error) {
	return server.Provision(ctx, m.Market, m.Auth, req)
}

// Client returns an API client for credentials on this marketplace.
func (m *Marketplace) Client(c api.Credentials) *client.Client {
	cl, err := client.New(m.URL, client.Credentials{APIKey: c.APIKey, Secret: c.Secret, Passphrase: c.Passphrase}, client.Options{HTTP: m.HTTPClient()})
	if err != nil {
		panic(err) // m.URL is always valid
	}
	return cl
}

func eventPoll(sole bool) time.Duration {
	if sole {
		return -1
	}
	return 0
}
