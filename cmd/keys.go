package cmd

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"p2pdesk/auth"
	"p2pdesk/store/secrets"
)

// openSecrets opens the secret store: the OS keyring when it works, else
// memory for this run (with one plain notice), or the encrypted file when
// the user opted in.
func (a *app) openSecrets() (secrets.Store, secrets.Status, error) {
	if a.secrets != nil {
		return a.secrets, secrets.Status{Available: true, Backend: a.secrets.Describe()}, nil
	}
	st := secrets.Probe(a.cfg.Keyring.Timeout)
	if st.Available {
		return secrets.Keyring{Timeout: a.cfg.Keyring.Timeout}, st, nil
	}
	a.log.Warn("no keyring", "backend", st.Backend, "reason", st.Reason)
	if path := os.Getenv("P2PDESK_SECRETS_FILE"); path != "" || a.cfg.Keyring.FileFallback {
		if path == "" {
			path = filepath.Join(a.cfg.DataDir, "secrets.sealed")
		}
		pass := os.Getenv("P2PDESK_SECRETS_PASSPHRASE")
		if pass == "" {
			p, err := a.readTerminalSecret("Passphrase for the secrets file " + path + ": ")
			if err != nil {
				return nil, st, err
			}
			pass = p
		}
		fmt.Fprintln(a.errOut, a.tr().T("cli.keyring_file", "Path", path))
		f, err := secrets.OpenFile(path, []byte(pass))
		return f, st, err
	}
	return secrets.NewMemory(), st, nil
}

// serverKeyName is the keyring entry of a database's server key.
func serverKeyName(db string) string {
	abs, err := filepath.Abs(db)
	if err != nil {
		abs = db
	}
	h := sha256.Sum256([]byte(abs))
	return "server-key:" + hex.EncodeToString(h[:8])
}

// serverKey finds the key that seals secrets in a database: from
// P2PDESK_SERVER_KEY, else from the secret store, else (for a new
// database, when create is allowed) a fresh one saved to the secret store.
func serverKey(st secrets.Store, db string, create bool) ([]byte, error) {
	if v := strings.TrimSpace(os.Getenv("P2PDESK_SERVER_KEY")); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != auth.KeySize {
			return nil, fmt.Errorf("P2PDESK_SERVER_KEY must be %d random bytes in base64 (e.g. `head -c32 /dev/urandom | base64`)", auth.KeySize)
		}
		return k, nil
	}
	name := serverKeyName(db)
	v, err := st.Get(name)
	if err == nil {
		return base64.StdEncoding.DecodeString(v)
	}
	if !errors.Is(err, secrets.ErrNotFound) {
		return nil, fmt.Errorf("reading the server key from %s: %w", st.Describe(), err)
	}
	if _, statErr := os.Stat(db); statErr == nil {
		return nil, fmt.Errorf("the server key of %s is not in %s: set P2PDESK_SERVER_KEY to the key it was created with", db, st.Describe())
	}
	if !create {
		return nil, fmt.Errorf("%s does not exist", db)
	}
	k := auth.GenerateKey()
	if err := st.Set(name, base64.StdEncoding.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("saving the server key to %s: %w", st.Describe(), err)
	}
	return k, nil
}

// keyringNotice is the one notice shown when no OS keyring works, in the
// user's language; a failure the keyring explains in no known way keeps
// its own words as the reason.
func (a *app) keyringNotice(st secrets.Status) string {
	if st.Available {
		return ""
	}
	tr := a.tr()
	reason := st.Reason
	if st.Cause != "other" && st.Cause != "" {
		reason = tr.T("cli.keyring.reason." + st.Cause)
	}
	fix := st.Fix
	if st.Cause != "" {
		fix = tr.T("cli.keyring.fix." + st.Cause)
	}
	return tr.T("cli.keyring_none", "Backend", st.Backend, "Reason", reason, "Fix", fix)
}
