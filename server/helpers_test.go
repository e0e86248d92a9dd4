package server_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/authenticator"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/marketplace"
	"p2pdesk/server"
)

type env struct {
	t    *testing.T
	ctx  context.Context
	m    *marketplace.Marketplace
	key  []byte
	db   string
	clk  *clock.Manual
	opts marketplace.Options
}

// start runs a marketplace on loopback over a fresh SQLite file.
func start(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), key: auth.GenerateKey(), db: filepath.Join(t.TempDir(), "market.db"),
		clk: clock.NewManual(time.Now().UTC())}
	e.opts = marketplace.Options{DBPath: e.db, ServerKey: e.key, Clock: e.clk, RateLimit: 1000,
		// Tests of refusals fail on purpose many times in a row; the tests
		// of the failure limit set their own.
		Net: marketplace.Net{FailLimit: server.FailLimit{PerAddr: 10000, PerKey: 10000}}}
	e.boot()
	return e
}

func (e *env) boot() {
	e.t.Helper()
	m, err := marketplace.Start(e.ctx, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.m = m
	e.t.Cleanup(func() { m.Close(context.Background()) })
}

// restart stops the server cleanly and starts it again on the same file.
func (e *env) restart() {
	e.t.Helper()
	if err := e.m.Close(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	e.boot()
}

type user struct {
	c    *client.Client
	id   int64
	totp string
	cred api.Credentials
}

func (e *env) user(name string, kyc int, deposits map[string]string) user {
	e.t.Helper()
	r, err := e.m.Provision(e.ctx, api.NewUserRequest{Name: name, RealName: "Real " + name, KYCLevel: kyc, Deposits: deposits, WithTOTP: true})
	if err != nil {
		e.t.Fatal(err)
	}
	u := user{c: e.m.Client(r.Credentials), id: r.User.ID, totp: r.TOTPSecret, cred: r.Credentials}
	if _, err := u.c.SetPaymentAccount(e.ctx, api.Alipay, "1390000"+itoa4(r.User.ID), ""); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) admin() user {
	e.t.Helper()
	r, err := e.m.Provision(e.ctx, api.NewUserRequest{Name: "admin", KYCLevel: 2, Role: api.RoleAdmin})
	if err != nil {
		e.t.Fatal(err)
	}
	return user{c: e.m.Client(r.Credentials), id: r.User.ID, cred: r.Credentials}
}

func itoa4(n int64) string {
	s := "0000" + itoa(n)
	return s[len(s)-4:]
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// code returns a valid one-time code for a step not used yet: each code
// works once, so a second release in the same 30 s uses the next step.
func code(t *testing.T, seed string, step int) string {
	t.Helper()
	c, err := authenticator.Code(seed, time.Now().Add(time.Duration(step)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code api.Code) {
	t.Helper()
	if got := api.CodeOf(err); got != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

func clientOpen(b bool) client.OrderQuery { return client.OrderQuery{Open: &b} }

func startKey() []byte { return auth.GenerateKey() }
