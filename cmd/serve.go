package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/marketplace"
	"p2pdesk/sim"
	"p2pdesk/store"
)

func (a *app) serveCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the marketplace alone (several terminals, several people, one market)",
		Long: `serve runs the marketplace HTTP API on its own. Point p2pdesk at it with
--server URL. The server key that seals secrets in the database comes from
P2PDESK_SERVER_KEY, or the OS keyring (created there on first start).
SIGINT or SIGTERM finish in-flight requests and close the database cleanly.

Create the first (admin) account with:
  p2pdesk account create --db FILE --name admin --role admin --kyc 2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			noSim, _ := cmd.Flags().GetBool("no-sim")
			return a.serve(cmd.Context(), a.cfg.Serve.Sim && !noSim)
		},
	}
	c.Flags().String("listen", "", "address to listen on (default 127.0.0.1:8686)")
	c.Flags().String("db", "", "SQLite database file, or a postgres:// URL for a database several servers share")
	c.Flags().Float64("rate-limit", 0, "requests per second per API key")
	c.Flags().Bool("no-sim", false, "do not run the simulated merchants, price feed and Alipay rail")
	c.Flags().String("tls-cert", "", "serve HTTPS with this PEM certificate (with --tls-key); needed beyond loopback")
	c.Flags().String("tls-key", "", "the PEM private key of --tls-cert")
	c.Flags().Int64("price-band-bp", 0, "how far an ad's price may stand from the index, in basis points (0: 2000 = 20 %)")
	c.Flags().Int("max-conns-per-addr", 64, "open connections one client address may hold (loopback is not capped)")
	return c
}

// serveNet is the network hardening of serve: TLS, the connection cap.
func (a *app) serveNet() marketplace.Net {
	sc := a.cfg.Serve
	n := marketplace.Net{TLSCert: sc.TLSCert, TLSKey: sc.TLSKey, MaxConnsPerAddr: sc.MaxConnsPerAddr}
	if n.MaxConnsPerAddr <= 0 {
		n.MaxConnsPerAddr = -1 // 0 in the configuration: no cap
	}
	return n
}

// serveConfig is the market's rules under serve's settings.
func (a *app) serveConfig() *market.Config {
	cfg := market.DefaultConfig()
	if b := a.cfg.Serve.PriceBandBP; b > 0 {
		cfg.PriceBandBP = map[api.Pair]int64{}
		for _, as := range api.Assets {
			for _, f := range api.Fiats {
				cfg.PriceBandBP[api.Pair{Asset: as, Fiat: f}] = b
			}
		}
	}
	return &cfg
}

// warnPlain says, where serve listens beyond loopback without TLS, that
// anyone on the path can read it.
func (a *app) warnPlain() {
	if a.cfg.Serve.TLSCert == "" && marketplace.Exposed(a.cfg.Serve.Listen) {
		fmt.Fprintf(a.errOut, "p2pdesk: WARNING: %s reaches beyond this machine and TLS is off: anyone on the path can read requests, answers and "+
			"payment details. Serve with --tls-cert and --tls-key (see README).\n", a.cfg.Serve.Listen)
	}
}

func (a *app) serve(ctx context.Context, withSim bool) error {
	sc := a.cfg.Serve
	st, status, err := a.openSecrets()
	if err != nil {
		return err
	}
	key, err := serverKey(st, sc.DB, true)
	if err != nil {
		if !status.Available {
			return fmt.Errorf("%w\n%s", err, a.keyringNotice(status))
		}
		return err
	}
	if !st.Persistent() && !status.Available && os.Getenv("P2PDESK_SERVER_KEY") == "" {
		return errors.New("no OS keyring to keep the server key in, so this database could not be opened again: set P2PDESK_SERVER_KEY " +
			"(e.g. export P2PDESK_SERVER_KEY=$(head -c32 /dev/urandom | base64)) and keep it safe\n" + a.keyringNotice(status))
	}
	a.warnPlain()
	if withSim {
		return a.serveWorld(ctx, key)
	}
	m, err := marketplace.Start(ctx, marketplace.Options{DBPath: sc.DB, ServerKey: key, Listen: sc.Listen, Clock: clock.Real{},
		RateLimit: sc.RateLimit, Log: a.log, SweepEvery: time.Second, Version: Version, Net: a.serveNet(), Config: a.serveConfig()})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.errOut, "p2pdesk marketplace listening on %s (database %s, log %s)\n", m.URL, store.Redact(sc.DB), a.cfg.Log.File)
	if fp := m.Fingerprint(); fp != "" {
		fmt.Fprintf(a.errOut, "TLS certificate SHA-256 %s (clients: --tls-ca FILE, or --tls-pin %s)\n", fp, fp)
	}
	<-ctx.Done()
	fmt.Fprintln(a.errOut, "p2pdesk: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return m.Close(sctx)
}

// serveWorld runs the marketplace with its simulated merchants, price feed
// and Alipay rail (mounted at /alipay/v1/), on a clock at serve.speed.
// Where several servers share one PostgreSQL database, run the simulation
// in one of them and --no-sim in the others: sim.Open refuses a second,
// which would drive the same merchants.
func (a *app) serveWorld(ctx context.Context, key []byte) error {
	sc := a.cfg.Serve
	o := sim.Options{Dir: a.cfg.DataDir, MarketDB: sc.DB, ServerKey: key, Listen: sc.Listen, Seed: sc.Seed, Speed: sc.Speed,
		Merchants: sc.Merchants, History: true, Log: a.log, Version: Version, RateLimit: sc.RateLimit,
		Net: a.serveNet(), Config: a.serveConfig()}
	if !store.IsPostgresURL(sc.DB) {
		// The rail's file sits beside the market's, never shared with the
		// embedded marketplace's.
		o.RailDB = railBeside(sc.DB)
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return err
	}
	w, err := sim.Open(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.errOut, "p2pdesk marketplace listening on %s (database %s, simulation at %gx with %d merchants, Alipay rail at %s/alipay/v1/, log %s)\n",
		w.URL(), store.Redact(sc.DB), sc.Speed, len(w.Merchants), w.URL(), a.cfg.Log.File)
	if fp := w.Market.Fingerprint(); fp != "" {
		fmt.Fprintf(a.errOut, "TLS certificate SHA-256 %s (clients: --tls-ca FILE, or --tls-pin %s)\n", fp, fp)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(runCtx)
	}()
	<-ctx.Done()
	fmt.Fprintln(a.errOut, "p2pdesk: shutting down")
	cancel()
	<-done
	sctx, scancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer scancel()
	return w.Close(sctx)
}

// railBeside is where serve keeps the simulated Alipay rail of a
// marketplace file: beside it, never shared with the embedded market's.
func railBeside(db string) string {
	return strings.TrimSuffix(db, filepath.Ext(db)) + "-alipay.db"
}
