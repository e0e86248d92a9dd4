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
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	err := st.View(ctx, func(tx ReadTx) error {
		bals, err := tx.AllBalances()
		if err != nil {
			return err
		}
		// The per-asset sums are wide: summing 64-bit balances must not
		// wrap in the checker itself.
		type sums struct{ dp, dP, cp, cP big.Int }
		per := map[api.Asset]*sums{}
		for _, b := range bals {
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
				fail("7: user %d %s has a negative running sum %+v: only a wrap gives that", b.UserID, b.Asset, b)
				continue
			}
			if b.UserID != SystemUserID && b.Available() < 0 {
				fail("2: user %d %s available %d < 0", b.UserID, b.Asset, b.Available())
			}
		}
		for a, s := range per {
			if s.dP.Cmp(&s.cP) != 0 || s.dp.Cmp(&s.cp) != 0 {
				fail("1: %s debits posted %s pending %s, credits posted %s pending %s", a, &s.dP, &s.dp, &s.cP, &s.cp)
			}
		}

		var log []Transfer
		for after := int64(0); ; {
			page, err := tx.Transfers(after, 5000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			log = append(log, page...)
			after = page[len(page)-1].Seq
		}
		replayed, err := Replay(log)
		if err != nil {
			fail("3: %v", err)
		}
		have := map[BalanceKey]Balance{}
		for _, b := range bals {
			have[BalanceKey{b.UserID, b.Asset}] = b
		}
		for k, r := range replayed {
			if b := have[k]; b.DebitsPending != r.DebitsPending || b.DebitsPosted != r.DebitsPosted ||
				b.CreditsPending != r.CreditsPending || b.CreditsPosted != r.CreditsPosted {
				fail("3: balance %d/%s is %+v, replay gives %+v", k.UserID, k.Asset, b, r)
			}
		}
		for k, b := range have {
			if _, ok := replayed[k]; !ok && (b.DebitsPending|b.DebitsPosted|b.CreditsPending|b.CreditsPosted) != 0 {
				fail("3: balance %d/%s has no transfers behind it", k.UserID, k.Asset)
			}
		}

		pending := map[string]Transfer{}
		resolution := map[string]Transfer{}
		for _, t := range log {
			switch t.Kind {
			case TransferPending:
				pending[t.ID] = t
			case TransferPostPending, TransferVoidPending:
				resolution[t.PendingID] = t
			}
		}
		taken := map[int64]int64{}
		var orders []Order
		for after := int64(0); ; {
			page, err := tx.AllOrders(after, 5000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			orders = append(orders, page...)
			after = page[len(page)-1].ID
		}
		seenEscrow := map[string]bool{}
		type usageKey struct {
			user, day int64
			fiat      api.Fiat
		}
		usage := map[usageKey]*big.Int{}
		for _, o := range orders {
			if total, err := api.FiatTotal(o.Price, o.Amount, o.Fiat); err != nil || total.Cmp(o.FiatTotal) != 0 || !o.FiatTotal.IsPositive() || !o.Amount.IsPositive() {
				fail("7: order %d total %s is not its price %s x amount %s", o.ID, o.FiatTotal, o.Price, o.Amount)
			}
			k := usageKey{o.TakerID, dayOf(o.CreatedAt), o.Fiat}
			if usage[k] == nil {
				usage[k] = new(big.Int)
			}
			if o.State != api.StateCancelled && o.State != api.StateExpired {
				usage[k].Add(usage[k], big.NewInt(o.FiatTotal.Units()))
			}
			p, ok := pending[o.EscrowID()]
			seenEscrow[o.EscrowID()] = true
			if !ok {
				fail("4: order %d has no escrow", o.ID)
				continue
			}
			if p.Amount != o.Amount.Units() || p.Debit != o.SellerID || p.Credit != o.BuyerID || p.Asset != o.Asset {
				fail("4: order %d escrow %+v does not match the order", o.ID, p)
			}
			r, resolved := resolution[o.EscrowID()]
			switch {
			case !o.State.Terminal():
				if resolved {
					fail("4: open order %d (%s) has a resolved escrow", o.ID, o.State)
				}
			case o.State == api.StateCompleted || (o.State == api.StateResolved && o.Resolution == api.ResolveRelease):
				if !resolved || r.Kind != TransferPostPending {
					fail("4: order %d %s %s but escrow not posted", o.ID, o.State, o.Resolution)
				}
			default:
				if !resolved || r.Kind != TransferVoidPending {
					fail("4: order %d %s %s but escrow not voided", o.ID, o.State, o.Resolution)
				}
			}
			if !resolved || r.Kind == TransferPostPending {
				taken[o.AdID] += o.Amount.Units()
			}
		}
		for id := range pending {
			if !seenEscrow[id] {
				fail("4: pending transfer %s belongs to no order", id)
			}
		}
		for _, t := range log {
			if t.Amount <= 0 {
				fail("7: transfer %s has a non-positive amount %d", t.ID, t.Amount)
			}
		}
		// A day's usage is what the taker's live and finished orders of
		// that day add up to; one that is not (a negative one, or one past
		// 64 bits) could only come from a wrap.
		for k, want := range usage {
			u, err := tx.Usage(k.user, k.day, k.fiat)
			if err != nil {
				return err
			}
			if !want.IsInt64() || u.Amount != want.Int64() {
				fail("7: usage of user %d on day %d in %s is %d, its orders add up to %s", k.user, k.day, k.fiat, u.Amount, want)
			}
		}

		for after := int64(0); ; {
			ads, err := tx.AllAds(after, 5000)
			if err != nil {
				return err
			}
			if len(ads) == 0 {
				break
			}
			for _, a := range ads {
				if a.Remaining.IsNegative() || a.Total.Units() != a.Remaining.Units()+taken[a.ID] {
					fail("5: ad %d total %s != remaining %s + taken %d", a.ID, a.Total, a.Remaining, taken[a.ID])
				}
			}
			after = ads[len(ads)-1].ID
		}

		want := map[[2]int64]TraderDay{}
		users := map[int64]bool{}
		for _, o := range orders {
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
		got, err := tx.TraderDays(ids, -1<<40)
		if err != nil {
			return err
		}
		for _, g := range got {
			k := [2]int64{g.UserID, g.Day}
			w := want[k]
			g.Positive, g.Negative = 0, 0
			if g != w {
				fail("6: record bucket %v is %+v, orders imply %+v", k, g, w)
			}
			delete(want, k)
		}
		for k, w := range want {
			if w != (TraderDay{UserID: w.UserID, Day: w.Day}) {
				fail("6: record bucket %v missing, orders imply %+v", k, w)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}
