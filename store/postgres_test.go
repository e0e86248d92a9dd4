package store

import (
	"context"
	"testing"

	"p2pdesk/market"
	"p2pdesk/store/pgtest"
	"p2pdesk/store/storetest"
)

// openTempPostgres opens a store in fresh schemas of the test database.
func openTempPostgres(t testing.TB, kind string) *Postgres {
	t.Helper()
	st, err := OpenPostgres(context.Background(), pgtest.URL(t), PostgresOptions{Schema: kind})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) market.Store { return openTempPostgres(t, "market") })
}
