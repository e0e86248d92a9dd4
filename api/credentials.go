package api

import "time"

// Issued is a new credential in the clear: shown once, never stored so.
type Credentials struct {
	UserID     int64  `json:"userId,string"`
	APIKey     string `json:"apiKey"`
	Secret     string `json:"secret"`     // signs requests; shown once
	Passphrase string `json:"passphrase"` // sent with every request; shown once
}

// KeyInfo describes one API key without its secrets.
type KeyInfo struct {
	APIKey    string    `json:"apiKey"`
	UserID    int64     `json:"userId,string"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"createdAt"`
	Revoked   bool      `json:"revoked"` // a revoked key gets 401 at once
}

// Enrollment is a two-factor seed waiting for its first code.
type Enrollment struct {
	Secret string `json:"secret"` // base32, for typing into an authenticator
	URI    string `json:"otpauthUri"`
}

// TOTPStatus says whether two-factor is on.
type TwoFactor struct {
	Enabled        bool `json:"enabled"`
	Pending        bool `json:"pending"`        // enrolled, waiting for the first code
	Locked         bool `json:"locked"`         // too many wrong codes: locked for a while
	FailuresWindow int  `json:"recentFailures"` // wrong codes in the recent window
}
