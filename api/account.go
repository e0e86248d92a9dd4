package api

import (
	"time"

	"p2pdesk/money"
)

// BalanceView is one asset of a trader's wallet.
type BalanceView struct {
	Asset     Asset        `json:"asset"`
	Available money.Amount `json:"available"`
	Locked    money.Amount `json:"locked"`   // in escrow for open orders where you sell
	Incoming  money.Amount `json:"incoming"` // in escrow for open orders where you buy
	Total     money.Amount `json:"total"`    // available + locked
}

// LimitView is one fiat's daily limit.
type LimitView struct {
	Fiat      Fiat         `json:"fiat"`
	Limit     money.Amount `json:"limit"`
	Used      money.Amount `json:"used"`
	Remaining money.Amount `json:"remaining"`
}

// AccountView is what a trader knows of their own account.
type AccountView struct {
	User      User             `json:"user"`
	Limits    []LimitView      `json:"limits"`
	Record    Record           `json:"record"`
	Payments  []PaymentAccount `json:"paymentAccounts"`
	DayResets time.Time        `json:"limitsResetAt"`
}
