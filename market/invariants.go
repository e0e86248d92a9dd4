package market

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"

	"p2pdesk/api"
)

// CheckInvariants reads the whole marketplace and checks what must always
// hold. It returns every violation found, joined. It is for tests and for
// `p2pdesk check`; it reads everything, so it is not for a hot path.
//
//  1. per asset, debits equal credits, posted and pending;
//  2. no trader's available balance is below zero, nothing pending is negative;
//  3. balances equal a replay of the transfer log;
//  4. every open order has exactly one unresolved reservation of its
//     amount; every terminal order has none, resolved the way its state says;
//  5. no ad oversells: total = remaining + what its live orders hold;
//  6. every trader's record buckets equal what the orders imply;
//  7. no value is one only a wrap could give: running sums and transfer
//     amounts are not negative, an order's total is its price x amount,
//     a day's usage is what the taker's orders of that day add up to.
func CheckInvariants(ctx context.Context, st Store) error {
	var c checker
	err := st.View(ctx, func(tx ReadTx) error {
		c = checker{tx: tx}
		for _, check := range []func() error{
			c.load, c.sumsBalance, c.balancesReplay, c.escrowPerOrder, c.noWrappedValue, c.adsHoldTheirOrders, c.recordsMatchOrders,
		} {
			if err := check(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(c.errs...)
}

// checker holds what the invariants are read from, loaded once.
type checker struct {
	tx     ReadTx
	errs   []error
	bals   []Balance
	log    []Transfer
	orders []Order
	// taken is, per ad, what its orders hold: live ones and released ones.
	taken map[int64]int64
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// load reads every balance, the whole transfer log and every order.
func (c *checker) load() error {
	var err error
	if c.bals, err = c.tx.AllBalances(); err != nil {
		return err
	}
	if c.log, err = readAll(func(after int64) ([]Transfer, error) { return c.tx.Transfers(after, 5000) }, func(t Transfer) int64 { return t.Seq }); err != nil {
		return err
	}
	c.orders, err = readAll(func(after int64) ([]Order, error) { return c.tx.AllOrders(after, 5000) }, func(o Order) int64 { return o.ID })
	return err
}

// readAll pages through a table by its ascending key.
func readAll[T any](page func(after int64) ([]T, error), key func(T) int64) ([]T, error) {
	var out []T
	for after := int64(0); ; {
		p, err := page(after)
		if err != nil || len(p) == 0 {
			return out, err
		}
		out = append(out, p...)
		after = key(p[len(p)-1])
	}
}

// sumsBalance: 1. per asset, debits equal credits, posted and pending;
// 2. no trader's available balance is below zero; 7. no running sum is
// negative.
func (c *checker) sumsBalance() error {
	// The per-asset sums are wide: summing 64-bit balances must not
	// wrap in the checker itself.
	type sums struct{ dp, dP, cp, cP big.Int }
	per := map[api.Asset]*sums{}
	for _, b := range c.bals {
		s := per[b.Asset]
		if s == nil {
			s = &sums{}
			per[b.Asset] = s
		}
		s.dp.Add(&s.dp, big.NewInt(b.DebitsPending))
		s.dP.Add(&s.dP, big.NewInt(b.DebitsPosted))
		s.cp.Add(&s.cp, big.NewInt(b.CreditsPending))
		s.cP.Add(&s.cP, big.NewInt(b.CreditsPosted))
		if b.DebitsPending < 0 || b.CreditsPending < 0 || b.DebitsPosted < 0 || b.CreditsPosted < 0 {
			c.fail("7: user %d %s has a negative running sum %+v: only a wrap gives that", b.UserID, b.Asset, b)
			continue
		}
		if b.UserID != SystemUserID && b.Available() < 0 {
			c.fail("2: user %d %s available %d < 0", b.UserID, b.Asset, b.Available())
		}
	}
	for a, s := range per {
		if s.dP.Cmp(&s.cP) != 0 || s.dp.Cmp(&s.cp) != 0 {
			c.fail("1: %s debits posted %s pending %s, credits posted %s pending %s", a, &s.dP, &s.dp, &s.cP, &s.cp)
		}
	}
	return nil
}

// balancesReplay: 3. balances equal a replay of the transfer log.
func (c *checker) balancesReplay() error {
	replayed, err := Replay(c.log)
	if err != nil {
		c.fail("3: %v", err)
	}
	have := map[BalanceKey]Balance{}
	for _, b := range c.bals {
		have[BalanceKey{b.UserID, b.Asset}] = b
	}
	for k, r := range replayed {
		if b := have[k]; b.DebitsPending != r.DebitsPending || b.DebitsPosted != r.DebitsPosted ||
			b.CreditsPending != r.CreditsPending || b.CreditsPosted != r.CreditsPosted {
			c.fail("3: balance %d/%s is %+v, replay gives %+v", k.UserID, k.Asset, b, r)
		}
	}
	for k, b := range have {
		if _, ok := replayed[k]; !ok && (b.DebitsPending|b.DebitsPosted|b.CreditsPending|b.CreditsPosted) != 0 {
			c.fail("3: balance %d/%s has no transfers behind it", k.UserID, k.Asset)
		}
	}
	return nil
}

// escrowPerOrder: 4. every open order has exactly one unresolved
// reservation of its amount; every terminal order has none, resolved the
// way its state says; no reservation belongs to no order.
func (c *checker) escrowPerOrder() error {
	pending := map[string]Transfer{}
	resolution := map[string]Transfer{}
	for _, t := range c.log {
		switch t.Kind {
		case TransferPending:
			pending[t.ID] = t
		case TransferPostPending, TransferVoidPending:
			resolution[t.PendingID] = t
		}
	}
	c.taken = map[int64]int64{}
	seenEscrow := map[string]bool{}
	for _, o := range c.orders {
		p, ok := pending[o.EscrowID()]
		seenEscrow[o.EscrowID()] = true
		if !ok {
			c.fail("4: order %d has no escrow", o.ID)
			continue
		}
		if p.Amount != o.Amount.Units() || p.Debit != o.SellerID || p.Credit != o.BuyerID || p.Asset != o.Asset {
			c.fail("4: order %d escrow %+v does not match the order", o.ID, p)
		}
		r, resolved := resolution[o.EscrowID()]
		switch {
		case !o.State.Terminal():
			if resolved {
				c.fail("4: open order %d (%s) has a resolved escrow", o.ID, o.State)
			}
		case o.State == api.StateCompleted || (o.State == api.StateResolved && o.Resolution == api.ResolveRelease):
			if !resolved || r.Kind != TransferPostPending {
				c.fail("4: order %d %s %s but escrow not posted", o.ID, o.State, o.Resolution)
			}
		default:
			if !resolved || r.Kind != TransferVoidPending {
				c.fail("4: order %d %s %s but escrow not voided", o.ID, o.State, o.Resolution)
			}
		}
		if !resolved || r.Kind == TransferPostPending {
			c.taken[o.AdID] += o.Amount.Units()
		}
	}
	for id := range pending {
		if !seenEscrow[id] {
			c.fail("4: pending transfer %s belongs to no order", id)
		}
	}
	return nil
}

// noWrappedValue: 7. no value is one only a wrap could give: transfer
// amounts are positive, an order's total is its price x amount, a day's
// usage is what the taker's live and finished orders of that day add up
// to (a negative one, or one past 64 bits, could only come from a wrap).
func (c *checker) noWrappedValue() error {
	for _, t := range c.log {
		if t.Amount <= 0 {
			c.fail("7: transfer %s has a non-positive amount %d", t.ID, t.Amount)
		}
	}
	type usageKey struct {
		user, day int64
		fiat      api.Fiat
	}
	usage := map[usageKey]*big.Int{}
	for _, o := range c.orders {
		if total, err := api.FiatTotal(o.Price, o.Amount, o.Fiat); err != nil || total.Cmp(o.FiatTotal) != 0 || !o.FiatTotal.IsPositive() || !o.Amount.IsPositive() {
			c.fail("7: order %d total %s is not its price %s x amount %s", o.ID, o.FiatTotal, o.Price, o.Amount)
		}
		k := usageKey{o.TakerID, dayOf(o.CreatedAt), o.Fiat}
		if usage[k] == nil {
			usage[k] = new(big.Int)
		}
		if o.State != api.StateCancelled && o.State != api.StateExpired {
			usage[k].Add(usage[k], big.NewInt(o.FiatTotal.Units()))
		}
	}
	for k, want := range usage {
		u, err := c.tx.Usage(k.user, k.day, k.fiat)
		if err != nil {
			return err
		}
		if !want.IsInt64() || u.Amount != want.Int64() {
			c.fail("7: usage of user %d on day %d in %s is %d, its orders add up to %s", k.user, k.day, k.fiat, u.Amount, want)
		}
	}
	return nil
}

// adsHoldTheirOrders: 5. no ad oversells: total = remaining + what its
// live and released orders hold.
func (c *checker) adsHoldTheirOrders() error {
	for after := int64(0); ; {
		ads, err := c.tx.AllAds(after, 5000)
		if err != nil || len(ads) == 0 {
			return err
		}
		for _, a := range ads {
			if a.Remaining.IsNegative() || a.Total.Units() != a.Remaining.Units()+c.taken[a.ID] {
				c.fail("5: ad %d total %s != remaining %s + taken %d", a.ID, a.Total, a.Remaining, c.taken[a.ID])
			}
		}
		after = ads[len(ads)-1].ID
	}
}

// recordsMatchOrders: 6. every trader's record buckets equal what the
// orders imply.
func (c *checker) recordsMatchOrders() error {
	want := map[[2]int64]TraderDay{}
	users := map[int64]bool{}
	for _, o := range c.orders {
		for u, ds := range RecordDelta(o) {
			users[u] = true
			for _, d := range ds {
				k := [2]int64{u, d.Day}
				w := want[k]
				w.UserID, w.Day = u, d.Day
				w.Completed += d.Completed
				w.Failed += d.Failed
				w.ReleaseSumS += d.ReleaseSumS
				w.ReleaseN += d.ReleaseN
				w.PaySumS += d.PaySumS
				w.PayN += d.PayN
				want[k] = w
			}
		}
	}
	ids := make([]int64, 0, len(users))
	for u := range users {
		ids = append(ids, u)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	got, err := c.tx.TraderDays(ids, -1<<40)
	if err != nil {
		return err
	}
	for _, g := range got {
		k := [2]int64{g.UserID, g.Day}
		w := want[k]
		g.Positive, g.Negative = 0, 0
		if g != w {
			c.fail("6: record bucket %v is %+v, orders imply %+v", k, g, w)
		}
		delete(want, k)
	}
	for k, w := range want {
		if w != (TraderDay{UserID: w.UserID, Day: w.Day}) {
			c.fail("6: record bucket %v missing, orders imply %+v", k, w)
		}
	}
	return nil
}
