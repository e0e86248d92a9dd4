package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/market"
	"p2pdesk/store/storetest"
)

// fastDir is a temporary directory on tmpfs where there is one: the
// conformance suite checks rules, not fsync, and runs thousands of
// commits. Durability has its own test on a real disk (crash_test.go).
func fastDir(t testing.TB) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "p2pdesk-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

func openTempSQLite(t testing.TB) market.Store {
	t.Helper()
	st, err := OpenSQLite(filepath.Join(fastDir(t), "market.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, openTempSQLite)
}

// TestFirstReadsDoNotWaitForASecondConnection: a read that meets a
// statement for the first time must not need a second connection while
// its transaction holds one. With one reader connection that would wait
// forever; after a start, with every reader busy at once, it did (the
// first requests hung until their deadline). The statement is shared
// afterwards.
func TestFirstReadsDoNotWaitForASecondConnection(t *testing.T) {
	st, err := OpenSQLite(filepath.Join(t.TempDir(), "market.db"), SQLiteOptions{Readers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	read := func() error {
		return st.View(ctx, func(tx market.ReadTx) error {
			_, err := tx.Balances(1)
			if err != nil {
				return err
			}
			_, err = tx.Balances(1) // the same statement twice in one read
			return err
		})
	}
	if err := read(); err != nil {
		t.Fatalf("first read: %v", err)
	}
	cached := 0
	st.rstmts.Range(func(any, any) bool { cached++; return true })
	if cached == 0 {
		t.Fatal("the statement was not kept for later reads")
	}
	if err := read(); err != nil {
		t.Fatalf("second read, from the cache: %v", err)
	}
}
