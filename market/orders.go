package market

import (
	"context"
	"errors"
	"fmt"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// TakeAd opens an order against an ad. Every check and the escrow lock
// happen in one transaction: the ad is online, the amount fits its limits
// and what remains, the taker meets its requirements and their daily
// limit, and the seller has the funds, which are locked at once.
func (s *Service) TakeAd(ctx context.Context, user int64, req api.TakeRequest, idem *Idem) (api.OrderView, error) {
	var out api.OrderView
	err := s.update(ctx, func(o *op) error {
		v, err := idempotent(o, user, idem, func() (api.OrderView, error) {
			ord, err := o.take(user, req)
			if err != nil {
				return api.OrderView{}, err
			}
			return o.vc.orderView(ord, user)
		})
		out = v
		return err
	})
	return out, err
}

// take opens an order in four steps: check (the taker may take this ad
// now), price (the quantity and fiat total within the ad's limits),
// reserve (the order, the seller's escrow, the ad's stock and the taker's
// day) and announce (the order's first log line and the events).
func (o *op) take(user int64, req api.TakeRequest) (Order, error) {
	taker, ad, err := o.takeable(user, req)
	if err != nil {
		return Order{}, err
	}
	qty, total, err := priceTake(ad, req)
	if err != nil {
		return Order{}, err
	}
	if err := o.meetsAd(taker, ad); err != nil {
		return Order{}, err
	}
	ord, ad, err := o.reserve(taker, ad, qty, total, req.Payment)
	if err != nil {
		return Order{}, err
	}
	return ord, o.announceTake(ord, ad)
}

// takeable loads the taker and the ad and checks the ad takes orders from
// them at the price they saw.
func (o *op) takeable(user int64, req api.TakeRequest) (api.User, Ad, error) {
	taker, err := o.user(user)
	if err != nil {
		return taker, Ad{}, err
	}
	if err := canTrade(taker); err != nil {
		return taker, Ad{}, err
	}
	ad, err := o.tx.Ad(req.AdID)
	if errors.Is(err, ErrNotFound) || (err == nil && ad.Status == api.AdDeleted) {
		return taker, ad, notFound("ad")
	} else if err != nil {
		return taker, ad, err
	}
	if ad.MakerID == user {
		return taker, ad, api.Errorf(api.CodeOwnAd, "adId", "you cannot take your own ad")
	}
	if ad.Status != api.AdOnline {
		return taker, ad, api.Errorf(api.CodeAdNotOnline, "adId", "this ad is %s and takes no orders now", ad.Status)
	}
	if req.ExpectPrice != "" {
		want, err := api.ParseAmount(req.ExpectPrice, api.PriceScale, "expectPrice")
		if err != nil {
			return taker, ad, err
		}
		if want.Cmp(ad.Price) != 0 {
			return taker, ad, api.Errorf(api.CodePriceChanged, "expectPrice", "the price moved from %s to %s %s: check it and try again", want, ad.Price, ad.Fiat)
		}
	}
	return taker, ad, nil
}

// priceTake is the quantity asked for (in crypto, or as fiat converted
// rounding down) and its fiat total, held to the ad's limits and stock.
func priceTake(ad Ad, req api.TakeRequest) (qty, total money.Amount, err error) {
	switch {
	case req.Amount != "" && req.FiatAmount != "":
		return qty, total, api.Errorf(api.CodeInvalidArgument, "amount", "give either amount or fiatAmount, not both")
	case req.Amount != "":
		if qty, err = api.ParseAmount(req.Amount, ad.Asset.Scale(), "amount"); err != nil {
			return qty, total, err
		}
	case req.FiatAmount != "":
		f, err := api.ParseAmount(req.FiatAmount, ad.Fiat.Scale(), "fiatAmount")
		if err != nil {
			return qty, total, err
		}
		if qty, err = api.QuantityForFiat(f, ad.Price, ad.Asset); err != nil {
			return qty, total, err
		}
		if !qty.IsPositive() {
			return qty, total, api.Errorf(api.CodeAmountOutOfRange, "fiatAmount", "%s %s buys nothing at this price", f.Fixed(), ad.Fiat)
		}
	default:
		return qty, total, api.Errorf(api.CodeAmountInvalid, "amount", "give the amount to trade")
	}
	if total, err = api.FiatTotal(ad.Price, qty, ad.Fiat); err != nil {
		return qty, total, err
	}
	if total.Cmp(ad.MinFiat) < 0 || total.Cmp(ad.MaxFiat) > 0 {
		return qty, total, api.Errorf(api.CodeAmountOutOfRange, "amount", "the order total %s %s is outside this ad's limits %s-%s %s",
			total.Fixed(), ad.Fiat, ad.MinFiat.Fixed(), ad.MaxFiat.Fixed(), ad.Fiat)
	}
	if qty.Cmp(ad.Remaining) > 0 {
		return qty, total, api.Errorf(api.CodeAmountOverAvailable, "amount", "the ad has only %s %s left", ad.Remaining, ad.Asset)
	}
	return qty, total, nil
}

// meetsAd checks the taker against the ad's requirements.
func (o *op) meetsAd(taker api.User, ad Ad) error {
	if taker.KYCLevel < ad.MinKYC {
		return api.Errorf(api.CodeKYCRequired, "adId", "this ad asks for KYC level %d; yours is %d", ad.MinKYC, taker.KYCLevel)
	}
	if ad.MinCompletionBP == 0 {
		return nil
	}
	recs, err := records(o.tx, []int64{taker.ID}, o.now, o.s.cfg.RecordDays)
	if err != nil {
		return err
	}
	// A trader with no finished order yet has no rate to hold against them.
	if c := recs[taker.ID].CompletionBP; c != nil && *c < ad.MinCompletionBP {
		return api.Errorf(api.CodeCompletionTooLow, "adId", "this ad asks for a completion rate of %s%%; yours is %s%%",
			money.New(ad.MinCompletionBP, 2), money.New(*c, 2))
	}
	return nil
}

// reserve writes the order and everything it holds: the taker's day
// against their limit, the seller's crypto in escrow, the ad's stock. It
// returns the ad as it leaves it.
func (o *op) reserve(taker api.User, ad Ad, qty, total money.Amount, payment string) (Order, Ad, error) {
	user := taker.ID
	usage, err := o.chargeLimit(taker, ad.Fiat, total)
	if err != nil {
		return Order{}, ad, err
	}
	method, err := o.pickMethod(ad, payment)
	if err != nil {
		return Order{}, ad, err
	}
	ord := Order{
		AdID: ad.ID, MakerID: ad.MakerID, TakerID: user, Asset: ad.Asset, Fiat: ad.Fiat,
		Price: ad.Price, Amount: qty, FiatTotal: total, Payment: method, State: api.StateCreated,
		CreatedAt: o.now, PayDeadline: o.now.Add(time.Duration(ad.WindowMin) * time.Minute), Version: 1,
	}
	if ad.Side == api.Sell {
		ord.SellerID, ord.BuyerID = ad.MakerID, user
	} else {
		ord.SellerID, ord.BuyerID = user, ad.MakerID
	}
	seller, err := o.user(ord.SellerID)
	if err != nil {
		return Order{}, ad, err
	}
	buyer, err := o.user(ord.BuyerID)
	if err != nil {
		return Order{}, ad, err
	}
	ord.SellerAccount, err = o.tx.PaymentAccount(seller.ID, method)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Order{}, ad, err
	}
	if ord.SellerAccount.Account == "" {
		if seller.ID == user {
			return Order{}, ad, api.Errorf(api.CodePaymentDetailsNeeded, "payment", "add your %s account (in your own name) before selling", method.Label())
		}
		return Order{}, ad, api.Errorf(api.CodePaymentNotAccepted, "payment", "the merchant has no %s account on file", method.Label())
	}
	ord.BuyerRealName = buyer.RealName
	if err := o.tx.InsertOrder(&ord); err != nil {
		return Order{}, ad, err
	}
	if err := lockEscrow(o.tx, ord, o.now); err != nil {
		if api.CodeOf(err) == api.CodeInsufficientBalance {
			if seller.ID == user {
				return Order{}, ad, api.Errorf(api.CodeInsufficientBalance, "amount", "your available %s balance is below %s", ord.Asset, qty)
			}
			return Order{}, ad, api.Errorf(api.CodeInsufficientBalance, "amount", "the merchant's %s balance is too low for this order", ord.Asset)
		}
		return Order{}, ad, err
	}
	if ad.Remaining, err = ad.Remaining.Sub(qty); err != nil {
		return Order{}, ad, err
	}
	refreshAvail(&ad)
	ad.UpdatedAt, ad.Version = o.now, ad.Version+1
	if err := o.tx.UpdateAd(ad); err != nil {
		return Order{}, ad, err
	}
	return ord, ad, o.tx.PutUsage(usage)
}

// announceTake writes the order's first log line, which tells each side
// what to do, and tells both parties and every market screen.
func (o *op) announceTake(ord Order, ad Ad) error {
	method := ord.Payment.Label()
	if _, err := o.log(ord.ID, ord.TakerID, api.LogState, api.StateCreated, fmt.Sprintf("Order opened: %s %s for %s %s; the %s is locked in escrow. "+
		"Buyer: pay exactly %s %s to the seller's %s account within %d minutes, from an account in your own name, then mark the order paid. "+
		"Seller: release only after the money is in your own %s statement.",
		ord.Amount, ord.Asset, ord.FiatTotal.Fixed(), ord.Fiat, ord.Asset, ord.FiatTotal.Fixed(), ord.Fiat, method, ad.WindowMin, method), ""); err != nil {
		return err
	}
	if err := o.orderChanged(ord, api.EventOrderCreated); err != nil {
		return err
	}
	return o.adChanged(ad)
}

// pickMethod is the payment method of the order: the one asked for, or
// the first the ad accepts.
func (o *op) pickMethod(ad Ad, asked string) (api.PaymentMethod, error) {
	if asked == "" {
		ms := ad.Payments.Methods()
		if len(ms) == 0 {
			return "", api.Errorf(api.CodePaymentNotAccepted, "payment", "the ad accepts no payment method")
		}
		return ms[0], nil
	}
	m, err := api.ParsePaymentMethod(asked)
	if err != nil {
		return "", err
	}
	if !ad.Payments.Has(m) {
		return "", api.Errorf(api.CodePaymentNotAccepted, "payment", "this ad does not accept %s", m.Label())
	}
	return m, nil
}

// chargeLimit checks and returns the taker's usage with total added. The
// sum is checked arithmetic: a total that would carry the day's usage past
// 64 bits is over any limit, never a wrap to a negative usage.
func (o *op) chargeLimit(u api.User, fiat api.Fiat, total money.Amount) (Usage, error) {
	limit, ok := o.s.cfg.DailyLimits[u.KYCLevel][fiat]
	if !ok {
		return Usage{}, api.Errorf(api.CodeKYCRequired, "", "KYC level %d cannot trade %s: complete identity verification first", u.KYCLevel, fiat)
	}
	usage, err := o.tx.Usage(u.ID, dayOf(o.now), fiat)
	if err != nil {
		return Usage{}, err
	}
	usage.UserID, usage.Day, usage.Fiat = u.ID, dayOf(o.now), fiat
	used := money.New(usage.Amount, fiat.Scale())
	sum, err := used.Add(total)
	if err != nil || used.IsNegative() || sum.Cmp(limit) > 0 {
		left, lerr := limit.Sub(used)
		if lerr != nil || left.IsNegative() || used.IsNegative() {
			left = money.Zero(fiat.Scale())
		}
		return Usage{}, api.Errorf(api.CodeDailyLimitExceeded, "amount", "this order (%s %s) is over your daily limit: %s %s left today of %s",
			total.Fixed(), fiat, left.Fixed(), fiat, limit.Fixed())
	}
	if usage.Amount, err = sum.UnitsAt(fiat.Scale()); err != nil {
		return Usage{}, err
	}
	return usage, nil
}

// refundLimit gives a cancelled or expired order's total back to the
// taker's usage for the day it was opened.
func (o *op) refundLimit(ord Order) error {
	u, err := o.tx.Usage(ord.TakerID, dayOf(ord.CreatedAt), ord.Fiat)
	if err != nil {
		return err
	}
	u.UserID, u.Day, u.Fiat = ord.TakerID, dayOf(ord.CreatedAt), ord.Fiat
	left, err := money.New(u.Amount, ord.Fiat.Scale()).Sub(ord.FiatTotal)
	if err != nil || left.IsNegative() {
		left = money.Zero(ord.Fiat.Scale())
	}
	if u.Amount, err = left.UnitsAt(ord.Fiat.Scale()); err != nil {
		return err
	}
	return o.tx.PutUsage(u)
}

// returnToAd puts a voided order's amount back on its ad.
func (o *op) returnToAd(ord Order) error {
	ad, err := o.tx.Ad(ord.AdID)
	if err != nil {
		return err
	}
	if ad.Remaining, err = ad.Remaining.Add(ord.Amount); err != nil {
		return err
	}
	refreshAvail(&ad)
	ad.UpdatedAt, ad.Version = o.now, ad.Version+1
	if err := o.tx.UpdateAd(ad); err != nil {
		return err
	}
	if ad.Status == api.AdDeleted {
		return nil
	}
	return o.adChanged(ad)
}

// orderChanged tells both parties; each sees their own view.
func (o *op) orderChanged(ord Order, typ api.EventType) error {
	if o.s.past {
		return nil // no event, and so no view to build for one
	}
	for _, u := range []int64{ord.BuyerID, ord.SellerID} {
		v, err := o.vc.orderView(ord, u)
		if err != nil {
			return err
		}
		if err := o.emit(u, typ, v); err != nil {
			return err
		}
	}
	return nil
}

// Expect is what a client believes the order's state is; a mutating call
// carrying one is refused if the order moved on.
type Expect struct {
	State api.OrderState `json:"expectState,omitempty"`
}

// mine loads an order the user is a party to; anyone else gets NOT_FOUND.
func (o *op) mine(user, id int64, expect Expect) (Order, error) {
	ord, err := o.tx.Order(id)
	if errors.Is(err, ErrNotFound) || (err == nil && user != ord.BuyerID && user != ord.SellerID) {
		return ord, notFound("order")
	}
	if err != nil {
		return ord, err
	}
	if expect.State != "" && expect.State != ord.State {
		return ord, api.Errorf(api.CodeOrderStateConflict, "expectState", "the order is %s, not %s: it moved on", ord.State, expect.State)
	}
	return ord, nil
}

func conflict(ord Order, action string) error {
	return api.Errorf(api.CodeOrderStateConflict, "", "cannot %s: the order is %s", action, ord.State)
}

func (o *op) save(ord *Order) error {
	ord.Version++
	return o.tx.UpdateOrder(*ord)
}

// transition runs one order action as a party.
func (s *Service) transition(ctx context.Context, user, id int64, expect Expect, fn func(o *op, ord *Order) (api.EventType, error)) (api.OrderView, error) {
	var out api.OrderView
	err := s.update(ctx, func(o *op) error {
		ord, err := o.mine(user, id, expect)
		if err != nil {
			return err
		}
		typ, err := fn(o, &ord)
		if err != nil {
			return err
		}
		if err := o.save(&ord); err != nil {
			return err
		}
		if err := o.orderChanged(ord, typ); err != nil {
			return err
		}
		out, err = o.vc.orderView(ord, user)
		return err
	})
	return out, err
}

// MarkPaid: the buyer says the fiat was sent. Only the buyer, only while
// the order is open and its payment window has not ended.
func (s *Service) MarkPaid(ctx context.Context, user, id int64, expect Expect) (api.OrderView, error) {
	return s.transition(ctx, user, id, expect, func(o *op, ord *Order) (api.EventType, error) {
		if user != ord.BuyerID {
			return "", api.Errorf(api.CodeNotYourRole, "", "only the buyer marks an order paid")
		}
		if ord.State != api.StateCreated {
			return "", conflict(*ord, "mark paid")
		}
		if !o.now.Before(ord.PayDeadline) {
			return "", api.Errorf(api.CodeOrderExpired, "", "the payment window ended at %s: the order expires and the escrow returns to the seller", ord.PayDeadline.Format(time.RFC3339))
		}
		ord.State, ord.PaidAt = api.StatePaid, o.now
		ord.ReleaseDeadline = o.now.Add(o.s.cfg.ReleaseWindow)
		if err := o.bump(ord.BuyerID, TraderDay{PaySumS: secs(o.now.Sub(ord.CreatedAt)), PayN: 1}); err != nil {
			return "", err
		}
		if _, err := o.log(ord.ID, user, api.LogState, api.StatePaid, "The buyer marked the order paid. Seller: check your own statement before you release; a claim in chat or a screenshot is not a payment.", ""); err != nil {
			return "", err
		}
		return api.EventOrderPaid, nil
	})
}

// Cancel: the buyer gives up before paying; the escrow returns to the seller.
func (s *Service) Cancel(ctx context.Context, user, id int64, expect Expect) (api.OrderView, error) {
	return s.transition(ctx, user, id, expect, func(o *op, ord *Order) (api.EventType, error) {
		if user != ord.BuyerID {
			if ord.State == api.StatePaid || ord.State == api.StateDisputed {
				return "", api.Errorf(api.CodeNotYourRole, "", "a seller can never cancel once the buyer has marked the order paid")
			}
			return "", api.Errorf(api.CodeNotYourRole, "", "only the buyer cancels an order")
		}
		if ord.State != api.StateCreated {
			return "", conflict(*ord, "cancel")
		}
		return api.EventOrderCancelled, o.void(ord, api.StateCancelled, user, "The buyer cancelled the order. The escrow returned to the seller.")
	})
}

// void ends an unpaid order: escrow back to the seller, amount back to the
// ad, the taker's limit back, and a failed order on the buyer's record.
func (o *op) void(ord *Order, state api.OrderState, by int64, text string) error {
	if err := refundEscrow(o.tx, *ord, o.now); err != nil {
		return err
	}
	ord.State, ord.ClosedAt, ord.CancelledBy = state, o.now, by
	if err := o.returnToAd(*ord); err != nil {
		return err
	}
	if err := o.refundLimit(*ord); err != nil {
		return err
	}
	if err := o.bump(ord.BuyerID, TraderDay{Failed: 1}); err != nil {
		return err
	}
	_, err := o.log(ord.ID, by, api.LogState, state, text, "")
	return err
}

// Release: the seller confirms the fiat arrived and the crypto goes to the
// buyer. Only the seller, only after "paid" (or during a dispute, which it
// settles). The API asks for a one-time code before calling this.
func (s *Service) Release(ctx context.Context, user, id int64, expect Expect) (api.OrderView, error) {
	return s.transition(ctx, user, id, expect, func(o *op, ord *Order) (api.EventType, error) {
		if user != ord.SellerID {
			return "", api.Errorf(api.CodeNotYourRole, "", "only the seller releases the crypto")
		}
		if ord.State != api.StatePaid && ord.State != api.StateDisputed {
			if ord.State == api.StateCreated {
				return "", api.Errorf(api.CodeOrderStateConflict, "", "the buyer has not marked the order paid: never release before the money is in your account")
			}
			return "", conflict(*ord, "release")
		}
		return api.EventOrderCompleted, o.complete(ord, user)
	})
}

func (o *op) complete(ord *Order, by int64) error {
	if err := releaseEscrow(o.tx, *ord, o.now); err != nil {
		return err
	}
	ord.State, ord.ClosedAt = api.StateCompleted, o.now
	if err := o.bump(ord.BuyerID, TraderDay{Completed: 1}); err != nil {
		return err
	}
	if err := o.bump(ord.SellerID, TraderDay{Completed: 1, ReleaseSumS: secs(o.now.Sub(ord.PaidAt)), ReleaseN: 1}); err != nil {
		return err
	}
	_, err := o.log(ord.ID, by, api.LogState, api.StateCompleted, fmt.Sprintf("The seller released %s %s to the buyer. The order is complete.", ord.Amount, ord.Asset), "")
	return err
}

// DisputeRequest opens a dispute.
type DisputeRequest struct {
	Reason    string   `json:"reason"`
	Statement string   `json:"statement,omitempty"`
	Evidence  []string `json:"evidence,omitempty"` // e.g. Alipay transaction ids
}

// Dispute: either party asks support to decide. Only after "paid".
func (s *Service) Dispute(ctx context.Context, user, id int64, req DisputeRequest, expect Expect) (api.OrderView, error) {
	return s.transition(ctx, user, id, expect, func(o *op, ord *Order) (api.EventType, error) {
		if ord.State != api.StatePaid {
			if ord.State == api.StateCreated {
				return "", api.Errorf(api.CodeOrderStateConflict, "", "a dispute can be opened once the buyer has marked the order paid")
			}
			return "", conflict(*ord, "open a dispute")
		}
		known := false
		for _, r := range api.DisputeReasons {
			known = known || r == req.Reason
		}
		if !known {
			return "", api.Errorf(api.CodeInvalidArgument, "reason", "reason must be one of %v", api.DisputeReasons)
		}
		stmt, err := trimText(req.Statement, "statement", 2000)
		if err != nil {
			return "", err
		}
		ord.State, ord.DisputedAt, ord.DisputeBy, ord.DisputeReason = api.StateDisputed, o.now, user, req.Reason
		text := fmt.Sprintf("The %s opened a dispute (%s). Support will decide from the payment records and this chat.", ord.RoleOf(user), req.Reason)
		if _, err := o.log(ord.ID, user, api.LogState, api.StateDisputed, text, ""); err != nil {
			return "", err
		}
		if stmt != "" {
			if _, err := o.log(ord.ID, user, api.LogEvidence, "", stmt, ""); err != nil {
				return "", err
			}
		}
		for _, ref := range req.Evidence {
			if err := o.evidence(ord.ID, user, ref, ""); err != nil {
				return "", err
			}
		}
		return api.EventOrderDisputed, nil
	})
}

func (o *op) evidence(orderID, user int64, ref, note string) error {
	ref, err := trimText(ref, "evidence", 128)
	if err != nil {
		return err
	}
	note, err = trimText(note, "note", 2000)
	if err != nil {
		return err
	}
	if ref == "" && note == "" {
		return api.Errorf(api.CodeInvalidArgument, "evidence", "evidence needs a reference or a note")
	}
	text := note
	if text == "" {
		text = "Payment record " + ref
	}
	_, err = o.log(orderID, user, api.LogEvidence, "", text, ref)
	return err
}

// AddEvidence adds an item to an open dispute.
func (s *Service) AddEvidence(ctx context.Context, user, id int64, ref, note string) (api.LogEntry, error) {
	var out api.LogEntry
	err := s.update(ctx, func(o *op) error {
		ord, err := o.mine(user, id, Expect{})
		if err != nil {
			return err
		}
		if ord.State != api.StateDisputed {
			return conflict(ord, "add evidence")
		}
		if err := o.evidence(id, user, ref, note); err != nil {
			return err
		}
		log, err := o.tx.OrderLog(id, 0)
		if err != nil {
			return err
		}
		out = log[len(log)-1]
		return o.chatEvent(ord, out)
	})
	return out, err
}

// Resolve: support settles a dispute, releasing to the buyer or refunding
// the seller.
func (s *Service) Resolve(ctx context.Context, agent, id int64, res api.Resolution, note string) (api.OrderView, error) {
	var out api.OrderView
	err := s.update(ctx, func(o *op) error {
		a, err := o.user(agent)
		if err != nil {
			return err
		}
		if a.Role != api.RoleSupport && a.Role != api.RoleAdmin {
			return api.Errorf(api.CodeForbidden, "", "only support resolves disputes")
		}
		ord, err := o.tx.Order(id)
		if errors.Is(err, ErrNotFound) {
			return notFound("order")
		} else if err != nil {
			return err
		}
		if ord.State != api.StateDisputed {
			return conflict(ord, "resolve")
		}
		note, err = trimText(note, "note", 2000)
		if err != nil {
			return err
		}
		switch res {
		case api.ResolveRelease:
			err = releaseEscrow(o.tx, ord, o.now)
		case api.ResolveRefund:
			err = refundEscrow(o.tx, ord, o.now)
			if err == nil {
				err = o.returnToAd(ord)
			}
		default:
			return api.Errorf(api.CodeInvalidArgument, "resolution", "resolution must be \"release\" or \"refund\"")
		}
		if err != nil {
			return err
		}
		ord.State, ord.Resolution, ord.ClosedAt = api.StateResolved, res, o.now
		winner, loser := ord.BuyerID, ord.SellerID
		what := fmt.Sprintf("released %s %s to the buyer", ord.Amount, ord.Asset)
		if res == api.ResolveRefund {
			winner, loser = ord.SellerID, ord.BuyerID
			what = fmt.Sprintf("returned %s %s to the seller", ord.Amount, ord.Asset)
		}
		if err := o.bump(winner, TraderDay{Completed: 1}); err != nil {
			return err
		}
		if err := o.bump(loser, TraderDay{Failed: 1}); err != nil {
			return err
		}
		text := "Support resolved the dispute and " + what + "."
		if note != "" {
			text += " " + note
		}
		if _, err := o.log(ord.ID, 0, api.LogState, api.StateResolved, text, ""); err != nil {
			return err
		}
		if err := o.save(&ord); err != nil {
			return err
		}
		if err := o.orderChanged(ord, api.EventOrderResolved); err != nil {
			return err
		}
		out, err = o.vc.orderView(ord, agent)
		return err
	})
	return out, err
}

// Rate: each party rates the other once, after the order completes.
func (s *Service) Rate(ctx context.Context, user, id int64, positive bool, comment string) (api.OrderView, error) {
	return s.transition(ctx, user, id, Expect{}, func(o *op, ord *Order) (api.EventType, error) {
		if ord.State != api.StateCompleted && ord.State != api.StateResolved {
			return "", conflict(*ord, "rate")
		}
		r := -1
		if positive {
			r = 1
		}
		mine := &ord.BuyerRating
		if user == ord.SellerID {
			mine = &ord.SellerRating
		}
		if *mine != 0 {
			return "", api.Errorf(api.CodeAlreadyRated, "", "you already rated this order")
		}
		*mine = r
		d := TraderDay{Positive: 1}
		if !positive {
			d = TraderDay{Negative: 1}
		}
		if err := o.bump(ord.Counterparty(user), d); err != nil {
			return "", err
		}
		comment, err := trimText(comment, "comment", 500)
		if err != nil {
			return "", err
		}
		word := "positive"
		if !positive {
			word = "negative"
		}
		text := fmt.Sprintf("The %s left %s feedback.", ord.RoleOf(user), word)
		if comment != "" {
			text += " \"" + comment + "\""
		}
		if _, err := o.log(ord.ID, user, api.LogSystem, "", text, ""); err != nil {
			return "", err
		}
		return api.EventOrderRated, nil
	})
}

// MaxMessageLength bounds a chat message.
const MaxMessageLength = 1000

// PostMessage adds a chat line from a party.
func (s *Service) PostMessage(ctx context.Context, user, id int64, text string) (api.LogEntry, error) {
	var out api.LogEntry
	err := s.update(ctx, func(o *op) error {
		ord, err := o.mine(user, id, Expect{})
		if err != nil {
			return err
		}
		text, err := trimText(text, "text", MaxMessageLength)
		if err != nil {
			return err
		}
		if text == "" {
			return api.Errorf(api.CodeInvalidArgument, "text", "the message is empty")
		}
		if out, err = o.log(ord.ID, user, api.LogChat, "", text, ""); err != nil {
			return err
		}
		return o.chatEvent(ord, out)
	})
	return out, err
}

func (o *op) chatEvent(ord Order, e api.LogEntry) error {
	for _, u := range []int64{ord.BuyerID, ord.SellerID} {
		from := roleName(ord, e.Actor)
		// The server adds the reader's anti-phishing code and the warnings
		// as it streams the line.
		msg := api.ChatMessage{OrderID: ord.ID, Entry: api.OrderLogEntry{LogEntryView: api.LogEntryView{LogEntry: e, From: from}}, From: from, Role: roleName(ord, u)}
		if err := o.emit(u, api.EventChatMessage, msg); err != nil {
			return err
		}
	}
	return nil
}

// GetOrder returns an order to one of its parties, or to support.
func (s *Service) GetOrder(ctx context.Context, viewer, id int64) (api.OrderView, error) {
	var out api.OrderView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ord, err := s.visible(tx, viewer, id)
		if err != nil {
			return err
		}
		out, err = newViewCtx(tx, now, s.cfg.RecordDays).orderView(ord, viewer)
		return err
	})
	return out, err
}

func (s *Service) visible(tx ReadTx, viewer, id int64) (Order, error) {
	ord, err := tx.Order(id)
	if errors.Is(err, ErrNotFound) {
		return ord, notFound("order")
	}
	if err != nil {
		return ord, err
	}
	if viewer != ord.BuyerID && viewer != ord.SellerID {
		u, err := tx.User(viewer)
		if err != nil || (u.Role != api.RoleSupport && u.Role != api.RoleAdmin) {
			return ord, notFound("order")
		}
	}
	return ord, nil
}

// OrderLog returns an order's history and chat to a party or support.
func (s *Service) OrderLog(ctx context.Context, viewer, id, afterID int64) ([]api.LogEntryView, error) {
	var out []api.LogEntryView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ord, err := s.visible(tx, viewer, id)
		if err != nil {
			return err
		}
		es, err := tx.OrderLog(id, afterID)
		if err != nil {
			return err
		}
		out = make([]api.LogEntryView, 0, len(es))
		for _, e := range es {
			out = append(out, api.LogEntryView{LogEntry: e, From: roleName(ord, e.Actor)})
		}
		return nil
	})
	return out, err
}

// OrderFilter lists a user's orders.
type OrderFilter struct {
	Open     *bool
	States   []string
	Asset    string
	Side     string
	BeforeID int64
	Limit    int
}

// ListOrders lists the user's orders, newest first.
func (s *Service) ListOrders(ctx context.Context, user int64, f OrderFilter) ([]api.OrderView, error) {
	q := OrderQuery{UserID: user, Open: f.Open, BeforeID: f.BeforeID, Limit: f.Limit}
	switch {
	case q.Limit == 0:
		q.Limit = 50
	case q.Limit < 0 || q.Limit > 200:
		return nil, api.Errorf(api.CodeInvalidArgument, "limit", "limit must be from 1 to 200")
	}
	for _, st := range f.States {
		state := api.OrderState(st)
		switch state {
		case api.StateCreated, api.StatePaid, api.StateCompleted, api.StateCancelled, api.StateExpired, api.StateDisputed, api.StateResolved:
			q.States = append(q.States, state)
		default:
			return nil, api.Errorf(api.CodeInvalidArgument, "state", "unknown order state %q", st)
		}
	}
	if f.Asset != "" {
		a, err := api.ParseAsset(f.Asset)
		if err != nil {
			return nil, err
		}
		q.Asset = a
	}
	if f.Side != "" {
		sd, err := api.ParseSide(f.Side)
		if err != nil {
			return nil, err
		}
		q.Side = sd
	}
	var out []api.OrderView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ords, err := tx.Orders(q)
		if err != nil {
			return err
		}
		out = make([]api.OrderView, 0, len(ords))
		vc := newViewCtx(tx, now, s.cfg.RecordDays)
		for _, ord := range ords {
			v, err := vc.orderView(ord, user)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Disputes lists open disputes, oldest first, for support.
func (s *Service) Disputes(ctx context.Context, agent int64) ([]api.OrderView, error) {
	var out []api.OrderView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		a, err := tx.User(agent)
		if err != nil || (a.Role != api.RoleSupport && a.Role != api.RoleAdmin) {
			return api.Errorf(api.CodeForbidden, "", "only support sees disputes")
		}
		ords, err := tx.OrdersInState(api.StateDisputed, 500)
		if err != nil {
			return err
		}
		vc := newViewCtx(tx, now, s.cfg.RecordDays)
		out = make([]api.OrderView, 0, len(ords))
		for _, o := range ords {
			v, err := vc.orderView(o, agent)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// SupportMessage posts a line from support into a disputed order's chat,
// e.g. to ask a party for evidence.
func (s *Service) SupportMessage(ctx context.Context, agent, id int64, text string) (api.LogEntry, error) {
	var out api.LogEntry
	err := s.update(ctx, func(o *op) error {
		a, err := o.user(agent)
		if err != nil {
			return err
		}
		if a.Role != api.RoleSupport && a.Role != api.RoleAdmin {
			return api.Errorf(api.CodeForbidden, "", "only support writes as support")
		}
		ord, err := o.tx.Order(id)
		if errors.Is(err, ErrNotFound) {
			return notFound("order")
		} else if err != nil {
			return err
		}
		if ord.State != api.StateDisputed {
			return conflict(ord, "write as support")
		}
		text, err := trimText(text, "text", MaxMessageLength)
		if err != nil {
			return err
		}
		if out, err = o.log(ord.ID, agent, api.LogSystem, "", text, ""); err != nil {
			return err
		}
		return o.chatEvent(ord, out)
	})
	return out, err
}
