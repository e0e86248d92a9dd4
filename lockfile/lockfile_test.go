package lockfile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// One holder at a time, in this process or another; the note travels
// with the lock and is cleared when it is given up.
func TestOneHolderAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Fatalf("second holder in the same process: %v, want ErrHeld", err)
	}
	if err := a.SetNote([]byte(`{"url":"http://127.0.0.1:1"}`)); err != nil {
		t.Fatal(err)
	}
	if err := a.SetNote([]byte(`{"url":"b"}`)); err != nil {
		t.Fatal(err)
	}
	if n, err := Note(path); err != nil || string(n) != `{"url":"b"}` {
		t.Fatalf("note %q, %v", n, err)
	}
	// Another process cannot take it either (flock(1) from util-linux).
	if flock, err := exec.LookPath("flock"); err == nil {
		if err := exec.Command(flock, "--nonblock", path, "true").Run(); err == nil {
			t.Fatal("another process took the lock")
		}
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if n, _ := Note(path); len(n) != 0 {
		t.Fatalf("note %q left after unlock", n)
	}
	b, err := TryLock(path)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	b.Unlock()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the lock file went away: %v", err)
	}
}

// A missing lock file has no note.
func TestNoteOfMissingFile(t *testing.T) {
	n, err := Note(filepath.Join(t.TempDir(), "none"))
	if err != nil || n != nil {
		t.Fatalf("%q, %v", n, err)
	}
}
