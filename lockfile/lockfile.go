// Package lockfile takes exclusive locks on files: one holder at a time,
// and the lock goes with its holder's process when that dies, so a lock
// is never left behind by a crash. The file can carry a short note from
// the holder (who it is, where to reach it) for whoever finds it taken.
package lockfile

import (
	"errors"
	"io"
	"os"
)

// ErrHeld: another holder has the lock.
var ErrHeld = errors.New("lockfile: held by another holder")

// Lock is a held lock; Unlock gives it up.
type Lock struct {
	f *os.File
}

// TryLock takes the lock on path (created if missing) without waiting, or
// returns ErrHeld. Two opens in one process are two holders.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// SetNote replaces the note in the lock file.
func (l *Lock) SetNote(note []byte) error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	if _, err := l.f.WriteAt(note, 0); err != nil {
		return err
	}
	return l.f.Sync()
}

// Unlock clears the note and gives the lock up. The file stays: removing
// it would let two holders lock two different files of the same name.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	terr := l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor releases the lock
	l.f = nil
	return errors.Join(terr, err)
}

// Note reads the note in the lock file at path ("" when there is none).
func Note(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}
