package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"p2pdesk/store/pgtest"
)

// claimOnce: the role has one holder; a second handle on the same
// database is refused until the first lets go, and a different role is
// independent.
func claimOnce(t *testing.T, a, b Database) {
	ctx := context.Background()
	release, err := a.Claim(ctx, "simulation")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Claim(ctx, "simulation"); !errors.Is(err, ErrClaimed) {
		t.Fatalf("second claim: %v, want ErrClaimed", err)
	}
	other, err := b.Claim(ctx, "something-else")
	if err != nil {
		t.Fatalf("another role: %v", err)
	}
	if err := other(); err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	again, err := b.Claim(ctx, "simulation")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if _, err := a.Claim(ctx, "simulation"); !errors.Is(err, ErrClaimed) {
		t.Fatalf("the first handle took it back from the second: %v", err)
	}
	if err := again(); err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteClaim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "market.db")
	var dbs [2]Database
	for i := range dbs {
		st, err := OpenSQLite(path, SQLiteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		dbs[i] = st
	}
	claimOnce(t, dbs[0], dbs[1])
}

func TestPostgresClaim(t *testing.T) {
	url := pgtest.URL(t)
	var dbs [2]Database
	for i := range dbs {
		st, err := OpenPostgres(context.Background(), url, PostgresOptions{Schema: "market"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		dbs[i] = st
	}
	claimOnce(t, dbs[0], dbs[1])
}
