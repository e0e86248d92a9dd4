package server_test

import (
	"testing"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/market"
)

// TestLifecycleBothSides: two users trade with each other over HTTP, one
// order in each direction, through to release and rating.
func TestLifecycleBothSides(t *testing.T) {
	e := start(t)
	maker := e.user("maker", 2, map[string]string{"USDT": "1000"})
	taker := e.user("taker", 1, map[string]string{"USDT": "200"})

	sell, err := maker.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.215", Total: "500",
		MinFiat: "100", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15, Terms: "Pay from your own account."})
	if err != nil {
		t.Fatal(err)
	}
	page, err := taker.c.Ads(e.ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Payment: api.Alipay, Amount: "500"})
	if err != nil || len(page.Ads) != 1 || page.Ads[0].ID != sell.ID {
		t.Fatalf("search: %+v %v", page, err)
	}
	// The taker buys: pays (off-ledger), marks paid; the maker releases.
	o, err := taker.c.TakeAd(e.ctx, api.TakeRequest{AdID: sell.ID, Amount: "100.5"}, "")
	if err != nil || o.FiatTotal.String() != "725.11" || o.Role != "buyer" {
		t.Fatalf("take: %+v %v", o, err)
	}
	if o.PayTo.Account == "" || o.PayTo.RealName != "Real maker" {
		t.Fatalf("the buyer must see whom to pay: %+v", o.PayTo)
	}
	if _, err := taker.c.SendMessage(e.ctx, o.ID, "Paying now from my own Alipay"); err != nil {
		t.Fatal(err)
	}
	if _, err := taker.c.MarkPaid(e.ctx, o.ID, api.StateCreated); err != nil {
		t.Fatal(err)
	}
	mo, err := maker.c.Order(e.ctx, o.ID)
	if err != nil || mo.State != api.StatePaid || mo.PayerName != "Real taker" || mo.Role != "seller" {
		t.Fatalf("maker's view: %+v %v", mo, err)
	}
	done, err := maker.c.Release(e.ctx, o.ID, code(t, maker.totp, 0), api.StatePaid)
	if err != nil || done.State != api.StateCompleted {
		t.Fatalf("release: %+v %v", done, err)
	}
	if _, err := taker.c.Rate(e.ctx, o.ID, true, "smooth"); err != nil {
		t.Fatal(err)
	}
	// The other way: the taker sells to the maker's buy ad.
	buy, err := maker.c.PostAd(e.ctx, api.AdRequest{Side: "buy", Asset: "USDT", Fiat: "CNY", Price: "7.1", Total: "500",
		MinFiat: "100", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := taker.c.TakeAd(e.ctx, api.TakeRequest{AdID: buy.ID, FiatAmount: "710"}, "")
	if err != nil || o2.Amount.String() != "100" || o2.Role != "seller" {
		t.Fatalf("sell: %+v %v", o2, err)
	}
	bal, _ := taker.c.Balances(e.ctx)
	if bal[0].Asset != api.USDT || bal[0].Locked.String() != "100" {
		t.Fatalf("the seller's crypto is locked in escrow at once: %+v", bal[0])
	}
	if _, err := maker.c.MarkPaid(e.ctx, o2.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := taker.c.Release(e.ctx, o2.ID, code(t, taker.totp, 0), ""); err != nil {
		t.Fatal(err)
	}
	bal, _ = taker.c.Balances(e.ctx)
	if bal[0].Total.String() != "200.5" || bal[0].Locked.String() != "0" {
		t.Fatalf("taker after both trades: %+v", bal[0])
	}
	msgs, err := maker.c.Messages(e.ctx, o.ID, 0)
	if err != nil || len(msgs) < 4 {
		t.Fatalf("messages: %d %v", len(msgs), err)
	}
	open := true
	if list, _ := taker.c.Orders(e.ctx, client.OrderQuery{Open: &open}); len(list) != 0 {
		t.Fatalf("no order should be open: %d", len(list))
	}
	closed := false
	if list, _ := taker.c.Orders(e.ctx, client.OrderQuery{Open: &closed}); len(list) != 2 {
		t.Fatalf("history: %d orders", len(list))
	}
	if err := market.CheckInvariants(e.ctx, e.m.Store); err != nil {
		t.Fatal(err)
	}
}

// TestDisputeOverHTTP: the seller never releases; the buyer disputes with
// evidence; support refunds or releases.
func TestDisputeOverHTTP(t *testing.T) {
	e := start(t)
	maker := e.user("maker", 2, map[string]string{"USDT": "1000"})
	buyer := e.user("buyer", 1, nil)
	admin := e.admin()
	sup, err := admin.c.CreateUser(e.ctx, api.NewUserRequest{Name: "support", KYCLevel: 2, Role: api.RoleSupport})
	if err != nil {
		t.Fatal(err)
	}
	support := e.m.Client(sup.Credentials)
	ad, _ := maker.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	o, err := buyer.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
	if err != nil {
		t.Fatal(err)
	}
	buyer.c.MarkPaid(e.ctx, o.ID, "")
	d, err := buyer.c.Dispute(e.ctx, o.ID, api.DisputeRequest{Reason: "paid-not-released", Statement: "I paid 70 CNY", Evidence: []string{"AP-0001"}})
	if err != nil || d.State != api.StateDisputed {
		t.Fatalf("dispute: %+v %v", d, err)
	}
	_, err = buyer.c.Disputes(e.ctx)
	wantCode(t, err, "NOT_FOUND")
	list, err := support.Disputes(e.ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("support's list: %d %v", len(list), err)
	}
	r, err := support.Resolve(e.ctx, o.ID, api.ResolveRelease, "payment confirmed on the rail")
	if err != nil || r.State != api.StateResolved {
		t.Fatalf("resolve: %+v %v", r, err)
	}
	bal, _ := buyer.c.Balances(e.ctx)
	if bal[0].Available.String() != "10" {
		t.Fatalf("buyer after resolution: %+v", bal[0])
	}
}
