package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func randomKey(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "test-" + hex.EncodeToString(b)
}

// TestProfileRoundTripMock uses go-keyring's mock: the logic, not the OS.
// (The mock is not safe for parallel tests; none of these run parallel.)
func TestProfileRoundTripMock(t *testing.T) {
	keyring.MockInit()
	k := Keyring{Timeout: time.Second}
	p := Profile{Server: "http://127.0.0.1:8686", APIKey: "pk_1", Secret: "s3cret", Passphrase: "pass", TOTPSeed: "JBSWY3DPEHPK3PXP"}
	if _, err := LoadProfile(k, "practice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing profile: %v", err)
	}
	if err := SaveProfile(k, "practice", p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadProfile(k, "practice")
	if err != nil || got != p {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if err := DeleteProfile(k, "practice"); err != nil {
		t.Fatal(err)
	}
	if err := DeleteProfile(k, "practice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestKeyringTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	k := Keyring{Timeout: 20 * time.Millisecond}
	err := k.call(func() error { <-block; return nil })
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("a hung keyring call returned %v, want ErrTimeout", err)
	}
}

func TestExplain(t *testing.T) {
	cases := map[string][2]string{
		`exec: "dbus-launch": executable file not found in $PATH`:                        {"no-bus", "D-Bus session bus"},
		`The name org.freedesktop.secrets was not provided by any .service files`:        {"no-provider", "Secret Service provider"},
		`failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'`: {"locked", "locked"},
		`something else entirely`: {"other", "something else entirely"},
	}
	for msg, want := range cases {
		cause, reason, fix := explain(errors.New(msg))
		if cause != want[0] || !strings.Contains(reason, want[1]) || fix == "" {
			t.Errorf("%q: cause %q reason %q fix %q", msg, cause, reason, fix)
		}
	}
	if c, r, _ := explain(ErrTimeout); c != "timeout" || !strings.Contains(r, "timeout") {
		t.Errorf("timeout: %q %q", c, r)
	}
}

func TestMemory(t *testing.T) {
	m := NewMemory()
	if _, err := m.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	m.Set("x", "1")
	if v, _ := m.Get("x"); v != "1" || m.Persistent() {
		t.Fatal("memory store")
	}
}

func TestFileStoreIsSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.sealed")
	f, err := OpenFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	secret := "the-api-secret-" + randomKey(t)
	if err := f.Set("profile:x", secret); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the secret is in the file in plain text")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := OpenFile(path, []byte("wrong passphrase")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	g, err := OpenFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Get("profile:x"); err != nil || v != secret {
		t.Fatalf("reopened: %q %v", v, err)
	}
	if _, err := OpenFile(path, []byte("short")); err == nil {
		t.Fatal("a short passphrase was accepted")
	}
}

func TestProfileList(t *testing.T) {
	s := NewMemory()
	for _, n := range []string{"work", "practice", "work"} {
		if err := SaveProfile(s, n, Profile{Server: "http://x", APIKey: "k-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	names, err := ProfileNames(s)
	if err != nil || strings.Join(names, ",") != "practice,work" {
		t.Fatalf("names %v, %v", names, err)
	}
	if err := DeleteProfile(s, "work"); err != nil {
		t.Fatal(err)
	}
	names, _ = ProfileNames(s)
	if strings.Join(names, ",") != "practice" {
		t.Fatalf("after logout: %v", names)
	}
	if _, err := LoadProfile(s, "work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted profile still loads: %v", err)
	}
}
