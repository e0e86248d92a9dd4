package market

import (
	"context"
	"time"

	"p2pdesk/api"
)

func ratio(n, d int64) *int64 {
	if d == 0 {
		return nil
	}
	v := n * 10000 / d
	return &v
}

func mean(sum, n int64) *int64 {
	if n == 0 {
		return nil
	}
	v := sum / n
	return &v
}

// records sums the record of each user over the window ending at now.
func records(tx ReadTx, users []int64, now time.Time, days int) (map[int64]api.Record, error) {
	out := make(map[int64]api.Record, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := tx.RecordDays(users, dayOf(now)-int64(days)+1)
	if err != nil {
		return nil, err
	}
	sum := map[int64]*TraderDay{}
	for _, r := range rows {
		s := sum[r.UserID]
		if s == nil {
			s = &TraderDay{UserID: r.UserID}
			sum[r.UserID] = s
		}
		s.Completed += r.Completed
		s.Failed += r.Failed
		s.ReleaseSumS += r.ReleaseSumS
		s.ReleaseN += r.ReleaseN
		s.PaySumS += r.PaySumS
		s.PayN += r.PayN
		s.Positive += r.Positive
		s.Negative += r.Negative
	}
	for _, u := range users {
		s := sum[u]
		if s == nil {
			out[u] = api.Record{}
			continue
		}
		out[u] = api.Record{
			Orders30d:    s.Completed,
			CompletionBP: ratio(s.Completed, s.Completed+s.Failed),
			AvgReleaseS:  mean(s.ReleaseSumS, s.ReleaseN),
			AvgPayS:      mean(s.PaySumS, s.PayN),
			PositiveBP:   ratio(s.Positive, s.Positive+s.Negative),
			Ratings:      s.Positive + s.Negative,
		}
	}
	return out, nil
}

// CarryRecords adds day rollups of trades made with people this market
// does not hold: the simulated world's merchants trade with many more
// customers than it plays order by order, and a record of a few dozen
// orders would make every merchant look new. Carried days count in the
// record, and only there: they move no balance and are not trader days,
// so the check that the buckets equal what the orders imply still holds.
// A day already carried for a user is kept as it was.
func (s *Service) CarryRecords(ctx context.Context, days []TraderDay) error {
	for _, d := range days {
		if d.UserID <= SystemUserID || d.Completed < 0 || d.Failed < 0 || d.ReleaseSumS < 0 || d.ReleaseN < 0 ||
			d.PaySumS < 0 || d.PayN < 0 || d.Positive < 0 || d.Negative < 0 {
			return api.Errorf(api.CodeInvalidArgument, "days", "a carried day has a user and no negative count: %+v", d)
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		for _, d := range days {
			if err := tx.CarryDay(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// bump adds to one user's bucket for the day of now.
func (o *op) bump(user int64, d TraderDay) error {
	if user == SystemUserID || user == 0 {
		return nil
	}
	d.UserID = user
	d.Day = dayOf(o.now)
	delete(o.vc.recs, user)
	return o.tx.AddTraderDay(d)
}

// RecordDelta is what one order contributes to its parties' records, given
// its final (or current) state. RebuildTraderDays and the live updates use
// the same rule, so the buckets can be checked against the orders.
func RecordDelta(ord Order) map[int64][]TraderDay {
	out := map[int64][]TraderDay{}
	add := func(u int64, at time.Time, d TraderDay) {
		d.UserID, d.Day = u, dayOf(at)
		out[u] = append(out[u], d)
	}
	if !ord.PaidAt.IsZero() {
		add(ord.BuyerID, ord.PaidAt, TraderDay{PaySumS: secs(ord.PaidAt.Sub(ord.CreatedAt)), PayN: 1})
	}
	switch ord.State {
	case api.StateCompleted:
		add(ord.BuyerID, ord.ClosedAt, TraderDay{Completed: 1})
		add(ord.SellerID, ord.ClosedAt, TraderDay{Completed: 1, ReleaseSumS: secs(ord.ClosedAt.Sub(ord.PaidAt)), ReleaseN: 1})
	case api.StateCancelled, api.StateExpired:
		add(ord.BuyerID, ord.ClosedAt, TraderDay{Failed: 1})
	case api.StateResolved:
		winner, loser := ord.BuyerID, ord.SellerID
		if ord.Resolution == api.ResolveRefund {
			winner, loser = ord.SellerID, ord.BuyerID
		}
		add(winner, ord.ClosedAt, TraderDay{Completed: 1})
		add(loser, ord.ClosedAt, TraderDay{Failed: 1})
	}
	return out
}

func secs(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}
