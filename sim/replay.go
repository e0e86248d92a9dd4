package sim

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/sim/alipay"
)

// Input is one thing the user did in a drill, timed from the moment the
// order opened. Inputs are read back from the authoritative records (the
// order's log and the user's own Alipay statement), not from keystrokes,
// so a drill played in the TUI and one played by a script record alike.
type Input struct {
	After time.Duration `json:"after"`
	// Do is paid, release, cancel, dispute, evidence, chat, rate or pay.
	Do     string `json:"do"`
	Text   string `json:"text,omitempty"`   // chat line, dispute statement, evidence note, payment note
	Reason string `json:"reason,omitempty"` // dispute
	// Refs are statement lines given as evidence, by their position among
	// the user's transfers since the order opened (ids differ per world).
	Refs []int `json:"refs,omitempty"`
	// Pay: To is "payee" (the account the order shows) or another login;
	// Amount is "total" (the order's total) or a CNY amount.
	To     string `json:"to,omitempty"`
	Amount string `json:"amount,omitempty"`
	Good   bool   `json:"good,omitempty"` // rate
}

// Take is how the user opened the drill's order.
type Take struct {
	// Bait: the user took the scenario's own ad (for a bait scenario, the
	// bait); otherwise the best honest ad on offer.
	ScenarioAd bool   `json:"scenarioAd"`
	Amount     string `json:"amount"` // crypto
}

// RecordInputs reads what the user did in an order.
func RecordInputs(ctx context.Context, st *Stage, orderID int64) (Take, []Input, error) {
	u := st.User
	o, err := u.Market.Order(ctx, orderID)
	if err != nil {
		return Take{}, nil, err
	}
	take := Take{ScenarioAd: o.AdID == st.Ad.ID, Amount: o.Amount.String()}
	log, err := u.Market.Messages(ctx, orderID, 0)
	if err != nil {
		return take, nil, err
	}
	stmt, err := u.Rail.Statement(ctx, 0)
	if err != nil {
		return take, nil, err
	}
	mine := transfersSince(stmt, o.CreatedAt)
	pos := map[string]int{}
	for i, l := range mine {
		pos[l.TxID] = i
	}
	var in []Input
	after := func(t time.Time) time.Duration { return t.Sub(o.CreatedAt) }
	var dispute *Input
	for _, e := range log {
		if e.From != o.Role {
			continue
		}
		switch {
		case e.Kind == market.LogChat:
			in = append(in, Input{After: after(e.At), Do: "chat", Text: e.Text})
		case e.Kind == market.LogState && e.State == market.StatePaid:
			in = append(in, Input{After: after(e.At), Do: "paid"})
		case e.Kind == market.LogState && e.State == market.StateCompleted:
			in = append(in, Input{After: after(e.At), Do: "release"})
		case e.Kind == market.LogState && e.State == market.StateCancelled:
			in = append(in, Input{After: after(e.At), Do: "cancel"})
		case e.Kind == market.LogState && e.State == market.StateDisputed:
			in = append(in, Input{After: after(e.At), Do: "dispute", Reason: o.DisputeReason})
			dispute = &in[len(in)-1]
		case e.Kind == market.LogEvidence:
			// Evidence given with the dispute belongs to it; later
			// evidence is an input of its own.
			if dispute != nil && e.At.Equal(o.CreatedAt.Add(dispute.After)) {
				if e.Ref == "" {
					dispute.Text = e.Text
				} else if i, ok := pos[e.Ref]; ok {
					dispute.Refs = append(dispute.Refs, i)
				}
				continue
			}
			ev := Input{After: after(e.At), Do: "evidence"}
			if i, ok := pos[e.Ref]; ok {
				ev.Refs = []int{i}
			} else {
				ev.Text = e.Text
			}
			in = append(in, ev)
		}
	}
	for _, l := range mine {
		if l.Direction != "out" {
			continue
		}
		p := Input{After: after(l.At), Do: "pay", To: l.CounterpartyLogin, Amount: l.Amount.Fixed(), Text: l.Note}
		if l.CounterpartyLogin == o.PayTo.Account {
			p.To = "payee"
		}
		if l.Amount.Cmp(o.FiatTotal) == 0 {
			p.Amount = "total"
		}
		in = append(in, p)
	}
	if o.MyRating != 0 && o.ClosedAt != nil {
		// The log keeps no time for a rating: a minute after the end.
		in = append(in, Input{After: after(o.ClosedAt.Add(time.Minute)), Do: "rate", Good: o.MyRating > 0})
	}
	// At one instant, payments go first: "paid" and evidence refer to
	// them. Otherwise the log's order stands.
	sort.SliceStable(in, func(i, j int) bool {
		if in[i].After != in[j].After {
			return in[i].After < in[j].After
		}
		return in[i].Do == "pay" && in[j].Do != "pay"
	})
	return take, in, nil
}

// transfersSince are the user's rail transfers from t on, oldest first.
func transfersSince(stmt []alipay.Line, t time.Time) []alipay.Line {
	var out []alipay.Line
	for _, l := range stmt {
		if !l.At.Before(t) && l.Kind == alipay.KindTransfer {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// replay performs recorded inputs at their times.
type replay struct {
	take   Take
	inputs []Input
}

// schedule plays the inputs against an order the user just opened.
func (r *replay) schedule(ctx context.Context, w *World, u *Bot, o market.OrderView, ds *drillState) {
	for _, in := range r.inputs {
		in := in
		tries := 0
		var act func()
		act = func() {
			err := r.do(ctx, u, o.ID, in)
			// The user acted at the same instant as the counterparty, just
			// after it; a timer set at the take runs first at that instant.
			// Going again at the same instant runs after what is queued.
			if client.CodeOf(err) == string(market.CodeOrderStateConflict) && tries < 3 {
				tries++
				w.Sched.After(0, "replay "+in.Do, act)
				return
			}
			if err != nil {
				ds.mu.Lock()
				ds.errs = append(ds.errs, fmt.Errorf("replaying %s at +%s: %w", in.Do, in.After, err))
				ds.mu.Unlock()
			}
		}
		w.Sched.After(in.After, "replay "+in.Do, act)
	}
}

func (r *replay) do(ctx context.Context, u *Bot, id int64, in Input) error {
	o, err := u.Market.Order(ctx, id)
	if err != nil {
		return err
	}
	refs := func() []string {
		stmt, err := u.Rail.Statement(ctx, 0)
		if err != nil {
			return nil
		}
		mine := transfersSince(stmt, o.CreatedAt)
		var out []string
		for _, i := range in.Refs {
			if i < len(mine) {
				out = append(out, mine[i].TxID)
			}
		}
		return out
	}
	switch in.Do {
	case "chat":
		_, err = u.Market.SendMessage(ctx, id, in.Text)
	case "paid":
		_, err = u.Market.MarkPaid(ctx, id, "")
	case "cancel":
		_, err = u.Market.Cancel(ctx, id, "")
	case "release":
		c := u.code()
		if c == "" {
			return fmt.Errorf("no fresh one-time code")
		}
		_, err = u.Market.Release(ctx, id, c, "")
	case "dispute":
		_, err = u.Market.Dispute(ctx, id, api.DisputeRequest{Reason: in.Reason, Statement: in.Text, Evidence: refs()})
	case "evidence":
		for _, ref := range refs() {
			if _, err = u.Market.AddEvidence(ctx, id, ref, ""); err != nil {
				return err
			}
		}
		if len(in.Refs) == 0 {
			_, err = u.Market.AddEvidence(ctx, id, "", in.Text)
		}
	case "rate":
		_, err = u.Market.Rate(ctx, id, in.Good, "")
	case "pay":
		to, amount := in.To, in.Amount
		if to == "payee" {
			to = o.PayTo.Account
		}
		if amount == "total" {
			amount = o.FiatTotal.FixedN(2)
		}
		if _, perr := money.Parse(amount, 2); perr != nil {
			return perr
		}
		_, err = u.Rail.Send(ctx, to, amount, in.Text, u.RailPass, fmt.Sprintf("replay-%d-%d", id, in.After))
	default:
		return fmt.Errorf("unknown input %q", in.Do)
	}
	return err
}

// chooseReplayAd picks the ad the recorded user took.
func (r *replay) chooseAd(st *Stage) (market.AdView, bool) {
	if r.take.ScenarioAd {
		return st.Ad, true
	}
	var honest []market.AdView
	for _, a := range st.Offered {
		if a.ID != st.Ad.ID {
			honest = append(honest, a)
		}
	}
	return choose(Careful, honest)
}

// InputsText is a short account of the inputs, for the journal's reader.
func InputsText(in []Input) string {
	var parts []string
	for _, i := range in {
		parts = append(parts, fmt.Sprintf("+%s %s", i.After.Round(time.Second), i.Do))
	}
	return strings.Join(parts, ", ")
}
