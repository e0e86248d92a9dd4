package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// slipPractice is a practice market whose drill fills the payment form
// with another account, as the own-payment-mistake drill does.
type slipPractice struct {
	linkRecorder
	slip string
}

func (s *slipPractice) PayAccount(api.OrderView) string { return s.slip }

// TestPaymentFormSaysWhereItDiffersFromTheOrder: the payment form a guide
// fills for an order is filled with what the practice market says (a
// drill's hurried copy), and names, next to the field, an account or an
// amount that is not the order's; in the exam the reading is the
// learner's and no such line shows.
func TestPaymentFormSaysWhereItDiffersFromTheOrder(t *testing.T) {
	o := api.OrderView{ID: 7, Role: "buyer", State: api.StateCreated, Fiat: api.CNY, FiatTotal: money.MustParse("724.35", 2),
		PayTo: api.PaymentAccount{Method: api.Alipay, Account: "18100071909", RealName: "Wang Fang"}}
	for _, exam := range []bool{false, true} {
		m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil),
			Practice: &slipPractice{slip: "18100079109"}})
		m.c.exam = exam
		wp, ok := pushedBy(payFromAlipay(m.c, o)).(*walletPage)
		if !ok {
			t.Fatalf("the payment form did not open")
		}
		if got := wp.form[0].Value(); got != "18100079109" {
			t.Fatalf("the form is filled with %q, not the practice market's account", got)
		}
		v := strings.Join(strings.Fields(ansi.Strip(wp.formView(100))), " ")
		warned := strings.Contains(v, "not the order's account: pay 18100071909 (Wang Fang)")
		if warned == exam {
			t.Fatalf("exam %v: the account line shows %v: %q", exam, warned, v)
		}
		if strings.Contains(v, "not the order's total") {
			t.Fatalf("the exact total is flagged: %q", v)
		}
		wp.form[0].SetValue(o.PayTo.Account)
		wp.form[1].SetValue("742.35")
		v = strings.Join(strings.Fields(ansi.Strip(wp.formView(100))), " ")
		if strings.Contains(v, "not the order's account") || strings.Contains(v, "not the order's total: pay exactly 724.35") == exam {
			t.Fatalf("exam %v, the right account and a wrong total: %q", exam, v)
		}
	}
}

// pushedBy runs a command (a batch too) far enough to find the page it
// pushes, without the commands that reach the network.
func pushedBy(cmd tea.Cmd) Page {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case pushMsg:
		return msg.page
	case tea.BatchMsg:
		if len(msg) > 0 {
			return pushedBy(msg[0])
		}
	}
	return nil
}

// TestStatementKeepsThirdPartyMoneyMarked: on the Wallet, money that came
// in around a sale from someone who is not its buyer stays marked, under
// its line, refunded or not; the buyer's own payment is not marked, a note
// naming crypto is; nothing is marked in the exam.
func TestStatementKeepsThirdPartyMoneyMarked(t *testing.T) {
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	closed := opened.Add(20 * time.Minute)
	sale := api.OrderView{ID: 12, Role: "seller", Side: api.Sell, State: api.StateResolved, Fiat: api.CNY, FiatTotal: money.MustParse("725.00", 2),
		PayerName: "Wu Yu", CreatedAt: opened, ClosedAt: &closed}
	third := alipay.Line{TxID: "AP1", Kind: alipay.KindTransfer, Direction: "in", CounterpartyName: "Zhang San", CounterpartyLogin: "13000000001",
		Amount: money.MustParse("725.00", 2), At: opened.Add(3 * time.Minute), Status: "success"}
	own := alipay.Line{TxID: "AP2", Kind: alipay.KindTransfer, Direction: "in", CounterpartyName: "Wu Yu", CounterpartyLogin: "13000000002",
		Amount: money.MustParse("725.00", 2), At: opened.Add(4 * time.Minute), Status: "success"}
	noted := own
	noted.TxID, noted.Note = "AP3", "USDT 100"
	for _, exam := range []bool{false, true} {
		m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
		m.c.exam = exam
		p := newWalletPage(m.c)
		p.Update(walletMsg{me: &alipay.Me{}, stmt: []alipay.Line{third, own}, sales: []api.OrderView{sale}})
		v := ansi.Strip(p.View(80, 24))
		if got := strings.Contains(v, "third party, not order 12's buyer Wu Yu"); got == exam {
			t.Fatalf("exam %v: third-party money marked %v:\n%s", exam, got, v)
		}
		if p.mark(own) != "" || (!exam && p.mark(noted) == "") {
			t.Fatalf("exam %v: the buyer's payment %q, its crypto note %q", exam, p.mark(own), p.mark(noted))
		}
	}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
	p := newWalletPage(m.c)
	back := alipay.Line{TxID: "AP9", Kind: alipay.KindTransfer, Direction: "out", CounterpartyLogin: "13000000001", Amount: third.Amount, At: closed}
	p.Update(walletMsg{me: &alipay.Me{}, stmt: []alipay.Line{third, back}, sales: []api.OrderView{sale}})
	if mk := p.mark(third); !strings.Contains(mk, "third party") || !strings.Contains(mk, "refunded") {
		t.Fatalf("refunded third-party money: %q", mk)
	}
}

// friendPractice is a practice market whose drill has a cousin offering
// to pay; it records the order he was asked to pay.
type friendPractice struct {
	linkRecorder
	paid int64
}

func (f *friendPractice) Drill(int64) (DrillStatus, bool) {
	return DrillStatus{ID: 1, Scenario: "friend-pays", Friend: "Li Hua", FriendPaid: f.paid != 0}, true
}
func (f *friendPractice) FriendPays(id int64) error { f.paid = id; return nil }

// TestFriendOffersToPayAndFTakesIt: in the friend-pays drill the order
// screen shows the cousin's offer, unlabelled, and f lets him pay; then
// the screen says what he did, and f does nothing more.
func TestFriendOffersToPayAndFTakesIt(t *testing.T) {
	fp := &friendPractice{}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil), Practice: fp})
	p := newOrderPage(m.c, 9)
	p.o = &api.OrderView{ID: 9, Role: "buyer", State: api.StateCreated, Fiat: api.CNY, FiatTotal: money.MustParse("724.35", 2),
		PayTo: api.PaymentAccount{Method: api.Alipay, Account: "18100071909", RealName: "Wang Fang"}}
	if v := ansi.Strip(p.paymentBlock()); !strings.Contains(v, "Li Hua, your cousin") || !strings.Contains(v, "f lets him pay") || strings.Contains(v, "⚠") {
		t.Fatalf("the offer: %q", v)
	}
	_, cmd := p.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	if cmd == nil {
		t.Fatal("f does nothing")
	}
	if msg := cmd(); msg != (friendMsg{}) || fp.paid != 9 {
		t.Fatalf("f sent %#v, paid order %d", msg, fp.paid)
	}
	if v := ansi.Strip(p.paymentBlock()); !strings.Contains(v, "Li Hua says he paid 724.35 CNY") {
		t.Fatalf("after he paid: %q", v)
	}
	if _, cmd := p.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")}); cmd != nil {
		t.Fatal("f offered again after he paid")
	}
}

// TestPaymentToAnotherAccountIsNamedWithWhatToDo: once the statement
// shows money sent, since the order opened, to an account that is not its
// payee, the order screen says the seller never got it and what to do now;
// the exam leaves the reading to the learner.
func TestPaymentToAnotherAccountIsNamedWithWhatToDo(t *testing.T) {
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, exam := range []bool{false, true} {
		m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
		m.c.exam = exam
		p := newOrderPage(m.c, 8)
		p.o = &api.OrderView{ID: 8, Role: "buyer", State: api.StateCreated, Fiat: api.CNY, FiatTotal: money.MustParse("724.35", 2), CreatedAt: opened,
			PayTo: api.PaymentAccount{Method: api.Alipay, Account: "18100071909", RealName: "Wang Fang"}}
		p.stmt = []alipay.Line{{TxID: "AP7", Kind: alipay.KindTransfer, Direction: "out", CounterpartyLogin: "18100079109", CounterpartyName: "Zhao Lei",
			Amount: money.MustParse("724.35", 2), At: opened.Add(time.Minute)}}
		v := strings.Join(strings.Fields(ansi.Strip(p.paymentBlock())), " ")
		named := strings.Contains(v, "724.35 CNY sent to 18100079109 (Zhao Lei, AP7), not the order's account") && strings.Contains(v, "do not mark paid for it")
		if named == exam {
			t.Fatalf("exam %v: the stray payment named %v: %q", exam, named, v)
		}
		if !strings.Contains(v, "Pay exactly") && !strings.Contains(v, "pay exactly") {
			t.Fatalf("the order's own payment is no longer asked for: %q", v)
		}
	}
}

// kycPractice is a practice market that takes a KYC application.
type kycPractice struct {
	linkRecorder
	applied int
}

func (k *kycPractice) ApplyKYC() (time.Time, error) {
	k.applied++
	return time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), nil
}

// TestAccountAppliesForTheNextTierInPractice: in practice the Account
// tab offers K beside the next tier; K applies once and the line says when
// it is approved; once the tier is raised, the offer is back for the next.
func TestAccountAppliesForTheNextTierInPractice(t *testing.T) {
	kp := &kycPractice{}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Practice: kp})
	p := newAccountPage(m.c)
	tier := func(l int) api.TierView {
		return api.TierView{Level: l, Limits: []api.TierLimit{{Fiat: api.CNY, Limit: money.MustParse("50000", 2)}}}
	}
	acct := api.Account{}
	acct.User.KYCLevel, acct.Tiers = 1, []api.TierView{tier(1), tier(2), tier(3)}
	p.Update(accountMsg{acct: acct})
	if v := ansi.Strip(p.View(120, 40)); !strings.Contains(v, "K applies") {
		t.Fatalf("no application offered:\n%s", v)
	}
	for i := 0; i < 2; i++ {
		_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("K")})
		if cmd != nil {
			p.Update(cmd())
		}
	}
	v := strings.Join(strings.Fields(ansi.Strip(p.View(120, 40))), " ")
	if kp.applied != 1 || !strings.Contains(v, "approved at 10:30 UTC") {
		t.Fatalf("applied %d times:\n%s", kp.applied, v)
	}
	acct.User.KYCLevel = 2
	p.Update(accountMsg{acct: acct})
	if v := ansi.Strip(p.View(120, 40)); !strings.Contains(v, "K applies") || strings.Contains(v, "approved at") {
		t.Fatalf("after the raise:\n%s", v)
	}
	acct.User.KYCLevel = 3
	p.Update(accountMsg{acct: acct})
	if v := ansi.Strip(p.View(120, 40)); strings.Contains(v, "K applies") {
		t.Fatalf("offered above the highest tier:\n%s", v)
	}
}
