// Package storetest is the conformance suite of a market.Store: every
// store (SQLite, PostgreSQL) must pass it. It drives the marketplace
// through market.Service, so it checks the rules and the store together.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/money"
)

// Opener returns a fresh, empty store. The store is closed by the test's
// cleanup; closing it earlier must be safe.
type Opener func(t testing.TB) market.Store

// tb is what the fixture needs of a test: *testing.T and *rapid.T both fit.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Epoch is where the suite's clocks start.
var Epoch = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t   tb
	ctx context.Context
	st  market.Store
	clk *clock.Manual
	svc *market.Service
	n   int
}

func newFixture(t testing.TB, open Opener) *fixture {
	return fixtureOn(t, open(t))
}

func fixtureOn(t tb, st market.Store) *fixture {
	clk := clock.NewManual(Epoch)
	return &fixture{t: t, ctx: context.Background(), st: st, clk: clk, svc: market.New(st, clk, market.DefaultConfig())}
}

// trader opens an account with an Alipay account in its own name.
func (f *fixture) trader(name string, kyc int, deposits ...string) api.User {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, market.NewUser{Name: name, RealName: "Real " + name, KYCLevel: kyc})
	if err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	if _, err := f.svc.SetPaymentAccount(f.ctx, u.ID, api.PaymentAccount{Method: api.Alipay, Account: fmt.Sprintf("1380000%04d", u.ID)}); err != nil {
		f.t.Fatalf("alipay %s: %v", name, err)
	}
	for i := 0; i+1 < len(deposits); i += 2 {
		f.deposit(u.ID, api.Asset(deposits[i]), deposits[i+1])
	}
	return u
}

func (f *fixture) deposit(user int64, asset api.Asset, amount string) {
	f.t.Helper()
	f.n++
	if _, err := f.svc.Deposit(f.ctx, user, asset, money.MustParse(amount, asset.Scale()), fmt.Sprintf("fx-%d", f.n)); err != nil {
		f.t.Fatalf("deposit: %v", err)
	}
}

func (f *fixture) ad(maker int64, side, asset, price, total, min, max string) api.AdView {
	f.t.Helper()
	a, err := f.svc.PostAd(f.ctx, maker, api.AdRequest{Side: side, Asset: asset, Fiat: "CNY", Price: price, Total: total,
		MinFiat: min, MaxFiat: max, Payments: []string{"alipay"}, WindowMin: 15}, nil)
	if err != nil {
		f.t.Fatalf("post ad: %v", err)
	}
	return a
}

func (f *fixture) take(taker, ad int64, amount string) api.OrderView {
	f.t.Helper()
	o, err := f.svc.TakeAd(f.ctx, taker, api.TakeRequest{AdID: ad, Amount: amount}, nil)
	if err != nil {
		f.t.Fatalf("take: %v", err)
	}
	return o
}

func (f *fixture) balance(user int64, asset api.Asset) api.BalanceView {
	f.t.Helper()
	bs, err := f.svc.Balances(f.ctx, user)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, b := range bs {
		if b.Asset == asset {
			return b
		}
	}
	f.t.Fatalf("no %s balance", asset)
	return api.BalanceView{}
}

func (f *fixture) check() {
	f.t.Helper()
	if err := market.CheckInvariants(f.ctx, f.st); err != nil {
		f.t.Fatalf("invariants: %v", err)
	}
}

func wantCode(t tb, err error, code api.Code) {
	t.Helper()
	if got := api.CodeOf(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

// digest summarises everything a write could change, to prove that a
// refused request wrote nothing.
func digest(t tb, st market.Store) string {
	t.Helper()
	h := sha256.New()
	err := st.View(context.Background(), func(tx market.ReadTx) error {
		bs, err := tx.AllBalances()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%v", bs)
		trs, err := tx.Transfers(0, 1<<30)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%d", len(trs))
		ads, err := tx.AllAds(0, 1<<30)
		if err != nil {
			return err
		}
		for _, a := range ads {
			fmt.Fprintf(h, "%d %s %s %d;", a.ID, a.Remaining, a.Status, a.Version)
		}
		ords, err := tx.AllOrders(0, 1<<30)
		if err != nil {
			return err
		}
		for _, o := range ords {
			fmt.Fprintf(h, "%d %s %d;", o.ID, o.State, o.Version)
		}
		last, err := tx.LastEventID()
		fmt.Fprintf(h, "%d", last)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
