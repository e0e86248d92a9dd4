package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/money"
)

// Run runs the whole conformance suite against stores from open.
func Run(t *testing.T, open Opener) {
	t.Run("Lifecycle", func(t *testing.T) { testLifecycle(t, open) })
	t.Run("StateMachineGuards", func(t *testing.T) { testGuards(t, open) })
	t.Run("Deadlines", func(t *testing.T) { testDeadlines(t, open) })
	t.Run("Disputes", func(t *testing.T) { testDisputes(t, open) })
	t.Run("BadInputWritesNothing", func(t *testing.T) { testBadInput(t, open) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("FloatingPrices", func(t *testing.T) { testFloating(t, open) })
	t.Run("Records", func(t *testing.T) { testRecords(t, open) })
	t.Run("CarriedRecords", func(t *testing.T) { testCarriedRecords(t, open) })
	t.Run("ConcurrentTakes", func(t *testing.T) { testConcurrentTakes(t, open) })
	t.Run("ResolutionRace", func(t *testing.T) { testResolutionRace(t, open) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open) })
	t.Run("Property", func(t *testing.T) { testProperty(t, open) })
	t.Run("DailyLimitOverflow", func(t *testing.T) { testDailyLimitOverflow(t, open) })
	t.Run("LedgerOverflow", func(t *testing.T) { testLedgerOverflow(t, open) })
	t.Run("PriceBand", func(t *testing.T) { testPriceBand(t, open) })
	t.Run("CheckSeesWraps", func(t *testing.T) { testCheckSeesWraps(t, open) })
}

func testLifecycle(t *testing.T, open Opener) {
	f := newFixture(t, open)
	merchant := f.trader("merchant", 2, "USDT", "10000")
	alice := f.trader("alice", 1, "USDT", "500")

	// Alice buys 100.5 USDT from the merchant's sell ad.
	sellAd := f.ad(merchant.ID, "sell", "USDT", "7.215", "5000", "100", "20000")
	o := f.take(alice.ID, sellAd.ID, "100.5")
	if o.FiatTotal.String() != "725.11" || o.Role != "buyer" || o.PayTo.Account == "" || o.PayerName != "Real alice" {
		t.Fatalf("order view = %+v", o)
	}
	if b := f.balance(merchant.ID, api.USDT); b.Locked.String() != "100.5" || b.Available.String() != "9899.5" {
		t.Fatalf("merchant after take: %+v", b)
	}
	if b := f.balance(alice.ID, api.USDT); b.Incoming.String() != "100.5" {
		t.Fatalf("alice after take: %+v", b)
	}
	f.check()
	if _, err := f.svc.MarkPaid(f.ctx, alice.ID, o.ID, market.Expect{State: api.StateCreated}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2 * time.Minute)
	done, err := f.svc.Release(f.ctx, merchant.ID, o.ID, market.Expect{State: api.StatePaid})
	if err != nil {
		t.Fatal(err)
	}
	if done.State != api.StateCompleted || done.ClosedAt == nil {
		t.Fatalf("after release: %+v", done)
	}
	if b := f.balance(alice.ID, api.USDT); b.Available.String() != "600.5" {
		t.Fatalf("alice after release: %+v", b)
	}
	if b := f.balance(merchant.ID, api.USDT); b.Locked.String() != "0" || b.Total.String() != "9899.5" {
		t.Fatalf("merchant after release: %+v", b)
	}
	f.check()

	// Alice sells 50 USDT to the merchant's buy ad: her own USDT is locked.
	buyAd := f.ad(merchant.ID, "buy", "USDT", "7.1", "1000", "100", "5000")
	o2 := f.take(alice.ID, buyAd.ID, "50")
	if o2.Role != "seller" || o2.PayTo.RealName != "Real alice" {
		t.Fatalf("sell order: %+v", o2)
	}
	if b := f.balance(alice.ID, api.USDT); b.Locked.String() != "50" || b.Available.String() != "550.5" {
		t.Fatalf("alice locked: %+v", b)
	}
	if _, err := f.svc.MarkPaid(f.ctx, merchant.ID, o2.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Release(f.ctx, alice.ID, o2.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	if b := f.balance(alice.ID, api.USDT); b.Total.String() != "550.5" {
		t.Fatalf("alice after selling: %+v", b)
	}
	if _, err := f.svc.Rate(f.ctx, alice.ID, o2.ID, true, "fast"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Rate(f.ctx, alice.ID, o2.ID, false, "")
	wantCode(t, err, api.CodeAlreadyRated)
	log, err := f.svc.OrderLog(f.ctx, alice.ID, o2.ID, 0)
	if err != nil || len(log) < 4 {
		t.Fatalf("log = %v, %v", log, err)
	}
	f.check()
}

func testGuards(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("merchant", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	x := f.trader("stranger", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	o := f.take(b.ID, ad.ID, "10")

	_, err := f.svc.MarkPaid(f.ctx, m.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeNotYourRole)
	_, err = f.svc.Release(f.ctx, m.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeOrderStateConflict) // never before paid
	_, err = f.svc.Release(f.ctx, b.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeNotYourRole)
	_, err = f.svc.Cancel(f.ctx, m.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeNotYourRole)
	_, err = f.svc.GetOrder(f.ctx, x.ID, o.ID)
	wantCode(t, err, api.CodeNotFound)
	_, err = f.svc.MarkPaid(f.ctx, x.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeNotFound)
	_, err = f.svc.PostMessage(f.ctx, x.ID, o.ID, "hi")
	wantCode(t, err, api.CodeNotFound)
	_, err = f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{State: api.StatePaid})
	wantCode(t, err, api.CodeOrderStateConflict) // the caller's view is stale
	_, err = f.svc.Dispute(f.ctx, b.ID, o.ID, market.DisputeRequest{Reason: "other"}, market.Expect{})
	wantCode(t, err, api.CodeOrderStateConflict)

	if _, err := f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Cancel(f.ctx, b.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeOrderStateConflict)
	_, err = f.svc.Cancel(f.ctx, m.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeNotYourRole) // a seller can never cancel after paid
	_, err = f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{})
	wantCode(t, err, api.CodeOrderStateConflict)
	if _, err := f.svc.Release(f.ctx, m.ID, o.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	// Terminal states absorb.
	for _, act := range []func() error{
		func() error { _, err := f.svc.Release(f.ctx, m.ID, o.ID, market.Expect{}); return err },
		func() error { _, err := f.svc.Cancel(f.ctx, b.ID, o.ID, market.Expect{}); return err },
		func() error { _, err := f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{}); return err },
		func() error {
			_, err := f.svc.Dispute(f.ctx, b.ID, o.ID, market.DisputeRequest{Reason: "other"}, market.Expect{})
			return err
		},
	} {
		wantCode(t, act(), api.CodeOrderStateConflict)
	}
	_, err = f.svc.TakeAd(f.ctx, m.ID, api.TakeRequest{AdID: ad.ID, Amount: "5"}, nil)
	wantCode(t, err, api.CodeOwnAd)
	f.check()
}

func testDeadlines(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("merchant", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	unpaid := f.take(b.ID, ad.ID, "10")
	paid := f.take(b.ID, ad.ID, "20")
	if _, err := f.svc.MarkPaid(f.ctx, b.ID, paid.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.Sweep(f.ctx, 100); err != nil || n != 0 {
		t.Fatalf("early sweep moved %d, %v", n, err)
	}
	f.clk.Advance(15 * time.Minute)
	// At the deadline, marking paid is refused even before a sweep.
	_, err := f.svc.MarkPaid(f.ctx, b.ID, unpaid.ID, market.Expect{})
	wantCode(t, err, api.CodeOrderExpired)
	n, err := f.svc.Sweep(f.ctx, 100)
	if err != nil || n != 1 {
		t.Fatalf("sweep moved %d, %v", n, err)
	}
	got, _ := f.svc.GetOrder(f.ctx, b.ID, unpaid.ID)
	if got.State != api.StateExpired || got.CancelledBy != "system" {
		t.Fatalf("unpaid order: %+v", got)
	}
	// Sweeping again changes nothing: it is idempotent.
	if n, err := f.svc.Sweep(f.ctx, 100); err != nil || n != 0 {
		t.Fatalf("second sweep moved %d, %v", n, err)
	}
	f.clk.Advance(f.svc.Config().ReleaseWindow)
	if n, err := f.svc.Sweep(f.ctx, 100); err != nil || n != 1 {
		t.Fatalf("release sweep moved %d, %v", n, err)
	}
	got, _ = f.svc.GetOrder(f.ctx, b.ID, paid.ID)
	if got.State != api.StateDisputed || got.DisputeBy != "system" {
		t.Fatalf("a timeout after paid must open a dispute, not refund: %+v", got)
	}
	if bl := f.balance(m.ID, api.USDT); bl.Locked.String() != "20" {
		t.Fatalf("escrow must stay locked in dispute: %+v", bl)
	}
	if _, ok, _ := f.svc.NextDeadline(f.ctx); ok {
		t.Fatal("no open deadline expected")
	}
	f.check()
}

func testDisputes(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("merchant", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	sup, err := f.svc.CreateUser(f.ctx, market.NewUser{Name: "support", KYCLevel: 2, Role: api.RoleSupport})
	if err != nil {
		t.Fatal(err)
	}
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	for _, res := range []api.Resolution{api.ResolveRelease, api.ResolveRefund} {
		o := f.take(b.ID, ad.ID, "10")
		if _, err := f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Dispute(f.ctx, b.ID, o.ID, market.DisputeRequest{Reason: "nonsense"}, market.Expect{})
		wantCode(t, err, api.CodeInvalidArgument)
		d, err := f.svc.Dispute(f.ctx, b.ID, o.ID, market.DisputeRequest{Reason: "paid-not-released", Statement: "I paid", Evidence: []string{"AP123"}}, market.Expect{})
		if err != nil || d.State != api.StateDisputed || d.DisputeBy != "buyer" {
			t.Fatalf("dispute: %+v %v", d, err)
		}
		if _, err := f.svc.AddEvidence(f.ctx, m.ID, o.ID, "", "nothing arrived"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Resolve(f.ctx, b.ID, o.ID, res, "")
		wantCode(t, err, api.CodeForbidden)
		r, err := f.svc.Resolve(f.ctx, sup.ID, o.ID, res, "decided from the records")
		if err != nil || r.State != api.StateResolved || r.Resolution != res {
			t.Fatalf("resolve: %+v %v", r, err)
		}
		_, err = f.svc.Resolve(f.ctx, sup.ID, o.ID, res, "")
		wantCode(t, err, api.CodeOrderStateConflict)
		log, _ := f.svc.OrderLog(f.ctx, sup.ID, o.ID, 0)
		ev := 0
		for _, e := range log {
			if e.Kind == api.LogEvidence {
				ev++
			}
		}
		if ev != 3 {
			t.Fatalf("evidence entries = %d, want 3", ev)
		}
	}
	if bl := f.balance(b.ID, api.USDT); bl.Available.String() != "10" {
		t.Fatalf("buyer gets one release: %+v", bl)
	}
	if bl := f.balance(m.ID, api.USDT); bl.Total.String() != "990" {
		t.Fatalf("merchant keeps the refunded one: %+v", bl)
	}
	f.check()
}

func testBadInput(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("merchant", 2, "USDT", "1000", "BTC", "1")
	b := f.trader("buyer", 1, "USDT", "100")
	zero := f.trader("nokyc", 0)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "100", "5000")
	buyAd := f.ad(m.ID, "buy", "USDT", "7", "100000", "100", "1000000")
	before := digest(t, f.st)

	take := func(user, ad int64, amount, fiatAmount, payment string) error {
		_, err := f.svc.TakeAd(f.ctx, user, api.TakeRequest{AdID: ad, Amount: amount, FiatAmount: fiatAmount, Payment: payment}, nil)
		return err
	}
	cases := []struct {
		name string
		err  error
		code api.Code
	}{
		{"negative", take(b.ID, ad.ID, "-5", "", ""), api.CodeAmountNotPositive},
		{"zero", take(b.ID, ad.ID, "0", "", ""), api.CodeAmountNotPositive},
		{"over-precise", take(b.ID, ad.ID, "20.0000001", "", ""), api.CodeAmountPrecision},
		{"over-large", take(b.ID, ad.ID, "99999999999999999999", "", ""), api.CodeAmountTooLarge},
		{"not a number", take(b.ID, ad.ID, "1e3", "", ""), api.CodeAmountInvalid},
		{"both amounts", take(b.ID, ad.ID, "20", "140", ""), api.CodeInvalidArgument},
		{"below min", take(b.ID, ad.ID, "10", "", ""), api.CodeAmountOutOfRange},
		{"above max", take(b.ID, ad.ID, "800", "", ""), api.CodeAmountOutOfRange},
		{"fiat below min", take(b.ID, ad.ID, "", "50", ""), api.CodeAmountOutOfRange},
		{"unknown payment", take(b.ID, ad.ID, "20", "", "paypal"), api.CodeUnknownPaymentMethod},
		{"payment not accepted", take(b.ID, ad.ID, "20", "", "wechat"), api.CodePaymentNotAccepted},
		{"kyc 0", take(zero.ID, ad.ID, "20", "", ""), api.CodeKYCRequired},
		{"unknown ad", take(b.ID, 999999, "20", "", ""), api.CodeNotFound},
		{"seller short of funds", take(b.ID, buyAd.ID, "200", "", ""), api.CodeInsufficientBalance},
	}
	// Over the daily limit: level 1 may commit 50,000 CNY a day.
	_, err := f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: buyAd.ID, FiatAmount: "60000"}, nil)
	cases = append(cases, struct {
		name string
		err  error
		code api.Code
	}{"over daily limit", err, api.CodeDailyLimitExceeded})
	postAd := func(r api.AdRequest) error { _, err := f.svc.PostAd(f.ctx, m.ID, r, nil); return err }
	good := api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "10", MinFiat: "10", MaxFiat: "70", Payments: []string{"alipay"}, WindowMin: 15}
	mod := func(fn func(*api.AdRequest)) api.AdRequest { r := good; fn(&r); return r }
	for _, c := range []struct {
		name string
		req  api.AdRequest
		code api.Code
	}{
		{"ad unknown asset", mod(func(r *api.AdRequest) { r.Asset = "DOGE" }), api.CodeUnknownAsset},
		{"ad unknown fiat", mod(func(r *api.AdRequest) { r.Fiat = "JPY" }), api.CodeUnknownFiat},
		{"ad unknown payment", mod(func(r *api.AdRequest) { r.Payments = []string{"cash"} }), api.CodeUnknownPaymentMethod},
		{"ad no payment account", mod(func(r *api.AdRequest) { r.Payments = []string{"bank"} }), api.CodePaymentDetailsNeeded},
		{"ad bad side", mod(func(r *api.AdRequest) { r.Side = "hold" }), api.CodeInvalidArgument},
		{"ad negative price", mod(func(r *api.AdRequest) { r.Price = "-7" }), api.CodeAmountNotPositive},
		{"ad price precision", mod(func(r *api.AdRequest) { r.Price = "7.123456" }), api.CodeAmountPrecision},
		{"ad min above max", mod(func(r *api.AdRequest) { r.MinFiat = "100" }), api.CodeAmountOutOfRange},
		{"ad window", mod(func(r *api.AdRequest) { r.WindowMin = 5 }), api.CodeInvalidArgument},
		{"ad more than balance", mod(func(r *api.AdRequest) { r.Total = "5000" }), api.CodeInsufficientBalance},
		{"ad floating without index", mod(func(r *api.AdRequest) { r.PriceType = "floating"; r.Price = "" }), api.CodeInvalidArgument},
	} {
		cases = append(cases, struct {
			name string
			err  error
			code api.Code
		}{c.name, postAd(c.req), c.code})
	}
	_, err = f.svc.SetPaymentAccount(f.ctx, b.ID, api.PaymentAccount{Method: api.Alipay, Account: "13900000000", RealName: "Someone Else"})
	cases = append(cases, struct {
		name string
		err  error
		code api.Code
	}{"third-party account", err, api.CodeNameMismatch})
	_, err = f.svc.SetPaymentAccount(f.ctx, b.ID, api.PaymentAccount{Method: api.Alipay, Account: "not an account"})
	cases = append(cases, struct {
		name string
		err  error
		code api.Code
	}{"malformed account", err, api.CodeInvalidArgument})
	_, err = f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", Payment: "carrier-pigeon"})
	cases = append(cases, struct {
		name string
		err  error
		code api.Code
	}{"search unknown payment", err, api.CodeUnknownPaymentMethod})

	for _, c := range cases {
		var me *api.Error
		if !errors.As(c.err, &me) || me.Code != c.code || me.Message == "" {
			t.Errorf("%s: error = %v, want %s with a message", c.name, c.err, c.code)
		}
	}
	if after := digest(t, f.st); after != before {
		t.Fatal("a refused request changed the database")
	}
	f.check()
}

func testIdempotency(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("merchant", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	idem := &market.Idem{Key: "order-1", Fingerprint: "take 10"}
	first, err := f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "10"}, idem)
	if err != nil {
		t.Fatal(err)
	}
	before := digest(t, f.st)
	again, err := f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "10"}, idem)
	if err != nil || again.ID != first.ID || again.Version != first.Version {
		t.Fatalf("retry = %+v, %v", again, err)
	}
	if digest(t, f.st) != before {
		t.Fatal("a retried request acted twice")
	}
	_, err = f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "11"}, &market.Idem{Key: "order-1", Fingerprint: "take 11"})
	wantCode(t, err, api.CodeIdempotencyConflict)
	// Keys are per user: another user may use the same key.
	c := f.trader("carol", 1)
	if _, err := f.svc.TakeAd(f.ctx, c.ID, api.TakeRequest{AdID: ad.ID, Amount: "10"}, idem); err != nil {
		t.Fatal(err)
	}
	// A failed attempt leaves no record, so a corrected retry may succeed.
	fail := &market.Idem{Key: "order-2", Fingerprint: "x"}
	_, err = f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "0.1"}, fail)
	wantCode(t, err, api.CodeAmountOutOfRange)
	// Concurrent retries of one key act once.
	var wg sync.WaitGroup
	ids := make([]int64, 16)
	errs := make([]error, 16)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, err := f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "12"}, &market.Idem{Key: "burst", Fingerprint: "12"})
			ids[i], errs[i] = o.ID, err
		}(i)
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("burst %d: id %d err %v (first %d)", i, ids[i], errs[i], ids[0])
		}
	}
	f.check()
}

func testSearch(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m1 := f.trader("m1", 2, "USDT", "100000")
	m2 := f.trader("m2", 2, "USDT", "100000")
	if _, err := f.svc.SetUser(f.ctx, m2.ID, nil, ptr(true), nil); err != nil {
		t.Fatal(err)
	}
	prices := []string{"7.30", "7.10", "7.20", "7.10", "7.25", "7.15"}
	for i, p := range prices {
		mk := m1
		if i%2 == 1 {
			mk = m2
		}
		f.ad(mk.ID, "sell", "USDT", p, "1000", fmt.Sprint(100*(i+1)), "5000")
		f.ad(mk.ID, "buy", "USDT", p, "1000", "100", "5000")
	}
	page, err := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, a := range page.Ads {
		got = append(got, a.Price.String())
	}
	if fmt.Sprint(got) != "[7.1 7.1 7.15 7.2]" || page.Next == "" {
		t.Fatalf("sell ads cheapest first: %v next=%q", got, page.Next)
	}
	page2, err := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", Limit: 4, Cursor: page.Next})
	if err != nil || len(page2.Ads) != 2 || page2.Ads[0].Price.String() != "7.25" || page2.Next != "" {
		t.Fatalf("second page: %+v %v", page2.Ads, err)
	}
	buy, _ := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "buy", Asset: "USDT", Fiat: "CNY", Limit: 2})
	if buy.Ads[0].Price.String() != "7.3" || buy.Ads[1].Price.String() != "7.25" {
		t.Fatalf("buy ads dearest first: %v %v", buy.Ads[0].Price, buy.Ads[1].Price)
	}
	// amount=350 fits only ads whose minimum is at most 350.
	fit, _ := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", FiatAmount: "350"})
	for _, a := range fit.Ads {
		if a.MinFiat.Cmp(money.MustParse("350", 2)) > 0 || a.AvailFiat.Cmp(money.MustParse("350", 2)) < 0 {
			t.Fatalf("ad %d limits %s-%s do not fit 350", a.ID, a.MinFiat, a.AvailFiat)
		}
	}
	if len(fit.Ads) != 3 {
		t.Fatalf("ads fitting 350: %d, want 3", len(fit.Ads))
	}
	ver, _ := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", VerifiedOnly: true})
	for _, a := range ver.Ads {
		if !a.Maker.Verified {
			t.Fatalf("unverified maker in verified-only search: %+v", a.Maker)
		}
	}
	if len(ver.Ads) != 3 {
		t.Fatalf("verified ads: %d", len(ver.Ads))
	}
	none, _ := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", Payment: "wechat"})
	if len(none.Ads) != 0 {
		t.Fatalf("no ad accepts wechat, got %d", len(none.Ads))
	}
	// Paused ads leave the book and come back.
	a := page.Ads[0]
	if _, err := f.svc.SetAdStatus(f.ctx, m1.ID, a.ID, "pause"); err == nil {
		t.Fatal("m1 paused m2's ad")
	}
	if _, err := f.svc.SetAdStatus(f.ctx, a.Maker.ID, a.ID, "pause"); err != nil {
		t.Fatal(err)
	}
	p3, _ := f.svc.SearchAds(f.ctx, market.AdSearch{Side: "sell", Asset: "USDT", Fiat: "CNY", Limit: 1})
	if p3.Ads[0].ID == a.ID {
		t.Fatal("a paused ad is still listed")
	}
	mine, err := f.svc.MyAds(f.ctx, a.Maker.ID)
	if err != nil || len(mine) != 6 {
		t.Fatalf("my ads: %d %v", len(mine), err)
	}
	f.check()
}

func ptr[T any](v T) *T { return &v }

func testFloating(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	if _, err := f.svc.SetIndex(f.ctx, api.USDT, api.CNY, money.MustParse("7.2", 4)); err != nil {
		t.Fatal(err)
	}
	ad, err := f.svc.PostAd(f.ctx, m.ID, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", PriceType: "floating", MarginBP: 50,
		Total: "100", MinFiat: "10", MaxFiat: "1000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ad.Price.String() != "7.236" || ad.DevBP == nil || *ad.DevBP != 50 {
		t.Fatalf("floating price %s dev %v", ad.Price, ad.DevBP)
	}
	f.clk.Advance(time.Second)
	if _, err := f.svc.SetIndex(f.ctx, api.USDT, api.CNY, money.MustParse("7.3", 4)); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetAd(f.ctx, b.ID, ad.ID)
	if got.Price.String() != "7.3365" {
		t.Fatalf("repriced to %s, want 7.3365", got.Price)
	}
	// A taker who saw the old price is protected.
	_, err = f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "10", ExpectPrice: "7.236"}, nil)
	wantCode(t, err, api.CodePriceChanged)
	o, err := f.svc.TakeAd(f.ctx, b.ID, api.TakeRequest{AdID: ad.ID, Amount: "10", ExpectPrice: "7.3365"}, nil)
	if err != nil || o.Price.String() != "7.3365" {
		t.Fatalf("take at the new price: %+v %v", o.Price, err)
	}
	hist, err := f.svc.IndexHistory(f.ctx, api.USDT, api.CNY, Epoch, 0, 10)
	if err != nil || len(hist) != 2 || hist[0].Price.String() != "7.2" {
		t.Fatalf("history %+v %v", hist, err)
	}
	testIndexSteps(t, f)
	f.check()
}

func testRecords(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	for i := 0; i < 4; i++ {
		o := f.take(b.ID, ad.ID, "10")
		if i == 3 {
			if _, err := f.svc.Cancel(f.ctx, b.ID, o.ID, market.Expect{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		f.clk.Advance(time.Minute)
		if _, err := f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{}); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Duration(i+1) * time.Minute)
		if _, err := f.svc.Release(f.ctx, m.ID, o.ID, market.Expect{}); err != nil {
			t.Fatal(err)
		}
	}
	card, err := f.svc.Trader(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := card.Record
	if r.Orders30d != 3 || r.CompletionBP == nil || *r.CompletionBP != 10000 || r.AvgReleaseS == nil || *r.AvgReleaseS != 120 {
		t.Fatalf("merchant record %+v", r)
	}
	bc, _ := f.svc.Trader(f.ctx, b.ID)
	if bc.Record.CompletionBP == nil || *bc.Record.CompletionBP != 7500 || *bc.Record.AvgPayS != 60 {
		t.Fatalf("buyer record %+v", bc.Record)
	}
	// The window slides: 31 days later nothing counts.
	f.clk.Advance(31 * 24 * time.Hour)
	card, _ = f.svc.Trader(f.ctx, m.ID)
	if card.Record.Orders30d != 0 || card.Record.CompletionBP != nil {
		t.Fatalf("old orders still count: %+v", card.Record)
	}
	f.check()
}

// testCarriedRecords: carried days add to a trader's record and to
// nothing else; each day is carried once; they leave the window as the
// trader days do; a bad one is refused whole.
func testCarriedRecords(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	o := f.take(b.ID, ad.ID, "10")
	f.clk.Advance(time.Minute)
	if _, err := f.svc.MarkPaid(f.ctx, b.ID, o.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2 * time.Minute)
	if _, err := f.svc.Release(f.ctx, m.ID, o.ID, market.Expect{}); err != nil {
		t.Fatal(err)
	}
	before := digest(t, f.st)
	today := market.DayStart(f.clk.Now()).Unix() / 86400
	days := []market.TraderDay{
		{UserID: m.ID, Day: today - 1, Completed: 60, Failed: 2, ReleaseSumS: 40 * 300, ReleaseN: 40, PaySumS: 20 * 90, PayN: 20, Positive: 19, Negative: 1},
		{UserID: m.ID, Day: today - 2, Completed: 39, Failed: 3, ReleaseSumS: 20 * 111, ReleaseN: 20},
	}
	if err := f.svc.CarryRecords(f.ctx, days); err != nil {
		t.Fatal(err)
	}
	rec := func() api.Record {
		t.Helper()
		c, err := f.svc.Trader(f.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Record
	}
	r := rec()
	// 1 real + 99 carried completed, 5 carried failed; releases: one real
	// of 120 s, 60 carried summing 14,220 s.
	if r.Orders30d != 100 || *r.CompletionBP != 100*10000/105 || *r.AvgReleaseS != (120+40*300+20*111)/61 || *r.AvgPayS != 90 || r.Ratings != 20 || *r.PositiveBP != 9500 {
		t.Fatalf("record with carried days = %+v", r)
	}
	if digest(t, f.st) != before {
		t.Fatal("carrying days changed balances, ads, orders or events")
	}
	// Carried again (a restarted world): kept as they were.
	again := days[0]
	again.Completed = 5000
	if err := f.svc.CarryRecords(f.ctx, []market.TraderDay{again}); err != nil {
		t.Fatal(err)
	}
	if got := rec(); got.Orders30d != 100 {
		t.Fatalf("a day carried twice counts %d orders, want 100", got.Orders30d)
	}
	// A bad day is refused and writes nothing, not even the good ones with it.
	bad := []market.TraderDay{{UserID: m.ID, Day: today - 3, Completed: 7}, {UserID: m.ID, Day: today - 4, Failed: -1}}
	wantCode(t, f.svc.CarryRecords(f.ctx, bad), api.CodeInvalidArgument)
	if got := rec(); got.Orders30d != 100 {
		t.Fatalf("a refused batch wrote: %d orders", got.Orders30d)
	}
	// The trader days still equal what the orders imply.
	f.check()
	// 31 days on, carried days leave the record as real ones do.
	f.clk.Advance(31 * 24 * time.Hour)
	if got := rec(); got.Orders30d != 0 || got.CompletionBP != nil {
		t.Fatalf("old carried days still count: %+v", got)
	}
}

func testConcurrentTakes(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	ad := f.ad(m.ID, "sell", "USDT", "7", "100", "10", "5000")
	takers := make([]api.User, 64)
	for i := range takers {
		takers[i] = f.trader(fmt.Sprintf("t%02d", i), 2)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(takers))
	start := make(chan struct{})
	for i := range takers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = f.svc.TakeAd(context.Background(), takers[i].ID, api.TakeRequest{AdID: ad.ID, Amount: "3"}, nil)
		}(i)
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case api.CodeOf(err) == api.CodeAmountOverAvailable, api.CodeOf(err) == api.CodeAdNotOnline:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 33 { // 100 / 3
		t.Fatalf("%d takes succeeded, want 33", ok)
	}
	got, _ := f.svc.GetAd(f.ctx, m.ID, ad.ID)
	if got.Remaining.String() != "1" || got.Status != api.AdExhausted {
		t.Fatalf("ad after the rush: remaining %s status %s", got.Remaining, got.Status)
	}
	f.check()
}

func testResolutionRace(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "10000")
	b := f.trader("buyer", 2)
	ad := f.ad(m.ID, "sell", "USDT", "7", "10000", "10", "50000")
	for round := 0; round < 10; round++ {
		// An unpaid order at its deadline: cancel, timeout, release and a
		// late "paid" race. Exactly one of cancel and expiry wins.
		o := f.take(b.ID, ad.ID, "10")
		f.clk.Advance(15 * time.Minute)
		var wg sync.WaitGroup
		var cancelErr, releaseErr, paidErr error
		var swept int
		wg.Add(4)
		go func() {
			defer wg.Done()
			_, cancelErr = f.svc.Cancel(context.Background(), b.ID, o.ID, market.Expect{})
		}()
		go func() { defer wg.Done(); swept, _ = f.svc.Sweep(context.Background(), 10) }()
		go func() {
			defer wg.Done()
			_, releaseErr = f.svc.Release(context.Background(), m.ID, o.ID, market.Expect{})
		}()
		go func() {
			defer wg.Done()
			_, paidErr = f.svc.MarkPaid(context.Background(), b.ID, o.ID, market.Expect{})
		}()
		wg.Wait()
		wins := swept
		if cancelErr == nil {
			wins++
		}
		if wins != 1 || releaseErr == nil || paidErr == nil {
			t.Fatalf("round %d: cancel=%v swept=%d release=%v paid=%v", round, cancelErr, swept, releaseErr, paidErr)
		}
		// A paid order at its release deadline: release and the timeout race.
		o2 := f.take(b.ID, ad.ID, "10")
		if _, err := f.svc.MarkPaid(f.ctx, b.ID, o2.ID, market.Expect{}); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(f.svc.Config().ReleaseWindow)
		wg.Add(3)
		var rel1, rel2 error
		go func() { defer wg.Done(); _, rel1 = f.svc.Release(context.Background(), m.ID, o2.ID, market.Expect{}) }()
		go func() { defer wg.Done(); _, rel2 = f.svc.Release(context.Background(), m.ID, o2.ID, market.Expect{}) }()
		go func() { defer wg.Done(); f.svc.Sweep(context.Background(), 10) }()
		wg.Wait()
		if (rel1 == nil) == (rel2 == nil) {
			t.Fatalf("round %d: two releases: %v / %v", round, rel1, rel2)
		}
		got, _ := f.svc.GetOrder(f.ctx, b.ID, o2.ID)
		if got.State != api.StateCompleted {
			t.Fatalf("round %d: order %s", round, got.State)
		}
		f.check()
	}
}

func testEvents(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	b := f.trader("buyer", 1)
	x := f.trader("stranger", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "5000")
	start, _ := f.svc.LastEventID(f.ctx)
	o := f.take(b.ID, ad.ID, "10")
	if _, err := f.svc.PostMessage(f.ctx, m.ID, o.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	evs, err := f.svc.Events(f.ctx, b.ID, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	types := []api.EventType{}
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if fmt.Sprint(types) != "[order.created ad.changed chat.message]" {
		t.Fatalf("buyer events: %v", types)
	}
	xs, _ := f.svc.Events(f.ctx, x.ID, start, 100)
	for _, e := range xs {
		if e.Type != "ad.changed" {
			t.Fatalf("a stranger saw %s", e.Type)
		}
	}
}

// testIndexSteps: with a step, history keeps the last point of each
// step-long bucket, oldest first, and the limit keeps the newest buckets.
func testIndexSteps(t *testing.T, f *fixture) {
	t.Helper()
	base := f.clk.Now().Truncate(time.Hour).Add(time.Hour)
	var pts []api.IndexPoint
	for i := 0; i < 12; i++ { // every 10 minutes for two hours, in ETH/EUR
		pts = append(pts, api.IndexPoint{Asset: api.ETH, Fiat: api.EUR, At: base.Add(time.Duration(i) * 10 * time.Minute), Price: money.New(int64(20000000+i), api.PriceScale)})
	}
	for _, p := range pts {
		f.clk.Set(p.At)
		if _, err := f.svc.SetIndex(f.ctx, p.Asset, p.Fiat, p.Price); err != nil {
			t.Fatal(err)
		}
	}
	hourly, err := f.svc.IndexHistory(f.ctx, api.ETH, api.EUR, base, time.Hour, 100)
	if err != nil || len(hourly) != 2 || hourly[0].Price.Cmp(pts[5].Price) != 0 || hourly[1].Price.Cmp(pts[11].Price) != 0 {
		t.Fatalf("hourly history %+v %v, want the 50th and 110th minutes", hourly, err)
	}
	last, err := f.svc.IndexHistory(f.ctx, api.ETH, api.EUR, base, 30*time.Minute, 1)
	if err != nil || len(last) != 1 || last[0].Price.Cmp(pts[11].Price) != 0 {
		t.Fatalf("newest half hour %+v %v", last, err)
	}
	if _, err := f.svc.IndexHistory(f.ctx, api.ETH, api.EUR, base, time.Millisecond, 10); api.CodeOf(err) != api.CodeInvalidArgument {
		t.Fatalf("a step under a second: %v", err)
	}
	if _, err := f.svc.IndexHistory(f.ctx, api.ETH, api.EUR, base, 0, 6000); api.CodeOf(err) != api.CodeInvalidArgument {
		t.Fatalf("a limit past 5000: %v", err)
	}
}
