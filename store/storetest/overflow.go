package storetest

import (
	"math"
	"strings"
	"testing"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/money"
)

// testDailyLimitOverflow is the attack of issue 12: an accomplice posts a
// fixed ad whose price makes one order's fiat total nearly 2^63 minor
// units, so that adding it to the taker's usage for the day wraps to a
// large negative number and a KYC-1 account trades past its daily limit.
// Every sum on money is checked: the take is refused, nothing is written,
// and the limit still holds afterwards.
func testDailyLimitOverflow(t *testing.T, open Opener) {
	f := newFixture(t, open)
	honest := f.trader("honest", 2, "USDT", "100000")
	accomplice := f.trader("accomplice", 2, "USDT", "100")
	taker := f.trader("taker", 1)

	// A first, ordinary order uses 10,000 CNY of the taker's 50,000.
	good := f.ad(honest.ID, "sell", "USDT", "7", "100000", "10", "100000")
	f.take(taker.ID, good.ID, "1428.57")

	// 100 USDT at this price is 9,223,372,036,854,000,000 fen: it fits in
	// 64 bits by itself, but not added to what the taker used today.
	bait := f.ad(accomplice.ID, "sell", "USDT", "922337203685400", "100", "1", "92233720368540000")
	before := digest(t, f.st)
	_, err := f.svc.TakeAd(f.ctx, taker.ID, api.TakeRequest{AdID: bait.ID, Amount: "100"}, nil)
	wantCode(t, err, api.CodeDailyLimitExceeded)
	if digest(t, f.st) != before {
		t.Fatal("a refused take wrote")
	}
	// The limit still holds: 100,000 CNY is over the 40,000 left.
	_, err = f.svc.TakeAd(f.ctx, taker.ID, api.TakeRequest{AdID: good.ID, FiatAmount: "100000"}, nil)
	wantCode(t, err, api.CodeDailyLimitExceeded)
	f.check()
}

// testLedgerOverflow: a deposit that would take a balance (or the sum of
// everything deposited in an asset) past 64 bits is refused with a 4xx
// code before anything is written; the ledger stays readable and checked.
func testLedgerOverflow(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.trader("whale", 2)
	b := f.trader("other", 2)
	max := money.New(math.MaxInt64, api.USDT.Scale())
	if _, err := f.svc.Deposit(f.ctx, a.ID, api.USDT, max, "big-1"); err != nil {
		t.Fatal(err)
	}
	before := digest(t, f.st)
	// Past the whale's own balance.
	_, err := f.svc.Deposit(f.ctx, a.ID, api.USDT, money.New(1, api.USDT.Scale()), "big-2")
	wantCode(t, err, api.CodeAmountTooLarge)
	// Past what the outside world (the system account) has sent in USDT.
	_, err = f.svc.Deposit(f.ctx, b.ID, api.USDT, money.New(1, api.USDT.Scale()), "big-3")
	wantCode(t, err, api.CodeAmountTooLarge)
	if digest(t, f.st) != before {
		t.Fatal("a refused deposit wrote")
	}
	f.check()
	if bs := f.balance(a.ID, api.USDT); bs.Available.Cmp(max) != 0 {
		t.Fatalf("whale's balance = %s", bs.Available)
	}
}

// testPriceBand: with a market index, a fixed price outside the band
// around it (default +-20%) and a floating margin past the band are
// refused; the band is set per market.
func testPriceBand(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	if _, err := f.svc.SetIndex(f.ctx, api.USDT, api.CNY, money.MustParse("7.2", 4)); err != nil {
		t.Fatal(err)
	}
	post := func(svc *market.Service, req api.AdRequest) error {
		req.Side, req.Asset, req.Fiat, req.Total, req.MinFiat, req.MaxFiat = "sell", "USDT", "CNY", "100", "10", "700"
		req.Payments, req.WindowMin = []string{"alipay"}, 15
		_, err := svc.PostAd(f.ctx, m.ID, req, nil)
		return err
	}
	for _, p := range []string{"922337203685400", "8.6401", "5.7599", "0.0001"} {
		err := post(f.svc, api.AdRequest{Price: p})
		wantCode(t, err, api.CodePriceOutOfBand)
	}
	for _, p := range []string{"8.64", "5.76", "7.2"} {
		if err := post(f.svc, api.AdRequest{Price: p}); err != nil {
			t.Fatalf("price %s within the band refused: %v", p, err)
		}
	}
	wantCode(t, post(f.svc, api.AdRequest{PriceType: "floating", MarginBP: 2001}), api.CodePriceOutOfBand)
	wantCode(t, post(f.svc, api.AdRequest{PriceType: "floating", MarginBP: -2001}), api.CodePriceOutOfBand)
	if err := post(f.svc, api.AdRequest{PriceType: "floating", MarginBP: -2000}); err != nil {
		t.Fatal(err)
	}
	// Editing an ad is held to the same band.
	ad := f.ad(m.ID, "sell", "USDT", "7.3", "10", "10", "70")
	far := "100"
	_, err := f.svc.EditAd(f.ctx, m.ID, ad.ID, api.AdPatch{Price: &far})
	wantCode(t, err, api.CodePriceOutOfBand)

	// A market with a narrower band of 5% for USDT/CNY.
	cfg := market.DefaultConfig()
	cfg.PriceBandBP = map[api.Pair]int64{{Asset: api.USDT, Fiat: api.CNY}: 500}
	narrow := market.New(f.st, f.clk, cfg)
	wantCode(t, post(narrow, api.AdRequest{Price: "7.6"}), api.CodePriceOutOfBand)
	wantCode(t, post(narrow, api.AdRequest{PriceType: "floating", MarginBP: 600}), api.CodePriceOutOfBand)
	if err := post(narrow, api.AdRequest{Price: "7.5"}); err != nil {
		t.Fatal(err)
	}
	f.check()
}

// testCheckSeesWraps: `p2pdesk check` reports values that only a wrap
// could give: a day's usage that is not what the taker's orders add up to
// (a negative one, say).
func testCheckSeesWraps(t *testing.T, open Opener) {
	f := newFixture(t, open)
	m := f.trader("maker", 2, "USDT", "1000")
	u := f.trader("taker", 1)
	ad := f.ad(m.ID, "sell", "USDT", "7", "1000", "10", "7000")
	f.take(u.ID, ad.ID, "10")
	f.check()
	err := f.st.Update(f.ctx, func(tx market.Tx) error {
		return tx.PutUsage(market.Usage{UserID: u.ID, Day: Epoch.Unix() / 86400, Fiat: api.CNY, Amount: math.MinInt64 + 7000})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = market.CheckInvariants(f.ctx, f.st)
	if err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("check after a wrapped usage: %v", err)
	}
	t.Log(err)
}
