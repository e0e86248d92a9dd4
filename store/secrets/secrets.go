// Package secrets keeps p2pdesk's secrets (API keys, passphrases, TOTP
// seeds, the simulated Alipay payment password, the embedded server key)
// in the OS keyring under the service "p2pdesk". Where no keyring works it
// says so plainly and keeps them in memory for the run; a file is used
// only when the user opts in, sealed with a key derived from a passphrase.
package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name of every entry.
const Service = "p2pdesk"

// ErrNotFound: no such secret.
var ErrNotFound = errors.New("secret not found")

// ErrTimeout: the keyring did not answer in time (a desktop unlock prompt
// can wait forever).
var ErrTimeout = errors.New("the keyring did not answer in time")

// Store keeps secrets by key.
type Store interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
	// Describe names the backend for people: "OS keyring (Secret Service)".
	Describe() string
	// Persistent says whether secrets outlive this run.
	Persistent() bool
}

// Status is what the start-up probe found.
type Status struct {
	Backend   string // the keyring that was tried
	Available bool
	Reason    string // why it is not available
	Fix       string // what to do about it
	// Cause names the reason for a translation: timeout, no-bus,
	// no-provider, locked, or other (Reason then is the keyring's error).
	Cause string
}

// Message is the one plain notice shown when no keyring works.
func (s Status) Message() string {
	if s.Available {
		return ""
	}
	return fmt.Sprintf("No OS keyring is available (tried %s: %s). Secrets are kept in memory for this run only. To keep them: %s",
		s.Backend, s.Reason, s.Fix)
}

// Backend names the OS keyring of this platform.
func Backend() string {
	switch runtime.GOOS {
	case "darwin":
		return "macOS Keychain"
	case "windows":
		return "Windows Credential Manager"
	}
	return "Secret Service over D-Bus (gnome-keyring, KWallet, KeePassXC)"
}

// Keyring is the OS keyring, every call bounded by a timeout.
type Keyring struct{ Timeout time.Duration }

func (k Keyring) call(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }() // on timeout the call is abandoned, not killed
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return ErrNotFound
		}
		return err
	case <-time.After(k.Timeout):
		return ErrTimeout
	}
}

func (k Keyring) Get(key string) (string, error) {
	var v string
	err := k.call(func() error {
		var err error
		v, err = keyring.Get(Service, key)
		return err
	})
	return v, err
}

func (k Keyring) Set(key, value string) error {
	return k.call(func() error { return keyring.Set(Service, key, value) })
}

func (k Keyring) Delete(key string) error {
	return k.call(func() error { return keyring.Delete(Service, key) })
}

func (k Keyring) Describe() string { return "OS keyring (" + Backend() + ")" }
func (k Keyring) Persistent() bool { return true }

// Probe asks the keyring for an entry that need not exist: an answer, even
// "not found", means it works.
func Probe(timeout time.Duration) Status {
	st := Status{Backend: Backend()}
	_, err := Keyring{Timeout: timeout}.Get("probe")
	if err == nil || errors.Is(err, ErrNotFound) {
		st.Available = true
		return st
	}
	st.Cause, st.Reason, st.Fix = explain(err)
	return st
}

// explain turns a keyring failure into its cause, a reason and a fix.
func explain(err error) (cause, reason, fix string) {
	msg := err.Error()
	switch {
	case errors.Is(err, ErrTimeout):
		return "timeout", "it did not answer within the timeout (is an unlock prompt waiting?)",
			"unlock your keyring, or raise keyring.timeout in the configuration"
	case strings.Contains(msg, "dbus-launch"), strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"), strings.Contains(msg, "dbus: "):
		return "no-bus", "there is no D-Bus session bus",
			"run p2pdesk inside a desktop session or `dbus-run-session`, with a Secret Service such as gnome-keyring (apt install gnome-keyring)"
	case strings.Contains(msg, "org.freedesktop.secrets"):
		return "no-provider", "no Secret Service provider is running",
			"install and start one: apt install gnome-keyring, then `gnome-keyring-daemon --unlock --components=secrets`"
	case strings.Contains(msg, "unlock"):
		return "locked", "the keyring is locked", "unlock it: `gnome-keyring-daemon --unlock` (it reads the password from standard input)"
	}
	return "other", msg, "make sure the OS keyring works for your user, or set keyring.file_fallback: true (or P2PDESK_SECRETS_FILE) to keep them in a passphrase-sealed file"
}

// Memory keeps secrets for this run only.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

func (m *Memory) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (m *Memory) Set(key, value string) error {
	m.mu.Lock()
	m.m[key] = value
	m.mu.Unlock()
	return nil
}

func (m *Memory) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[key]; !ok {
		return ErrNotFound
	}
	delete(m.m, key)
	return nil
}

func (m *Memory) Describe() string { return "memory (this run only)" }
func (m *Memory) Persistent() bool { return false }

// Profile is what p2pdesk keeps for one account on one server.
type Profile struct {
	Server     string `json:"server"`
	Name       string `json:"name,omitempty"`
	APIKey     string `json:"apiKey"`
	Secret     string `json:"secret"`
	Passphrase string `json:"passphrase"`
	// TOTPSeed is kept only when the user lets p2pdesk act as their
	// authenticator (practice).
	TOTPSeed string `json:"totpSeed,omitempty"`
	// Alipay is the simulated Alipay account and its payment password.
	AlipayAccount  string `json:"alipayAccount,omitempty"`
	AlipayKey      string `json:"alipayKey,omitempty"`
	AlipayPassword string `json:"alipayPassword,omitempty"`
}

func profileKey(name string) string { return "profile:" + name }

// SaveProfile stores a profile as one keyring entry and adds its name to
// the list of profiles (go-keyring cannot list entries).
func SaveProfile(s Store, name string, p Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := s.Set(profileKey(name), string(b)); err != nil {
		return err
	}
	names, err := ProfileNames(s)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == name {
			return nil
		}
	}
	return saveNames(s, append(names, name))
}

// LoadProfile reads a profile.
func LoadProfile(s Store, name string) (Profile, error) {
	var p Profile
	v, err := s.Get(profileKey(name))
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return p, fmt.Errorf("profile %q is damaged: %w", name, err)
	}
	return p, nil
}

// DeleteProfile removes a profile and its name from the list.
func DeleteProfile(s Store, name string) error {
	if err := s.Delete(profileKey(name)); err != nil {
		return err
	}
	names, err := ProfileNames(s)
	if err != nil {
		return err
	}
	kept := names[:0]
	for _, n := range names {
		if n != name {
			kept = append(kept, n)
		}
	}
	return saveNames(s, kept)
}

const namesKey = "profiles"

// ProfileNames lists the saved profiles, sorted.
func ProfileNames(s Store) ([]string, error) {
	v, err := s.Get(namesKey)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal([]byte(v), &names); err != nil {
		return nil, fmt.Errorf("the list of profiles is damaged: %w", err)
	}
	sort.Strings(names)
	return names, nil
}

func saveNames(s Store, names []string) error {
	sort.Strings(names)
	b, err := json.Marshal(names)
	if err != nil {
		return err
	}
	return s.Set(namesKey, string(b))
}
