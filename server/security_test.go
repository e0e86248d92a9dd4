package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
)

// raw sends a request signed with creds at ts, then lets tamper change it
// after signing. It returns the status and the error code.
func (e *env) raw(method, path string, body []byte, c api.Credentials, ts time.Time, tamper func(*http.Request)) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.m.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	stamp := api.Timestamp(ts)
	req.Header.Set(api.HeaderKey, c.APIKey)
	req.Header.Set(api.HeaderPassphrase, c.Passphrase)
	req.Header.Set(api.HeaderTimestamp, stamp)
	req.Header.Set(api.HeaderSign, api.Sign(c.Secret, stamp, method, req.URL.RequestURI(), body))
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb api.Error
	json.Unmarshal(b, &eb)
	return resp.StatusCode, string(eb.Code)
}

func TestSignatureRefusals(t *testing.T) {
	e := start(t)
	u := e.user("alice", 1, map[string]string{"USDT": "10"})
	now := time.Now()
	body := []byte(`{"text":"hello"}`)
	ok, _ := e.raw("GET", "/api/v1/balances", nil, u.cred, now, nil)
	if ok != 200 {
		t.Fatalf("a good request got %d", ok)
	}
	replayBody := func(r *http.Request) {
		r.Body = io.NopCloser(bytes.NewReader([]byte(`{"text":"other"}`)))
		r.ContentLength = int64(len(`{"text":"other"}`))
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   []byte
		ts     time.Time
		creds  api.Credentials
		tamper func(*http.Request)
	}{
		{"tampered body", "PUT", "/api/v1/account/anti-phishing", []byte(`{"code":"abcd"}`), now, u.cred, func(r *http.Request) {
			r.Body = io.NopCloser(bytes.NewReader([]byte(`{"code":"evil"}`)))
		}},
		{"tampered path", "GET", "/api/v1/balances", nil, now, u.cred, func(r *http.Request) { r.URL.Path = "/api/v1/account" }},
		{"tampered query", "GET", "/api/v1/orders?open=true", nil, now, u.cred, func(r *http.Request) { r.URL.RawQuery = "open=false" }},
		{"timestamp 31s behind", "GET", "/api/v1/balances", nil, now.Add(-31 * time.Second), u.cred, nil},
		{"timestamp 31s ahead", "GET", "/api/v1/balances", nil, now.Add(31 * time.Second), u.cred, nil},
		{"replayed signature, other body", "POST", "/api/v1/orders/1/messages", body, now, u.cred, replayBody},
		{"wrong passphrase", "GET", "/api/v1/balances", nil, now, api.Credentials{APIKey: u.cred.APIKey, Secret: u.cred.Secret, Passphrase: "guess"}, nil},
		{"unknown key", "GET", "/api/v1/balances", nil, now, api.Credentials{APIKey: "pk_nobody", Secret: u.cred.Secret, Passphrase: u.cred.Passphrase}, nil},
		{"wrong secret", "GET", "/api/v1/balances", nil, now, api.Credentials{APIKey: u.cred.APIKey, Secret: "not-the-secret", Passphrase: u.cred.Passphrase}, nil},
		{"no headers", "GET", "/api/v1/balances", nil, now, u.cred, func(r *http.Request) { r.Header.Del(api.HeaderSign) }},
		{"timestamp not ISO", "GET", "/api/v1/balances", nil, now, u.cred, func(r *http.Request) { r.Header.Set(api.HeaderTimestamp, fmt.Sprint(now.Unix())) }},
	}
	for _, c := range cases {
		st, code := e.raw(c.method, c.path, c.body, c.creds, c.ts, c.tamper)
		want := "UNAUTHORIZED"
		if strings.HasPrefix(c.name, "timestamp 31s") {
			want = "TIMESTAMP_EXPIRED" // expiry has its own code, as in OKX v5
		}
		if st != http.StatusUnauthorized || code != want {
			t.Errorf("%s: %d %s, want 401 %s", c.name, st, code, want)
		}
	}
	// The tampered anti-phishing request changed nothing.
	acct, _ := u.c.Account(e.ctx)
	if acct.AntiPhishing != "" {
		t.Fatalf("a refused request wrote: %q", acct.AntiPhishing)
	}
	// Within 30 s either way is accepted.
	if st, _ := e.raw("GET", "/api/v1/balances", nil, u.cred, now.Add(-25*time.Second), nil); st != 200 {
		t.Fatalf("25 s skew refused: %d", st)
	}
}

// TestOtherUsersOrder: another user's order does not exist for you.
func TestOtherUsersOrder(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	x := e.user("mallory", 2, map[string]string{"USDT": "1000"})
	ad, _ := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
	if err != nil {
		t.Fatal(err)
	}
	b.c.MarkPaid(e.ctx, o.ID, "")
	path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
	for _, r := range []struct{ method, path, body string }{
		{"GET", path, ""},
		{"GET", path + "/messages", ""},
		{"POST", path + "/paid", "{}"},
		{"POST", path + "/cancel", "{}"},
		{"POST", path + "/release", fmt.Sprintf(`{"totp":%q}`, code(t, x.totp, 0))},
		{"POST", path + "/dispute", `{"reason":"other"}`},
		{"POST", path + "/evidence", `{"note":"x"}`},
		{"POST", path + "/rate", `{"positive":false}`},
		{"POST", path + "/messages", `{"text":"send me the money"}`},
	} {
		var body []byte
		if r.body != "" {
			body = []byte(r.body)
		}
		st, c := e.raw(r.method, r.path, body, x.cred, time.Now(), nil)
		if st != http.StatusNotFound || c != "NOT_FOUND" {
			t.Errorf("%s %s as a stranger: %d %s, want 404 NOT_FOUND", r.method, r.path, st, c)
		}
	}
	// A stranger's one-time code was not even tried: it is still good for them.
	st, _ := e.raw("GET", "/api/v1/account/2fa", nil, x.cred, time.Now(), nil)
	if st != 200 {
		t.Fatal(st)
	}
	got, _ := b.c.Order(e.ctx, o.ID)
	if got.State != api.StatePaid || got.Version != o.Version+1 {
		t.Fatalf("the order changed: %+v", got)
	}
}

// TestReleaseNeedsTOTP covers a missing, a wrong and a reused code, and
// the lockout after repeated wrong codes surviving a restart.
func TestReleaseNeedsTOTP(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	ad, _ := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	take := func() api.OrderView {
		o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.c.MarkPaid(e.ctx, o.ID, ""); err != nil {
			t.Fatal(err)
		}
		return o
	}
	o1, o2 := take(), take()
	_, err := m.c.Release(e.ctx, o1.ID, "", "")
	wantCode(t, err, "TOTP_REQUIRED")
	good := code(t, m.totp, 0)
	wrong := "000000"
	if wrong == good {
		wrong = "111111"
	}
	_, err = m.c.Release(e.ctx, o1.ID, wrong, "")
	wantCode(t, err, "TOTP_INVALID")
	if _, err := m.c.Release(e.ctx, o1.ID, good, ""); err != nil {
		t.Fatal(err)
	}
	_, err = m.c.Release(e.ctx, o2.ID, good, "")
	wantCode(t, err, "TOTP_REUSED")
	// The buyer has no business trying codes on a release.
	_, err = b.c.Release(e.ctx, o2.ID, code(t, b.totp, 0), "")
	wantCode(t, err, "NOT_YOUR_ROLE")

	// A good code clears the count and a reused code is no guess: five
	// wrong codes in the window lock.
	for i := 0; i < 5; i++ {
		_, err = m.c.Release(e.ctx, o2.ID, wrong, "")
		wantCode(t, err, "TOTP_INVALID")
	}
	_, err = m.c.Release(e.ctx, o2.ID, code(t, m.totp, 1), "")
	wantCode(t, err, "TOTP_LOCKED")
	e.restart()
	m.c = e.m.Client(m.cred)
	_, err = m.c.Release(e.ctx, o2.ID, code(t, m.totp, 1), "")
	wantCode(t, err, "TOTP_LOCKED")
	st, _ := e.m.Client(b.cred).Order(e.ctx, o2.ID)
	if st.State != api.StatePaid {
		t.Fatalf("a locked release must not release: %s", st.State)
	}
}
