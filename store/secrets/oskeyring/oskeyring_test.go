// Package oskeyring_test checks the secret store against the real OS
// keyring. It is its own test binary because go-keyring's mock, used by
// the unit tests next door, replaces the real provider for the process.
package oskeyring_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	. "p2pdesk/store/secrets"
)

func randomKey(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "test-" + hex.EncodeToString(b)
}

// TestRealKeyring stores, reads and deletes a secret in the real Secret
// Service. Where none is reachable it skips, unless
// P2PDESK_REQUIRE_KEYRING=1 (CI), where that is a failure.
func TestRealKeyring(t *testing.T) {
	st := Probe(5 * time.Second)
	if !st.Available {
		if os.Getenv("P2PDESK_REQUIRE_KEYRING") == "1" {
			t.Fatalf("the keyring must work here: %s", st.Message())
		}
		t.Skipf("no keyring: %s", st.Message())
	}
	k := Keyring{Timeout: 5 * time.Second}
	key, value := randomKey(t), "v-"+randomKey(t)
	if err := k.Set(key, value); err != nil {
		t.Fatal(err)
	}
	defer k.Delete(key)
	got, err := k.Get(key)
	if err != nil || got != value {
		t.Fatalf("get: %q %v", got, err)
	}
	// Seen from outside p2pdesk, it is an ordinary keyring entry.
	if path, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command(path, "lookup", "service", Service, "username", key).Output()
		if err != nil || strings.TrimSpace(string(out)) != value {
			t.Fatalf("secret-tool sees %q (%v)", out, err)
		}
	}
	if err := k.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestNoKeyring runs the probe where no session bus exists: it must say
// so, with a reason and a fix, quickly.
func TestNoKeyring(t *testing.T) {
	if os.Getenv("P2PDESK_NO_KEYRING_CHILD") == "1" {
		st := Probe(3 * time.Second)
		if st.Available {
			t.Fatal("a keyring answered with no session bus")
		}
		msg := st.Message()
		for _, want := range []string{"No OS keyring", "memory for this run only", st.Reason, st.Fix} {
			if !strings.Contains(msg, want) {
				t.Fatalf("message %q lacks %q", msg, want)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoKeyring$", "-test.v")
	cmd.Env = append(os.Environ(), "P2PDESK_NO_KEYRING_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", "PATH=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("child did not run the check:\n%s", out)
	}
}
