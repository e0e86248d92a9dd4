package server_test

import (
	"net/http"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
)

// TestAdminDepositPastTheLedgerLimit: deposits that would take a balance
// past 64 bits of minor units are refused with 400 AMOUNT_TOO_LARGE before
// anything is written; the books still read and check (issue 12, item 4:
// SQLite stored the overflowing sum as a REAL and answered 201).
func TestAdminDepositPastTheLedgerLimit(t *testing.T) {
	e := start(t)
	admin := e.admin()
	u := e.user("whale", 2, nil)
	// 9223372036854.775807 USDT is 2^63-1 units at 6 decimals.
	if _, err := admin.c.Deposit(e.ctx, u.id, api.USDT, "9223372036854.775807", "max"); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"one-more", "another"} {
		_, err := admin.c.Deposit(e.ctx, u.id, api.USDT, "0.000001", ref)
		wantCode(t, err, "AMOUNT_TOO_LARGE")
	}
	if st, code := e.raw("POST", "/api/v1/admin/deposits", []byte(`{"userId":"`+itoa(u.id)+`","asset":"USDT","amount":"1","ref":"raw"}`),
		admin.cred, time.Now(), nil); st != http.StatusBadRequest || code != "AMOUNT_TOO_LARGE" {
		t.Fatalf("raw deposit: %d %s", st, code)
	}
	bs, err := u.c.Balances(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Asset == api.USDT && b.Available.String() != "9223372036854.775807" {
			t.Fatalf("balance = %s", b.Available)
		}
	}
	if err := market.CheckInvariants(e.ctx, e.m.Store); err != nil {
		t.Fatal(err)
	}
}
