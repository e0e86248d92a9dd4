package sim

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/i18n"
	"p2pdesk/money"
	"p2pdesk/reliability"
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
	Tried    []string        `json:"tried"`  // what the counterparty tried
	Points   []Point         `json:"points"` // the user's decisions, judged
	Funds    string          `json:"funds"`  // what happened to the money
	Lesson   string          `json:"lesson"` // what a careful user does
	// TriedSaid and FundsSaid say Tried and Funds in another language.
	TriedSaid []Said        `json:"triedSaid,omitempty"`
	FundsSaid Said          `json:"fundsSaid,omitempty"`
	Loss      bool          `json:"loss"`    // the user lost money or crypto
	Risky     bool          `json:"risky"`   // a dangerous move that happened to work
	Unjust    bool          `json:"unjust"`  // kept money that was not theirs
	Elapsed   time.Duration `json:"elapsed"` // from order to end
	Order     int64         `json:"order,string"`
	// Ended is what each side of the order ended with, from the order and
	// the user's Alipay statement.
	Ended []Ending `json:"ended,omitempty"`
	// Exam: played without the app's labels. Labels are what they would
	// have said, and when (kept for every drill, printed for an exam).
	Exam   bool    `json:"exam,omitempty"`
	Labels []Label `json:"labels,omitempty"`
}

// Label is one warning the app shows beside a line of the trade: a chat
// warning (Flag, on Quote), or one on the ad or the statement (Text).
type Label struct {
	At    time.Time `json:"at"`
	Flag  string    `json:"flag,omitempty"`
	Quote string    `json:"quote,omitempty"`
	Text  string    `json:"text,omitempty"`
	Said  Said      `json:"said,omitempty"`
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
	// Said says the sim's own lines (the Alipay statement) again; State
	// is the state change a platform line reports.
	Said  Said   `json:"said,omitempty"`
	State string `json:"state,omitempty"`
}

// Point is one decision, judged.
type Point struct {
	At   time.Time `json:"at"`
	Good bool      `json:"good"`
	Text string    `json:"text"`
	Said Said      `json:"said,omitempty"` // Text in another language
}

// Debrief reads a finished (or abandoned) order and the user's statement.
func (w *World) Debrief(ctx context.Context, st *Stage, orderID int64) (Debrief, error) {
	d := Debrief{Scenario: st.Scenario.Name, Lesson: st.Scenario.Careful, Order: orderID, Exam: st.Exam}
	if orderID == 0 {
		d.Grade = "-"
		d.Funds, d.FundsSaid = say("debrief.no_order")
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
	var released, paidMark, disputed, sharedCode time.Time
	disputeBy := ""
	for _, e := range log {
		if e.Kind == api.LogChat && e.From == o.Role && sharedCode.IsZero() && codeRE.MatchString(e.Text) {
			sharedCode = e.At // a one-time code, written in the chat
		}
		te := TimelineEntry{At: e.At, Who: who[e.From], Text: e.Text}
		if te.Who == "" {
			te.Who = e.From
		}
		actor := te.Who
		if e.Kind == api.LogState || e.Kind == api.LogSystem {
			// The platform's record, whoever caused it: "The buyer marked
			// the order paid" is the platform speaking.
			te.Who = "platform"
		}
		if e.Kind == api.LogState {
			te.State = string(e.State)
		}
		if e.Kind == api.LogChat && te.Who == "counterparty" {
			for _, x := range e.Warnings {
				tried[x] = true
				te.Flag = x
			}
			if strings.HasPrefix(e.Text, "[") && strings.Contains(strings.ToLower(e.Text), "support") {
				tried[api.WarnImpersonation] = true
				te.Flag = api.WarnImpersonation
			}
			for _, x := range e.Warnings {
				d.Labels = append(d.Labels, Label{At: e.At, Flag: x, Quote: e.Text})
			}
		}
		d.Timeline = append(d.Timeline, te)
		switch e.State {
		case api.StateCompleted:
			released = e.At
		case api.StatePaid:
			paidMark = e.At
		case api.StateDisputed:
			disputed = e.At
			disputeBy = actor
		}
	}
	later, err := laterOrders(ctx, u, o)
	if err != nil {
		return d, err
	}
	var in, out []alipay.Line
	for _, l := range ownLines(o, stmt, later) {
		id := "debrief.alipay_in"
		if l.Direction == "out" {
			id = "debrief.alipay_out"
			out = append(out, l)
		} else {
			in = append(in, l)
		}
		text, said := say(id, "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName, "Account", l.CounterpartyLogin, "Tx", l.TxID)
		d.Timeline = append(d.Timeline, TimelineEntry{At: l.At, Who: "alipay", Text: text, Said: said})
		d.Labels = append(d.Labels, statementLabels(o, l)...)
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	end := o.CreatedAt
	if o.ClosedAt != nil {
		end = *o.ClosedAt
	}
	d.Elapsed = end.Sub(o.CreatedAt)
	point := func(at time.Time, good bool, id string, kv ...any) {
		text, said := say(id, kv...)
		d.Points = append(d.Points, Point{At: at, Good: good, Text: text, Said: said})
	}
	if st.Scenario.Risk != "" && !strings.HasPrefix(st.Scenario.Risk, "None") {
		d.Tried = append(d.Tried, st.Scenario.Risk)
		d.TriedSaid = append(d.TriedSaid, Said{ID: "scenario." + st.Scenario.Name + ".risk"})
	}
	for _, k := range []string{api.WarnPressure, api.WarnImpersonation, api.WarnProof, api.WarnOffPlatform, api.WarnLink, api.WarnCode, api.WarnFee} {
		if tried[k] {
			text, said := say("debrief.tried." + k)
			d.Tried = append(d.Tried, text)
			d.TriedSaid = append(d.TriedSaid, said)
		}
	}

	d.State = string(o.State) + resSuffix(o)
	frozen, err := stmtFrozen(ctx, u).Sub(st.StartFrozen)
	if err != nil || frozen.IsNegative() {
		frozen = money.Zero(2)
	}
	stranger := st.Slip
	if st.FeeTo != "" {
		stranger = st.FeeTo
	}
	d.Ended = endings(o, in, out, frozen, stranger)
	if st.Scenario.limit {
		out = w.judgeLimit(&d, st, o, out, point)
	}
	if !sharedCode.IsZero() {
		// Whatever came of it: a code is never anyone else's to have.
		d.Risky = true
		point(sharedCode, false, "debrief.p.shared_code")
	}
	if ph := st.phished(); len(ph) > 0 {
		d.Risky = true
		point(ph[0].At, false, "debrief.p.phished", "URL", ph[0].URL)
		if sharedCode.IsZero() || ph[0].At.Before(sharedCode) {
			sharedCode = ph[0].At // the code left the user's hands there
		}
	}
	if at := st.FriendPaid(); !at.IsZero() && st.Friend != nil {
		// Not the user's money, nor the user's account: the seller may
		// not take it, whoever it is.
		d.Risky = true
		point(at, false, "debrief.p.friend_paid", "Name", st.Friend.Person.RealName, "Amount", o.FiatTotal.FixedN(2))
		text, said := say("debrief.friend_sent", "Name", st.Friend.Person.RealName, "Amount", o.FiatTotal.FixedN(2), "Account", o.PayTo.Account, "Tx", st.Friend.paidTx(o))
		d.Timeline = append(d.Timeline, TimelineEntry{At: at, Who: "alipay", Text: text, Said: said})
		sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	}
	if o.Role == "seller" {
		w.judgeSeller(&d, o, in, out, released, paidMark, disputed, disputeBy, sharedCode, point)
	} else {
		w.judgeBuyer(&d, st, o, out, paidMark, disputed, disputeBy, log, point)
	}
	if o.AdID == st.Ad.ID {
		d.Labels = append(d.Labels, adLabels(o.CreatedAt, st.Ad)...)
	}
	sort.SliceStable(d.Points, func(i, j int) bool { return d.Points[i].At.Before(d.Points[j].At) })
	sort.SliceStable(d.Labels, func(i, j int) bool { return d.Labels[i].At.Before(d.Labels[j].At) })
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

// statementLabels are what the order screen marks on a statement line:
// money in that is not the buyer's exact payment, a note naming crypto.
func statementLabels(o api.OrderView, l alipay.Line) []Label {
	var out []Label
	if l.Direction != "in" || o.Role != "seller" {
		return nil
	}
	if l.CounterpartyName != o.PayerName || l.Amount.Cmp(o.FiatTotal) != 0 {
		text, said := say("debrief.label.other_payment", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName)
		out = append(out, Label{At: l.At, Text: text, Said: said})
	}
	if api.NoteNamesCrypto(l.Note) {
		text, said := say("debrief.label.note", "Note", l.Note)
		out = append(out, Label{At: l.At, Text: text, Said: said})
	}
	return out
}

// adLabels are what the market and the wizard mark on the drill's ad:
// a price too good to be true, a seller without a record.
func adLabels(at time.Time, ad api.AdView) []Label {
	var out []Label
	s := reliability.Of(ad)
	switch {
	case ad.DevBP != nil && (*ad.DevBP > 200 || *ad.DevBP < -200):
		text, said := say("debrief.label.price", "Name", ad.Maker.Name, "Pct", money.New(*ad.DevBP, 2))
		out = append(out, Label{At: at, Text: text, Said: said})
	case s.Excluded != "":
		text, said := say("debrief.label.record", "Name", ad.Maker.Name, "Orders", ad.Maker.Record.Orders30d)
		out = append(out, Label{At: at, Text: text, Said: said})
	}
	return out
}

// laterOrders are the orders the user opened after o (another drill, an
// ordinary trade): they have money of their own in the same statement.
func laterOrders(ctx context.Context, u *Bot, o api.OrderView) ([]api.OrderView, error) {
	recent, err := u.Market.Orders(ctx, client.OrderQuery{Limit: 100})
	if err != nil {
		return nil, err
	}
	var later []api.OrderView
	for _, p := range recent {
		if p.ID != o.ID && p.CreatedAt.After(o.CreatedAt) {
			later = append(later, p)
		}
	}
	return later, nil
}

// ownLines are the statement's transfers from the order's creation on,
// less those that belong to an order the user opened later: a payment
// to that order's payee, money in from its payer (or of its exact total,
// as a third party pays), and what went back and forth with those. A
// learner who starts the next drill before the last one settled is
// judged on each drill's own money.
func ownLines(o api.OrderView, stmt []alipay.Line, later []api.OrderView) []alipay.Line {
	var own []alipay.Line
	claimed := map[string]bool{} // rail logins that belong to a later order
	for _, l := range stmt {
		if l.At.Before(o.CreatedAt) || l.Kind != alipay.KindTransfer {
			continue
		}
		if !(l.Direction == "in" && o.Role == "seller" && l.CounterpartyName == o.PayerName) && belongsToLater(l, later, claimed) {
			claimed[l.CounterpartyLogin] = true
			continue
		}
		own = append(own, l)
	}
	return own
}

func belongsToLater(l alipay.Line, later []api.OrderView, claimed map[string]bool) bool {
	for _, p := range later {
		if l.At.Before(p.CreatedAt) {
			continue
		}
		switch {
		case l.CounterpartyLogin != "" && l.CounterpartyLogin == p.PayTo.Account && p.Role == "buyer":
			return true // paid to (or refunded by) the later order's seller
		case l.Direction == "in" && p.Role == "seller" && (l.CounterpartyName == p.PayerName || l.Amount.Cmp(p.FiatTotal) == 0):
			return true // the later order's buyer, or someone paying its total
		case l.Direction == "out" && p.Role == "seller" && claimed[l.CounterpartyLogin]:
			return true // a refund of money that came in for the later order
		}
	}
	return false
}

func (w *World) judgeSeller(d *Debrief, o api.OrderView, in, out []alipay.Line, released, paidMark, disputed time.Time, disputeBy string, sharedCode time.Time, point func(time.Time, bool, string, ...any)) {
	asset := string(o.Asset)
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
	suspect := exact != nil && api.NoteNamesCrypto(exact.Note)
	for _, l := range out {
		switch {
		case other != nil && l.CounterpartyLogin == other.CounterpartyLogin && l.Amount.Cmp(other.Amount) == 0 && !refunded:
			refunded = true
		case suspect && released.IsZero() && l.CounterpartyLogin == exact.CounterpartyLogin && l.Amount.Cmp(exact.Amount) == 0 && !refunded:
			refunded = true
			point(l.At, true, "debrief.p.refused_suspect", "Note", exact.Note)
		case exact != nil && o.State == api.StateExpired && l.CounterpartyLogin == exact.CounterpartyLogin && !refunded:
			refunded = true
		default:
			// Money out that returns nothing that came in: a refund to
			// the wrong account (the name is not the account) is gone.
			d.Loss = true
			point(l.At, false, "debrief.p.wrong_refund", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName, "Account", l.CounterpartyLogin)
		}
	}
	if !released.IsZero() {
		switch {
		case !sharedCode.IsZero() && !sharedCode.After(released) && exact == nil:
			d.Loss = true
			point(released, false, "debrief.p.code_used", "Amount", o.Amount, "Asset", asset)
		case suspect && !exact.At.After(released):
			d.Loss = true
			point(released, false, "debrief.p.released_tainted", "Note", exact.Note)
		case exact != nil && !exact.At.After(released):
			point(released, true, "debrief.p.released_after", "Name", o.PayerName, "Tx", exact.TxID)
		case exact != nil:
			d.Risky = true
			point(released, false, "debrief.p.released_early", "Amount", o.Amount.String(), "Asset", asset, "Later", exact.At.Sub(released).Round(time.Second))
		case other != nil && other.CounterpartyName != o.PayerName:
			d.Loss = true
			point(released, false, "debrief.p.released_third_party", "Name", other.CounterpartyName, "Buyer", o.PayerName)
		case other != nil:
			d.Loss = true
			point(released, false, "debrief.p.released_partial", "Amount", other.Amount.FixedN(2), "Total", o.FiatTotal.Fixed())
		default:
			d.Loss = true
			point(released, false, "debrief.p.released_unpaid", "Amount", o.Amount, "Asset", asset)
		}
	} else if !paidMark.IsZero() && exact == nil {
		point(paidMark, true, "debrief.p.held")
	} else if exact != nil && !disputed.IsZero() && disputeBy != "you" && o.State != api.StateExpired {
		// The buyer's exact payment was there and the learner let the
		// release window run out: support had to decide what the
		// statement already said (a learner found this graded A).
		d.Risky = true
		point(disputed, false, "debrief.p.held_paid", "Name", o.PayerName, "At", exact.At.UTC().Format("15:04"))
	}
	if other != nil && refunded {
		point(other.At, true, "debrief.p.refunded", "Amount", other.Amount.FixedN(2), "Name", other.CounterpartyName)
	}
	if other != nil && !refunded && released.IsZero() {
		d.Unjust = true
		point(other.At, false, "debrief.p.kept", "Amount", other.Amount.FixedN(2), "Name", other.CounterpartyName)
	}
	if o.State == api.StateExpired && exact != nil {
		if refunded {
			point(exact.At, true, "debrief.p.late_refunded")
		} else {
			d.Unjust = true
			point(exact.At, false, "debrief.p.late_kept")
		}
	}
	if !disputed.IsZero() {
		if disputeBy == "you" {
			point(disputed, true, "debrief.p.you_disputed")
		} else {
			point(disputed, true, "debrief.p.platform_disputed")
		}
	}
	// Support's release sends the escrow to the buyer as a release does:
	// "your USDT came back from escrow" was said for it (found playing).
	gone := !released.IsZero() || (o.State == api.StateResolved && o.Resolution == api.ResolveRelease)
	d.Funds, d.FundsSaid = fundsLine(o, !gone, exact != nil && gone)
}

func (w *World) judgeBuyer(d *Debrief, st *Stage, o api.OrderView, out []alipay.Line, paidMark, disputed time.Time, disputeBy string, log []api.OrderLogEntry, point func(time.Time, bool, string, ...any)) {
	ad := st.Ad
	switch {
	case o.AdID == ad.ID && st.Scenario.bait && ad.DevBP != nil:
		d.Risky = true
		point(o.CreatedAt, false, "debrief.p.took_bait", "Pct", money.New(*ad.DevBP, 2), "Orders", ad.Maker.Record.Orders30d)
	case st.Scenario.bait:
		point(o.CreatedAt, true, "debrief.p.skipped_bait")
	case o.AdID == ad.ID && st.Scenario.mimic:
		d.Risky = true
		point(o.CreatedAt, false, "debrief.p.took_lookalike", "Name", ad.Maker.Name, "Orders", ad.Maker.Record.Orders30d)
	case st.Scenario.mimic:
		point(o.CreatedAt, true, "debrief.p.skipped_lookalike", "Name", ad.Maker.Name)
	}
	if !paidMark.IsZero() {
		// "Paid" says the money left: a mark before any payment is false.
		first := time.Time{}
		for _, l := range out {
			// To the order's account or not: whether money left first.
			if first.IsZero() || l.At.Before(first) {
				first = l.At
			}
		}
		if fp := st.FriendPaid(); !fp.IsZero() && (first.IsZero() || fp.Before(first)) {
			first = fp // the cousin's payment left first (judged on its own)
		}
		if first.IsZero() || first.After(paidMark) {
			d.Risky = true
			point(paidMark, false, "debrief.p.marked_first")
		}
	}
	toOrder, elsewhere := 0, 0
	var proof string
	for _, l := range out {
		if l.CounterpartyLogin == o.PayTo.Account {
			toOrder++
			if toOrder == 1 {
				proof = l.TxID
				point(l.At, true, "debrief.p.paid_exact", "Amount", l.Amount.FixedN(2))
			} else {
				d.Loss = true
				point(l.At, false, "debrief.p.paid_again", "Amount", l.Amount.FixedN(2))
			}
		} else {
			elsewhere++
			d.Loss = true
			point(l.At, false, "debrief.p.paid_elsewhere", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName)
		}
	}
	if o.State == api.StateCancelled && elsewhere == 0 && toOrder == 0 {
		point(*o.ClosedAt, true, "debrief.p.refused_off_platform")
	}
	if !disputed.IsZero() {
		var attached time.Time
		for _, e := range log {
			if e.Kind == api.LogEvidence && e.Ref != "" && e.Ref == proof && attached.IsZero() {
				attached = e.At
			}
		}
		// Who opened the dispute matters to the story, not to the grade: a
		// dispute the platform opened at the window's end takes evidence
		// just the same.
		attachedID := "debrief.p.disputed_attached"
		switch disputeBy {
		case "you":
		case "counterparty":
			point(disputed, false, "debrief.p.seller_disputed")
			attachedID = "debrief.p.attached"
		default:
			point(disputed, true, "debrief.p.window_dispute")
			attachedID = "debrief.p.attached"
		}
		switch {
		case !attached.IsZero():
			point(attached, true, attachedID)
		case proof != "":
			d.Loss = true
			point(disputed, false, "debrief.p.no_evidence")
		}
	}
	d.Funds, d.FundsSaid = fundsLine(o, o.State != api.StateCompleted && !(o.State == api.StateResolved && o.Resolution == api.ResolveRelease), false)
}

// judgeLimit judges the over-the-limit drill's own moves: a "deposit" to
// the limit desk is lost, an application for the next tier is the way
// past the limit. It returns the money out that is the order's to judge.
func (w *World) judgeLimit(d *Debrief, st *Stage, o api.OrderView, out []alipay.Line, point func(time.Time, bool, string, ...any)) []alipay.Line {
	var rest []alipay.Line
	fee := false
	for _, l := range out {
		if l.CounterpartyLogin != st.FeeTo {
			rest = append(rest, l)
			continue
		}
		fee = true
		d.Loss = true
		point(l.At, false, "debrief.p.paid_fee", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName, "Account", l.CounterpartyLogin)
	}
	if !fee {
		point(o.CreatedAt, true, "debrief.p.no_fee", "Need", st.Need.FixedN(2))
	}
	if at := st.KYCApplied(); !at.IsZero() {
		point(at, true, "debrief.p.applied_kyc")
	}
	return rest
}

// endings nets the order for both sides: the crypto that moved through
// escrow, and the CNY that crossed the user's Alipay since the order
// opened (whoever paid for the counterparty, it was their side's money).
func endings(o api.OrderView, in, out []alipay.Line, frozen money.Amount, stranger string) []Ending {
	var cny, lost money.Amount
	for _, l := range in {
		cny, _ = cny.Add(l.Amount)
	}
	for _, l := range out {
		cny, _ = cny.Sub(l.Amount)
		if stranger != "" && l.CounterpartyLogin == stranger {
			lost, _ = lost.Add(l.Amount) // a stranger's, not the counterparty's
		}
	}
	var crypto money.Amount
	if o.State == api.StateCompleted || (o.State == api.StateResolved && o.Resolution == api.ResolveRelease) {
		crypto = o.Amount
	}
	if o.Role == "seller" {
		crypto, _ = crypto.Neg()
	}
	theirCrypto, _ := crypto.Neg()
	theirCNY, _ := cny.Neg()
	theirCNY, _ = theirCNY.Sub(lost)
	ends := []Ending{
		{Who: "you", Crypto: crypto, Asset: string(o.Asset), CNY: cny, Frozen: frozen},
		{Who: "counterparty", Crypto: theirCrypto, Asset: string(o.Asset), CNY: theirCNY},
	}
	if lost.IsPositive() {
		ends = append(ends, Ending{Who: "stranger", Crypto: money.Zero(o.Amount.Scale()), Asset: string(o.Asset), CNY: lost})
	}
	return ends
}

// stmtFrozen is what Alipay's risk control holds of the user's balance.
func stmtFrozen(ctx context.Context, u *Bot) money.Amount {
	me, err := u.Rail.Me(ctx)
	if err != nil {
		return money.Amount{}
	}
	return me.Frozen
}

func fundsLine(o api.OrderView, escrowBack bool, paid bool) (string, Said) {
	id := "debrief.funds."
	switch {
	case o.Role == "seller" && escrowBack:
		id += "seller_back"
	case o.Role == "seller":
		id += "seller_gone"
	case escrowBack:
		id += "buyer_none"
	default:
		id += "buyer_got"
	}
	return say(id, "Amount", o.Amount, "Asset", o.Asset)
}

// Print writes the debrief as plain text: the grade, the decisions with ✓
// and ✗ (never colour alone), the money and the lesson, then the timeline.
func (d Debrief) Print(w io.Writer) { d.PrintIn(w, nil) }

// PrintIn is Print in tr's language (nil: English, as Print writes it).
// A Chinese debrief says the sim's own sentences in Chinese; chat lines
// are shown as they were written, the platform's state changes by their
// state.
func (d Debrief) PrintIn(w io.Writer, tr *i18n.Tr) {
	if tr == nil {
		tr = english
	}
	zh := tr.Lang() != i18n.EN
	name := d.Scenario
	if zh {
		name = tr.T("scenario."+name+".title") + "（" + name + "）"
	}
	fmt.Fprintln(w, tr.T("debrief.head", "Scenario", name, "Grade", d.Grade))
	if len(d.Tried) > 0 {
		fmt.Fprintln(w, "\n"+tr.T("debrief.tried"))
		for i, t := range d.Tried {
			if i < len(d.TriedSaid) {
				t = d.TriedSaid[i].In(tr, t)
			}
			fmt.Fprintf(w, "  - %s\n", t)
		}
	}
	if len(d.Points) > 0 {
		fmt.Fprintln(w, "\n"+tr.T("debrief.decisions"))
		for _, p := range d.Points {
			mark := "✓"
			if !p.Good {
				mark = "✗"
			}
			fmt.Fprintf(w, "  %s %s  %s\n", mark, p.At.Format("15:04:05"), p.Said.In(tr, p.Text))
		}
	}
	fmt.Fprintln(w, "\n"+tr.T("debrief.funds", "Funds", d.FundsSaid.In(tr, d.Funds)))
	if len(d.Ended) > 0 {
		fmt.Fprintln(w, tr.T("debrief.ended"))
		for _, e := range d.Ended {
			frozen := ""
			if e.Frozen.IsPositive() {
				frozen = tr.T("debrief.frozen", "Amount", e.Frozen.FixedN(2))
			}
			who := fmt.Sprintf("%-13s", e.Who+":")
			if zh {
				who = padCells(tr.T("debrief.who."+e.Who)+"：", 13)
			}
			fmt.Fprintf(w, "  %s %s %s, %s CNY%s\n", who, signed(e.Crypto), e.Asset, signedFiat(e.CNY), frozen)
		}
	}
	lesson := d.Lesson
	if s, ok := Scenarios[d.Scenario]; ok && zh {
		_, _, lesson, _ = s.In(tr)
	}
	// The careful move, at the moment of the first wrong one, and the
	// guide's advice it follows.
	moment := time.Time{}
	for _, p := range d.Points {
		if !p.Good {
			moment = p.At
			break
		}
	}
	if moment.IsZero() {
		fmt.Fprintln(w, tr.T("debrief.lesson", "Lesson", lesson))
	} else {
		fmt.Fprintln(w, tr.T("debrief.moment", "At", moment.Format("15:04:05"), "Lesson", lesson))
	}
	if _, ok := Scenarios[d.Scenario]; ok {
		fmt.Fprintln(w, tr.T("scenario."+d.Scenario+".guide"))
	}
	if d.Exam {
		// What the labels, hidden in the exam, would have said and when.
		fmt.Fprintln(w, "\n"+tr.T("debrief.labels"))
		if len(d.Labels) == 0 {
			fmt.Fprintln(w, "  "+tr.T("debrief.labels_none"))
		}
		for _, l := range d.Labels {
			text := l.Said.In(tr, l.Text)
			if l.Flag != "" {
				text = tr.T("debrief.label.chat", "Warning", tr.T("warn."+l.Flag), "Quote", l.Quote)
			}
			fmt.Fprintf(w, "  %s  ⚠ %s\n", l.At.Format("15:04:05"), text)
		}
	}
	if len(d.Timeline) > 0 {
		fmt.Fprintln(w, "\n"+tr.T("debrief.timeline"))
		for _, e := range d.Timeline {
			flag := ""
			if e.Flag != "" {
				flag = "  ⚠ " + e.Flag
				if zh {
					flag = "  ⚠ " + tr.T("warn."+e.Flag)
				}
			}
			who, text := fmt.Sprintf("%-13s", e.Who), e.Said.In(tr, e.Text)
			if zh {
				who = padCells(tr.T("debrief.who."+e.Who), 12)
				if e.State != "" {
					text = tr.T("debrief.log." + e.State)
				}
				if ref, ok := strings.CutPrefix(text, "Payment record "); ok && !strings.Contains(ref, " ") {
					text = tr.T("log.evidence_ref", "Ref", ref) // the platform's wording for evidence
				}
			}
			fmt.Fprintf(w, "  %s  %s %s%s\n", e.At.Format("15:04:05"), who, text, flag)
		}
	}
}

// padCells pads s to w terminal cells, a Chinese character counting two.
func padCells(s string, w int) string {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)) {
			n++
		}
	}
	if n >= w {
		return s
	}
	return s + strings.Repeat(" ", w-n)
}
