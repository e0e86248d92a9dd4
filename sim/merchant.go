package sim

import (
	"context"
	"fmt"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// Persona is how an honest trader behaves: how fast they pay and release,
// what language they write in.
type Persona struct {
	ReleaseDelay time.Duration // from "paid" and money seen, to release
	PayDelay     time.Duration // from order open, to paying
	Chinese      bool
	Verified     bool
	CompletionBP int64 // target completion rate for the seeded past
}

func newPersona(b *Bot) Persona {
	return Persona{
		ReleaseDelay: b.jitter(40*time.Second, 7*time.Minute),
		PayDelay:     b.jitter(60*time.Second, 6*time.Minute),
		Chinese:      b.rng.IntN(3) == 0,
		Verified:     b.rng.IntN(5) < 2,
		CompletionBP: 8500 + b.rng.Int64N(1490),
	}
}

// Honest plays either side of an order straight: as seller it releases
// only when the exact amount from the buyer's own account is in its own
// statement; as buyer it pays the exact amount to the seller's account,
// then marks the order paid.
type Honest struct{ P Persona }

// line is the merchant's chat line: Chinese for a Chinese-speaking
// persona, or when the learner reads Chinese.
func (h *Honest) line(b *Bot, en, zh string) string {
	if h.P.Chinese || b.w.learnerZH() {
		return zh
	}
	return en
}

// Act is the honest response to one look at an order.
func (h *Honest) Act(ctx context.Context, b *Bot, o api.OrderView) {
	if o.Role == "seller" {
		h.sell(ctx, b, o)
		return
	}
	h.buy(ctx, b, o)
}

func (h *Honest) sell(ctx context.Context, b *Bot, o api.OrderView) {
	b.say(ctx, o, "greet", h.line(b,
		fmt.Sprintf("Hi! Please pay %s CNY to my %s account in your own name, then mark the order paid.", o.FiatTotal.Fixed(), o.Payment.Label()),
		fmt.Sprintf("您好，请用本人%s账户支付 %s 元，付款后点击已付款。", zhMethod.T("method."+string(o.Payment)), o.FiatTotal.Fixed())))
	line, kind, got := b.incoming(ctx, o)
	switch o.State {
	case api.StateCreated:
		if got && kind == MatchExact && b.since(line.At) > 2*time.Minute {
			b.say(ctx, o, "mark-paid", h.line(b, "I can see your payment. Please mark the order as paid.", "已收到款项，请点击已付款。"))
		}
	case api.StatePaid, api.StateDisputed:
		switch {
		case got && kind == MatchExact:
			if o.State == api.StateDisputed || (o.PaidAt != nil && b.since(*o.PaidAt) >= h.P.ReleaseDelay) {
				if b.release(ctx, o) {
					b.say(ctx, o, "thanks", h.line(b, "Received, released. Thank you!", "已收到，已放币，谢谢！"))
				}
			}
		case got:
			// Not the buyer's money, or not all of it: give it back and let
			// support decide. Never release on it.
			if b.pay(ctx, o, "refund", line.CounterpartyLogin, line.Amount, fmt.Sprintf("Refund: order %d", o.ID)) {
				b.say(ctx, o, "refund", h.line(b, "The payment did not match the order (wrong name or amount). I sent it back and opened a dispute.",
					"付款与订单不符（姓名或金额不对），已原路退回并申诉。"))
			}
			if o.State == api.StatePaid && b.did(o, "pay:refund") {
				reason := "third-party-payment"
				if kind == MatchPartial {
					reason = "wrong-amount"
				}
				b.once(o, "dispute", func() error {
					_, err := b.Market.Dispute(ctx, o.ID, api.DisputeRequest{Reason: reason, Statement: b.lineOf("Payment did not match; refunded."), Evidence: []string{line.TxID, b.paidTx(o)}})
					return err
				})
			}
		case o.State == api.StatePaid && o.PaidAt != nil && b.since(*o.PaidAt) > 10*time.Minute:
			b.say(ctx, o, "not-yet", h.line(b, "I have not received the payment yet. Please check the account and amount.", "还没有收到款，请核对账户和金额。"))
		case o.State == api.StateDisputed:
			b.once(o, "evidence", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("My Alipay statement shows no payment for this order."))
				return err
			})
		}
	}
}

func (h *Honest) buy(ctx context.Context, b *Bot, o api.OrderView) {
	b.say(ctx, o, "greet", h.line(b, "Hi, I will pay shortly.", "您好，马上付款。"))
	switch o.State {
	case api.StateCreated:
		if b.since(o.CreatedAt) < h.P.PayDelay {
			return
		}
		if b.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("P2P order %d", o.ID)) {
			b.say(ctx, o, "paid", h.line(b, "Paid, please check your Alipay.", "已付款，请查收。"))
		}
		if b.did(o, "pay:order") {
			b.once(o, "mark-paid", func() error {
				_, err := b.Market.MarkPaid(ctx, o.ID, api.StateCreated)
				return err
			})
		}
	case api.StatePaid:
		if o.PaidAt != nil && b.since(*o.PaidAt) > 20*time.Minute {
			b.say(ctx, o, "remind", h.line(b, "I paid a while ago, please release when you can.", "我已付款一段时间了，请尽快放币。"))
		}
	case api.StateDisputed:
		if tx := b.paidTx(o); tx != "" {
			b.once(o, "evidence", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, tx, "")
				return err
			})
		}
	}
}

// upkeep keeps a merchant's ads in the market: fixed prices follow the
// index, nearly empty ads are topped up, now and then one pauses or resumes.
func (w *World) upkeep(b *Bot) {
	ctx := context.Background()
	ads, err := b.Market.MyAds(ctx)
	if err != nil {
		w.log.Warn("upkeep", "bot", b.Name, "err", err)
		return
	}
	for _, a := range ads {
		switch {
		case a.Status == api.AdPaused && b.rng.IntN(4) == 0:
			b.Market.SetAdStatus(ctx, a.ID, "resume")
		case a.Status == api.AdOnline && b.rng.IntN(60) == 0:
			b.Market.SetAdStatus(ctx, a.ID, "pause")
		}
		if a.PriceType == api.PriceFixed && a.Index != nil && a.DevBP != nil {
			// Drift back toward the margin it wants, as the index moves.
			want := w.fixedMargin[a.ID]
			if d := *a.DevBP - want; d > 25 || d < -25 {
				p, _ := money.MulDiv(*a.Index, money.New(10000+want, 4), api.PriceScale, money.HalfUp)
				ps := p.String()
				b.Market.EditAd(ctx, a.ID, api.AdPatch{Price: &ps})
			}
		}
		if a.Remaining.IsPositive() && lowStock(a) {
			total := a.Total.String()
			if a.Side == api.Sell {
				bs, _ := b.Market.Balances(ctx)
				for _, bal := range bs {
					if bal.Asset == a.Asset && bal.Available.Cmp(a.Total) < 0 {
						w.Admin.Deposit(ctx, b.UserID, a.Asset, a.Total.String(), fmt.Sprintf("restock-%d-%d", a.ID, a.Version))
					}
				}
			}
			taken, _ := a.Total.Sub(a.Remaining)
			t2, _ := a.Total.Add(taken)
			total = t2.String()
			b.Market.EditAd(ctx, a.ID, api.AdPatch{Total: &total})
		}
	}
}

// lowStock: less than a fifth of the ad is left. Amounts from JSON carry
// the scale they were written with, so compare them at the asset's scale.
func lowStock(a api.AdView) bool {
	rem, err1 := a.Remaining.UnitsAt(a.Asset.Scale())
	tot, err2 := a.Total.UnitsAt(a.Asset.Scale())
	return err1 == nil && err2 == nil && rem*5 < tot
}
