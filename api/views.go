package api

import (
	"time"

	"p2pdesk/money"
)

// TraderCard is how a trader appears to others.
type TraderCard struct {
	ID       int64  `json:"id,string"`
	Name     string `json:"name"`
	Verified bool   `json:"verified"` // the verified-merchant badge
	KYCLevel int    `json:"kycLevel"` // 0 none, 1 ID, 2 ID and address; sets the daily limit
	Record   Record `json:"record"`   // derived from order history, never stored as a constant
}

// AdView is an ad as a taker sees it.
type AdView struct {
	ID        int64           `json:"id,string"`
	Maker     TraderCard      `json:"maker"` // the maker's card
	Side      Side            `json:"side"`  // the maker's side: sell ads are where you buy
	Asset     Asset           `json:"asset"`
	Fiat      Fiat            `json:"fiat"`
	PriceType PriceType       `json:"priceType"`
	Price     money.Amount    `json:"price"`                 // fiat per one unit of the asset, 4 decimals; for floating ads the current one
	MarginBP  int64           `json:"marginBP,omitempty"`    // floating ads: basis points over the index
	Index     *money.Amount   `json:"indexPrice,omitempty"`  // the index price the deviation is measured from
	DevBP     *int64          `json:"deviationBP,omitempty"` // (price-index)/index
	Total     money.Amount    `json:"total"`                 // crypto the ad was posted with
	Remaining money.Amount    `json:"remaining"`             // crypto not yet taken or in open orders
	MinFiat   money.Amount    `json:"minFiat"`               // the smallest order, in fiat
	MaxFiat   money.Amount    `json:"maxFiat"`               // the largest order, in fiat
	AvailFiat money.Amount    `json:"availableFiat"`         // the largest order the ad can take now: min(maxFiat, remaining at price)
	Payments  []PaymentMethod `json:"payments"`              // methods the maker accepts
	WindowMin int             `json:"windowMinutes"`         // minutes the buyer has to pay
	Terms     string          `json:"terms"`                 // the maker's terms, their own words
	Status    AdStatus        `json:"status"`
	MinKYC    int             `json:"minKycLevel"`     // the taker's lowest KYC level
	MinCompBP int64           `json:"minCompletionBP"` // the taker's lowest 30-day completion rate, basis points
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	Version   int64           `json:"version"` // grows by one with every change
}

// OrderView is an order as one of its parties (or support) sees it.
type OrderView struct {
	ID              int64          `json:"id,string"`
	AdID            int64          `json:"adId,string"` // the ad it was taken from
	Role            string         `json:"role"`        // buyer, seller, support
	Maker           string         `json:"maker"`       // buyer or seller: who posted the ad (the other took it)
	Side            Side           `json:"side"`        // the viewer's side
	Asset           Asset          `json:"asset"`
	Fiat            Fiat           `json:"fiat"`
	Price           money.Amount   `json:"price"`     // fiat per unit at the take
	Amount          money.Amount   `json:"amount"`    // crypto in escrow for this order
	FiatTotal       money.Amount   `json:"fiatTotal"` // what the buyer pays: price x amount, rounded half up
	Payment         PaymentMethod  `json:"payment"`   // how the buyer pays
	PayTo           PaymentAccount `json:"payTo"`     // the seller's account the buyer pays
	PayerName       string         `json:"payerName"` // the buyer's real name: payment must come from it
	State           OrderState     `json:"state"`
	Resolution      Resolution     `json:"resolution,omitempty"` // support's decision, once resolved
	CreatedAt       time.Time      `json:"createdAt"`
	PayDeadline     time.Time      `json:"payDeadline"`               // the buyer must pay and mark paid by then
	PaidAt          *time.Time     `json:"paidAt,omitempty"`          // when the buyer marked it paid
	ReleaseDeadline *time.Time     `json:"releaseDeadline,omitempty"` // the seller releases by then, or a dispute opens by itself
	DisputedAt      *time.Time     `json:"disputedAt,omitempty"`
	ClosedAt        *time.Time     `json:"closedAt,omitempty"`  // when it reached a final state
	DisputeBy       string         `json:"disputeBy,omitempty"` // buyer, seller, system
	DisputeReason   string         `json:"disputeReason,omitempty"`
	CancelledBy     string         `json:"cancelledBy,omitempty"` // buyer, system
	Counterparty    TraderCard     `json:"counterparty"`          // the other party
	Buyer           TraderCard     `json:"buyer"`
	Seller          TraderCard     `json:"seller"`
	MyRating        int            `json:"myRating"`    // your rating of them: -1, 0 (none), +1
	TheirRating     int            `json:"theirRating"` // their rating of you
	Actions         []string       `json:"actions"`     // what you can do now: pay, cancel, release, dispute, rate, ...
	Version         int64          `json:"version"`     // grows by one with every change
}

// OrderPage is one page of the caller's orders, newest first. Next, when
// set, is the "before" of the next page back.
type OrderPage struct {
	Orders []OrderView `json:"orders"`         // newest first
	Next   string      `json:"next,omitempty"` // when set, the before of the next page back
}
