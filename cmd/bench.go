package cmd

import (
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"p2pdesk/bench"
)

func (a *app) benchCommand() *cobra.Command {
	var cpuProfile string
	b := &cobra.Command{
		Use:   "bench",
		Short: "Measure p2pdesk on this machine (bounded, loopback only)",
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.setup(cmd); err != nil {
				return err
			}
			if cpuProfile == "" {
				return nil
			}
			f, err := os.Create(cpuProfile)
			if err != nil {
				return err
			}
			a.closers = append(a.closers, closerFunc(func() error { pprof.StopCPUProfile(); return f.Close() }))
			return pprof.StartCPUProfile(f)
		},
	}
	b.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	so := bench.DefaultStoreOptions()
	st := &cobra.Command{
		Use:   "store",
		Short: "Escrow lock, SQLite baseline and ad search on a fresh SQLite file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.Store(cmd.Context(), a.out, so)
		},
	}
	st.Flags().IntVar(&so.Takers, "takers", so.Takers, "concurrent takers")
	st.Flags().DurationVar(&so.Duration, "duration", so.Duration, "time per timed phase")
	st.Flags().IntSliceVar(&so.AdCounts, "ads", so.AdCounts, "order book sizes for ad-search")
	st.Flags().StringVar(&so.Dir, "dir", "", "directory for the database files (default: a temporary one)")
	st.Flags().StringVar(&so.Postgres, "postgres", "", "run escrow-lock and ad-search on this PostgreSQL database (postgres:// URL) instead of SQLite")
	ao := bench.DefaultAPIOptions()
	ap := &cobra.Command{
		Use:   "api",
		Short: "Order creation over signed HTTP, and stream fan-out, against a server on 127.0.0.1",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.API(cmd.Context(), a.out, ao)
		},
	}
	ap.Flags().IntVar(&ao.Clients, "clients", ao.Clients, "concurrent clients")
	ap.Flags().DurationVar(&ao.Duration, "duration", ao.Duration, "time of each order-creation phase")
	ap.Flags().Float64Var(&ao.Rate, "rate", ao.Rate, "offered load of the paced phase, requests per second")
	ap.Flags().IntVar(&ao.Subscribers, "subscribers", ao.Subscribers, "stream subscribers")
	ap.Flags().IntVar(&ao.Events, "events", ao.Events, "events sent to the subscribers")
	uo := bench.DefaultUIOptions()
	uc := &cobra.Command{
		Use:   "ui",
		Short: "Time to the first frame (embedded marketplace included) and the cost of an idle app",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.UI(cmd.Context(), a.out, uo)
		},
	}
	uc.Flags().DurationVar(&uo.Idle, "idle", uo.Idle, "how long to watch the idle app")
	uc.Flags().StringVar(&uo.IdleProfile, "idle-cpuprofile", "", "write a CPU profile of the idle window (the app's frame rate) to this file")
	b.AddCommand(st, ap, uc)
	return b
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }
