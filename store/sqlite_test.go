package store

import (
	"os"
	"path/filepath"
	"testing"

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
