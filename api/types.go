package api

import (
	"time"

	"p2pdesk/money"
)

// Role says what an account may do.
type Role string

const (
	RoleTrader  Role = "trader"
	RoleSupport Role = "support"
	RoleAdmin   Role = "admin"
	RoleSystem  Role = "system"
)

// User is an account on the marketplace.
type User struct {
	ID         int64     `json:"id,string"`
	Name       string    `json:"name"`     // the public name
	RealName   string    `json:"realName"` // the verified real name: payments must come from it
	Role       Role      `json:"role"`
	KYCLevel   int       `json:"kycLevel"`
	Verified   bool      `json:"verified"`   // the verified-merchant badge
	Restricted bool      `json:"restricted"` // may not trade
	CreatedAt  time.Time `json:"createdAt"`
}

// PaymentAccount is where a trader receives fiat: an Alipay phone number
// or e-mail, a WeChat id or a bank card, in the trader's real name.
type PaymentAccount struct {
	UserID   int64         `json:"-"`
	Method   PaymentMethod `json:"method"`
	Account  string        `json:"account"`  // the number, e-mail or card buyers pay
	RealName string        `json:"realName"` // whose account it is
}

// PriceType says whether an ad's price is fixed or floats on the index.
type PriceType string

const (
	PriceFixed    PriceType = "fixed"
	PriceFloating PriceType = "floating"
)

// AdStatus is an ad's place in its life.
type AdStatus string

const (
	AdOnline    AdStatus = "online"
	AdPaused    AdStatus = "paused"
	AdExhausted AdStatus = "exhausted"
	AdDeleted   AdStatus = "deleted"
)

// OrderState is a state of the order machine.
type OrderState string

const (
	StateCreated   OrderState = "created"
	StatePaid      OrderState = "paid"
	StateCompleted OrderState = "completed"
	StateCancelled OrderState = "cancelled"
	StateExpired   OrderState = "expired"
	StateDisputed  OrderState = "disputed"
	StateResolved  OrderState = "resolved"
)

// Terminal reports whether the state absorbs.
func (s OrderState) Terminal() bool {
	switch s {
	case StateCompleted, StateCancelled, StateExpired, StateResolved:
		return true
	}
	return false
}

// Resolution is how support settled a dispute.
type Resolution string

const (
	ResolveRelease Resolution = "release" // crypto to the buyer
	ResolveRefund  Resolution = "refund"  // crypto back to the seller
)

// LogKind classifies an order log entry.
type LogKind string

const (
	LogState    LogKind = "state"    // a state change
	LogChat     LogKind = "chat"     // a message from a party
	LogSystem   LogKind = "system"   // a message from the platform
	LogEvidence LogKind = "evidence" // an item submitted in a dispute
)

// LogEntry is one kept line of an order's history: state changes, chat
// and evidence share one ordered log.
type LogEntry struct {
	ID      int64      `json:"id,string"`
	OrderID int64      `json:"orderId,string"`
	At      time.Time  `json:"at"`
	Kind    LogKind    `json:"kind"`
	Actor   int64      `json:"actor,string"`    // 0: the platform
	State   OrderState `json:"state,omitempty"` // state changes: the new state
	Text    string     `json:"text"`
	Ref     string     `json:"ref,omitempty"` // evidence: e.g. an Alipay transaction id
}

// IndexPoint is one reference price.
type IndexPoint struct {
	Asset Asset        `json:"asset"`
	Fiat  Fiat         `json:"fiat"`
	At    time.Time    `json:"at"`
	Price money.Amount `json:"price"` // fiat per unit, 4 decimals
}
