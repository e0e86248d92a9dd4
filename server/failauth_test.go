package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/server"
)

// startFailLimit runs a marketplace with a small failure budget that does
// not come back during the test.
func startFailLimit(t *testing.T, perAddr, perKey int) *env {
	t.Helper()
	e := start(t)
	e.m.Close(e.ctx)
	e.opts.Net.FailLimit = server.FailLimit{PerAddr: perAddr, PerKey: perKey, Refill: time.Hour, Loopback: true}
	e.boot()
	return e
}

// from is an HTTP client whose connections come from the local address ip.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

type answer struct {
	status     int
	code       string
	retryAfter string
}

// signedGet sends a signed GET with creds through hc.
func (e *env) signedGet(hc *http.Client, path string, c api.Credentials) answer {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.m.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	stamp := api.Timestamp(time.Now())
	req.Header.Set(api.HeaderKey, c.APIKey)
	req.Header.Set(api.HeaderPassphrase, c.Passphrase)
	req.Header.Set(api.HeaderTimestamp, stamp)
	req.Header.Set(api.HeaderSign, api.Sign(c.Secret, stamp, "GET", req.URL.RequestURI(), nil))
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb api.Error
	json.Unmarshal(bytes.TrimSpace(b), &eb)
	return answer{resp.StatusCode, string(eb.Code), resp.Header.Get("Retry-After")}
}

func canDialFrom(ip string) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false
	}
	defer ln.Close()
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// An address that keeps failing to authenticate is answered 429
// TOO_MANY_FAILURES with Retry-After, even for a good request; another
// address is served as before.
func TestFailedAuthLimitedPerAddress(t *testing.T) {
	if !canDialFrom("127.0.0.2") {
		t.Skip("no 127.0.0.2 on this machine")
	}
	e := startFailLimit(t, 5, -1)
	u := e.user("alice", 1, nil)
	a, b := from("127.0.0.1"), from("127.0.0.2")
	for i := 0; i < 5; i++ {
		nobody := api.Credentials{APIKey: "pk_nobody" + strconv.Itoa(i), Secret: "s", Passphrase: "p"}
		if got := e.signedGet(a, "/api/v1/balances", nobody); got.status != 401 {
			t.Fatalf("failure %d: %+v, want 401", i+1, got)
		}
	}
	got := e.signedGet(a, "/api/v1/balances", api.Credentials{APIKey: "pk_nobody", Secret: "s", Passphrase: "p"})
	if got.status != 429 || got.code != string(api.CodeTooManyFailures) {
		t.Fatalf("failure 6 from one address: %+v, want 429 %s", got, string(api.CodeTooManyFailures))
	}
	if n, err := strconv.Atoi(got.retryAfter); err != nil || n < 1 {
		t.Fatalf("Retry-After = %q, want whole seconds", got.retryAfter)
	}
	if got := e.signedGet(a, "/api/v1/balances", u.cred); got.status != 429 || got.code != string(api.CodeTooManyFailures) {
		t.Fatalf("a good request from the blocked address: %+v, want 429", got)
	}
	// Another address, the same good key: served.
	if got := e.signedGet(b, "/api/v1/balances", u.cred); got.status != 200 {
		t.Fatalf("a good request from another address: %+v, want 200", got)
	}
}

// A key that keeps failing (a guessed passphrase) is refused from every
// address; other keys from the same address are served.
func TestFailedAuthLimitedPerKey(t *testing.T) {
	e := startFailLimit(t, 100, 3)
	u := e.user("alice", 1, nil)
	v := e.user("bob", 1, nil)
	a := http.DefaultClient
	guess := u.cred
	guess.Passphrase = "guess"
	for i := 0; i < 3; i++ {
		if got := e.signedGet(a, "/api/v1/balances", guess); got.status != 401 {
			t.Fatalf("guess %d: %+v, want 401", i+1, got)
		}
	}
	if got := e.signedGet(a, "/api/v1/balances", guess); got.status != 429 || got.code != string(api.CodeTooManyFailures) || got.retryAfter == "" {
		t.Fatalf("guess 4: %+v, want 429 %s with Retry-After", got, string(api.CodeTooManyFailures))
	}
	if canDialFrom("127.0.0.2") {
		if got := e.signedGet(from("127.0.0.2"), "/api/v1/balances", guess); got.status != 429 {
			t.Fatalf("guess 5 from another address: %+v, want 429", got)
		}
	}
	if got := e.signedGet(a, "/api/v1/balances", v.cred); got.status != 200 {
		t.Fatalf("another key from the same address: %+v, want 200", got)
	}
}

// Successes spend nothing: many good requests, then a failure is still
// an ordinary 401.
func TestSuccessesSpendNoFailures(t *testing.T) {
	e := startFailLimit(t, 2, 2)
	u := e.user("alice", 1, nil)
	for i := 0; i < 30; i++ {
		if got := e.signedGet(http.DefaultClient, "/api/v1/balances", u.cred); got.status != 200 {
			t.Fatalf("good request %d: %+v", i+1, got)
		}
	}
	bad := u.cred
	bad.Secret = "wrong"
	if got := e.signedGet(http.DefaultClient, "/api/v1/balances", bad); got.status != 401 || got.code != "UNAUTHORIZED" {
		t.Fatalf("the first failure after 30 successes: %+v, want 401 UNAUTHORIZED", got)
	}
}

// By default loopback is not held to the per-address budget (the TUI and
// the simulated people share it), but a key is, from anywhere.
func TestLoopbackFailuresOnlyCountPerKey(t *testing.T) {
	e := start(t)
	e.m.Close(e.ctx)
	e.opts.Net.FailLimit = server.FailLimit{PerAddr: 3, PerKey: 3, Refill: time.Hour}
	e.boot()
	u := e.user("alice", 1, nil)
	for i := 0; i < 10; i++ {
		nobody := api.Credentials{APIKey: "pk_nobody" + strconv.Itoa(i), Secret: "s", Passphrase: "p"}
		if got := e.signedGet(http.DefaultClient, "/api/v1/balances", nobody); got.status != 401 {
			t.Fatalf("failure %d from loopback: %+v, want 401", i+1, got)
		}
	}
	if got := e.signedGet(http.DefaultClient, "/api/v1/balances", u.cred); got.status != 200 {
		t.Fatalf("a good request from loopback after 10 failures: %+v", got)
	}
	stale := api.Credentials{APIKey: "pk_revoked", Secret: "s", Passphrase: "p"}
	for i := 0; i < 3; i++ {
		e.signedGet(http.DefaultClient, "/api/v1/balances", stale)
	}
	if got := e.signedGet(http.DefaultClient, "/api/v1/balances", stale); got.status != 429 || got.code != string(api.CodeTooManyFailures) {
		t.Fatalf("a key failing from loopback: %+v, want 429", got)
	}
}
