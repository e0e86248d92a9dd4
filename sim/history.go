package sim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/money"
)

// seedHistory gives the merchants a believable past: a new account a few
// dozen played orders, its whole record; a mid-size or large merchant
// fewer, as most of its record is carried (carried.go). Every played
// order costs first-start time, a carried day almost none.
func (w *World) seedHistory(ctx context.Context) error {
	ps := make([]Persona, len(w.Merchants))
	played := make([]span, len(w.Merchants))
	for i, m := range w.Merchants {
		ps[i] = m.Script.(*Honest).P
		played[i] = span{8, 24}
		if merchantSize(w.opts.Seed, carrier{user: m.UserID, persona: ps[i]}) == sizeNew {
			played[i] = span{20, 70}
		}
	}
	return w.givePast(ctx, w.Merchants, ps, played)
}

// span is a range of counts, least to most.
type span struct{ least, most int }

// retailTraders are made-up counterparties of the past, created once.
func (w *World) retailTraders(ctx context.Context) ([]int64, error) {
	w.mu.Lock()
	known := w.retail
	w.mu.Unlock()
	if len(known) > 0 {
		return known, nil
	}
	retail := make([]int64, 40)
	for i := range retail {
		r, err := w.Market.Provision(ctx, api.NewUserRequest{Name: fmt.Sprintf("retail-%02d", i), RealName: newPerson(w.rng, 1000+i).RealName,
			KYCLevel: 2, Deposits: map[string]string{"USDT": "1000000"}})
		if err != nil {
			return nil, err
		}
		retail[i] = r.User.ID
		if _, err := w.Market.Market.SetPaymentAccount(ctx, r.User.ID, api.PaymentAccount{Method: api.Alipay, Account: fmt.Sprintf("1770000%04d", i)}); err != nil {
			return nil, err
		}
	}
	w.mu.Lock()
	w.retail = retail
	w.mu.Unlock()
	return retail, nil
}

// givePast gives traders a believable past: real orders, under every rule
// of the marketplace, at moments over the last 30 days, between them and
// made-up retail traders, played[i] completed orders for bots[i]. Their records
// are then summed from these orders like anyone's.
func (w *World) givePast(ctx context.Context, bots []*Bot, personas []Persona, played []span) error {
	now := w.Sched.Now()
	retail, err := w.retailTraders(ctx)
	if err != nil {
		return err
	}
	svc := w.Market.Market
	type job struct {
		at       time.Time
		merchant int
		sells    bool // the merchant sells
		fail     bool // the buyer gives up
	}
	var jobs []job
	for i := range bots {
		p := personas[i]
		completed := played[i].least + w.rng.IntN(max(1, played[i].most-played[i].least))
		// The merchant's failures come from orders where it is the buyer
		// and cancels: enough of them to land on its completion target.
		fails := int(int64(completed) * (10000 - p.CompletionBP) / p.CompletionBP)
		for k := 0; k < completed+fails; k++ {
			at := now.Add(-time.Duration(w.rng.Int64N(int64(29*24*time.Hour))) - time.Hour)
			jobs = append(jobs, job{at: at, merchant: i, sells: k < completed && w.rng.IntN(5) < 3, fail: k >= completed})
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].at.Before(jobs[j].at) })
	clk := clock.NewManual(now.Add(-31 * 24 * time.Hour))
	// The whole past is written in one transaction and one commit: the
	// ads that carry it, every order, and the ads taken down again. The
	// order of every draw from the rng, and so the world, is as it was
	// when it took a commit per ad and per 150 orders.
	return svc.Batch(ctx, clk, func(b *market.Service) error {
		clk.Set(now.Add(-31 * 24 * time.Hour))
		// One buy and one sell ad per merchant, posted 31 days ago, carry the past.
		ads := map[[2]int]int64{}
		for i, m := range bots {
			for side := 0; side < 2; side++ {
				sideName := []string{"buy", "sell"}[side]
				if sideName == "sell" {
					if _, err := b.Deposit(ctx, m.UserID, api.USDT, money.MustParse("10000000", 6), fmt.Sprintf("history-%d", m.UserID)); err != nil {
						return err
					}
				}
				a, err := b.PostAd(ctx, m.UserID, api.AdRequest{Side: sideName, Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "10000000",
					MinFiat: "100", MaxFiat: "50000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
				if err != nil {
					return err
				}
				ads[[2]int{i, side}] = a.ID
			}
		}
		for _, j := range jobs {
			m := bots[j.merchant]
			p := personas[j.merchant]
			r := retail[w.rng.IntN(len(retail))]
			side := 0
			if j.sells {
				side = 1
			}
			clk.Set(j.at)
			amount := fmt.Sprintf("%d", 20+w.rng.IntN(2000))
			o, err := b.TakeAd(ctx, r, api.TakeRequest{AdID: ads[[2]int{j.merchant, side}], Amount: amount}, nil)
			if err != nil {
				return err
			}
			buyer := o.Buyer.ID
			seller := o.Seller.ID
			if j.fail {
				clk.Set(j.at.Add(time.Duration(1+w.rng.IntN(10)) * time.Minute))
				if _, err := b.Cancel(ctx, buyer, o.ID, market.Expect{}); err != nil {
					return err
				}
				continue
			}
			payDelay := p.PayDelay
			if buyer != m.UserID {
				payDelay = time.Duration(1+w.rng.IntN(8)) * time.Minute
			}
			clk.Set(j.at.Add(payDelay))
			if _, err := b.MarkPaid(ctx, buyer, o.ID, market.Expect{}); err != nil {
				return err
			}
			rel := p.ReleaseDelay + time.Duration(w.rng.Int64N(int64(90*time.Second)))
			if seller != m.UserID {
				rel = time.Duration(1+w.rng.IntN(6)) * time.Minute
			}
			clk.Set(j.at.Add(payDelay + rel))
			if _, err := b.Release(ctx, seller, o.ID, market.Expect{}); err != nil {
				return err
			}
			if w.rng.IntN(3) == 0 {
				if _, err := b.Rate(ctx, r, o.ID, w.rng.IntN(40) != 0, ""); err != nil {
					return err
				}
			}
		}
		clk.Set(now)
		for i, m := range bots {
			for side := 0; side < 2; side++ {
				if _, err := b.SetAdStatus(ctx, m.UserID, ads[[2]int{i, side}], "delete"); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
