package api

import (
	"time"

	"p2pdesk/money"
)

// BalanceView is one asset of a trader's wallet.
type BalanceView struct {
	Asset     Asset        `json:"asset"`
	Available money.Amount `json:"available"` // what you can sell or withdraw now
	Locked    money.Amount `json:"locked"`    // in escrow for open orders where you sell
	Incoming  money.Amount `json:"incoming"`  // in escrow for open orders where you buy
	Total     money.Amount `json:"total"`     // available + locked
}

// LimitView is one fiat's daily limit.
type LimitView struct {
	Fiat      Fiat         `json:"fiat"`
	Limit     money.Amount `json:"limit"` // the KYC level's daily limit
	Used      money.Amount `json:"used"`  // committed today by open and completed orders
	Remaining money.Amount `json:"remaining"`
}

// AccountView is what a trader knows of their own account.
type AccountView struct {
	User      User             `json:"user"`
	Limits    []LimitView      `json:"limits"`          // one per fiat
	Record    Record           `json:"record"`          // your own record, as others see it
	Payments  []PaymentAccount `json:"paymentAccounts"` // where you receive fiat, by method
	DayResets time.Time        `json:"limitsResetAt"`   // when the daily limits start again
	Tiers     []TierView       `json:"kycTiers"`        // every KYC level that may trade, and its daily limits
}

// TierView is one KYC level and the fiat a trader at it may commit per
// day as a taker.
type TierView struct {
	Level  int         `json:"level"`
	Limits []TierLimit `json:"limits"`
}

// TierLimit is a tier's daily limit in one fiat.
type TierLimit struct {
	Fiat  Fiat         `json:"fiat"`
	Limit money.Amount `json:"limit"`
}
