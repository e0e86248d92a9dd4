package api

import (
	"time"

	"p2pdesk/money"
)

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
	Role            string         `json:"role"`  // buyer, seller, support
	Maker           string         `json:"maker"` // buyer or seller: who posted the ad (the other took it)
	Side            Side           `json:"side"`  // the viewer's side
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
