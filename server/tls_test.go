package server_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/marketplace"
	"p2pdesk/server/testpki"
)

func testPKI(t *testing.T, dir string) (caFile, certFile, keyFile string, leafDER []byte) {
	f := testpki.Write(t, dir)
	return f.CA, f.Cert, f.Key, f.LeafDER
}

// The marketplace serves HTTPS with --tls-cert/--tls-key. A client that
// trusts the CA, or pins the certificate, is served; one that trusts
// neither is refused with a clear error and is not retried; a pin of
// another certificate is refused.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, certFile, keyFile, leaf := testPKI(t, dir)
	e := startNet(t, marketplace.Net{TLSCert: certFile, TLSKey: keyFile})
	if !strings.HasPrefix(e.m.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s: want https", e.m.URL)
	}
	if got, want := e.m.Fingerprint(), client.Fingerprint(leaf); got != want {
		t.Fatalf("fingerprint %s, want %s", got, want)
	}
	r, err := e.m.Provision(e.ctx, api.NewUserRequest{Name: "alice", KYCLevel: 1, Deposits: map[string]string{"USDT": "5"}})
	if err != nil {
		t.Fatal(err)
	}
	creds := clientCredsOf(user{cred: r.Credentials})
	dial := func(o client.TLSOptions) (*client.Client, error) {
		return client.New(e.m.URL, creds, client.Options{TLS: o, MaxRetries: 3})
	}
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()

	// With the CA: health and a signed call work.
	c, err := dial(client.TLSOptions{CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Health(ctx); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	bals, err := c.Balances(ctx)
	if err != nil || len(bals) == 0 {
		t.Fatalf("a signed call over TLS: %v %v", bals, err)
	}
	// The stream too.
	sctx, scancel := context.WithCancel(ctx)
	got := make(chan struct{}, 1)
	go c.Stream(sctx, -1, func(api.Event) {}, func(s client.StreamState) {
		if s.Connected {
			select {
			case got <- struct{}{}:
			default:
			}
		}
	})
	select {
	case <-got:
	case <-ctx.Done():
		t.Fatal("the stream never connected over TLS")
	}
	scancel()

	// Pinned: works with no CA at all; a CA and the pin together work.
	for _, o := range []client.TLSOptions{{Pin: client.Fingerprint(leaf)}, {Pin: "sha256:" + strings.ToUpper(client.Fingerprint(leaf))}, {CAFile: caFile, Pin: client.Fingerprint(leaf)}} {
		c, err := dial(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Balances(ctx); err != nil {
			t.Fatalf("pinned %+v: %v", o, err)
		}
	}

	// Trusting neither: refused, clearly, at once.
	c, err = dial(client.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Balances(ctx)
	var te *client.TrustError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "--tls-ca") {
		t.Fatalf("without the CA: %v, want a TrustError naming --tls-ca", err)
	}
	// A pin of another certificate: refused, even with the right CA.
	other := strings.Repeat("ab", 32)
	for _, o := range []client.TLSOptions{{Pin: other}, {CAFile: caFile, Pin: other}} {
		c, err := dial(o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Balances(ctx)
		if !errors.Is(err, client.ErrPinMismatch) {
			t.Fatalf("pin mismatch %+v: %v, want ErrPinMismatch", o, err)
		}
	}
	// A malformed pin or CA file is refused when the client is made.
	if _, err := dial(client.TLSOptions{Pin: "xyz"}); err == nil {
		t.Fatal("a malformed pin was accepted")
	}
	if _, err := dial(client.TLSOptions{CAFile: certFile + ".missing"}); err == nil {
		t.Fatal("a missing CA file was accepted")
	}
	// Plain HTTP to the TLS port gets nothing useful.
	resp, err := http.Get("http://" + e.addr() + "/api/v1/health")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP was served on the TLS port")
		}
	}
	// In-process callers (the simulated people) trust the server's own
	// certificate.
	if _, err := e.m.Client(r.Credentials).Balances(ctx); err != nil {
		t.Fatalf("the marketplace's own client: %v", err)
	}
}

// A certificate without its key, or a key that does not match, is refused
// at start.
func TestTLSNeedsBoth(t *testing.T) {
	dir := t.TempDir()
	_, certFile, _, _ := testPKI(t, dir)
	for _, n := range []marketplace.Net{{TLSCert: certFile}, {TLSCert: certFile, TLSKey: certFile}} {
		_, err := marketplace.Start(context.Background(), marketplace.Options{DBPath: filepath.Join(t.TempDir(), "m.db"), ServerKey: startKey(), Net: n})
		if err == nil {
			t.Fatalf("%+v: started", n)
		}
	}
}

func TestExposed(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8686": false, "localhost:8686": false, "[::1]:8686": false, ":8686": true, "0.0.0.0:8686": true,
		"192.168.1.5:8686": true, "example.com:443": true, "127.0.0.2:1": false} {
		if got := marketplace.Exposed(addr); got != want {
			t.Errorf("Exposed(%q) = %v, want %v", addr, got, want)
		}
	}
}
