package market

import (
	"errors"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// The views are what the API returns: read models shaped for one viewer.

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Actions a viewer may take on an order now, in the order a UI offers them.
func (o Order) Actions(viewer int64, now time.Time) []string {
	acts := []string{}
	isBuyer, isSeller := viewer == o.BuyerID, viewer == o.SellerID
	switch o.State {
	case api.StateCreated:
		if isBuyer && now.Before(o.PayDeadline) {
			acts = append(acts, "paid")
		}
		if isBuyer {
			acts = append(acts, "cancel")
		}
	case api.StatePaid:
		if isSeller {
			acts = append(acts, "release")
		}
		if isBuyer || isSeller {
			acts = append(acts, "dispute")
		}
	case api.StateDisputed:
		if isSeller {
			acts = append(acts, "release")
		}
		if isBuyer || isSeller {
			acts = append(acts, "evidence")
		}
	case api.StateCompleted, api.StateResolved:
		if (isBuyer && o.BuyerRating == 0) || (isSeller && o.SellerRating == 0) {
			acts = append(acts, "rate")
		}
	}
	if isBuyer || isSeller {
		acts = append(acts, "chat")
	}
	return acts
}

func roleName(o Order, id int64) string {
	switch {
	case id == 0 || id == SystemUserID:
		return "system"
	case id == o.BuyerID:
		return "buyer"
	case id == o.SellerID:
		return "seller"
	}
	return "support"
}

func card(u api.User, rec api.Record) api.TraderCard {
	return api.TraderCard{ID: u.ID, Name: u.Name, Verified: u.Verified, KYCLevel: u.KYCLevel, Record: rec}
}

// viewCtx renders views inside one transaction and remembers the users,
// records and index prices it loaded, so the several views one operation
// emits (an order for each party, the ad) read each thing once.
type viewCtx struct {
	tx    ReadTx
	now   time.Time
	days  int
	users map[int64]api.User
	recs  map[int64]api.Record
	index map[api.Pair]*money.Amount
	// noRecords leaves the traders' records out of the cards: a view of
	// history written in a Batch is read for its ids, and summing 30 days
	// of records for each of thousands of past orders is most of a first
	// start.
	noRecords bool
}

func newViewCtx(tx ReadTx, now time.Time, days int) *viewCtx {
	return &viewCtx{tx: tx, now: now, days: days, users: map[int64]api.User{}, recs: map[int64]api.Record{}, index: map[api.Pair]*money.Amount{}}
}

// forget drops what the operation is about to change.
func (v *viewCtx) forget(user int64) {
	delete(v.recs, user)
	delete(v.users, user)
}

func (v *viewCtx) load(ids []int64) error {
	var needUsers, needRecs []int64
	for _, id := range ids {
		if _, ok := v.users[id]; !ok {
			needUsers = append(needUsers, id)
		}
		if _, ok := v.recs[id]; !ok {
			needRecs = append(needRecs, id)
		}
	}
	if len(needUsers) > 0 {
		us, err := v.tx.Users(needUsers)
		if err != nil {
			return err
		}
		for _, u := range us {
			v.users[u.ID] = u
		}
	}
	if len(needRecs) > 0 && !v.noRecords {
		recs, err := records(v.tx, needRecs, v.now, v.days)
		if err != nil {
			return err
		}
		for id, r := range recs {
			v.recs[id] = r
		}
	}
	return nil
}

func (v *viewCtx) card(id int64) api.TraderCard { return card(v.users[id], v.recs[id]) }

func (v *viewCtx) indexOf(p api.Pair) (*money.Amount, error) {
	if idx, ok := v.index[p]; ok {
		return idx, nil
	}
	var idx *money.Amount
	pt, err := v.tx.IndexLatest(p.Asset, p.Fiat)
	switch {
	case err == nil:
		idx = &pt.Price
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	v.index[p] = idx
	return idx, nil
}

// orderView renders ord for viewer.
func (v *viewCtx) orderView(ord Order, viewer int64) (api.OrderView, error) {
	if err := v.load([]int64{ord.BuyerID, ord.SellerID}); err != nil {
		return api.OrderView{}, err
	}
	buyer, seller := v.card(ord.BuyerID), v.card(ord.SellerID)
	ov := api.OrderView{
		ID: ord.ID, AdID: ord.AdID, Asset: ord.Asset, Fiat: ord.Fiat, Price: ord.Price,
		Amount: ord.Amount, FiatTotal: ord.FiatTotal, Payment: ord.Payment,
		PayTo: ord.SellerAccount, PayerName: ord.BuyerRealName,
		State: ord.State, Resolution: ord.Resolution, CreatedAt: ord.CreatedAt,
		PayDeadline: ord.PayDeadline, PaidAt: tp(ord.PaidAt), ReleaseDeadline: tp(ord.ReleaseDeadline),
		DisputedAt: tp(ord.DisputedAt), ClosedAt: tp(ord.ClosedAt), DisputeReason: ord.DisputeReason,
		Buyer: buyer, Seller: seller, Actions: ord.Actions(viewer, v.now), Version: ord.Version,
	}
	ov.Maker = roleName(ord, ord.MakerID)
	if !ord.DisputedAt.IsZero() {
		ov.DisputeBy = roleName(ord, ord.DisputeBy)
	}
	if ord.State == api.StateCancelled || ord.State == api.StateExpired {
		ov.CancelledBy = roleName(ord, ord.CancelledBy)
	}
	switch viewer {
	case ord.BuyerID:
		ov.Role, ov.Side, ov.Counterparty = "buyer", api.Buy, seller
		ov.MyRating, ov.TheirRating = ord.BuyerRating, ord.SellerRating
	case ord.SellerID:
		ov.Role, ov.Side, ov.Counterparty = "seller", api.Sell, buyer
		ov.MyRating, ov.TheirRating = ord.SellerRating, ord.BuyerRating
	default:
		ov.Role = "support"
	}
	return ov, nil
}

// adViews renders ads with their makers' records and the index.
func (v *viewCtx) adViews(ads []Ad) ([]api.AdView, error) {
	ids := make([]int64, 0, len(ads))
	for _, a := range ads {
		ids = append(ids, a.MakerID)
	}
	if err := v.load(ids); err != nil {
		return nil, err
	}
	out := make([]api.AdView, 0, len(ads))
	for _, a := range ads {
		idx, err := v.indexOf(api.Pair{Asset: a.Asset, Fiat: a.Fiat})
		if err != nil {
			return nil, err
		}
		av := api.AdView{
			ID: a.ID, Maker: v.card(a.MakerID), Side: a.Side, Asset: a.Asset, Fiat: a.Fiat,
			PriceType: a.PriceType, Price: a.Price, MarginBP: a.MarginBP, Index: idx,
			Total: a.Total, Remaining: a.Remaining, MinFiat: a.MinFiat, MaxFiat: a.MaxFiat, AvailFiat: a.AvailFiat,
			Payments: a.Payments.Methods(), WindowMin: a.WindowMin, Terms: a.Terms, Status: a.Status,
			MinKYC: a.MinKYC, MinCompBP: a.MinCompletionBP, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version,
		}
		if idx != nil && idx.IsPositive() {
			d := deviationBP(a.Price, *idx)
			av.DevBP = &d
		}
		out = append(out, av)
	}
	return out, nil
}
