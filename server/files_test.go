//go:build unix

package server_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The marketplace's database files (as `serve` and the app make them)
// are readable by their owner only.
func TestMarketplaceDatabaseIs0600(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	e := start(t)
	e.user("alice", 1, nil) // a write: the WAL is in use
	for _, p := range []string{e.db, e.db + "-wal", e.db + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s is %04o, want 0600", filepath.Base(p), m)
		}
	}
}
