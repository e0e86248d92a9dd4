package market

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// Bounds on an ad.
const (
	MinWindowMin   = 10
	MaxWindowMin   = 30
	MaxTermsLength = 1000
)

// PostAd publishes a new ad for user.
func (s *Service) PostAd(ctx context.Context, user int64, req api.AdRequest, idem *Idem) (api.AdView, error) {
	var out api.AdView
	err := s.update(ctx, func(o *op) error {
		v, err := idempotent(o, user, idem, func() (api.AdView, error) {
			maker, err := o.user(user)
			if err != nil {
				return api.AdView{}, err
			}
			if err := canTrade(maker); err != nil {
				return api.AdView{}, err
			}
			side, err := api.ParseSide(req.Side)
			if err != nil {
				return api.AdView{}, err
			}
			asset, err := api.ParseAsset(req.Asset)
			if err != nil {
				return api.AdView{}, err
			}
			fiat, err := api.ParseFiat(req.Fiat)
			if err != nil {
				return api.AdView{}, err
			}
			ad := Ad{MakerID: user, Side: side, Asset: asset, Fiat: fiat, Status: api.AdOnline, CreatedAt: o.now, UpdatedAt: o.now, Version: 1}
			patch := api.AdPatch{PriceType: &req.PriceType, Price: &req.Price, MarginBP: &req.MarginBP, Total: &req.Total,
				MinFiat: &req.MinFiat, MaxFiat: &req.MaxFiat, Payments: &req.Payments, WindowMin: &req.WindowMin,
				Terms: &req.Terms, MinKYC: &req.MinKYC, MinCompletionBP: &req.MinCompletionBP}
			if err := o.applyPatch(&ad, patch, true); err != nil {
				return api.AdView{}, err
			}
			if err := o.tx.InsertAd(&ad); err != nil {
				return api.AdView{}, err
			}
			return o.publishAd(ad)
		})
		out = v
		return err
	})
	return out, err
}

// EditAd changes the given fields of one of user's ads.
func (s *Service) EditAd(ctx context.Context, user, adID int64, p api.AdPatch) (api.AdView, error) {
	var out api.AdView
	err := s.update(ctx, func(o *op) error {
		ad, err := o.ownAd(user, adID)
		if err != nil {
			return err
		}
		if ad.Status == api.AdDeleted {
			return api.Errorf(api.CodeAdStateConflict, "", "this ad was deleted")
		}
		if err := o.applyPatch(&ad, p, false); err != nil {
			return err
		}
		ad.UpdatedAt, ad.Version = o.now, ad.Version+1
		if err := o.tx.UpdateAd(ad); err != nil {
			return err
		}
		out, err = o.publishAd(ad)
		return err
	})
	return out, err
}

// SetAdStatus pauses, resumes or deletes one of user's ads. Open orders
// on it carry on.
func (s *Service) SetAdStatus(ctx context.Context, user, adID int64, action string) (api.AdView, error) {
	var out api.AdView
	err := s.update(ctx, func(o *op) error {
		ad, err := o.ownAd(user, adID)
		if err != nil {
			return err
		}
		if ad.Status == api.AdDeleted {
			return api.Errorf(api.CodeAdStateConflict, "", "this ad was deleted")
		}
		switch action {
		case "pause":
			if ad.Status == api.AdPaused {
				return api.Errorf(api.CodeAdStateConflict, "", "the ad is already paused")
			}
			ad.Status = api.AdPaused
		case "resume":
			if ad.Status != api.AdPaused {
				return api.Errorf(api.CodeAdStateConflict, "", "only a paused ad can be resumed")
			}
			ad.Status = api.AdOnline
			refreshAvail(&ad)
		case "delete":
			ad.Status = api.AdDeleted
		default:
			return api.Errorf(api.CodeInvalidArgument, "action", "unknown ad action %q", action)
		}
		ad.UpdatedAt, ad.Version = o.now, ad.Version+1
		if err := o.tx.UpdateAd(ad); err != nil {
			return err
		}
		out, err = o.publishAd(ad)
		return err
	})
	return out, err
}

func (o *op) ownAd(user, adID int64) (Ad, error) {
	ad, err := o.tx.Ad(adID)
	if errors.Is(err, ErrNotFound) || (err == nil && ad.MakerID != user) {
		return ad, notFound("ad")
	}
	return ad, err
}

// adChanged tells everyone an ad's availability moved.
func (o *op) adChanged(ad Ad) error {
	return o.emit(0, api.EventAdChanged, api.AdChange{ID: ad.ID, Status: ad.Status, Price: ad.Price, Remaining: ad.Remaining, AvailFiat: ad.AvailFiat, Version: ad.Version})
}

// publishAd tells everyone the ad changed and returns its view.
func (o *op) publishAd(ad Ad) (api.AdView, error) {
	vs, err := o.vc.adViews([]Ad{ad})
	if err != nil {
		return api.AdView{}, err
	}
	return vs[0], o.emit(0, api.EventAdUpdated, vs[0])
}

// applyPatch validates and applies the fields of p to ad.
func (o *op) applyPatch(ad *Ad, p api.AdPatch, creating bool) error {
	if p.PriceType != nil {
		switch strings.ToLower(*p.PriceType) {
		case "", "fixed":
			ad.PriceType = api.PriceFixed
		case "floating":
			ad.PriceType = api.PriceFloating
		default:
			return api.Errorf(api.CodeInvalidArgument, "priceType", "priceType must be \"fixed\" or \"floating\"")
		}
	}
	if p.MarginBP != nil {
		ad.MarginBP = *p.MarginBP
	}
	band := o.s.cfg.PriceBand(api.Pair{Asset: ad.Asset, Fiat: ad.Fiat})
	if ad.PriceType == api.PriceFixed && p.Price != nil && (*p.Price != "" || creating) {
		price, err := api.ParseAmount(*p.Price, api.PriceScale, "price")
		if err != nil {
			return err
		}
		ad.Price = price
		ad.MarginBP = 0
		// Held to the band around the index where the market has one.
		idx, err := o.tx.IndexLatest(ad.Asset, ad.Fiat)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil && !withinBand(price, idx.Price, band) {
			return api.Errorf(api.CodePriceOutOfBand, "price", "a price of %s %s is more than %s%% from the market index %s: this market takes prices within that band",
				price, ad.Fiat, money.New(band, 2), idx.Price)
		}
	}
	if ad.PriceType == api.PriceFloating {
		if ad.MarginBP < -band || ad.MarginBP > band {
			return api.Errorf(api.CodePriceOutOfBand, "marginBP", "a floating price must stay within %s%% of the index (marginBP %d..%d)", money.New(band, 2), -band, band)
		}
		idx, err := o.tx.IndexLatest(ad.Asset, ad.Fiat)
		if errors.Is(err, ErrNotFound) {
			return api.Errorf(api.CodeInvalidArgument, "priceType", "there is no market index for %s/%s yet: use a fixed price", ad.Asset, ad.Fiat)
		} else if err != nil {
			return err
		}
		ad.Price = floatPrice(idx.Price, ad.MarginBP)
	}
	if p.Total != nil {
		total, err := api.ParseAmount(*p.Total, ad.Asset.Scale(), "total")
		if err != nil {
			return err
		}
		taken, _ := ad.Total.Sub(ad.Remaining)
		rem, err := total.Sub(taken)
		if err != nil || rem.IsNegative() {
			return api.Errorf(api.CodeAmountOutOfRange, "total", "the total cannot be less than the %s %s already in open or finished orders", taken, ad.Asset)
		}
		ad.Total, ad.Remaining = total, rem
	}
	if p.MinFiat != nil {
		v, err := api.ParseAmount(*p.MinFiat, ad.Fiat.Scale(), "minFiat")
		if err != nil {
			return err
		}
		ad.MinFiat = v
	}
	if p.MaxFiat != nil {
		v, err := api.ParseAmount(*p.MaxFiat, ad.Fiat.Scale(), "maxFiat")
		if err != nil {
			return err
		}
		ad.MaxFiat = v
	}
	if ad.MinFiat.Cmp(ad.MaxFiat) > 0 {
		return api.Errorf(api.CodeAmountOutOfRange, "minFiat", "the minimum per order (%s) is above the maximum (%s)", ad.MinFiat.Fixed(), ad.MaxFiat.Fixed())
	}
	if p.Payments != nil {
		if len(*p.Payments) == 0 {
			return api.Errorf(api.CodeInvalidArgument, "payments", "accept at least one payment method")
		}
		var set PaymentSet
		for _, s := range *p.Payments {
			m, err := api.ParsePaymentMethod(s)
			if err != nil {
				return err
			}
			set |= NewPaymentSet(m)
		}
		ad.Payments = set
	}
	if ad.Side == api.Sell {
		// Buyers will pay the maker: the maker must have an account in
		// their own name for every method the ad accepts.
		accts, err := o.tx.PaymentAccounts(ad.MakerID)
		if err != nil {
			return err
		}
		for _, m := range ad.Payments.Methods() {
			if !hasMethod(accts, m) {
				return api.Errorf(api.CodePaymentDetailsNeeded, "payments", "add your %s account before accepting %s", m.Label(), m.Label())
			}
		}
	}
	if p.WindowMin != nil {
		ad.WindowMin = *p.WindowMin
		if ad.WindowMin == 0 && creating {
			ad.WindowMin = 15
		}
	}
	if ad.WindowMin < MinWindowMin || ad.WindowMin > MaxWindowMin {
		return api.Errorf(api.CodeInvalidArgument, "windowMinutes", "the payment window must be %d to %d minutes", MinWindowMin, MaxWindowMin)
	}
	if p.Terms != nil {
		t, err := trimText(*p.Terms, "terms", MaxTermsLength)
		if err != nil {
			return err
		}
		ad.Terms = t
	}
	if p.MinKYC != nil {
		if *p.MinKYC < 0 || *p.MinKYC > 2 {
			return api.Errorf(api.CodeInvalidArgument, "minKycLevel", "minKycLevel must be 0, 1 or 2")
		}
		ad.MinKYC = *p.MinKYC
	}
	if p.MinCompletionBP != nil {
		if *p.MinCompletionBP < 0 || *p.MinCompletionBP > 10000 {
			return api.Errorf(api.CodeInvalidArgument, "minCompletionBP", "minCompletionBP must be 0..10000")
		}
		ad.MinCompletionBP = *p.MinCompletionBP
	}
	if ad.Side == api.Sell && p.Total != nil {
		bal, err := o.tx.Balance(ad.MakerID, ad.Asset)
		if err != nil {
			return err
		}
		if bal.Available() < ad.Remaining.Units() {
			return api.Errorf(api.CodeInsufficientBalance, "total", "you have only %s %s available to sell",
				money.New(bal.Available(), ad.Asset.Scale()), ad.Asset)
		}
	}
	refreshAvail(ad)
	return nil
}

func hasMethod(accts []api.PaymentAccount, m api.PaymentMethod) bool {
	for _, a := range accts {
		if a.Method == m {
			return true
		}
	}
	return false
}

// withinBand says whether price is within bandBP basis points of index,
// either way, in checked arithmetic.
func withinBand(price, index money.Amount, bandBP int64) bool {
	limit, err := money.MulDiv(index, money.New(bandBP, 4), api.PriceScale, money.Down)
	if err != nil {
		return false
	}
	lo, err1 := index.Sub(limit)
	hi, err2 := index.Add(limit)
	return err1 == nil && err2 == nil && price.Cmp(lo) >= 0 && price.Cmp(hi) <= 0
}

// deviationBP is (price-index)/index in basis points, truncated toward
// zero; a deviation too large for 64 bits saturates, so it still reads as
// far from the market.
func deviationBP(price, index money.Amount) int64 {
	diff, err := price.Sub(index)
	if err == nil {
		var d money.Amount
		if d, err = money.Quo(diff, index, 4, money.Down); err == nil {
			return d.Units()
		}
	}
	if price.Cmp(index) < 0 {
		return -math.MaxInt64
	}
	return math.MaxInt64
}

// floatPrice is index * (10000+margin)/10000, half-up at PriceScale.
func floatPrice(index money.Amount, marginBP int64) money.Amount {
	p, err := money.MulDiv(index, money.New(10000+marginBP, 4), api.PriceScale, money.HalfUp)
	if err != nil {
		return index
	}
	return p
}

// refreshAvail recomputes the largest order the ad can take now, and moves
// it between online and exhausted as that crosses the minimum.
func refreshAvail(ad *Ad) {
	value, err := money.MulDiv(ad.Price, ad.Remaining, ad.Fiat.Scale(), money.Down)
	if err != nil {
		value = ad.MaxFiat
	}
	if value.Cmp(ad.MaxFiat) > 0 {
		value = ad.MaxFiat
	}
	ad.AvailFiat = value
	switch {
	case ad.Status == api.AdOnline && value.Cmp(ad.MinFiat) < 0:
		ad.Status = api.AdExhausted
	case ad.Status == api.AdExhausted && value.Cmp(ad.MinFiat) >= 0:
		ad.Status = api.AdOnline
	}
}

// AdSearch is a search as a client asks for it.
type AdSearch struct {
	Side         string
	Asset        string
	Fiat         string
	Payment      string
	FiatAmount   string
	VerifiedOnly bool
	Sort         string
	Cursor       string
	Limit        int
}

// SearchAds lists online ads matching the search, best price first.
func (s *Service) SearchAds(ctx context.Context, q AdSearch) (api.AdPage, error) {
	side, err := api.ParseSide(q.Side)
	if err != nil {
		return api.AdPage{}, err
	}
	asset, err := api.ParseAsset(q.Asset)
	if err != nil {
		return api.AdPage{}, err
	}
	fiat, err := api.ParseFiat(q.Fiat)
	if err != nil {
		return api.AdPage{}, err
	}
	aq := AdQuery{Side: side, Asset: asset, Fiat: fiat, VerifiedOnly: q.VerifiedOnly, Statuses: []api.AdStatus{api.AdOnline}, Sort: SortBestPrice}
	if q.Payment != "" {
		if aq.Payment, err = api.ParsePaymentMethod(q.Payment); err != nil {
			return api.AdPage{}, err
		}
	}
	if q.FiatAmount != "" {
		a, err := api.ParseAmount(q.FiatAmount, fiat.Scale(), "amount")
		if err != nil {
			return api.AdPage{}, err
		}
		aq.FiatAmount = a.Units()
	}
	var rank func(a, b api.AdView) int
	switch q.Sort {
	case "", "price":
	case "newest":
		aq.Sort = SortNewest
	case "completion":
		rank = byCompletion
	case "release":
		rank = byRelease
	default:
		return api.AdPage{}, api.Errorf(api.CodeInvalidArgument, "sort", "sort must be price, completion, release or newest")
	}
	switch {
	case q.Limit == 0:
		aq.Limit = 20
	case q.Limit < 0 || q.Limit > 200:
		return api.AdPage{}, api.Errorf(api.CodeInvalidArgument, "limit", "limit must be from 1 to 200")
	default:
		aq.Limit = q.Limit
	}
	if rank != nil {
		return s.searchRanked(ctx, aq, q.Cursor, rank)
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return api.AdPage{}, err
		}
		aq.After = &c
	}
	var page api.AdPage
	err = s.view(ctx, func(tx ReadTx, now time.Time) error {
		ads, err := tx.SearchAds(aq)
		if err != nil {
			return err
		}
		if page.Ads, err = newViewCtx(tx, now, s.cfg.RecordDays).adViews(ads); err != nil {
			return err
		}
		if pt, err := tx.IndexLatest(asset, fiat); err == nil {
			page.Index = &pt.Price
		}
		if len(ads) == aq.Limit {
			last := ads[len(ads)-1]
			key := last.Price.Units()
			if aq.Sort == SortNewest {
				key = last.CreatedAt.UnixNano()
			}
			page.Next = encodeCursor(AdCursor{Price: key, ID: last.ID})
		}
		return nil
	})
	return page, err
}

// rankPool is how many of the best-priced matching ads a sort by the
// makers' records ranks. Records are derived from 30 days of orders, not
// kept in an index, so a sort by them reads a bounded pool: every ad of
// a market of ordinary size, the best-priced part of a huge book.
const rankPool = 1000

// searchRanked pages through the best-priced rankPool matching ads
// sorted by rank, ties kept in price order; the cursor is an offset.
func (s *Service) searchRanked(ctx context.Context, aq AdQuery, cursor string, rank func(a, b api.AdView) int) (api.AdPage, error) {
	offset := 0
	if cursor != "" {
		var err error
		if offset, err = decodeRankCursor(cursor); err != nil {
			return api.AdPage{}, err
		}
	}
	limit := aq.Limit
	aq.Limit = rankPool
	var page api.AdPage
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ads, err := tx.SearchAds(aq)
		if err != nil {
			return err
		}
		views, err := newViewCtx(tx, now, s.cfg.RecordDays).adViews(ads)
		if err != nil {
			return err
		}
		slices.SortStableFunc(views, rank)
		if offset < len(views) {
			end := min(offset+limit, len(views))
			page.Ads = views[offset:end]
			if end < len(views) {
				page.Next = encodeRankCursor(end)
			}
		}
		if pt, err := tx.IndexLatest(aq.Asset, aq.Fiat); err == nil {
			page.Index = &pt.Price
		}
		return nil
	})
	return page, err
}

// byCompletion: the highest completion rate first; among equals, more
// orders in 30 days first; a maker with no finished order last.
func byCompletion(a, b api.AdView) int {
	ra, rb := a.Maker.Record, b.Maker.Record
	if c := cmpKnown(ra.CompletionBP, rb.CompletionBP, true); c != 0 {
		return c
	}
	return cmp.Compare(rb.Orders30d, ra.Orders30d)
}

// byRelease: the shortest average release first; a maker who never
// released last.
func byRelease(a, b api.AdView) int {
	return cmpKnown(a.Maker.Record.AvgReleaseS, b.Maker.Record.AvgReleaseS, false)
}

// cmpKnown orders known values before unknown ones, highest or lowest
// first.
func cmpKnown(a, b *int64, highFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	case highFirst:
		return cmp.Compare(*b, *a)
	}
	return cmp.Compare(*a, *b)
}

// MyAds lists user's own ads, every status but deleted.
func (s *Service) MyAds(ctx context.Context, user int64) ([]api.AdView, error) {
	var out []api.AdView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		var all []Ad
		for _, side := range []api.Side{api.Sell, api.Buy} {
			for _, asset := range api.Assets {
				for _, fiat := range api.Fiats {
					ads, err := tx.SearchAds(AdQuery{Side: side, Asset: asset, Fiat: fiat, MakerID: user,
						Statuses: []api.AdStatus{api.AdOnline, api.AdPaused, api.AdExhausted}, Sort: SortNewest, Limit: 200})
					if err != nil {
						return err
					}
					all = append(all, ads...)
				}
			}
		}
		var err error
		out, err = newViewCtx(tx, now, s.cfg.RecordDays).adViews(all)
		return err
	})
	return out, err
}

// GetAd returns one ad; deleted ads are not found except by their maker.
func (s *Service) GetAd(ctx context.Context, viewer, id int64) (api.AdView, error) {
	var out api.AdView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ad, err := tx.Ad(id)
		if errors.Is(err, ErrNotFound) || (err == nil && ad.Status == api.AdDeleted && ad.MakerID != viewer) {
			return notFound("ad")
		}
		if err != nil {
			return err
		}
		vs, err := newViewCtx(tx, now, s.cfg.RecordDays).adViews([]Ad{ad})
		if err != nil {
			return err
		}
		out = vs[0]
		return nil
	})
	return out, err
}
