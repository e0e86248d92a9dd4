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
func (s *Service) IndexHistory(ctx context.Context, asset api.Asset, fiat api.Fiat, since time.Time, limit int) ([]api.IndexPoint, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	var out []api.IndexPoint
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		var err error
		out, err = tx.IndexHistory(asset, fiat, since, limit)
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
