package sim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/money"
)

// Input is one thing the user did in a drill, timed from the moment the
// order opened. Inputs are read back from the authoritative records (the
// order's log and the user's own Alipay statement), not from keystrokes,
// so a drill played in the TUI and one played by a script record alike.
type Input struct {
	After time.Duration `json:"after"`
	// Do is paid, release, cancel, dispute, evidence, chat, rate, pay or
	// friend (the friend-pays drill's cousin pays).
	Do     string `json:"do"`
	Text   string `json:"text,omitempty"`   // chat line, dispute statement, evidence note, payment note
	Reason string `json:"reason,omitempty"` // dispute
	// Refs are statement lines given as evidence, by their position among
	// the user's transfers since the order opened (ids differ per world).
	Refs []int `json:"refs,omitempty"`
	// Pay: To names the account by its part in the order, since logins
	// differ from world to world: "payee" (the account the order shows),
	// "sender:N" (whoever sent the N-th of the user's transfers since the
	// order opened: a refund), "slip" (the account the payment form came
	// filled in with, in the own-payment-mistake drill), "named:N" (the N-th account the
	// counterparty named in chat: a lure), or else a literal login.
	// Amount is "total" (the order's total), "sent:N" (the amount of the
	// N-th transfer, as a refund returns), or a CNY amount.
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
	// Only this order's money: a drill played while the next one had
	// begun recorded that one's payment as its own input.
	later, err := laterOrders(ctx, u, o)
	if err != nil {
		return take, nil, err
	}
	mine := ownLines(o, stmt, later)
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].At.Before(mine[j].At) })
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
		case e.Kind == api.LogChat:
			in = append(in, Input{After: after(e.At), Do: "chat", Text: e.Text})
		case e.Kind == api.LogState && e.State == api.StatePaid:
			in = append(in, Input{After: after(e.At), Do: "paid"})
		case e.Kind == api.LogState && e.State == api.StateCompleted:
			in = append(in, Input{After: after(e.At), Do: "release"})
		case e.Kind == api.LogState && e.State == api.StateCancelled:
			in = append(in, Input{After: after(e.At), Do: "cancel"})
		case e.Kind == api.LogState && e.State == api.StateDisputed:
			in = append(in, Input{After: after(e.At), Do: "dispute", Reason: o.DisputeReason})
			dispute = &in[len(in)-1]
		case e.Kind == api.LogEvidence:
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
		p := Input{After: after(l.At), Do: "pay", To: payeeRole(o, log, mine, l.CounterpartyLogin, st.Slip), Amount: l.Amount.Fixed(), Text: l.Note}
		if l.Amount.Cmp(o.FiatTotal) == 0 {
			p.Amount = "total"
		} else {
			for i, got := range mine {
				if got.Direction == "in" && got.Amount.Cmp(l.Amount) == 0 && !got.At.After(l.At) {
					p.Amount = fmt.Sprintf("sent:%d", i)
					break
				}
			}
		}
		in = append(in, p)
	}
	if at := st.FriendPaid(); !at.IsZero() {
		// The cousin's payment is in his statement, not the user's.
		in = append(in, Input{After: after(at), Do: "friend"})
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
		pays := func(d string) bool { return d == "pay" || d == "friend" }
		return pays(in[i].Do) && !pays(in[j].Do)
	})
	return take, in, nil
}

// payeeRole names a payee by its part in the order (see Input.To).
func payeeRole(o api.OrderView, log []api.OrderLogEntry, mine []alipay.Line, login, slip string) string {
	if login == o.PayTo.Account {
		return "payee"
	}
	if slip != "" && login == slip {
		return "slip"
	}
	for i, l := range mine {
		if l.Direction == "in" && l.CounterpartyLogin == login {
			return fmt.Sprintf("sender:%d", i)
		}
	}
	for i, a := range namedAccounts(o, log) {
		if a == login {
			return fmt.Sprintf("named:%d", i)
		}
	}
	return login
}

// namedAccounts are the Alipay logins (phone numbers) the counterparty
// wrote in chat, in the order written.
func namedAccounts(o api.OrderView, log []api.OrderLogEntry) []string {
	var out []string
	for _, e := range log {
		if e.Kind != api.LogChat || e.From == o.Role || e.From == "system" {
			continue
		}
		for _, w := range strings.FieldsFunc(e.Text, func(r rune) bool { return r < '0' || r > '9' }) {
			if len(w) == 11 {
				out = append(out, w)
			}
		}
	}
	return out
}

// payeeLogin is the login a recorded payee role names in this order.
func payeeLogin(o api.OrderView, log []api.OrderLogEntry, mine []alipay.Line, role, slip string) (string, error) {
	var n int
	switch role {
	case "payee":
		return o.PayTo.Account, nil
	case "slip":
		if slip == "" {
			return "", fmt.Errorf("no account was filled in for order %d", o.ID)
		}
		return slip, nil
	}
	if _, err := fmt.Sscanf(role, "sender:%d", &n); err == nil {
		if n < 0 || n >= len(mine) || mine[n].Direction != "in" {
			return "", fmt.Errorf("%w: no incoming transfer %d to refund", errNotYet, n)
		}
		return mine[n].CounterpartyLogin, nil
	}
	if _, err := fmt.Sscanf(role, "named:%d", &n); err == nil {
		named := namedAccounts(o, log)
		if n < 0 || n >= len(named) {
			return "", fmt.Errorf("%w: the counterparty named no account %d in chat", errNotYet, n)
		}
		return named[n], nil
	}
	return role, nil
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

// errNotYet: an input refers to something that has not happened yet in
// this world (a payment to refund that is still on its way).
var errNotYet = errors.New("not yet")

// schedule plays the inputs against an order the user just opened, one
// after another: each at its recorded time, or, when it refers to
// something the counterparty has yet to do here (the bots' timing is not
// the live world's to the second), as soon as that happened. The user
// reacted to events, not to a stopwatch.
func (r *replay) schedule(ctx context.Context, w *World, u *Bot, o api.OrderView, ds *drillState) {
	fail := func(in Input, err error) {
		ds.mu.Lock()
		ds.errs = append(ds.errs, fmt.Errorf("replaying %s at +%s: %w", in.Do, in.After, err))
		ds.mu.Unlock()
	}
	var step func(i int)
	step = func(i int) {
		if i >= len(r.inputs) {
			return
		}
		in := r.inputs[i]
		conflicts, waited := 0, time.Duration(0)
		var act func()
		act = func() {
			err := r.do(ctx, u, o.ID, in)
			switch {
			case api.CodeOf(err) == api.CodeOrderStateConflict && conflicts < 3:
				// The user acted at the same instant as the counterparty,
				// just after it; a timer set at the take runs first at that
				// instant. Going again at the same instant runs after what
				// is queued.
				conflicts++
				w.Sched.After(0, "replay "+in.Do, act)
				return
			case errors.Is(err, errNotYet) && waited < time.Hour:
				waited += 15 * time.Second
				w.Sched.After(15*time.Second, "replay "+in.Do, act)
				return
			case err != nil:
				fail(in, err)
			}
			step(i + 1)
		}
		w.Sched.After(max(0, o.CreatedAt.Add(in.After).Sub(w.Sched.Now())), "replay "+in.Do, act)
	}
	step(0)
}

func (r *replay) do(ctx context.Context, u *Bot, id int64, in Input) error {
	o, err := u.Market.Order(ctx, id)
	if err != nil {
		return err
	}
	// refs are the statement lines the input gives as evidence.
	refs := func() ([]string, error) {
		stmt, err := u.Rail.Statement(ctx, 0)
		if err != nil {
			return nil, err
		}
		mine := transfersSince(stmt, o.CreatedAt)
		var out []string
		for _, i := range in.Refs {
			if i >= len(mine) {
				return nil, fmt.Errorf("%w: no transfer %d since the order opened", errNotYet, i)
			}
			out = append(out, mine[i].TxID)
		}
		return out, nil
	}
	switch in.Do {
	case "chat":
		_, err = u.Market.SendMessage(ctx, id, in.Text)
	case "paid":
		_, err = u.Market.MarkPaid(ctx, id, "")
	case "cancel":
		_, err = u.Market.Cancel(ctx, id, "")
	case "release":
		if o.State == api.StateCreated {
			// Nobody releases an order before it is marked paid: where
			// the counterparty marks it later in the replay's timing
			// (a release made with a code the user gave away came right
			// after the scammer's own mark), the release waits for it.
			return fmt.Errorf("%w: the order is not marked paid yet", errNotYet)
		}
		c := u.code()
		if c == "" {
			// This step's code went to an attempt the market refused (the
			// same-instant retry above): the next code comes within 30 s,
			// as it would for a person.
			return fmt.Errorf("%w: no fresh one-time code", errNotYet)
		}
		_, err = u.Market.Release(ctx, id, c, "")
	case "dispute":
		ev, rerr := refs()
		if rerr != nil {
			return rerr
		}
		_, err = u.Market.Dispute(ctx, id, api.DisputeRequest{Reason: in.Reason, Statement: in.Text, Evidence: ev})
	case "evidence":
		ev, rerr := refs()
		if rerr != nil {
			return rerr
		}
		for _, ref := range ev {
			if _, err = u.Market.AddEvidence(ctx, id, ref, ""); err != nil {
				return err
			}
		}
		if len(in.Refs) == 0 {
			_, err = u.Market.AddEvidence(ctx, id, "", in.Text)
		}
	case "friend":
		st := u.w.StageOf(o)
		if st == nil {
			return fmt.Errorf("order %d is no drill's", id)
		}
		err = st.FriendPays(ctx, o)
	case "rate":
		_, err = u.Market.Rate(ctx, id, in.Good, "")
	case "pay":
		log, err := u.Market.Messages(ctx, id, 0)
		if err != nil {
			return err
		}
		stmt, err := u.Rail.Statement(ctx, 0)
		if err != nil {
			return err
		}
		to, err := payeeLogin(o, log, transfersSince(stmt, o.CreatedAt), in.To, u.w.SlipOf(o))
		if err != nil {
			return err
		}
		amount := in.Amount
		var n int
		if amount == "total" {
			amount = o.FiatTotal.FixedN(2)
		} else if _, err := fmt.Sscanf(amount, "sent:%d", &n); err == nil {
			mine := transfersSince(stmt, o.CreatedAt)
			if n < 0 || n >= len(mine) {
				return fmt.Errorf("%w: no transfer %d to return", errNotYet, n)
			}
			amount = mine[n].Amount.FixedN(2)
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
func (r *replay) chooseAd(st *Stage) (api.AdView, bool) {
	if r.take.ScenarioAd {
		return st.Ad, true
	}
	var honest []api.AdView
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
