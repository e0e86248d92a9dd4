package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/lockfile"
	"p2pdesk/store/secrets"
)

// TestSecondStartJoinsTheFirst: while one p2pdesk runs a directory's
// practice marketplace, a second start does not run a second simulation
// of the same merchants: it is told where the first one answers, and the
// practice account from the secret store works there. Once the first
// closes, the directory starts normally again.
func TestSecondStartJoinsTheFirst(t *testing.T) {
	dir := t.TempDir()
	st := secrets.NewMemory()
	o := Options{Dir: dir, ServerKey: auth.GenerateKey(), Secrets: st, Speed: 60, Seed: 4, Merchants: 3}
	first, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(context.Background(), o)
	var busy *BusyError
	if !errors.As(err, &busy) {
		first.Close()
		t.Fatalf("second start: %v, want BusyError", err)
	}
	if busy.URL != first.World.URL() || busy.PID != os.Getpid() {
		t.Fatalf("told %+v; the first runs at %s in pid %d", busy.Running, first.World.URL(), os.Getpid())
	}
	p, err := secrets.LoadProfile(st, ProfileName(dir))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(busy.URL, client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Account(context.Background()); err != nil {
		t.Fatalf("the practice account at the first's marketplace: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Start(context.Background(), o)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close()
}

// TestSecondStartWaitsForTheFirstToBeUp: a holder that has not said where
// it answers yet (a first start creating the market) is waited for, then
// joined.
func TestSecondStartWaitsForTheFirstToBeUp(t *testing.T) {
	dir := t.TempDir()
	l, err := lockfile.TryLock(filepath.Join(dir, lockName))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := holdDir(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("while the holder starts: %v, want to wait until the deadline", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := holdDir(context.Background(), dir)
		done <- err
	}()
	note, _ := json.Marshal(Running{PID: 42, URL: "http://127.0.0.1:9"})
	if err := l.SetNote(note); err != nil {
		t.Fatal(err)
	}
	var busy *BusyError
	if err := <-done; !errors.As(err, &busy) || busy.PID != 42 || busy.URL != "http://127.0.0.1:9" {
		t.Fatalf("once the holder is up: %v", err)
	}
}
