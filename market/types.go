package market

import (
	"encoding/json"
	"time"

	"p2pdesk/money"
)

// SystemUserID is the marketplace's own ledger account: deposits come from
// it and withdrawals go to it, so its balance mirrors everything held by
// traders and every asset sums to zero.
const SystemUserID int64 = 1

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
	Name       string    `json:"name"`
	RealName   string    `json:"realName"`
	Role       Role      `json:"role"`
	KYCLevel   int       `json:"kycLevel"`
	Verified   bool      `json:"verified"`
	Restricted bool      `json:"restricted"`
	CreatedAt  time.Time `json:"createdAt"`
}

// PaymentAccount is where a trader receives fiat: an Alipay phone number
// or e-mail, a WeChat id or a bank card, in the trader's real name.
type PaymentAccount struct {
	UserID   int64         `json:"-"`
	Method   PaymentMethod `json:"method"`
	Account  string        `json:"account"`
	RealName string        `json:"realName"`
}

// Balance is one ledger account: a trader's holding of one asset, kept as
// the four running sums of the transfer log (after TigerBeetle).
type Balance struct {
	UserID         int64
	Asset          Asset
	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
}

// Available is what can be spent or locked now.
func (b Balance) Available() int64 { return b.CreditsPosted - b.DebitsPosted - b.DebitsPending }

// Locked is what sits in escrow, reserved by pending transfers.
func (b Balance) Locked() int64 { return b.DebitsPending }

// TransferKind is the phase of a transfer.
type TransferKind string

const (
	// TransferPosted moves funds at once (deposits, withdrawals).
	TransferPosted TransferKind = "posted"
	// TransferPending reserves the debit side's funds (escrow lock).
	TransferPending TransferKind = "pending"
	// TransferPost settles a pending transfer (release).
	TransferPost TransferKind = "post"
	// TransferVoid cancels a pending transfer (refund to the seller).
	TransferVoid TransferKind = "void"
)

// Transfer is one immutable entry of the ledger. IDs are derived from
// what caused them (e.g. "escrow/42"), so a retry can never add a second.
type Transfer struct {
	Seq       int64
	ID        string
	Kind      TransferKind
	PendingID string // for post and void: the pending transfer resolved
	Debit     int64
	Credit    int64
	Asset     Asset
	Amount    int64
	Code      string // deposit, withdrawal, escrow, release, refund
	OrderID   int64
	At        time.Time
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

// Ad is a maker's standing offer.
type Ad struct {
	ID        int64
	MakerID   int64
	Side      Side
	Asset     Asset
	Fiat      Fiat
	PriceType PriceType
	Price     money.Amount // at PriceScale; for floating ads, the current one
	MarginBP  int64        // floating ads: price = index * (10000 + MarginBP) / 10000
	Total     money.Amount // at the asset's scale
	Remaining money.Amount
	MinFiat   money.Amount // per order, at the fiat's scale
	MaxFiat   money.Amount
	// AvailFiat is min(MaxFiat, Remaining at Price): the largest order the
	// ad can take now. Kept on the row so a search filters inside an index.
	AvailFiat       money.Amount
	Payments        PaymentSet
	WindowMin       int
	Terms           string
	Status          AdStatus
	MinKYC          int
	MinCompletionBP int64 // counterparty's minimum completion rate, basis points
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
}

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

// Order is one trade against an ad.
type Order struct {
	ID              int64
	AdID            int64
	MakerID         int64
	TakerID         int64
	BuyerID         int64
	SellerID        int64
	Asset           Asset
	Fiat            Fiat
	Price           money.Amount
	Amount          money.Amount
	FiatTotal       money.Amount
	Payment         PaymentMethod
	SellerAccount   PaymentAccount // whom the buyer pays, as it was at the take
	BuyerRealName   string         // whose name the payment must come from
	State           OrderState
	Resolution      Resolution
	CreatedAt       time.Time
	PayDeadline     time.Time
	PaidAt          time.Time
	ReleaseDeadline time.Time
	DisputedAt      time.Time
	ClosedAt        time.Time
	DisputeBy       int64
	DisputeReason   string
	CancelledBy     int64
	BuyerRating     int // the buyer's rating of the seller: -1, 0 (none), +1
	SellerRating    int
	Version         int64
}

// EscrowID is the id of the order's pending transfer.
func (o Order) EscrowID() string { return "escrow/" + itoa(o.ID) }

// Role of a user in this order: "buyer", "seller" or "".
func (o Order) RoleOf(user int64) string {
	switch user {
	case o.BuyerID:
		return "buyer"
	case o.SellerID:
		return "seller"
	}
	return ""
}

// Counterparty of a user in this order.
func (o Order) Counterparty(user int64) int64 {
	if user == o.BuyerID {
		return o.SellerID
	}
	return o.BuyerID
}

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
	Actor   int64      `json:"actor,string"` // 0: the platform
	State   OrderState `json:"state,omitempty"`
	Text    string     `json:"text"`
	Ref     string     `json:"ref,omitempty"` // evidence: e.g. an Alipay transaction id
}

// Event is one entry of the outbox: written in the same transaction as
// the change it reports, then streamed to its recipient.
type Event struct {
	ID     int64           `json:"id,string"`
	UserID int64           `json:"-"` // 0: everyone
	Type   string          `json:"type"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data"`
}

// IdemRecord is a create request remembered by its idempotency key.
type IdemRecord struct {
	UserID      int64
	Key         string
	Fingerprint string
	Result      []byte
	At          time.Time
}

// IndexPoint is one reference price.
type IndexPoint struct {
	Asset Asset        `json:"asset"`
	Fiat  Fiat         `json:"fiat"`
	At    time.Time    `json:"at"`
	Price money.Amount `json:"price"`
}

// TraderDay is one day of one trader's activity: the buckets a record is
// summed from. It is derived from orders and can be rebuilt from them.
type TraderDay struct {
	UserID      int64
	Day         int64 // days since the Unix epoch, UTC
	Completed   int64
	Failed      int64
	ReleaseSumS int64
	ReleaseN    int64
	PaySumS     int64
	PayN        int64
	Positive    int64
	Negative    int64
}

// Usage is how much fiat a trader has committed today.
type Usage struct {
	UserID int64
	Day    int64
	Fiat   Fiat
	Amount int64
}
