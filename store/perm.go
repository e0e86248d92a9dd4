package store

import (
	"os"
	"strings"
)

// privateFiles keeps a SQLite database readable by its owner only: the
// file is created 0600 before SQLite opens it (SQLite then gives its -wal
// and -shm files the same mode), and an existing file or companion that
// others may read is tightened to 0600. The database holds hashed
// passphrases, sealed secrets and every trade.
func privateFiles(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}
