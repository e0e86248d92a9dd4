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
	Status  string `json:"status"`          // "ok" when the server answers
	Version string `json:"version"`         // the server build
	Time    string `json:"time"`            // server wall clock, for skew checks
	Market  string `json:"marketTime"`      // the marketplace's clock, simulated in practice
	Speed   string `json:"speed,omitempty"` // simulated clock speed, e.g. "10x"
}

// ExpectBody may accompany any order action.
type ExpectBody struct {
	ExpectState OrderState `json:"expectState,omitempty"` // refuse with ORDER_STATE_CONFLICT if the order is no longer in this state
}

// ReleaseRequest releases an order's escrow.
type ReleaseRequest struct {
	TOTP        string     `json:"totp"`                  // the 6-digit code of your authenticator
	ExpectState OrderState `json:"expectState,omitempty"` // as in ExpectBody
}

// DisputeRequest opens a dispute.
type DisputeRequest struct {
	Reason      string     `json:"reason"`                // one of the dispute reasons (paid-not-released, marked-paid-not-received, wrong-amount, third-party-payment, late-payment, scam-attempt, other)
	Statement   string     `json:"statement,omitempty"`   // what happened, in your words
	Evidence    []string   `json:"evidence,omitempty"`    // ids of log lines, or Alipay transaction ids
	ExpectState OrderState `json:"expectState,omitempty"` // as in ExpectBody
}

// EvidenceRequest adds to an open dispute.
type EvidenceRequest struct {
	Ref  string `json:"ref,omitempty"`  // an Alipay transaction id or a log line id
	Note string `json:"note,omitempty"` // what it shows
}

// RateRequest rates the counterparty.
type RateRequest struct {
	Positive bool   `json:"positive"` // true for good, false for bad
	Comment  string `json:"comment,omitempty"`
}

// MessageRequest posts to an order's chat.
type MessageRequest struct {
	Text string `json:"text"` // at most 2,000 characters
}

// ResolveRequest settles a dispute (support).
type ResolveRequest struct {
	Resolution Resolution `json:"resolution"`
	Note       string     `json:"note,omitempty"` // support's reasons, written to the order's log
}

// PaymentAccountRequest sets where the caller receives fiat by a method.
type PaymentAccountRequest struct {
	Account  string `json:"account"`            // the number, e-mail or card buyers pay
	RealName string `json:"realName,omitempty"` // defaults to your verified real name, which it must match
}

// AntiPhishingRequest sets the phrase shown in genuine platform messages.
type AntiPhishingRequest struct {
	Code string `json:"code"` // 4 to 20 visible characters
}

// AntiPhishing is the phrase as set.
type AntiPhishing struct {
	Code string `json:"antiPhishingCode"`
}

// TOTPRequest carries a one-time code.
type TOTPRequest struct {
	TOTP string `json:"totp"` // the 6-digit code of your authenticator
}

// NewUserRequest opens an account (admin).
type NewUserRequest struct {
	Name     string            `json:"name"`
	RealName string            `json:"realName,omitempty"`
	KYCLevel int               `json:"kycLevel"`
	Role     Role              `json:"role,omitempty"`     // trader if absent
	Verified bool              `json:"verified,omitempty"` // the verified-merchant badge
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
	Account         string `json:"account"` // the login buyers pay
	RealName        string `json:"realName"`
	PaymentPassword string `json:"paymentPassword"` // shown once
	Token           string `json:"token"`           // the bearer token of /alipay/v1, shown once
}

// NewUserResponse is a new account with its credentials, shown once.
type NewUserResponse struct {
	User        User        `json:"user"`
	Credentials Credentials `json:"credentials"`          // API keys, shown once
	TOTPSecret  string      `json:"totpSecret,omitempty"` // withTotp: the base32 seed, shown once
	// Alipay is the simulated Alipay account opened with it, if any.
	Alipay *AlipayAccount `json:"alipay,omitempty"`
}

// DepositRequest credits an account (admin; the practice faucet).
type DepositRequest struct {
	UserID int64  `json:"userId,string"`
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
	Ref    string `json:"ref"` // unique per deposit: a retry with the same ref credits once
}

// ClockRequest sets the simulated clock's speed (admin): 1 is real time,
// 60 turns a 15-minute payment window into 15 seconds.
type ClockRequest struct {
	Speed float64 `json:"speed"` // 1 is real time, at most 3600
}

// ClockResponse is the clock after the change.
type ClockResponse struct {
	Speed  string `json:"speed"`      // e.g. "60x"
	Market string `json:"marketTime"` // the marketplace's clock
}

// IndexRequest publishes a reference price (admin; the price feed).
type IndexRequest struct {
	Asset string `json:"asset"`
	Fiat  string `json:"fiat"`
	Price string `json:"price"` // fiat per unit, at most 4 decimals
}

// IndexBatchRequest publishes several reference prices at once (admin).
type IndexBatchRequest struct {
	Points []IndexRequest `json:"points"` // 1 to 100 points
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
	AntiPhishing string    `json:"antiPhishingCode,omitempty"` // your phrase: every genuine platform line carries it
}

// OrderLogEntry is one line of an order's history as the API returns it:
// platform lines carry the caller's anti-phishing code; counterparty lines
// carry warnings.
type OrderLogEntry struct {
	LogEntryView
	AntiPhishing string   `json:"antiPhishingCode,omitempty"` // platform lines only: your anti-phishing phrase
	Warnings     []string `json:"warnings,omitempty"`         // counterparty lines only: what a careful trader notices (link, off-platform, impersonation, pressure, proof, code, fee)
}
