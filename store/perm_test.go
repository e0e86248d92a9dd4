//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSQLiteFilesPrivate: a new database and its -wal and -shm are 0600
// under the usual umask 022, and an old 0644 database is tightened when
// opened.
func TestSQLiteFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	check := func(path string) {
		t.Helper()
		st, err := OpenSQLite(path, SQLiteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// A write, so the WAL holds something.
		if err := st.SetMeta(context.Background(), "perm_test", "1"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(p), err)
			}
			if m := fi.Mode().Perm(); m != 0o600 {
				t.Errorf("%s is %04o, want 0600", filepath.Base(p), m)
			}
		}
		st.Close()
	}
	check(filepath.Join(dir, "new.db"))

	path := filepath.Join(dir, "old.db")
	st, err := OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	check(path)
}
