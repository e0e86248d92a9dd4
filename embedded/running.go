package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"p2pdesk/lockfile"
)

// Running is the p2pdesk that holds a data directory's practice
// marketplace: its process and where its marketplace answers.
type Running struct {
	PID int    `json:"pid"`
	URL string `json:"url"`
}

// BusyError: another p2pdesk runs this directory's practice marketplace.
// Its marketplace is at URL, and the practice account in the secret store
// works there: a second window joins it instead of starting a second
// simulation of the same merchants.
type BusyError struct{ Running }

func (e *BusyError) Error() string {
	return fmt.Sprintf("another p2pdesk (pid %d) runs this practice marketplace at %s", e.PID, e.URL)
}

// lockName is the lock file of a data directory's practice marketplace.
const lockName = "p2pdesk.lock"

// holdDir takes the directory's lock. While another p2pdesk holds it and
// is still starting (no URL yet; a first start takes seconds), it waits
// for that one to be up or gone; once it is up, BusyError says where.
func holdDir(ctx context.Context, dir string) (*lockfile.Lock, error) {
	path := filepath.Join(dir, lockName)
	for {
		l, err := lockfile.TryLock(path)
		if !errors.Is(err, lockfile.ErrHeld) {
			return l, err
		}
		var r Running
		if note, _ := lockfile.Note(path); json.Unmarshal(note, &r) == nil && r.URL != "" {
			return nil, &BusyError{r}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the other p2pdesk on %s to start its marketplace: %w", dir, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
