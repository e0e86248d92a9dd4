package api

import "p2pdesk/money"

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

// AdPage is one page of ads.
type AdPage struct {
	Ads   []AdView      `json:"ads"`
	Index *money.Amount `json:"indexPrice,omitempty"`
	Next  string        `json:"next,omitempty"`
}
