package market

import (
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// SystemUserID is the marketplace's own ledger account: deposits come from
// it and withdrawals go to it, so its balance mirrors everything held by
// traders and every asset sums to zero.
const SystemUserID int64 = 1

// Balance is one ledger account: a trader's holding of one asset, kept as
// the four running sums of the transfer log (after TigerBeetle).
type Balance struct {
	UserID         int64
	Asset          api.Asset
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
	// TransferImmediate moves funds at once (deposits, withdrawals).
	TransferImmediate TransferKind = "posted"
	// TransferPending reserves the debit side's funds (the escrow lock).
	TransferPending TransferKind = "pending"
	// TransferPostPending settles a pending transfer: the release.
	TransferPostPending TransferKind = "post"
	// TransferVoidPending cancels a pending transfer: the refund to the
	// seller. (Names after TigerBeetle's pending / post_pending /
	// void_pending; the stored values stay as they were.)
	TransferVoidPending TransferKind = "void"
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
	Asset     api.Asset
	Amount    int64
	Code      string // deposit, withdrawal, escrow, release, refund
	OrderID   int64
	At        time.Time
}

// Ad is a maker's standing offer.
type Ad struct {
	ID        int64
	MakerID   int64
	Side      api.Side
	Asset     api.Asset
	Fiat      api.Fiat
	PriceType api.PriceType
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
	Status          api.AdStatus
	MinKYC          int
	MinCompletionBP int64 // counterparty's minimum completion rate, basis points
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
}

// Order is one trade against an ad.
type Order struct {
	ID              int64
	AdID            int64
	MakerID         int64
	TakerID         int64
	BuyerID         int64
	SellerID        int64
	Asset           api.Asset
	Fiat            api.Fiat
	Price           money.Amount
	Amount          money.Amount
	FiatTotal       money.Amount
	Payment         api.PaymentMethod
	SellerAccount   api.PaymentAccount // whom the buyer pays, as it was at the take
	BuyerRealName   string             // whose name the payment must come from
	State           api.OrderState
	Resolution      api.Resolution
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

// IdemRecord is a create request remembered by its idempotency key.
type IdemRecord struct {
	UserID      int64
	Key         string
	Fingerprint string
	Result      []byte
	At          time.Time
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
	Fiat   api.Fiat
	Amount int64
}
