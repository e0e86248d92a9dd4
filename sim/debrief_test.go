package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/money"
)

// A refund sent to the wrong account is money lost, whatever the name on
// it: a learner who refunded "Zhang San" at an account that had paid in an
// earlier drill, then the right one, lost 725 CNY and was graded A.
func TestRefundToTheWrongAccountIsALoss(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	total := money.New(72500, 2)
	o := api.OrderView{Role: "seller", PayerName: "Xu Na", FiatTotal: total, State: api.StateResolved, Resolution: api.ResolveRefund}
	line := func(dir, login string, min int) alipay.Line {
		return alipay.Line{Direction: dir, CounterpartyName: "Zhang San", CounterpartyLogin: login, Amount: total, At: at.Add(time.Duration(min) * time.Minute)}
	}
	in := []alipay.Line{line("in", "13000000054", 3)}
	for _, c := range []struct {
		out  []alipay.Line
		loss bool
	}{
		{[]alipay.Line{line("out", "13000000054", 5)}, false},
		{[]alipay.Line{line("out", "13000000052", 5), line("out", "13000000054", 6)}, true},
	} {
		var d Debrief
		point := func(at time.Time, good bool, f string, a ...any) {
			d.Points = append(d.Points, Point{At: at, Good: good, Text: fmt.Sprintf(f, a...)})
		}
		(&World{}).judgeSeller(&d, o, in, c.out, time.Time{}, at.Add(2*time.Minute), at.Add(7*time.Minute), "you", time.Time{}, point)
		if d.Loss != c.loss {
			t.Fatalf("refunds %v: loss %v, want %v; %+v", c.out, d.Loss, c.loss, d.Points)
		}
		if c.loss {
			found := false
			for _, p := range d.Points {
				found = found || !p.Good && strings.Contains(p.Text, "13000000052")
			}
			if !found {
				t.Fatalf("the debrief does not name the wrong account: %+v", d.Points)
			}
		}
	}
}

// A drill is judged on its own money: a learner who sold in one drill,
// then, before it settled, bought in the next and paid its seller, lost
// nothing in the first (the second's payment was counted there as a
// refund to the wrong account, and an A drill became F).
func TestDebriefCountsOnlyItsOwnOrdersMoney(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	total := money.New(72500, 2)
	min := func(m int) time.Time { return at.Add(time.Duration(m) * time.Minute) }
	line := func(dir, name, login string, m int) alipay.Line {
		return alipay.Line{Kind: alipay.KindTransfer, Direction: dir, CounterpartyName: name, CounterpartyLogin: login, Amount: total, At: min(m)}
	}
	sold := api.OrderView{ID: 1, Role: "seller", PayerName: "Wang Min", FiatTotal: total, CreatedAt: min(0)}
	bought := api.OrderView{ID: 2, Role: "buyer", PayTo: api.PaymentAccount{Account: "13000000077", RealName: "Guo Jing"}, FiatTotal: total, CreatedAt: min(10)}
	sold2 := api.OrderView{ID: 3, Role: "seller", PayerName: "Li Lei", FiatTotal: total, CreatedAt: min(20)}
	stmt := []alipay.Line{
		line("in", "Wang Min", "13000000050", 3),       // the first drill's buyer
		line("out", "Guo Jing", "13000000077", 11),     // paying the second drill's seller
		line("in", "Zhang San", "13000000090", 22),     // a third party paying the third drill
		line("out", "Zhang San", "13000000090", 25),    // and refunded there
		line("out", "Someone Else", "13000000099", 30), // a refund to nobody's account: the first drill's loss still
	}
	got := ownLines(sold, stmt, []api.OrderView{bought, sold2})
	var logins []string
	for _, l := range got {
		logins = append(logins, l.Direction+" "+l.CounterpartyLogin)
	}
	if want := "in 13000000050,out 13000000099"; strings.Join(logins, ",") != want {
		t.Fatalf("the first drill's own lines: %v, want %s", logins, want)
	}
	// Without later orders every transfer from the order on is its own.
	if n := len(ownLines(sold, stmt, nil)); n != len(stmt) {
		t.Fatalf("%d of %d lines without later orders", n, len(stmt))
	}
}

// When support releases a seller's escrow to the buyer, the debrief says
// the crypto went to the buyer, not that it came back from escrow.
func TestSupportsReleaseIsNoReturnOfEscrow(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	total := money.New(72500, 2)
	amount := money.New(100830285, 6)
	for _, c := range []struct {
		state api.OrderState
		res   api.Resolution
		back  bool
	}{
		{api.StateResolved, api.ResolveRelease, false},
		{api.StateResolved, api.ResolveRefund, true},
		{api.StateCompleted, "", false},
		{api.StateCancelled, "", true},
	} {
		o := api.OrderView{Role: "seller", PayerName: "Wu Wei", FiatTotal: total, Amount: amount, Asset: api.USDT, State: c.state, Resolution: c.res}
		var d Debrief
		released := time.Time{}
		if c.state == api.StateCompleted {
			released = at.Add(5 * time.Minute)
		}
		in := []alipay.Line{{Direction: "in", CounterpartyName: "Wu Wei", CounterpartyLogin: "17100411788", Amount: total, At: at.Add(3 * time.Minute)}}
		(&World{}).judgeSeller(&d, o, in, nil, released, at.Add(3*time.Minute), time.Time{}, "", time.Time{}, func(time.Time, bool, string, ...any) {})
		if back := d.FundsSaid.ID == "debrief.funds.seller_back"; back != c.back {
			t.Errorf("%s %s: the debrief says %q (%s)", c.state, c.res, d.Funds, d.FundsSaid.ID)
		}
	}
}

// A seller who had the buyer's exact payment and let the release window
// run out is told so, and graded down: support decided what the
// statement already said.
func TestHoldingAPaidOrderIsNotCareful(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	total := money.New(72500, 2)
	o := api.OrderView{Role: "seller", PayerName: "Wu Wei", FiatTotal: total, Amount: money.New(100, 0), Asset: api.USDT,
		State: api.StateResolved, Resolution: api.ResolveRelease}
	in := []alipay.Line{{Direction: "in", CounterpartyName: "Wu Wei", CounterpartyLogin: "17100411788", Amount: total, At: at.Add(3 * time.Minute)}}
	var d Debrief
	var ids []string
	(&World{}).judgeSeller(&d, o, in, nil, time.Time{}, at.Add(3*time.Minute), at.Add(33*time.Minute), "platform", time.Time{},
		func(_ time.Time, good bool, id string, _ ...any) { ids = append(ids, id) })
	if !d.Risky || !strings.Contains(strings.Join(ids, " "), "debrief.p.held_paid") {
		t.Fatalf("risky %v, points %v", d.Risky, ids)
	}
	// Disputing it oneself is another matter (the learner chose to ask).
	d, ids = Debrief{}, nil
	(&World{}).judgeSeller(&d, o, in, nil, time.Time{}, at.Add(3*time.Minute), at.Add(20*time.Minute), "you", time.Time{},
		func(_ time.Time, good bool, id string, _ ...any) { ids = append(ids, id) })
	if strings.Contains(strings.Join(ids, " "), "held_paid") {
		t.Fatalf("a dispute of one's own counted as holding: %v", ids)
	}
}
