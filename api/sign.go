package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Header names of a signed request.
const (
	HeaderKey        = "P2P-ACCESS-KEY"
	HeaderPassphrase = "P2P-ACCESS-PASSPHRASE"
	HeaderTimestamp  = "P2P-ACCESS-TIMESTAMP"
	HeaderSign       = "P2P-ACCESS-SIGN"
)

// TimestampLayout is UTC ISO-8601 with milliseconds.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// MaxSkew is how far a request's timestamp may be from the server clock.
const MaxSkew = 30 * time.Second

// Sign returns Base64(HMAC-SHA256(secret, timestamp + METHOD + path + body)),
// where path includes the query string.
func Sign(secret, timestamp, method, pathWithQuery string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte(method))
	m.Write([]byte(pathWithQuery))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Timestamp formats t as a request timestamp.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }
