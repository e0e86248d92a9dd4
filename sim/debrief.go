package sim

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/sim/alipay"
)

// Debrief is what a practice run teaches: what happened, what the
// counterparty tried, what the user did at each decision point, what
// happened to their money, and a grade. It is built from the record only
// (the order's log and the user's own statement), so it judges a person at
// the keyboard and a scripted user alike.
type Debrief struct {
	Scenario string          `json:"scenario"`
	Grade    string          `json:"grade"` // A (best) to F
	State    string          `json:"state"` // the order's end state, e.g. resolved/refund
	Timeline []TimelineEntry `json:"timeline"`
	Tried    []string        `json:"tried"`   // what the counterparty tried
	Points   []Point         `json:"points"`  // the user's decisions, judged
	Funds    string          `json:"funds"`   // what happened to the money
	Lesson   string          `json:"lesson"`  // what a careful user does
	Loss     bool            `json:"loss"`    // the user lost money or crypto
	Risky    bool            `json:"risky"`   // a dangerous move that happened to work
	Unjust   bool            `json:"unjust"`  // kept money that was not theirs
	Elapsed  time.Duration   `json:"elapsed"` // from order to end
	Order    int64           `json:"order,string"`
	// Ended is what each side of the order ended with, from the order and
	// the user's Alipay statement.
	Ended []Ending `json:"ended,omitempty"`
}

// Ending is one side's net result of a drill.
type Ending struct {
	Who    string       `json:"who"` // you, counterparty
	Crypto money.Amount `json:"crypto"`
	Asset  string       `json:"asset"`
	CNY    money.Amount `json:"cny"`
	Frozen money.Amount `json:"frozen"` // of the CNY received, held by Alipay
}

// TimelineEntry is one moment of the run.
type TimelineEntry struct {
	At   time.Time `json:"at"`
	Who  string    `json:"who"` // you, counterparty, platform, support, alipay
	Text string    `json:"text"`
	Flag string    `json:"flag,omitempty"` // a warning the line deserved
}

// Point is one decision, judged.
type Point struct {
	At   time.Time `json:"at"`
	Good bool      `json:"good"`
	Text string    `json:"text"`
}

// Debrief reads a finished (or abandoned) order and the user's statement.
func (w *World) Debrief(ctx context.Context, st *Stage, orderID int64) (Debrief, error) {
	d := Debrief{Scenario: st.Scenario.Name, Lesson: st.Scenario.Careful, Order: orderID}
	if orderID == 0 {
		d.Grade, d.Funds = "-", "No order was placed."
		return d, nil
	}
	u := st.User
	o, err := u.Market.Order(ctx, orderID)
	if err != nil {
		return d, err
	}
	log, err := u.Market.Messages(ctx, orderID, 0)
	if err != nil {
		return d, err
	}
	stmt, err := u.Rail.Statement(ctx, 0)
	if err != nil {
		return d, err
	}
	who := map[string]string{o.Role: "you", "system": "platform", "support": "support"}
	if o.Role == "buyer" {
		who["seller"] = "counterparty"
	} else {
		who["buyer"] = "counterparty"
	}
	tried := map[string]bool{}
	var released, paidMark, disputed time.Time
	disputeBy := ""
	for _, e := range log {
		te := TimelineEntry{At: e.At, Who: who[e.From], Text: e.Text}
		if te.Who == "" {
			te.Who = e.From
		}
		if e.Kind == market.LogChat && te.Who == "counterparty" {
			for _, x := range e.Warnings {
				tried[x] = true
				te.Flag = x
			}
			if strings.HasPrefix(e.Text, "[") && strings.Contains(strings.ToLower(e.Text), "support") {
				tried[market.WarnImpersonation] = true
				te.Flag = market.WarnImpersonation
			}
		}
		d.Timeline = append(d.Timeline, te)
		switch e.State {
		case market.StateCompleted:
			released = e.At
		case market.StatePaid:
			paidMark = e.At
		case market.StateDisputed:
			disputed = e.At
			disputeBy = te.Who
		}
	}
	var in, out []alipay.Line
	for _, l := range stmt {
		if l.At.Before(o.CreatedAt) || l.Kind != alipay.KindTransfer {
			continue
		}
		dir := "received"
		if l.Direction == "out" {
			dir = "sent"
			out = append(out, l)
		} else {
			in = append(in, l)
		}
		d.Timeline = append(d.Timeline, TimelineEntry{At: l.At, Who: "alipay", Text: fmt.Sprintf("Your Alipay %s %s CNY %s %s, account %s (%s)", dir, l.Amount.Fixed(),
			map[bool]string{true: "from", false: "to"}[l.Direction == "in"], l.CounterpartyName, l.CounterpartyLogin, l.TxID)})
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	end := o.CreatedAt
	if o.ClosedAt != nil {
		end = *o.ClosedAt
	}
	d.Elapsed = end.Sub(o.CreatedAt)
	point := func(at time.Time, good bool, format string, args ...any) {
		d.Points = append(d.Points, Point{At: at, Good: good, Text: fmt.Sprintf(format, args...)})
	}
	if st.Scenario.Risk != "" && !strings.HasPrefix(st.Scenario.Risk, "None") {
		d.Tried = append(d.Tried, st.Scenario.Risk)
	}
	for _, k := range []string{market.WarnPressure, market.WarnImpersonation, market.WarnProof, market.WarnOffPlatform, market.WarnLink} {
		if tried[k] {
			d.Tried = append(d.Tried, map[string]string{
				market.WarnPressure: "Pressure in the chat to release or hurry.", market.WarnImpersonation: "A message posing as platform support.",
				market.WarnProof: "A 'payment proof' instead of a payment.", market.WarnOffPlatform: "A push to leave the platform.",
				market.WarnLink: "A link in the chat.",
			}[k])
		}
	}

	d.State = string(o.State) + resSuffix(o)
	frozen, err := stmtFrozen(ctx, u).Sub(st.StartFrozen)
	if err != nil || frozen.IsNegative() {
		frozen = money.Zero(2)
	}
	d.Ended = endings(o, in, out, frozen)
	if o.Role == "seller" {
		w.judgeSeller(&d, o, in, out, released, paidMark, disputed, disputeBy, point)
	} else {
		w.judgeBuyer(&d, st, o, out, disputed, disputeBy, log, point)
	}
	sort.SliceStable(d.Points, func(i, j int) bool { return d.Points[i].At.Before(d.Points[j].At) })
	switch {
	case d.Loss:
		d.Grade = "F"
	case d.Unjust:
		d.Grade = "D"
	case d.Risky:
		d.Grade = "C"
	default:
		d.Grade = "A"
	}
	return d, nil
}

func (w *World) judgeSeller(d *Debrief, o market.OrderView, in, out []alipay.Line, released, paidMark, disputed time.Time, disputeBy string, point func(time.Time, bool, string, ...any)) {
	var exact, other *alipay.Line
	for i, l := range in {
		l := l
		switch {
		case l.CounterpartyName == o.PayerName && l.Amount.Cmp(o.FiatTotal) == 0:
			if exact == nil {
				exact = &in[i]
			}
		default:
			if other == nil {
				other = &l
			}
		}
	}
	refunded := false
	for _, l := range out {
		switch {
		case other != nil && l.CounterpartyLogin == other.CounterpartyLogin && l.Amount.Cmp(other.Amount) == 0 && !refunded:
			refunded = true
		case exact != nil && o.State == market.StateExpired && l.CounterpartyLogin == exact.CounterpartyLogin && !refunded:
			refunded = true
		default:
			// Money out that returns nothing that came in: a refund to
			// the wrong account (the name is not the account) is gone.
			d.Loss = true
			point(l.At, false, "You sent %s CNY to %s, account %s, which sent you nothing for this order: that money is gone. Refund to the account the money came from, as your statement shows it.",
				l.Amount.Fixed(), l.CounterpartyName, l.CounterpartyLogin)
		}
	}
	if !released.IsZero() {
		switch {
		case exact != nil && !exact.At.After(released):
			point(released, true, "You released after the exact amount from %s arrived in your own statement (%s).", o.PayerName, exact.TxID)
		case exact != nil:
			d.Risky = true
			point(released, false, "You released %s before the money arrived in your statement; it came %s later. Releasing on the 'paid' status is how sellers lose everything.",
				o.Amount.String()+" "+string(o.Asset), exact.At.Sub(released).Round(time.Second))
		case other != nil && other.CounterpartyName != o.PayerName:
			d.Loss = true
			point(released, false, "You released although the money came from %s, not from the buyer %s: a third-party payment.", other.CounterpartyName, o.PayerName)
		case other != nil:
			d.Loss = true
			point(released, false, "You released although only %s of %s CNY arrived.", other.Amount.Fixed(), o.FiatTotal.Fixed())
		default:
			d.Loss = true
			point(released, false, "You released %s %s with no payment in your own statement. A release is final.", o.Amount, o.Asset)
		}
	} else if !paidMark.IsZero() && exact == nil {
		point(paidMark, true, "The buyer marked the order paid, but no money was in your statement, and you did not release.")
	}
	if other != nil && refunded {
		point(other.At, true, "You sent the non-matching payment (%s CNY from %s) back to the payer.", other.Amount.Fixed(), other.CounterpartyName)
	}
	if other != nil && !refunded && released.IsZero() {
		d.Unjust = true
		point(other.At, false, "You kept %s CNY from %s that did not pay for the order: send it back, or expect a complaint and a frozen account.", other.Amount.Fixed(), other.CounterpartyName)
	}
	if o.State == market.StateExpired && exact != nil {
		if refunded {
			point(exact.At, true, "Money arrived after the order had expired, and you refunded it instead of sending crypto outside the platform.")
		} else {
			d.Unjust = true
			point(exact.At, false, "Money arrived after the order had expired and you kept it. Refund it to the payer.")
		}
	}
	if !disputed.IsZero() {
		if disputeBy == "you" {
			point(disputed, true, "You opened a dispute, so support decided from the payment records.")
		} else {
			point(disputed, true, "The release window ended and the platform opened a dispute; support decided from the records.")
		}
	}
	d.Funds = fundsLine(o, released.IsZero(), exact != nil && released.IsZero() == false)
}

func (w *World) judgeBuyer(d *Debrief, st *Stage, o market.OrderView, out []alipay.Line, disputed time.Time, disputeBy string, log []api.OrderLogEntry, point func(time.Time, bool, string, ...any)) {
	ad := st.Ad
	if o.AdID == ad.ID && st.Scenario.bait && ad.DevBP != nil {
		d.Risky = true
		point(o.CreatedAt, false, "You took an ad %s%% from the index, from a seller with %d orders in 30 days: the classic bait.", money.New(*ad.DevBP, 2), ad.Maker.Record.Orders30d)
	} else if st.Scenario.bait {
		point(o.CreatedAt, true, "You passed over the bait ad and bought from a merchant with a record.")
	}
	toOrder, elsewhere := 0, 0
	var proof string
	for _, l := range out {
		if l.CounterpartyLogin == o.PayTo.Account {
			toOrder++
			if toOrder == 1 {
				proof = l.TxID
				point(l.At, true, "You paid exactly %s CNY to the order's account, in the seller's name.", l.Amount.Fixed())
			} else {
				d.Loss = true
				point(l.At, false, "You paid again (%s CNY) on the seller's word that the first payment failed. Your own statement showed it had succeeded.", l.Amount.Fixed())
			}
		} else {
			elsewhere++
			d.Loss = true
			point(l.At, false, "You paid %s CNY to %s, an account that is not the order's: outside the escrow, that money is gone.", l.Amount.Fixed(), l.CounterpartyName)
		}
	}
	if o.State == market.StateCancelled && elsewhere == 0 && toOrder == 0 {
		point(*o.ClosedAt, true, "You refused to leave the platform and cancelled before paying.")
	}
	if !disputed.IsZero() {
		var attached time.Time
		for _, e := range log {
			if e.Kind == market.LogEvidence && e.Ref != "" && e.Ref == proof && attached.IsZero() {
				attached = e.At
			}
		}
		// Who opened the dispute matters to the story, not to the grade: a
		// dispute the platform opened at the window's end takes evidence
		// just the same.
		opened := "You disputed and"
		if disputeBy != "you" {
			point(disputed, true, "The release window ended without a release and the platform opened a dispute.")
			opened = "You"
		}
		switch {
		case !attached.IsZero():
			point(attached, true, "%s attached your payment's transaction id, which support verified on Alipay.", opened)
		case proof != "":
			d.Loss = true
			point(disputed, false, "In the dispute you did not attach your payment record, so support could not decide for you.")
		}
	}
	d.Funds = fundsLine(o, o.State != market.StateCompleted && !(o.State == market.StateResolved && o.Resolution == market.ResolveRelease), false)
}

// endings nets the order for both sides: the crypto that moved through
// escrow, and the CNY that crossed the user's Alipay since the order
// opened (whoever paid for the counterparty, it was their side's money).
func endings(o market.OrderView, in, out []alipay.Line, frozen money.Amount) []Ending {
	var cny money.Amount
	for _, l := range in {
		cny, _ = cny.Add(l.Amount)
	}
	for _, l := range out {
		cny, _ = cny.Sub(l.Amount)
	}
	var crypto money.Amount
	if o.State == market.StateCompleted || (o.State == market.StateResolved && o.Resolution == market.ResolveRelease) {
		crypto = o.Amount
	}
	if o.Role == "seller" {
		crypto, _ = crypto.Neg()
	}
	theirCrypto, _ := crypto.Neg()
	theirCNY, _ := cny.Neg()
	return []Ending{
		{Who: "you", Crypto: crypto, Asset: string(o.Asset), CNY: cny, Frozen: frozen},
		{Who: "counterparty", Crypto: theirCrypto, Asset: string(o.Asset), CNY: theirCNY},
	}
}

// stmtFrozen is what Alipay's risk control holds of the user's balance.
func stmtFrozen(ctx context.Context, u *Bot) money.Amount {
	me, err := u.Rail.Me(ctx)
	if err != nil {
		return money.Amount{}
	}
	return me.Frozen
}

func fundsLine(o market.OrderView, escrowBack bool, paid bool) string {
	if o.Role == "seller" {
		if escrowBack {
			return fmt.Sprintf("Your %s %s came back from escrow.", o.Amount, o.Asset)
		}
		return fmt.Sprintf("Your %s %s went to the buyer.", o.Amount, o.Asset)
	}
	if escrowBack {
		return fmt.Sprintf("You did not receive the %s %s.", o.Amount, o.Asset)
	}
	return fmt.Sprintf("You received %s %s.", o.Amount, o.Asset)
}

// Print writes the debrief as plain text: the grade, the decisions with ✓
// and ✗ (never colour alone), the money and the lesson, then the timeline.
func (d Debrief) Print(w io.Writer) {
	fmt.Fprintf(w, "Debrief: %s, grade %s\n", d.Scenario, d.Grade)
	if len(d.Tried) > 0 {
		fmt.Fprintln(w, "\nWhat the counterparty tried:")
		for _, t := range d.Tried {
			fmt.Fprintf(w, "  - %s\n", t)
		}
	}
	if len(d.Points) > 0 {
		fmt.Fprintln(w, "\nYour decisions:")
		for _, p := range d.Points {
			mark := "✓"
			if !p.Good {
				mark = "✗"
			}
			fmt.Fprintf(w, "  %s %s  %s\n", mark, p.At.Format("15:04:05"), p.Text)
		}
	}
	fmt.Fprintf(w, "\nYour funds: %s\n", d.Funds)
	if len(d.Ended) > 0 {
		fmt.Fprintln(w, "Each side ended with:")
		for _, e := range d.Ended {
			frozen := ""
			if e.Frozen.IsPositive() {
				frozen = fmt.Sprintf(" (%s CNY of your Alipay frozen by risk control)", e.Frozen.FixedN(2))
			}
			fmt.Fprintf(w, "  %-13s %s %s, %s CNY%s\n", e.Who+":", signed(e.Crypto), e.Asset, signedFiat(e.CNY), frozen)
		}
	}
	fmt.Fprintf(w, "What a careful user does: %s\n", d.Lesson)
	if len(d.Timeline) > 0 {
		fmt.Fprintln(w, "\nTimeline:")
		for _, e := range d.Timeline {
			flag := ""
			if e.Flag != "" {
				flag = "  ⚠ " + e.Flag
			}
			fmt.Fprintf(w, "  %s  %-12s %s%s\n", e.At.Format("15:04:05"), e.Who, e.Text, flag)
		}
	}
}
