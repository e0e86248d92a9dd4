package market

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"p2pdesk/money"
)

// AdRequest is a maker's ad, as typed: amounts are decimal strings,
// checked here with the scale of their asset or fiat.
type AdRequest struct {
	Side            string   `json:"side"`
	Asset           string   `json:"asset"`
	Fiat            string   `json:"fiat"`
	PriceType       string   `json:"priceType"` // fixed (default) or floating
	Price           string   `json:"price,omitempty"`
	MarginBP        int64    `json:"marginBP,omitempty"`
	Total           string   `json:"total"`
	MinFiat         string   `json:"minFiat"`
	MaxFiat         string   `json:"maxFiat"`
	Payments        []string `json:"payments"`
	WindowMin       int      `json:"windowMinutes"`
	Terms           string   `json:"terms,omitempty"`
	MinKYC          int      `json:"minKycLevel,omitempty"`
	MinCompletionBP int64    `json:"minCompletionBP,omitempty"`
}

// AdPatch edits an ad: only the fields given change.
type AdPatch struct {
	PriceType       *string   `json:"priceType,omitempty"`
	Price           *string   `json:"price,omitempty"`
	MarginBP        *int64    `json:"marginBP,omitempty"`
	Total           *string   `json:"total,omitempty"`
	MinFiat         *string   `json:"minFiat,omitempty"`
	MaxFiat         *string   `json:"maxFiat,omitempty"`
	Payments        *[]string `json:"payments,omitempty"`
	WindowMin       *int      `json:"windowMinutes,omitempty"`
	Terms           *string   `json:"terms,omitempty"`
	MinKYC          *int      `json:"minKycLevel,omitempty"`
	MinCompletionBP *int64    `json:"minCompletionBP,omitempty"`
}

// Bounds on an ad.
const (
	MinWindowMin   = 10
	MaxWindowMin   = 30
	MaxTermsLength = 1000
)

// PostAd publishes a new ad for user.
func (s *Service) PostAd(ctx context.Context, user int64, req AdRequest, idem *Idem) (AdView, error) {
	var out AdView
	err := s.update(ctx, func(o *op) error {
		v, err := idempotent(o, user, idem, func() (AdView, error) {
			maker, err := o.user(user)
			if err != nil {
				return AdView{}, err
			}
			if err := canTrade(maker); err != nil {
				return AdView{}, err
			}
			side, err := ParseSide(req.Side)
			if err != nil {
				return AdView{}, err
			}
			asset, err := ParseAsset(req.Asset)
			if err != nil {
				return AdView{}, err
			}
			fiat, err := ParseFiat(req.Fiat)
			if err != nil {
				return AdView{}, err
			}
			ad := Ad{MakerID: user, Side: side, Asset: asset, Fiat: fiat, Status: AdOnline, CreatedAt: o.now, UpdatedAt: o.now, Version: 1}
			patch := AdPatch{PriceType: &req.PriceType, Price: &req.Price, MarginBP: &req.MarginBP, Total: &req.Total,
				MinFiat: &req.MinFiat, MaxFiat: &req.MaxFiat, Payments: &req.Payments, WindowMin: &req.WindowMin,
				Terms: &req.Terms, MinKYC: &req.MinKYC, MinCompletionBP: &req.MinCompletionBP}
			if err := o.applyPatch(&ad, patch, true); err != nil {
				return AdView{}, err
			}
			if err := o.tx.InsertAd(&ad); err != nil {
				return AdView{}, err
			}
			return o.publishAd(ad)
		})
		out = v
		return err
	})
	return out, err
}

// EditAd changes the given fields of one of user's ads.
func (s *Service) EditAd(ctx context.Context, user, adID int64, p AdPatch) (AdView, error) {
	var out AdView
	err := s.update(ctx, func(o *op) error {
		ad, err := o.ownAd(user, adID)
		if err != nil {
			return err
		}
		if ad.Status == AdDeleted {
			return Errorf(CodeAdStateConflict, "", "this ad was deleted")
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
func (s *Service) SetAdStatus(ctx context.Context, user, adID int64, action string) (AdView, error) {
	var out AdView
	err := s.update(ctx, func(o *op) error {
		ad, err := o.ownAd(user, adID)
		if err != nil {
			return err
		}
		if ad.Status == AdDeleted {
			return Errorf(CodeAdStateConflict, "", "this ad was deleted")
		}
		switch action {
		case "pause":
			if ad.Status == AdPaused {
				return Errorf(CodeAdStateConflict, "", "the ad is already paused")
			}
			ad.Status = AdPaused
		case "resume":
			if ad.Status != AdPaused {
				return Errorf(CodeAdStateConflict, "", "only a paused ad can be resumed")
			}
			ad.Status = AdOnline
			refreshAvail(&ad)
		case "delete":
			ad.Status = AdDeleted
		default:
			return Errorf(CodeInvalidArgument, "action", "unknown ad action %q", action)
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

// AdChange is the payload of an ad.changed event: what a take or a
// returned order changes on an ad, small enough to fan out to every
// market screen.
type AdChange struct {
	ID        int64        `json:"id,string"`
	Status    AdStatus     `json:"status"`
	Price     money.Amount `json:"price"`
	Remaining money.Amount `json:"remaining"`
	AvailFiat money.Amount `json:"availableFiat"`
	Version   int64        `json:"version"`
}

// adChanged tells everyone an ad's availability moved.
func (o *op) adChanged(ad Ad) error {
	return o.emit(0, "ad.changed", AdChange{ID: ad.ID, Status: ad.Status, Price: ad.Price, Remaining: ad.Remaining, AvailFiat: ad.AvailFiat, Version: ad.Version})
}

// publishAd tells everyone the ad changed and returns its view.
func (o *op) publishAd(ad Ad) (AdView, error) {
	vs, err := o.vc.adViews([]Ad{ad})
	if err != nil {
		return AdView{}, err
	}
	return vs[0], o.emit(0, "ad.updated", vs[0])
}

// applyPatch validates and applies the fields of p to ad.
func (o *op) applyPatch(ad *Ad, p AdPatch, creating bool) error {
	if p.PriceType != nil {
		switch strings.ToLower(*p.PriceType) {
		case "", "fixed":
			ad.PriceType = PriceFixed
		case "floating":
			ad.PriceType = PriceFloating
		default:
			return Errorf(CodeInvalidArgument, "priceType", "priceType must be \"fixed\" or \"floating\"")
		}
	}
	if p.MarginBP != nil {
		ad.MarginBP = *p.MarginBP
	}
	band := o.s.cfg.PriceBand(Pair{ad.Asset, ad.Fiat})
	if ad.PriceType == PriceFixed && p.Price != nil && (*p.Price != "" || creating) {
		price, err := ParseAmount(*p.Price, PriceScale, "price")
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
			return Errorf(CodePriceOutOfBand, "price", "a price of %s %s is more than %s%% from the market index %s: this market takes prices within that band",
				price, ad.Fiat, money.New(band, 2), idx.Price)
		}
	}
	if ad.PriceType == PriceFloating {
		if ad.MarginBP < -band || ad.MarginBP > band {
			return Errorf(CodePriceOutOfBand, "marginBP", "a floating price must stay within %s%% of the index (marginBP %d..%d)", money.New(band, 2), -band, band)
		}
		idx, err := o.tx.IndexLatest(ad.Asset, ad.Fiat)
		if errors.Is(err, ErrNotFound) {
			return Errorf(CodeInvalidArgument, "priceType", "there is no market index for %s/%s yet: use a fixed price", ad.Asset, ad.Fiat)
		} else if err != nil {
			return err
		}
		ad.Price = floatPrice(idx.Price, ad.MarginBP)
	}
	if p.Total != nil {
		total, err := ParseAmount(*p.Total, ad.Asset.Scale(), "total")
		if err != nil {
			return err
		}
		taken, _ := ad.Total.Sub(ad.Remaining)
		rem, err := total.Sub(taken)
		if err != nil || rem.IsNegative() {
			return Errorf(CodeAmountOutOfRange, "total", "the total cannot be less than the %s %s already in open or finished orders", taken, ad.Asset)
		}
		ad.Total, ad.Remaining = total, rem
	}
	if p.MinFiat != nil {
		v, err := ParseAmount(*p.MinFiat, ad.Fiat.Scale(), "minFiat")
		if err != nil {
			return err
		}
		ad.MinFiat = v
	}
	if p.MaxFiat != nil {
		v, err := ParseAmount(*p.MaxFiat, ad.Fiat.Scale(), "maxFiat")
		if err != nil {
			return err
		}
		ad.MaxFiat = v
	}
	if ad.MinFiat.Cmp(ad.MaxFiat) > 0 {
		return Errorf(CodeAmountOutOfRange, "minFiat", "the minimum per order (%s) is above the maximum (%s)", ad.MinFiat.Fixed(), ad.MaxFiat.Fixed())
	}
	if p.Payments != nil {
		if len(*p.Payments) == 0 {
			return Errorf(CodeInvalidArgument, "payments", "accept at least one payment method")
		}
		var set PaymentSet
		for _, s := range *p.Payments {
			m, err := ParsePaymentMethod(s)
			if err != nil {
				return err
			}
			set |= NewPaymentSet(m)
		}
		ad.Payments = set
	}
	if ad.Side == Sell {
		// Buyers will pay the maker: the maker must have an account in
		// their own name for every method the ad accepts.
		accts, err := o.tx.PaymentAccounts(ad.MakerID)
		if err != nil {
			return err
		}
		for _, m := range ad.Payments.Methods() {
			if !hasMethod(accts, m) {
				return Errorf(CodePaymentDetailsNeeded, "payments", "add your %s account before accepting %s", m.Label(), m.Label())
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
		return Errorf(CodeInvalidArgument, "windowMinutes", "the payment window must be %d to %d minutes", MinWindowMin, MaxWindowMin)
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
			return Errorf(CodeInvalidArgument, "minKycLevel", "minKycLevel must be 0, 1 or 2")
		}
		ad.MinKYC = *p.MinKYC
	}
	if p.MinCompletionBP != nil {
		if *p.MinCompletionBP < 0 || *p.MinCompletionBP > 10000 {
			return Errorf(CodeInvalidArgument, "minCompletionBP", "minCompletionBP must be 0..10000")
		}
		ad.MinCompletionBP = *p.MinCompletionBP
	}
	if ad.Side == Sell && p.Total != nil {
		bal, err := o.tx.Balance(ad.MakerID, ad.Asset)
		if err != nil {
			return err
		}
		if bal.Available() < ad.Remaining.Units() {
			return Errorf(CodeInsufficientBalance, "total", "you have only %s %s available to sell",
				money.New(bal.Available(), ad.Asset.Scale()), ad.Asset)
		}
	}
	refreshAvail(ad)
	return nil
}

func hasMethod(accts []PaymentAccount, m PaymentMethod) bool {
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
	limit, err := money.MulDiv(index, money.New(bandBP, 4), PriceScale, money.Down)
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
	p, err := money.MulDiv(index, money.New(10000+marginBP, 4), PriceScale, money.HalfUp)
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
	case ad.Status == AdOnline && value.Cmp(ad.MinFiat) < 0:
		ad.Status = AdExhausted
	case ad.Status == AdExhausted && value.Cmp(ad.MinFiat) >= 0:
		ad.Status = AdOnline
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

// AdPage is one page of ads.
type AdPage struct {
	Ads   []AdView      `json:"ads"`
	Index *money.Amount `json:"indexPrice,omitempty"`
	Next  string        `json:"next,omitempty"`
}

// SearchAds lists online ads matching the search, best price first.
func (s *Service) SearchAds(ctx context.Context, q AdSearch) (AdPage, error) {
	side, err := ParseSide(q.Side)
	if err != nil {
		return AdPage{}, err
	}
	asset, err := ParseAsset(q.Asset)
	if err != nil {
		return AdPage{}, err
	}
	fiat, err := ParseFiat(q.Fiat)
	if err != nil {
		return AdPage{}, err
	}
	aq := AdQuery{Side: side, Asset: asset, Fiat: fiat, VerifiedOnly: q.VerifiedOnly, Statuses: []AdStatus{AdOnline}, Sort: SortBestPrice}
	if q.Payment != "" {
		if aq.Payment, err = ParsePaymentMethod(q.Payment); err != nil {
			return AdPage{}, err
		}
	}
	if q.FiatAmount != "" {
		a, err := ParseAmount(q.FiatAmount, fiat.Scale(), "amount")
		if err != nil {
			return AdPage{}, err
		}
		aq.FiatAmount = a.Units()
	}
	var rank func(a, b AdView) int
	switch q.Sort {
	case "", "price":
	case "newest":
		aq.Sort = SortNewest
	case "completion":
		rank = byCompletion
	case "release":
		rank = byRelease
	default:
		return AdPage{}, Errorf(CodeInvalidArgument, "sort", "sort must be price, completion, release or newest")
	}
	switch {
	case q.Limit == 0:
		aq.Limit = 20
	case q.Limit < 0 || q.Limit > 200:
		return AdPage{}, Errorf(CodeInvalidArgument, "limit", "limit must be from 1 to 200")
	default:
		aq.Limit = q.Limit
	}
	if rank != nil {
		return s.searchRanked(ctx, aq, q.Cursor, rank)
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return AdPage{}, err
		}
		aq.After = &c
	}
	var page AdPage
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
func (s *Service) searchRanked(ctx context.Context, aq AdQuery, cursor string, rank func(a, b AdView) int) (AdPage, error) {
	offset := 0
	if cursor != "" {
		var err error
		if offset, err = decodeRankCursor(cursor); err != nil {
			return AdPage{}, err
		}
	}
	limit := aq.Limit
	aq.Limit = rankPool
	var page AdPage
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
func byCompletion(a, b AdView) int {
	ra, rb := a.Maker.Record, b.Maker.Record
	if c := cmpKnown(ra.CompletionBP, rb.CompletionBP, true); c != 0 {
		return c
	}
	return cmp.Compare(rb.Orders30d, ra.Orders30d)
}

// byRelease: the shortest average release first; a maker who never
// released last.
func byRelease(a, b AdView) int {
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
func (s *Service) MyAds(ctx context.Context, user int64) ([]AdView, error) {
	var out []AdView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		var all []Ad
		for _, side := range []Side{Sell, Buy} {
			for _, asset := range Assets {
				for _, fiat := range Fiats {
					ads, err := tx.SearchAds(AdQuery{Side: side, Asset: asset, Fiat: fiat, MakerID: user,
						Statuses: []AdStatus{AdOnline, AdPaused, AdExhausted}, Sort: SortNewest, Limit: 200})
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
func (s *Service) GetAd(ctx context.Context, viewer, id int64) (AdView, error) {
	var out AdView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		ad, err := tx.Ad(id)
		if errors.Is(err, ErrNotFound) || (err == nil && ad.Status == AdDeleted && ad.MakerID != viewer) {
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
