// Package api is the wire contract between the marketplace and its
// clients, and a leaf: the vocabulary (sides, assets, fiats, methods,
// order states, roles), every request and response body, the stream's
// event envelope with one typed payload per event, every error code and
// the request-signing scheme. Package market keeps the rules and builds
// these views; the client, the terminal app and the simulated traders
// read only these. Amounts cross as decimal strings (money.Amount).
// docs/API.md documents all of it, and a test holds the document to
// these types field by field.
package api

// Prefix is where the marketplace API lives.
const Prefix = "/api/v1"

// MaxBody is the largest request body accepted.
const MaxBody = 64 << 10

// HeaderIdempotencyKey names a create so that a retry has no second effect.
const HeaderIdempotencyKey = "Idempotency-Key"

// Health is the answer of GET /health.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
	Time    string `json:"time"` // server wall clock, for skew checks
	Market  string `json:"marketTime"`
	Speed   string `json:"speed,omitempty"` // simulated clock speed, e.g. "10x"
}

// ExpectBody may accompany any order action.
type ExpectBody struct {
	ExpectState OrderState `json:"expectState,omitempty"`
}

// ReleaseRequest releases an order's escrow.
type ReleaseRequest struct {
	TOTP        string     `json:"totp"`
	ExpectState OrderState `json:"expectState,omitempty"`
}

// DisputeRequest opens a dispute.
type DisputeRequest struct {
	Reason      string     `json:"reason"`
	Statement   string     `json:"statement,omitempty"`
	Evidence    []string   `json:"evidence,omitempty"`
	ExpectState OrderState `json:"expectState,omitempty"`
}

// EvidenceRequest adds to an open dispute.
type EvidenceRequest struct {
	Ref  string `json:"ref,omitempty"`
	Note string `json:"note,omitempty"`
}

// RateRequest rates the counterparty.
type RateRequest struct {
	Positive bool   `json:"positive"`
	Comment  string `json:"comment,omitempty"`
}

// MessageRequest posts to an order's chat.
type MessageRequest struct {
	Text string `json:"text"`
}

// ResolveRequest settles a dispute (support).
type ResolveRequest struct {
	Resolution Resolution `json:"resolution"`
	Note       string     `json:"note,omitempty"`
}

// PaymentAccountRequest sets where the caller receives fiat by a method.
type PaymentAccountRequest struct {
	Account  string `json:"account"`
	RealName string `json:"realName,omitempty"`
}

// AntiPhishingRequest sets the phrase shown in genuine platform messages.
type AntiPhishingRequest struct {
	Code string `json:"code"`
}

// TOTPRequest carries a one-time code.
type TOTPRequest struct {
	TOTP string `json:"totp"`
}

// NewUserRequest opens an account (admin).
type NewUserRequest struct {
	Name     string            `json:"name"`
	RealName string            `json:"realName,omitempty"`
	KYCLevel int               `json:"kycLevel"`
	Role     Role              `json:"role,omitempty"`
	Verified bool              `json:"verified,omitempty"`
	Deposits map[string]string `json:"deposits,omitempty"` // asset -> amount
	// WithTOTP gives the account a two-factor seed, enabled, returned once.
	WithTOTP bool `json:"withTotp,omitempty"`
	// Alipay also opens the user's simulated Alipay account, in the
	// verified real name, where the marketplace runs the simulated rail;
	// elsewhere it is ignored (the response then has no alipay).
	Alipay bool `json:"alipay,omitempty"`
}

// AlipayAccount is a new simulated Alipay account: its login (the
// account buyers pay), the real name, the payment password and the API
// token of /alipay/v1, shown once.
type AlipayAccount struct {
	Account         string `json:"account"`
	RealName        string `json:"realName"`
	PaymentPassword string `json:"paymentPassword"`
	Token           string `json:"token"`
}

// NewUserResponse is a new account with its credentials, shown once.
type NewUserResponse struct {
	User        User        `json:"user"`
	Credentials Credentials `json:"credentials"`
	TOTPSecret  string      `json:"totpSecret,omitempty"`
	// Alipay is the simulated Alipay account opened with it, if any.
	Alipay *AlipayAccount `json:"alipay,omitempty"`
}

// DepositRequest credits an account (admin; the practice faucet).
type DepositRequest struct {
	UserID int64  `json:"userId,string"`
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
	Ref    string `json:"ref"`
}

// ClockRequest sets the simulated clock's speed (admin): 1 is real time,
// 60 turns a 15-minute payment window into 15 seconds.
type ClockRequest struct {
	Speed float64 `json:"speed"`
}

// ClockResponse is the clock after the change.
type ClockResponse struct {
	Speed  string `json:"speed"`
	Market string `json:"marketTime"`
}

// IndexRequest publishes a reference price (admin; the price feed).
type IndexRequest struct {
	Asset string `json:"asset"`
	Fiat  string `json:"fiat"`
	Price string `json:"price"`
}

// IndexBatchRequest publishes several reference prices at once (admin).
type IndexBatchRequest struct {
	Points []IndexRequest `json:"points"`
}

// UserPatch changes an account (admin).
type UserPatch struct {
	KYCLevel   *int  `json:"kycLevel,omitempty"`
	Verified   *bool `json:"verified,omitempty"`
	Restricted *bool `json:"restricted,omitempty"`
}

// Account is the caller's account with its two-factor state.
type Account struct {
	AccountView
	TwoFactor    TwoFactor `json:"twoFactor"`
	AntiPhishing string    `json:"antiPhishingCode,omitempty"`
}

// OrderLogEntry is one line of an order's history as the API returns it:
// platform lines carry the caller's anti-phishing code; counterparty lines
// carry warnings.
type OrderLogEntry struct {
	LogEntryView
	AntiPhishing string   `json:"antiPhishingCode,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
}
