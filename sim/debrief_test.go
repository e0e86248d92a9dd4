package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/sim/alipay"
)

// A refund sent to the wrong account is money lost, whatever the name on
// it: a learner who refunded "Zhang San" at an account that had paid in an
// earlier drill, then the right one, lost 725 CNY and was graded A.
func TestRefundToTheWrongAccountIsALoss(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	total := money.New(72500, 2)
	o := market.OrderView{Role: "seller", PayerName: "Xu Na", FiatTotal: total, State: market.StateResolved, Resolution: market.ResolveRefund}
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
		(&World{}).judgeSeller(&d, o, in, c.out, time.Time{}, at.Add(2*time.Minute), at.Add(7*time.Minute), "you", point)
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
