package market

import (
	"context"
	"errors"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// SetIndex records a reference price and reprices every floating ad of
// the pair in the same transaction. The simulator's price feed calls it.
func (s *Service) SetIndex(ctx context.Context, asset api.Asset, fiat api.Fiat, price money.Amount) (api.IndexPoint, error) {
	pts, err := s.SetIndexes(ctx, []api.IndexPoint{{Asset: asset, Fiat: fiat, Price: price}})
	if err != nil {
		return api.IndexPoint{}, err
	}
	return pts[0], nil
}

// SetIndexes records several reference prices in one transaction.
func (s *Service) SetIndexes(ctx context.Context, points []api.IndexPoint) ([]api.IndexPoint, error) {
	for i, pt := range points {
		p, err := pt.Price.Rescale(api.PriceScale)
		if err != nil || !p.IsPositive() {
			return nil, api.Errorf(api.CodeAmountInvalid, "price", "an index price is positive with at most %d decimals", api.PriceScale)
		}
		points[i].Price = p
	}
	out := make([]api.IndexPoint, len(points))
	err := s.update(ctx, func(o *op) error {
		for i, pt := range points {
			pt.At = o.now
			if err := o.setIndex(pt); err != nil {
				return err
			}
			out[i] = pt
		}
		return nil
	})
	return out, err
}

func (o *op) setIndex(pt api.IndexPoint) error {
	asset, fiat, p := pt.Asset, pt.Fiat, pt.Price
	{
		if err := o.tx.InsertIndex(pt); err != nil {
			return err
		}
		ads, err := o.tx.FloatingAds(asset, fiat)
		if err != nil {
			return err
		}
		for _, ad := range ads {
			np := floatPrice(p, ad.MarginBP)
			if np.Cmp(ad.Price) == 0 {
				continue
			}
			ad.Price = np
			refreshAvail(&ad)
			ad.UpdatedAt, ad.Version = o.now, ad.Version+1
			if err := o.tx.UpdateAd(ad); err != nil {
				return err
			}
		}
		return o.emit(0, api.EventIndexTick, pt)
	}
}

// Index returns the latest reference price of a pair.
func (s *Service) Index(ctx context.Context, asset api.Asset, fiat api.Fiat) (api.IndexPoint, error) {
	var out api.IndexPoint
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		var err error
		out, err = tx.IndexLatest(asset, fiat)
		if errors.Is(err, ErrNotFound) {
			return api.Errorf(api.CodeNotFound, "", "no index for %s/%s yet", asset, fiat)
		}
		return err
	})
	return out, err
}

// IndexHistory returns up to limit points since a moment, oldest first.
//
// A step (at least a second) keeps one point per step, the last of each:
// a chart of 30 days asks for hours, not for every tick.
func (s *Service) IndexHistory(ctx context.Context, asset api.Asset, fiat api.Fiat, since time.Time, step time.Duration, limit int) ([]api.IndexPoint, error) {
	switch {
	case limit == 0:
		limit = 500
	case limit < 0 || limit > 5000:
		return nil, api.Errorf(api.CodeInvalidArgument, "limit", "limit must be from 1 to 5000")
	}
	if step != 0 && step < time.Second {
		return nil, api.Errorf(api.CodeInvalidArgument, "step", "step is a whole number of seconds, at least 1")
	}
	var out []api.IndexPoint
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		var err error
		out, err = tx.IndexHistory(asset, fiat, since, step, limit)
		return err
	})
	return out, err
}

// Events returns the user's events after an id (their own and everyone's).
func (s *Service) Events(ctx context.Context, user, after int64, limit int) ([]api.Event, error) {
	var out []api.Event
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		var err error
		out, err = tx.Events(user, after, limit)
		return err
	})
	return out, err
}

// LastEventID is the id of the newest event in the outbox.
func (s *Service) LastEventID(ctx context.Context) (int64, error) {
	var out int64
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		var err error
		out, err = tx.LastEventID()
		return err
	})
	return out, err
}

// RecordIndexHistory writes past reference prices as they were: each at
// its own time, before now, with no repricing of ads and no events (they
// are history, not news). It is for a marketplace given a past at its
// creation, before its first live price.
func (s *Service) RecordIndexHistory(ctx context.Context, points []api.IndexPoint) error {
	return s.update(ctx, func(o *op) error {
		for _, pt := range points {
			p, err := pt.Price.Rescale(api.PriceScale)
			if err != nil || !p.IsPositive() {
				return api.Errorf(api.CodeAmountInvalid, "price", "an index price is positive with at most %d decimals", api.PriceScale)
			}
			if !pt.At.Before(o.now) {
				return api.Errorf(api.CodeInvalidArgument, "at", "history is before now: %s is not", pt.At.Format(time.RFC3339))
			}
			pt.Price = p
			if err := o.tx.InsertIndex(pt); err != nil {
				return err
			}
		}
		return nil
	})
}
