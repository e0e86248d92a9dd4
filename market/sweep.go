package market

import (
	"context"
	"time"

	"p2pdesk/api"
)

// Sweep acts on deadlines: an unpaid order whose payment window ended
// expires (escrow back to the seller); a paid order whose release window
// ended goes to dispute (never a refund: the buyer may have paid). It is
// idempotent and safe to run from several places at once: every order is
// re-read and re-checked inside the transaction that changes it. It
// returns how many orders it moved.
func (s *Service) Sweep(ctx context.Context, limit int) (int, error) {
	// Look before writing: most sweeps find nothing due, and an idle
	// marketplace should not commit.
	var due bool
	var last, first int64
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ords, err := tx.DueOrders(now, 1)
		due = len(ords) > 0
		if err != nil {
			return err
		}
		if last, err = tx.LastEventID(); err != nil {
			return err
		}
		first, err = tx.FirstEventID()
		return err
	})
	if err != nil || (!due && (s.cfg.KeepEvents <= 0 || last-first < s.cfg.KeepEvents+s.cfg.KeepEvents/10)) {
		return 0, err
	}
	moved := 0
	err = s.update(ctx, func(o *op) error {
		moved = 0 // the store may run this function more than once
		due, err := o.tx.DueOrders(o.now, limit)
		if err != nil {
			return err
		}
		for _, ord := range due {
			switch {
			case ord.State == api.StateCreated && !o.now.Before(ord.PayDeadline):
				if err := o.void(&ord, api.StateExpired, 0, "The payment window ended before the buyer marked the order paid. The order expired and the escrow returned to the seller."); err != nil {
					return err
				}
				if err := o.finishSweep(&ord, api.EventOrderExpired); err != nil {
					return err
				}
			case ord.State == api.StatePaid && !ord.ReleaseDeadline.IsZero() && !o.now.Before(ord.ReleaseDeadline):
				ord.State, ord.DisputedAt, ord.DisputeBy, ord.DisputeReason = api.StateDisputed, o.now, 0, "release-timeout"
				if _, err := o.log(ord.ID, 0, api.LogState, api.StateDisputed, "The seller did not release within the release window. The order went to dispute: support will decide from the payment records.", ""); err != nil {
					return err
				}
				if err := o.finishSweep(&ord, api.EventOrderDisputed); err != nil {
					return err
				}
			default:
				continue
			}
			moved++
		}
		if o.s.cfg.KeepEvents > 0 {
			last, err := o.tx.LastEventID()
			if err != nil {
				return err
			}
			if last > o.s.cfg.KeepEvents {
				return o.tx.DeleteEventsBefore(last - o.s.cfg.KeepEvents)
			}
		}
		return nil
	})
	return moved, err
}

func (o *op) finishSweep(ord *Order, typ api.EventType) error {
	if err := o.save(ord); err != nil {
		return err
	}
	return o.orderChanged(*ord, typ)
}

// NextDeadline is the earliest deadline of any open order, so a sweeper
// can sleep until then; ok is false when nothing is open.
func (s *Service) NextDeadline(ctx context.Context) (t time.Time, ok bool, err error) {
	err = s.view(ctx, func(tx ReadTx, _ time.Time) error {
		due, err := tx.DueOrders(time.Unix(1<<40, 0), 1)
		if err != nil || len(due) == 0 {
			return err
		}
		ord := due[0]
		t, ok = ord.PayDeadline, true
		if ord.State == api.StatePaid {
			t = ord.ReleaseDeadline
		}
		return nil
	})
	return t, ok, err
}
