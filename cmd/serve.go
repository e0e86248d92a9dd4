package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"p2pdesk/clock"
	"p2pdesk/marketplace"
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
		RunE: func(cmd *cobra.Command, _ []string) error { return a.serve(cmd.Context()) },
	}
	c.Flags().String("listen", "", "address to listen on (default 127.0.0.1:8686)")
	c.Flags().String("db", "", "SQLite database file")
	c.Flags().Float64("rate-limit", 0, "requests per second per API key")
	c.Flags().Bool("no-sim", false, "do not run the simulated merchants, price feed and Alipay rail")
	return c
}

func (a *app) serve(ctx context.Context) error {
	sc := a.cfg.Serve
	st, status, err := a.openSecrets()
	if err != nil {
		return err
	}
	key, err := serverKey(st, sc.DB, true)
	if err != nil {
		if !status.Available {
			return fmt.Errorf("%w\n%s", err, status.Message())
		}
		return err
	}
	if !st.Persistent() && !status.Available {
		return errors.New("no OS keyring to keep the server key in, so this database could not be opened again: set P2PDESK_SERVER_KEY " +
			"(e.g. export P2PDESK_SERVER_KEY=$(head -c32 /dev/urandom | base64)) and keep it safe\n" + status.Message())
	}
	m, err := marketplace.Start(ctx, marketplace.Options{DBPath: sc.DB, ServerKey: key, Listen: sc.Listen, Clock: clock.Real{},
		RateLimit: sc.RateLimit, Log: a.log, SweepEvery: time.Second, Version: Version})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.errOut, "p2pdesk marketplace listening on %s (database %s, log %s)\n", m.URL, sc.DB, a.cfg.Log.File)
	<-ctx.Done()
	fmt.Fprintln(a.errOut, "p2pdesk: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return m.Close(sctx)
}
