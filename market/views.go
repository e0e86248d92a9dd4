package market

import (
	"time"

	"p2pdesk/money"
)

// The views are what the API returns: read models shaped for one viewer.

// TraderCard is how a trader appears to others.
type TraderCard struct {
	ID       int64  `json:"id,string"`
	Name     string `json:"name"`
	Verified bool   `json:"verified"`
	KYCLevel int    `json:"kycLevel"`
	Record   Record `json:"record"`
}

// AdView is an ad as a taker sees it.
type AdView struct {
	ID        int64           `json:"id,string"`
	Maker     TraderCard      `json:"maker"`
	Side      Side            `json:"side"`
	Asset     Asset           `json:"asset"`
	Fiat      Fiat            `json:"fiat"`
	PriceType PriceType       `json:"priceType"`
	Price     money.Amount    `json:"price"`
	MarginBP  int64           `json:"marginBP,omitempty"`
	Index     *money.Amount   `json:"indexPrice,omitempty"`
	DevBP     *int64          `json:"deviationBP,omitempty"` // (price-index)/index
	Total     money.Amount    `json:"total"`
	Remaining money.Amount    `json:"remaining"`
	MinFiat   money.Amount    `json:"minFiat"`
	MaxFiat   money.Amount    `json:"maxFiat"`
	AvailFiat money.Amount    `json:"availableFiat"`
	Payments  []PaymentMethod `json:"payments"`
	WindowMin int             `json:"windowMinutes"`
	Terms     string          `json:"terms"`
	Status    AdStatus        `json:"status"`
	MinKYC    int             `json:"minKycLevel"`
	MinCompBP int64           `json:"minCompletionBP"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	Version   int64           `json:"version"`
}

// OrderView is an order as one of its parties (or support) sees it.
type OrderView struct {
	ID              int64          `json:"id,string"`
	AdID            int64          `json:"adId,string"`
	Role            string         `json:"role"` // buyer, seller, support
	Side            Side           `json:"side"` // the viewer's side
	Asset           Asset          `json:"asset"`
	Fiat            Fiat           `json:"fiat"`
	Price           money.Amount   `json:"price"`
	Amount          money.Amount   `json:"amount"`
	FiatTotal       money.Amount   `json:"fiatTotal"`
	Payment         PaymentMethod  `json:"payment"`
	PayTo           PaymentAccount `json:"payTo"`     // the seller's account the buyer pays
	PayerName       string         `json:"payerName"` // the buyer's real name: payment must come from it
	State           OrderState     `json:"state"`
	Resolution      Resolution     `json:"resolution,omitempty"`
	CreatedAt       time.Time      `json:"createdAt"`
	PayDeadline     time.Time      `json:"payDeadline"`
	PaidAt          *time.Time     `json:"paidAt,omitempty"`
	ReleaseDeadline *time.Time     `json:"releaseDeadline,omitempty"`
	DisputedAt      *time.Time     `json:"disputedAt,omitempty"`
	ClosedAt        *time.Time     `json:"closedAt,omitempty"`
	DisputeBy       string         `json:"disputeBy,omitempty"` // buyer, seller, system
	DisputeReason   string         `json:"disputeReason,omitempty"`
	CancelledBy     string         `json:"cancelledBy,omitempty"` // buyer, system
	Counterparty    TraderCard     `json:"counterparty"`
	Buyer           TraderCard     `json:"buyer"`
	Seller          TraderCard     `json:"seller"`
	MyRating        int            `json:"myRating"`
	TheirRating     int            `json:"theirRating"`
	Actions         []string       `json:"actions"`
	Version         int64          `json:"version"`
}

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
	case StateCreated:
		if isBuyer && now.Before(o.PayDeadline) {
			acts = append(acts, "paid")
		}
		if isBuyer {
			acts = append(acts, "cancel")
		}
	case StatePaid:
		if isSeller {
			acts = append(acts, "release")
		}
		if isBuyer || isSeller {
			acts = append(acts, "dispute")
		}
	case StateDisputed:
		if isSeller {
			acts = append(acts, "release")
		}
		if isBuyer || isSeller {
			acts = append(acts, "evidence")
		}
	case StateCompleted, StateResolved:
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

func card(u User, rec Record) TraderCard {
	return TraderCard{ID: u.ID, Name: u.Name, Verified: u.Verified, KYCLevel: u.KYCLevel, Record: rec}
}

// orderView renders ord for viewer.
func orderView(tx ReadTx, ord Order, viewer int64, now time.Time, recordDays int) (OrderView, error) {
	us, err := tx.Users([]int64{ord.BuyerID, ord.SellerID})
	if err != nil {
		return OrderView{}, err
	}
	recs, err := records(tx, []int64{ord.BuyerID, ord.SellerID}, now, recordDays)
	if err != nil {
		return OrderView{}, err
	}
	byID := map[int64]User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	buyer := card(byID[ord.BuyerID], recs[ord.BuyerID])
	seller := card(byID[ord.SellerID], recs[ord.SellerID])
	v := OrderView{
		ID: ord.ID, AdID: ord.AdID, Asset: ord.Asset, Fiat: ord.Fiat, Price: ord.Price,
		Amount: ord.Amount, FiatTotal: ord.FiatTotal, Payment: ord.Payment,
		PayTo: ord.SellerAccount, PayerName: ord.BuyerRealName,
		State: ord.State, Resolution: ord.Resolution, CreatedAt: ord.CreatedAt,
		PayDeadline: ord.PayDeadline, PaidAt: tp(ord.PaidAt), ReleaseDeadline: tp(ord.ReleaseDeadline),
		DisputedAt: tp(ord.DisputedAt), ClosedAt: tp(ord.ClosedAt), DisputeReason: ord.DisputeReason,
		Buyer: buyer, Seller: seller, Actions: ord.Actions(viewer, now), Version: ord.Version,
	}
	if !ord.DisputedAt.IsZero() {
		v.DisputeBy = roleName(ord, ord.DisputeBy)
	}
	if ord.State == StateCancelled || ord.State == StateExpired {
		v.CancelledBy = roleName(ord, ord.CancelledBy)
	}
	switch viewer {
	case ord.BuyerID:
		v.Role, v.Side, v.Counterparty = "buyer", Buy, seller
		v.MyRating, v.TheirRating = ord.BuyerRating, ord.SellerRating
	case ord.SellerID:
		v.Role, v.Side, v.Counterparty = "seller", Sell, buyer
		v.MyRating, v.TheirRating = ord.SellerRating, ord.BuyerRating
	default:
		v.Role = "support"
	}
	return v, nil
}

// adViews renders ads with their makers' records and the index.
func adViews(tx ReadTx, ads []Ad, now time.Time, recordDays int) ([]AdView, error) {
	ids := make([]int64, 0, len(ads))
	seen := map[int64]bool{}
	for _, a := range ads {
		if !seen[a.MakerID] {
			seen[a.MakerID] = true
			ids = append(ids, a.MakerID)
		}
	}
	us, err := tx.Users(ids)
	if err != nil {
		return nil, err
	}
	recs, err := records(tx, ids, now, recordDays)
	if err != nil {
		return nil, err
	}
	byID := map[int64]User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	index := map[Pair]*money.Amount{}
	out := make([]AdView, 0, len(ads))
	for _, a := range ads {
		p := Pair{a.Asset, a.Fiat}
		idx, ok := index[p]
		if !ok {
			if pt, err := tx.IndexLatest(a.Asset, a.Fiat); err == nil {
				v := pt.Price
				idx = &v
			}
			index[p] = idx
		}
		v := AdView{
			ID: a.ID, Maker: card(byID[a.MakerID], recs[a.MakerID]), Side: a.Side, Asset: a.Asset, Fiat: a.Fiat,
			PriceType: a.PriceType, Price: a.Price, MarginBP: a.MarginBP, Index: idx,
			Total: a.Total, Remaining: a.Remaining, MinFiat: a.MinFiat, MaxFiat: a.MaxFiat, AvailFiat: a.AvailFiat,
			Payments: a.Payments.Methods(), WindowMin: a.WindowMin, Terms: a.Terms, Status: a.Status,
			MinKYC: a.MinKYC, MinCompBP: a.MinCompletionBP, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version,
		}
		if idx != nil && idx.IsPositive() {
			d := (a.Price.Units() - idx.Units()) * 10000 / idx.Units()
			v.DevBP = &d
		}
		out = append(out, v)
	}
	return out, nil
}
