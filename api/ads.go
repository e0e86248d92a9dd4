package api

import "p2pdesk/money"

// AdRequest is a maker's ad, as typed: amounts are decimal strings,
// checked here with the scale of their asset or fiat.
type AdRequest struct {
	Side            string   `json:"side"`                      // sell or buy: your side as maker
	Asset           string   `json:"asset"`                     // USDT, BTC or ETH
	Fiat            string   `json:"fiat"`                      // CNY, USD or EUR
	PriceType       string   `json:"priceType"`                 // fixed (default) or floating
	Price           string   `json:"price,omitempty"`           // fixed ads: fiat per unit, at most 4 decimals
	MarginBP        int64    `json:"marginBP,omitempty"`        // floating ads: basis points over the index (35 = +0.35%)
	Total           string   `json:"total"`                     // crypto to sell or buy in all
	MinFiat         string   `json:"minFiat"`                   // the smallest order, in fiat
	MaxFiat         string   `json:"maxFiat"`                   // the largest order, in fiat
	Payments        []string `json:"payments"`                  // alipay, wechat, bank: each needs a payment account on a sell ad
	WindowMin       int      `json:"windowMinutes"`             // minutes the buyer has to pay, 10 to 30
	Terms           string   `json:"terms,omitempty"`           // your terms, at most 1,000 characters
	MinKYC          int      `json:"minKycLevel,omitempty"`     // the taker's lowest KYC level
	MinCompletionBP int64    `json:"minCompletionBP,omitempty"` // the taker's lowest completion rate, basis points
}

// AdPatch edits an ad: only the fields given change.
type AdPatch struct {
	PriceType       *string   `json:"priceType,omitempty"`       // as in AdRequest
	Price           *string   `json:"price,omitempty"`           // as in AdRequest
	MarginBP        *int64    `json:"marginBP,omitempty"`        // as in AdRequest
	Total           *string   `json:"total,omitempty"`           // as in AdRequest
	MinFiat         *string   `json:"minFiat,omitempty"`         // as in AdRequest
	MaxFiat         *string   `json:"maxFiat,omitempty"`         // as in AdRequest
	Payments        *[]string `json:"payments,omitempty"`        // as in AdRequest
	WindowMin       *int      `json:"windowMinutes,omitempty"`   // as in AdRequest
	Terms           *string   `json:"terms,omitempty"`           // as in AdRequest
	MinKYC          *int      `json:"minKycLevel,omitempty"`     // as in AdRequest
	MinCompletionBP *int64    `json:"minCompletionBP,omitempty"` // as in AdRequest
}

// AdPage is one page of ads.
type AdPage struct {
	Ads   []AdView      `json:"ads"`                  // the matching ads, best first for the sort
	Index *money.Amount `json:"indexPrice,omitempty"` // the index price of the searched market
	Next  string        `json:"next,omitempty"`       // the cursor of the next page, for the same search and sort
}
