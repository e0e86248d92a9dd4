package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"p2pdesk/market"
	"p2pdesk/store"
)

func (a *app) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check DB",
		Long:  "DB is a SQLite file or a postgres:// URL.",
		Short: "Check a marketplace database: SQLite integrity and every ledger invariant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !store.IsPostgresURL(args[0]) {
				// Opening would create an empty database and call it fine.
				if _, err := os.Stat(args[0]); err != nil {
					return fmt.Errorf("no database at %s: %w", args[0], err)
				}
			}
			s, err := store.Open(cmd.Context(), args[0], "market")
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.IntegrityCheck(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.out, "integrity:", res)
			if err := market.CheckInvariants(cmd.Context(), s); err != nil {
				return fmt.Errorf("invariants violated:\n%w", err)
			}
			fmt.Fprintln(a.out, "invariants: ok (double entry, no negative balance, replay, escrow, ads, records)")
			return nil
		},
	}
}
