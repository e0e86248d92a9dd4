package api

// TakeRequest takes an ad. Give Amount (crypto) or FiatAmount (the
// quantity is then the most the fiat buys at the ad's price, rounded down).
type TakeRequest struct {
	AdID       int64  `json:"adId,string"`
	Amount     string `json:"amount,omitempty"`     // crypto to trade
	FiatAmount string `json:"fiatAmount,omitempty"` // or fiat to spend: converted rounding down
	Payment    string `json:"payment,omitempty"`    // one of the ad's methods; the first if absent
	// ExpectPrice, when set, refuses the take if the ad's price moved.
	ExpectPrice string `json:"expectPrice,omitempty"`
}

// Dispute reasons a client offers.
var DisputeReasons = []string{
	"paid-not-released", "marked-paid-not-received", "wrong-amount", "third-party-payment",
	"late-payment", "scam-attempt", "other",
}

// LogEntryView is a log entry with the author's role in the order.
type LogEntryView struct {
	LogEntry
	From string `json:"from"` // buyer, seller, system
}
