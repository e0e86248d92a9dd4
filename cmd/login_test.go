package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/clock"
	"p2pdesk/marketplace"
	"p2pdesk/store/secrets"
)

// run executes the command line in-process with the given secret store
// and standard input; it returns standard output, standard error and the
// error.
func run(t *testing.T, st secrets.Store, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{out: &out, errOut: &errOut, in: strings.NewReader(stdin), secrets: st}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetContext(context.Background())
	err := root.Execute()
	for _, c := range a.closers {
		c.Close()
	}
	return out.String(), errOut.String(), err
}

// isolate points every XDG directory at a fresh temporary one, so a test
// never reads or writes the developer's configuration, logs or data.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"} {
		t.Setenv(v, filepath.Join(home, strings.ToLower(v)))
	}
	return home
}

func startMarket(t *testing.T, dir string) *marketplace.Marketplace {
	t.Helper()
	m, err := marketplace.Start(context.Background(), marketplace.Options{DBPath: filepath.Join(dir, "market.db"),
		ServerKey: auth.GenerateKey(), Clock: clock.Real{}, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m
}

// TestLoginWhoamiLogout: login checks the credentials against the server
// before saving, whoami reads them back through the server, logout removes
// them; refused credentials are not saved. Afterwards no secret is in any
// file the run wrote: configuration, log, database.
func TestLoginWhoamiLogout(t *testing.T) {
	home := isolate(t)
	m := startMarket(t, home)
	acct, err := m.Provision(context.Background(), api.NewUserRequest{Name: "alice", KYCLevel: 1, WithTOTP: true})
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := json.Marshal(map[string]string{"apiKey": acct.Credentials.APIKey, "secret": acct.Credentials.Secret,
		"passphrase": acct.Credentials.Passphrase, "totpSecret": acct.TOTPSecret})
	st := secrets.NewMemory()

	// Wrong passphrase: refused, nothing saved.
	bad, _ := json.Marshal(map[string]string{"apiKey": acct.Credentials.APIKey, "secret": acct.Credentials.Secret, "passphrase": "nope"})
	if _, _, err := run(t, st, string(bad), "login", "--server", m.URL, "--profile", "work", "--from-json", "-"); err == nil ||
		!strings.Contains(err.Error(), "refused") {
		t.Fatalf("a wrong passphrase was accepted: %v", err)
	}
	if names, _ := secrets.ProfileNames(st); len(names) != 0 {
		t.Fatalf("refused credentials were saved: %v", names)
	}

	out, _, err := run(t, st, string(creds), "login", "--server", m.URL, "--profile", "work", "--from-json", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "as alice") || !strings.Contains(out, "authenticator") {
		t.Fatalf("login said: %s", out)
	}
	p, err := secrets.LoadProfile(st, "work")
	if err != nil || p.Secret != acct.Credentials.Secret || p.TOTPSeed != "" {
		t.Fatalf("saved profile %+v, %v (the TOTP seed must not be kept without --hold-totp)", p, err)
	}

	out, _, err = run(t, st, "", "whoami", "--profile", "work")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"alice", m.URL, "kyc level: 1", "2fa:       on"} {
		if !strings.Contains(out, want) {
			t.Errorf("whoami lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = run(t, st, "", "whoami", "--all")
	if !strings.Contains(out, "work") {
		t.Errorf("whoami --all: %s", out)
	}

	if _, _, err := run(t, st, "", "logout", "--profile", "work"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, st, "", "whoami", "--profile", "work"); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Fatalf("whoami after logout: %v", err)
	}
	if _, _, err := run(t, st, "", "logout", "--profile", "work"); err == nil {
		t.Fatal("a second logout succeeded")
	}

	m.Close(context.Background())
	scanForSecrets(t, home, acct.Credentials.Secret, acct.Credentials.Passphrase, acct.TOTPSecret)
}

// scanForSecrets fails if any file under dir contains one of the secrets,
// as given or base64- or hex-encoded in the obvious ways.
func scanForSecrets(t *testing.T, dir string, secretValues ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range secretValues {
			if s != "" && bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret in plain text", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no files under %s: the scan looked at nothing", dir)
	}
	t.Logf("scanned %d files under %s", files, dir)
}

// TestKeysListRevoke: p2pdesk keys list shows the profile's own keys, keys
// revoke revokes one at once; the revoked profile is refused afterwards.
func TestKeysListRevoke(t *testing.T) {
	home := isolate(t)
	m := startMarket(t, home)
	acct, err := m.Provision(context.Background(), api.NewUserRequest{Name: "dora", KYCLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := json.Marshal(map[string]string{"apiKey": acct.Credentials.APIKey, "secret": acct.Credentials.Secret,
		"passphrase": acct.Credentials.Passphrase})
	st := secrets.NewMemory()
	if _, _, err := run(t, st, string(creds), "login", "--server", m.URL, "--from-json", "-"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, st, "", "keys", "list")
	if err != nil || !strings.Contains(out, acct.Credentials.APIKey) || !strings.Contains(out, "active") {
		t.Fatalf("keys list: %q %v", out, err)
	}
	if out, _, err = run(t, st, "", "keys", "revoke", acct.Credentials.APIKey); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("keys revoke: %q %v", out, err)
	}
	if _, _, err := run(t, st, "", "keys", "list"); err == nil || !strings.Contains(err.Error(), "UNAUTHORIZED") {
		t.Fatalf("a revoked key still lists: %v", err)
	}
}
