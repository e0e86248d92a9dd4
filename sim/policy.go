package sim

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
	"p2pdesk/reliability"
)

// Policy is how a scripted user plays their side: "careful" does what the
// guide says (check your own statement, never on a claim, stay on the
// platform, dispute with records); "careless" trusts the status and the
// chat.
type Policy string

const (
	Careful  Policy = "careful"
	Careless Policy = "careless"
)

// ParsePolicy reads a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case Careful, Careless:
		return Policy(s), nil
	}
	return "", fmt.Errorf("policy is careful or careless, not %q", s)
}

// userScript plays the user's side of an order.
type userScript struct {
	policy Policy
}

var loginInText = regexp.MustCompile(`\b1[3-9][0-9]{9}\b|[\w.+-]+@[\w-]+\.[\w.]+`)

// counterpartyLines are the chat lines the other side wrote.
func counterpartyLines(ctx context.Context, b *Bot, o api.OrderView) []api.OrderLogEntry {
	log, err := b.Market.Messages(ctx, o.ID, 0)
	if err != nil {
		return nil
	}
	var out []api.OrderLogEntry
	for _, e := range log {
		if e.Kind == api.LogChat && e.From != o.Role {
			out = append(out, e)
		}
	}
	return out
}

func (u *userScript) Act(ctx context.Context, b *Bot, o api.OrderView) {
	if o.Role == "seller" {
		u.sell(ctx, b, o)
	} else {
		u.buy(ctx, b, o)
	}
}

// sell: the user sells crypto and is paid to their Alipay.
func (u *userScript) sell(ctx context.Context, b *Bot, o api.OrderView) {
	if u.policy == Careless {
		// Trusts the status, the chat and anything that looks official.
		switch o.State {
		case api.StatePaid, api.StateDisputed:
			b.release(ctx, o)
		case api.StateCreated:
			for _, e := range counterpartyLines(ctx, b, o) {
				low := strings.ToLower(e.Text)
				if strings.Contains(low, "release") {
					b.say(ctx, o, "ok", "OK, releasing.")
				}
				if strings.Contains(low, "http") && strings.Contains(low, "log in") && !b.did(o, "phished") {
					// Follows the link and logs in where it says.
					if st := b.w.StageOf(o); st != nil {
						if c := b.code(); c != "" {
							b.once(o, "phished", func() error { st.Phish(b.now(), phishURL, c); return nil })
						}
					}
				}
				if m := loginInText.FindString(e.Text); m != "" && (strings.Contains(low, "deposit") || strings.Contains(e.Text, "押金")) {
					// Pays the "deposit" that lifts the limit, as asked.
					b.pay(ctx, o, "fee", m, o.FiatTotal, "limit deposit "+b.Name)
				}
				if strings.Contains(low, "code") && !b.did(o, "say:code") {
					// Asked for a code "to verify", it sends one.
					if c := b.code(); c != "" {
						b.say(ctx, o, "code", c)
					}
				}
			}
		}
		return
	}
	// Careful: only money seen in one's own statement counts, and only
	// the exact amount from the buyer's own account.
	line, kind, got := b.incoming(ctx, o)
	suspect := got && kind == MatchExact && api.NoteNamesCrypto(line.Note)
	switch o.State {
	case api.StateCreated:
		if got && kind == MatchExact && !suspect {
			b.say(ctx, o, "mark", "The money arrived. Please mark the order paid so I can release.")
		}
	case api.StatePaid:
		switch {
		case suspect:
			// Crypto words in the note: money the platform's rules say
			// no honest buyer writes, often a fraud victim's.
			u.refundAndDispute(ctx, b, o, line.TxID, line.CounterpartyLogin, line.Amount, MatchSuspect)
		case got && kind == MatchExact:
			b.release(ctx, o)
		case got:
			u.refundAndDispute(ctx, b, o, line.TxID, line.CounterpartyLogin, line.Amount, kind)
		case o.PaidAt != nil && b.since(*o.PaidAt) >= 15*time.Minute:
			b.once(o, "dispute", func() error {
				_, err := b.Market.Dispute(ctx, o.ID, api.DisputeRequest{Reason: "marked-paid-not-received",
					Statement: "The buyer marked the order paid, but no payment is in my Alipay statement."})
				return err
			})
		}
	case api.StateDisputed:
		if got && kind == MatchExact && !suspect && !b.did(o, "pay:refund") {
			b.release(ctx, o) // it arrived after all
		}
	case api.StateExpired, api.StateCancelled:
		// Money that arrives for a dead order goes back where it came from.
		if got {
			b.pay(ctx, o, "refund", line.CounterpartyLogin, line.Amount, fmt.Sprintf("Refund: order %d had expired", o.ID))
		}
	}
}

func (u *userScript) refundAndDispute(ctx context.Context, b *Bot, o api.OrderView, tx, from string, amount money.Amount, kind string) {
	b.pay(ctx, o, "refund", from, amount, fmt.Sprintf("Refund: payment for order %d did not match", o.ID))
	if !b.did(o, "pay:refund") {
		return
	}
	reason := "third-party-payment"
	switch kind {
	case MatchPartial:
		reason = "wrong-amount"
	case MatchSuspect:
		reason = "scam-attempt"
	}
	statement := "The payment did not match the order; I refunded it."
	if kind == MatchSuspect {
		statement = "The payment's note names crypto, from a new account in a rush: I refunded it to the payer."
	}
	b.once(o, "dispute", func() error {
		_, err := b.Market.Dispute(ctx, o.ID, api.DisputeRequest{Reason: reason, Statement: statement,
			Evidence: []string{tx, b.paidTx(o)}})
		return err
	})
}

// buy: the user buys crypto and pays the seller's Alipay.
func (u *userScript) buy(ctx context.Context, b *Bot, o api.OrderView) {
	lines := counterpartyLines(ctx, b, o)
	if o.State == api.StateCreated && b.since(o.CreatedAt) < 2*time.Minute {
		return // read the chat and the payment details first
	}
	if u.policy == Careless {
		u.buyCareless(ctx, b, o, lines)
		return
	}
	switch o.State {
	case api.StateCreated:
		// Stay on the platform: a request to leave it ends the order.
		for _, e := range lines {
			// Read, not labels: the same in exam mode, where none show.
			if asksToLeave(e.Text) {
				b.once(o, "cancel", func() error {
					_, err := b.Market.Cancel(ctx, o.ID, api.StateCreated)
					return err
				})
				return
			}
		}
		// Pay the order's account, exactly, and say so: whatever the form
		// came filled in with (w.SlipOf), the payee is the order's.
		if b.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) {
			markPaid(ctx, b, o)
		} else if b.did(o, "pay:order") {
			markPaid(ctx, b, o)
		}
	case api.StatePaid:
		if o.ReleaseDeadline != nil && !b.now().Before(o.ReleaseDeadline.Add(-time.Minute)) {
			u.disputeWithProof(ctx, b, o)
		}
	case api.StateDisputed:
		if tx := b.paidTx(o); tx != "" {
			b.once(o, "evidence", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, tx, "My payment, from my own account to the order's account")
				return err
			})
		}
	}
}

func (u *userScript) disputeWithProof(ctx context.Context, b *Bot, o api.OrderView) {
	b.once(o, "dispute", func() error {
		_, err := b.Market.Dispute(ctx, o.ID, api.DisputeRequest{Reason: "paid-not-released", Statement: "I paid the exact amount and the seller does not release.",
			Evidence: []string{b.paidTx(o)}})
		return err
	})
}

// asksToLeave: the line asks to take the trade off the platform (another
// app, a link, a cancel to pay elsewhere), as a careful reader sees it.
func asksToLeave(text string) bool {
	low := strings.ToLower(text)
	for _, w := range []string{"wechat", "weixin", "微信", "telegram", "whatsapp", "http://", "https://", "cancel this order", "取消订单"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// buyCareless does what the chat says.
func (u *userScript) buyCareless(ctx context.Context, b *Bot, o api.OrderView, lines []api.OrderLogEntry) {
	payTo := b.w.SlipOf(o) // the form as it came filled in, unread
	if st := b.w.StageOf(o); st != nil && st.Friend != nil && o.State == api.StateCreated {
		// Takes the cousin's offer, and marks paid once he did.
		if st.FriendPays(ctx, o) == nil {
			markPaid(ctx, b, o)
		}
		return
	}
	markFirst := false
	for _, e := range lines {
		low := strings.ToLower(e.Text)
		markFirst = markFirst || strings.Contains(low, "paid first")
		if m := loginInText.FindString(e.Text); m != "" && (strings.Contains(low, "pay") || strings.Contains(low, "friend")) {
			payTo = m // "pay to my friend's account" / "my other Alipay"
		}
		if strings.Contains(low, "cancel this order") && o.State == api.StateCreated {
			b.once(o, "cancel", func() error {
				_, err := b.Market.Cancel(ctx, o.ID, api.StateCreated)
				return err
			})
			b.pay(ctx, o, "offplatform", payTo, o.FiatTotal, "USDT")
			return
		}
		if strings.Contains(low, "pay") && strings.Contains(low, "again") {
			b.pay(ctx, o, "again", payTo, o.FiatTotal, fmt.Sprintf("order %d again", o.ID))
		}
	}
	if markFirst {
		// Marks paid as asked, then pays.
		switch o.State {
		case api.StateCreated:
			markPaid(ctx, b, o)
		case api.StatePaid, api.StateDisputed:
			b.pay(ctx, o, "order", payTo, o.FiatTotal, fmt.Sprintf("order %d", o.ID))
		}
		return
	}
	switch o.State {
	case api.StateCreated:
		if b.pay(ctx, o, "order", payTo, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) || b.did(o, "pay:order") {
			markPaid(ctx, b, o)
		}
	case api.StatePaid:
		// Waits; when the window ends the platform opens the dispute, and
		// the careless user never sends a payment record.
	}
}

// offered is what the user is shown to choose from; the careful user
// scores them, the careless one takes the cheapest.
func choose(policy Policy, ads []api.AdView) (api.AdView, bool) {
	if len(ads) == 0 {
		return api.AdView{}, false
	}
	if policy == Careless {
		best := ads[0]
		for _, a := range ads[1:] {
			if (a.Side == api.Sell && a.Price.Cmp(best.Price) < 0) || (a.Side == api.Buy && a.Price.Cmp(best.Price) > 0) {
				best = a
			}
		}
		return best, true
	}
	best, bestScore := api.AdView{}, int64(-1)
	for _, a := range ads {
		s := reliability.Of(a)
		if s.Excluded != "" {
			continue
		}
		if s.Score > bestScore {
			best, bestScore = a, s.Score
		}
	}
	return best, bestScore >= 0
}

var _ = client.OrderQuery{}
