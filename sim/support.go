package sim

import (
	"context"
	"fmt"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
)

// Support is the marketplace's simulated support desk. It settles a
// dispute from evidence only: payment records that it verifies on the
// Alipay rail itself, never a party's word, a screenshot or a chat claim.
type Support struct {
	b *Bot
	w *World
	// Delay is how long support takes to pick up a dispute.
	Delay time.Duration
	// Grace is how long a party has to send a payment record once asked.
	Grace time.Duration
	asked map[int64]bool // disputes whose request for evidence is posted
}

// Verdict is support's reading of a dispute's evidence.
type Verdict struct {
	Paid       bool   // the buyer paid the full amount from their own account to the order's account
	ThirdParty bool   // the money came from someone else's account
	Partial    bool   // the buyer paid less than the total
	Refunded   bool   // the seller sent the money back
	Fakes      int    // references that are not on the rail
	Note       string // what support found, in a sentence
}

func (w *World) newSupport(ctx context.Context) (savedPerson, error) {
	p := person{Handle: "p2pdesk-support", RealName: "p2pdesk Support", Phone: "support@p2pdesk.example"}
	acct, err := w.Admin.CreateUser(ctx, api.NewUserRequest{Name: p.Handle, RealName: p.RealName, KYCLevel: 2, Role: api.RoleSupport})
	if err != nil {
		return savedPerson{}, err
	}
	ra, tok, err := w.Rail.Open(ctx, alipay.NewAccount{Login: p.Phone, RealName: p.RealName, PaymentPassword: w.railPin(), Role: alipay.RoleVerifier, Simulated: true})
	if err != nil {
		return savedPerson{}, err
	}
	b := w.newBot(p.Handle, acct.User.ID, p, w.clientFor(acct.Credentials), client.NewAlipay(w.railBase, tok, w.railHTTP()), "", "")
	w.Support = &Support{b: b, w: w, Delay: 10 * time.Minute, Grace: 30 * time.Minute, asked: map[int64]bool{}}
	return savedPerson{UserID: acct.User.ID, RailID: ra.ID, Person: p}, nil
}

func (w *World) attachSupport(ctx context.Context, sp savedPerson) error {
	key, err := w.Market.Auth.Issue(ctx, sp.UserID, "sim restart")
	if err != nil {
		return err
	}
	tok, err := w.Rail.NewToken(ctx, sp.RailID)
	if err != nil {
		return err
	}
	b := w.newBot(sp.Person.Handle, sp.UserID, sp.Person, w.clientFor(key), client.NewAlipay(w.railBase, tok, w.railHTTP()), "", "")
	w.Support = &Support{b: b, w: w, Delay: 10 * time.Minute, Grace: 30 * time.Minute, asked: map[int64]bool{}}
	return nil
}

func (s *Support) poll(ctx context.Context) {
	ds, err := s.b.Market.Disputes(ctx)
	if err != nil {
		s.w.log.Warn("support", "err", err)
		return
	}
	for _, d := range ds {
		if d.DisputedAt == nil || s.b.since(*d.DisputedAt) < s.Delay {
			continue
		}
		s.handle(ctx, d)
	}
}

// Judge reads a dispute's evidence: every payment record either party
// attached, checked against the rail.
func (s *Support) Judge(ctx context.Context, d api.OrderView) (Verdict, error) {
	var v Verdict
	log, err := s.b.Market.Messages(ctx, d.ID, 0)
	if err != nil {
		return v, err
	}
	seen := map[string]bool{}
	for _, e := range log {
		if e.Kind != api.LogEvidence || e.Ref == "" || seen[e.Ref] {
			continue
		}
		seen[e.Ref] = true
		rc, err := s.b.Rail.Receipt(ctx, e.Ref)
		if err != nil {
			v.Fakes++
			continue
		}
		if rc.Kind != alipay.KindTransfer || rc.Status != alipay.StatusSuccess || rc.At.Before(d.CreatedAt) {
			continue
		}
		switch {
		case rc.ToLogin == d.PayTo.Account && rc.FromName == d.PayerName && rc.Amount.Cmp(d.FiatTotal) == 0:
			v.Paid = true
		case rc.ToLogin == d.PayTo.Account && rc.FromName == d.PayerName && rc.Amount.Cmp(d.FiatTotal) < 0:
			v.Partial = true
		case rc.ToLogin == d.PayTo.Account && rc.FromName != d.PayerName:
			v.ThirdParty = true
		case rc.FromLogin == d.PayTo.Account:
			v.Refunded = true // the seller sent money back to whoever paid
		}
	}
	switch {
	case v.Paid && !v.Refunded:
		v.Note = s.b.lineOf("The rail shows the buyer's full payment from their own account to the seller's account.")
	case v.Paid:
		v.Note = s.b.lineOf("The seller returned the buyer's payment to the payer and did not release: the crypto goes back to the seller.")
	case v.ThirdParty:
		v.Note = s.b.lineOf("The money came from an account that is not the buyer's: a third-party payment. The seller must return it to the payer.")
	case v.Partial:
		v.Note = s.b.lineOf("The buyer paid less than the order total. The seller must return what arrived.")
	default:
		v.Note = s.b.lineOf("No payment record from the buyer can be verified on the rail.")
	}
	if v.Fakes > 0 {
		v.Note += s.b.line("sim.support.fakes", fmt.Sprintf(" %d attached record(s) do not exist on Alipay.", v.Fakes), "N", v.Fakes)
	}
	return v, nil
}

// handle follows one dispute: when support picks it up, it says in the
// chat until when it takes evidence from both sides; at that moment it
// judges what both supplied and decides. Both moments follow from the
// dispute's time, so a restarted world keeps them.
func (s *Support) handle(ctx context.Context, d api.OrderView) {
	pickup := d.DisputedAt.Add(s.Delay)
	decide := pickup.Add(s.Grace)
	if s.b.now().Before(decide) {
		s.askOnce(ctx, d, decide)
		return
	}
	v, err := s.Judge(ctx, d)
	if err != nil {
		s.w.log.Warn("support judge", "order", d.ID, "err", err)
		return
	}
	res := api.ResolveRefund
	if v.Paid && !v.Refunded {
		res = api.ResolveRelease
	}
	if _, err := s.b.Market.Resolve(ctx, d.ID, res, v.Note); err != nil {
		s.w.log.Warn("support resolve", "order", d.ID, "err", err)
	}
}

// askOnce posts support's request for evidence, once per dispute (the
// order's log remembers it across restarts).
func (s *Support) askOnce(ctx context.Context, d api.OrderView, until time.Time) {
	if s.asked[d.ID] {
		return
	}
	log, err := s.b.Market.Messages(ctx, d.ID, 0)
	if err != nil {
		return
	}
	for _, e := range log {
		if e.From == "support" && e.Kind != api.LogState {
			s.asked[d.ID] = true
			return
		}
	}
	_, err = s.b.Market.SupportMessage(ctx, d.ID, s.b.line("sim.support.ask", fmt.Sprintf("Support here: we have taken up this dispute. Both sides, attach your evidence to this order until %s UTC (%d minutes): "+
		"buyer, the Alipay transaction id of your payment; seller, the statement line of any money that arrived, and of any refund. "+
		"We decide then, from payment records we verify on Alipay, never from screenshots or chat.", until.UTC().Format("15:04"), int(s.Grace.Minutes())),
		"Until", until.UTC().Format("15:04"), "Minutes", int(s.Grace.Minutes())))
	if err == nil {
		s.asked[d.ID] = true
	}
}
