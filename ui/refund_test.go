package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// TestSellerIsOfferedTheRefundOfMoneyNotTheirs: when support refunded a
// sale the buyer short-paid, the order screen names the money that is not
// the seller's to keep and offers F to send it back; once the statement
// shows it returned, the offer goes (found playing: the seller had to find
// the wallet, and the drill settled before they did).
func TestSellerIsOfferedTheRefundOfMoneyNotTheirs(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
	p := newOrderPage(m.c, 5)
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	p.o = &api.OrderView{ID: 5, Role: "seller", Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, State: api.StateResolved, Resolution: api.ResolveRefund,
		FiatTotal: money.MustParse("725.00", 2), Amount: money.MustParse("100", 6), PayerName: "Wu Yu", CreatedAt: opened, PayDeadline: opened.Add(15 * time.Minute)}
	in := alipay.Line{TxID: "AP1", Kind: "transfer", Direction: "in", CounterpartyName: "Wu Yu", CounterpartyLogin: "13800000001", Amount: money.MustParse("652.50", 2), At: opened.Add(3 * time.Minute)}
	p.stmt = []alipay.Line{in}
	if l := p.toReturn(); l == nil || l.TxID != "AP1" {
		t.Fatalf("nothing to return: %+v", l)
	}
	if v := strings.Join(strings.Fields(ansi.Strip(p.paymentBlock())), " "); !strings.Contains(v, "652.50 CNY from Wu Yu (13800000001, AP1) is not yours to keep: F sends it back") {
		t.Fatalf("the order screen does not offer the refund: %q", v)
	}
	p.stmt = append(p.stmt, alipay.Line{TxID: "AP2", Kind: "transfer", Direction: "out", CounterpartyLogin: "13800000001", Amount: money.MustParse("652.50", 2), At: opened.Add(20 * time.Minute)})
	if l := p.toReturn(); l != nil {
		t.Fatalf("still offered after the refund: %+v", l)
	}
	// The buyer's exact payment of a completed sale is the seller's.
	p.stmt = []alipay.Line{{TxID: "AP3", Kind: "transfer", Direction: "in", CounterpartyName: "Wu Yu", Amount: money.MustParse("725.00", 2), At: opened.Add(time.Minute)}}
	p.o.State, p.o.Resolution = api.StateCompleted, ""
	if l := p.toReturn(); l != nil {
		t.Fatalf("the trade's own payment offered back: %+v", l)
	}
}

// TestPaidOrderIsNotOfferedForPaymentAgain: once the statement shows the
// payment to the order's payee, a is no longer offered (a second payment
// would be lost: transfers are final).
func TestPaidOrderIsNotOfferedForPaymentAgain(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
	p := newOrderPage(m.c, 6)
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	p.o = &api.OrderView{ID: 6, Role: "buyer", State: api.StateCreated, Fiat: api.CNY, FiatTotal: money.MustParse("500.00", 2),
		PayTo: api.PaymentAccount{Method: api.Alipay, Account: "14100118785", RealName: "Sun Xin"}, CreatedAt: opened, PayDeadline: opened.Add(15 * time.Minute)}
	if !p.canPay() {
		t.Fatal("an unpaid order is not offered for payment")
	}
	p.stmt = []alipay.Line{{TxID: "AP9", Kind: alipay.KindTransfer, Direction: "out", CounterpartyLogin: "14100118785", CounterpartyName: "Sun Xin", Amount: money.MustParse("500.00", 2), At: opened.Add(time.Minute)}}
	if p.canPay() {
		t.Fatal("a paid order is offered for payment again")
	}
	if v := ansi.Strip(p.paymentBlock()); !strings.Contains(v, "Sent 500.00 CNY to Sun Xin") {
		t.Fatalf("the order screen does not say the payment left: %q", v)
	}
}

// TestReleaseAfterARefundSaysNothingIsKept: a seller who refunded the
// money that came in for a disputed order and keeps none of it is told,
// in the release form, that a release would give the crypto away; with
// the buyer's exact payment kept, nothing of the kind shows.
func TestReleaseAfterARefundSaysNothingIsKept(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
	p := newOrderPage(m.c, 5)
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	p.o = &api.OrderView{ID: 5, Role: "seller", Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, State: api.StateDisputed,
		FiatTotal: money.MustParse("725.00", 2), Amount: money.MustParse("100", 6), PayerName: "Wu Yu", CreatedAt: opened, PayDeadline: opened.Add(15 * time.Minute)}
	in := alipay.Line{TxID: "AP1", Kind: "transfer", Direction: "in", CounterpartyName: "Zhang San", CounterpartyLogin: "13000000001", Amount: money.MustParse("725.00", 2), At: opened.Add(3 * time.Minute)}
	back := alipay.Line{TxID: "AP2", Kind: "transfer", Direction: "out", CounterpartyLogin: "13000000001", Amount: money.MustParse("725.00", 2), At: opened.Add(5 * time.Minute)}
	p.rel = releaseForm{amount: m.c.input(), totp: m.c.input()}
	p.stmt = []alipay.Line{in, back}
	if v := strings.Join(strings.Fields(ansi.Strip(p.releaseView())), " "); !strings.Contains(v, "You sent 725.00 CNY back at 09:05:00 (AP2) and keep nothing") {
		t.Fatalf("no warning after the refund: %q", v)
	}
	own := alipay.Line{TxID: "AP3", Kind: "transfer", Direction: "in", CounterpartyName: "Wu Yu", CounterpartyLogin: "13000000002", Amount: money.MustParse("725.00", 2), At: opened.Add(6 * time.Minute)}
	p.stmt = []alipay.Line{in, back, own}
	if v := ansi.Strip(p.releaseView()); strings.Contains(v, "keep nothing") {
		t.Fatalf("warned with the buyer's payment kept: %q", v)
	}
}
