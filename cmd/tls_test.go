package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/marketplace"
	"p2pdesk/server/testpki"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// TestVerbsOverTLS: a marketplace serving HTTPS, with its simulated
// people trading over it, is reached by the verbs with --tls-ca or
// --tls-pin; without either the login is refused with the hint, and a
// wrong pin is refused.
func TestVerbsOverTLS(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	pki := testpki.Write(t, home)
	if err := os.MkdirAll(filepath.Join(home, "serve"), 0o700); err != nil {
		t.Fatal(err)
	}
	w, err := sim.Open(ctx, sim.Options{Dir: filepath.Join(home, "serve"), ServerKey: auth.GenerateKey(), Seed: 5, Merchants: 2,
		Net: marketplace.Net{TLSCert: pki.Cert, TLSKey: pki.Key}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	if !strings.HasPrefix(w.URL(), "https://") {
		t.Fatalf("URL %s", w.URL())
	}
	if len(w.Merchants) == 0 {
		t.Fatal("no simulated merchants over TLS")
	}
	st := secrets.NewMemory()
	r, err := w.Market.Provision(ctx, api.NewUserRequest{Name: "alice", RealName: "Alice Wu", KYCLevel: 2, Deposits: map[string]string{"USDT": "7"}})
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := json.Marshal(map[string]string{"apiKey": r.Credentials.APIKey, "secret": r.Credentials.Secret, "passphrase": r.Credentials.Passphrase})
	login := func(extra ...string) (string, error) {
		args := append([]string{"login", "--from-json", "-", "--server", w.URL(), "--profile", "tls"}, extra...)
		_, errOut, err := run(t, st, string(creds), args...)
		return errOut, err
	}
	if _, err := login(); err == nil || !strings.Contains(err.Error(), "--tls-ca") {
		t.Fatalf("login without trust: %v, want a refusal naming --tls-ca", err)
	}
	if _, err := login("--tls-pin", strings.Repeat("0", 64)); err == nil || !strings.Contains(err.Error(), "pinned") {
		t.Fatalf("login with a wrong pin: %v", err)
	}
	if errOut, err := login("--tls-ca", pki.CA); err != nil {
		t.Fatalf("login with the CA: %v\n%s", err, errOut)
	}
	for _, trust := range [][]string{{"--tls-ca", pki.CA}, {"--tls-pin", client.Fingerprint(pki.LeafDER)}} {
		out, errOut, err := run(t, st, "", append([]string{"wallet", "--json", "--server", w.URL(), "--profile", "tls"}, trust...)...)
		if err != nil {
			t.Fatalf("wallet %v: %v\n%s", trust, err, errOut)
		}
		var bals []api.BalanceView
		if err := json.Unmarshal([]byte(out), &bals); err != nil || len(bals) == 0 {
			t.Fatalf("wallet %v: %v %q", trust, err, out)
		}
	}
	// The simulated merchants posted their ads over TLS too.
	out, errOut, err := run(t, st, "", "ads", "--side", "buy", "--json", "--server", w.URL(), "--profile", "tls", "--tls-ca", pki.CA)
	if err != nil {
		t.Fatalf("ads: %v\n%s", err, errOut)
	}
	var page api.AdPage
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Ads) == 0 {
		t.Fatalf("no merchant's ad over TLS: %v %q", err, out)
	}
}

// serve warns on standard error when it listens beyond loopback without
// TLS, and only then.
func TestServeWarnsWithoutTLS(t *testing.T) {
	for _, c := range []struct {
		listen, cert string
		warn         bool
	}{{"0.0.0.0:8686", "", true}, {":8686", "", true}, {"192.168.1.5:8686", "", true}, {"0.0.0.0:8686", "c.pem", false}, {"127.0.0.1:8686", "", false}, {"localhost:1", "", false}} {
		var errOut strings.Builder
		a := &app{errOut: &errOut}
		a.cfg.Serve.Listen, a.cfg.Serve.TLSCert = c.listen, c.cert
		a.warnPlain()
		if got := strings.Contains(errOut.String(), "WARNING") && strings.Contains(errOut.String(), "--tls-cert"); got != c.warn {
			t.Errorf("listen %s, cert %q: warned %v (%q), want %v", c.listen, c.cert, got, errOut.String(), c.warn)
		}
	}
}
