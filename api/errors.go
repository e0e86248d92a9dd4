package api

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, upper-case error code. Clients switch on it; its
// text never changes once published.
type Code string

const (
	CodeInvalidArgument      Code = "INVALID_ARGUMENT"
	CodeAmountInvalid        Code = "AMOUNT_INVALID"
	CodeAmountPrecision      Code = "AMOUNT_PRECISION"
	CodeAmountNotPositive    Code = "AMOUNT_NOT_POSITIVE"
	CodeAmountTooLarge       Code = "AMOUNT_TOO_LARGE"
	CodeAmountOutOfRange     Code = "AMOUNT_OUT_OF_RANGE"
	CodeAmountOverAvailable  Code = "AMOUNT_OVER_AVAILABLE"
	CodeDailyLimitExceeded   Code = "DAILY_LIMIT_EXCEEDED"
	CodeKYCRequired          Code = "KYC_LEVEL_TOO_LOW"
	CodeCompletionTooLow     Code = "COMPLETION_RATE_TOO_LOW"
	CodeInsufficientBalance  Code = "INSUFFICIENT_BALANCE"
	CodeUnknownAsset         Code = "UNKNOWN_ASSET"
	CodeUnknownFiat          Code = "UNKNOWN_FIAT"
	CodeUnknownPaymentMethod Code = "UNKNOWN_PAYMENT_METHOD"
	CodePaymentNotAccepted   Code = "PAYMENT_METHOD_NOT_ACCEPTED"
	CodePaymentDetailsNeeded Code = "PAYMENT_DETAILS_MISSING"
	CodeNameMismatch         Code = "REAL_NAME_MISMATCH"
	CodeAdNotOnline          Code = "AD_NOT_ONLINE"
	CodeOwnAd                Code = "OWN_AD"
	CodeNotFound             Code = "NOT_FOUND"
	CodeOrderStateConflict   Code = "ORDER_STATE_CONFLICT"
	CodeOrderExpired         Code = "ORDER_EXPIRED"
	CodeNotYourRole          Code = "NOT_YOUR_ROLE"
	CodeIdempotencyConflict  Code = "IDEMPOTENCY_CONFLICT"
	CodeAlreadyRated         Code = "ALREADY_RATED"
	CodeAdStateConflict      Code = "AD_STATE_CONFLICT"
	CodeForbidden            Code = "FORBIDDEN"
	CodeAccountRestricted    Code = "ACCOUNT_RESTRICTED"
	CodeNameTaken            Code = "NAME_TAKEN"
	CodeTextTooLong          Code = "TEXT_TOO_LONG"
	CodePriceOutOfBand       Code = "PRICE_OUT_OF_BAND"
	// CodePriceChanged: the price moved since the taker saw it.
	CodePriceChanged Code = "PRICE_CHANGED"
)

// Codes of refusals that happen before the marketplace rules are asked.
const (
	CodeUnauthorized      Code = "UNAUTHORIZED"
	CodeRateLimited       Code = "RATE_LIMITED"
	CodeBodyTooLarge      Code = "BODY_TOO_LARGE"
	CodeInvalidJSON       Code = "INVALID_JSON"
	CodeMethodNotAllowed  Code = "METHOD_NOT_ALLOWED"
	CodeInternal          Code = "INTERNAL"
	CodeUnavailable       Code = "UNAVAILABLE"
	CodeClockNotSimulated Code = "CLOCK_NOT_SIMULATED"
	// CodeTimestampExpired: the request's timestamp is more than MaxSkew
	// from the server clock (as OKX, expiry has its own code).
	CodeTimestampExpired Code = "TIMESTAMP_EXPIRED"
	// CodeSignatureReused: the request's signature was used before (a replay).
	CodeSignatureReused Code = "SIGNATURE_REUSED"
	// CodeTooManyFailures: a client address, or an API key, failed to
	// authenticate too often; it may try again after Retry-After seconds.
	CodeTooManyFailures Code = "TOO_MANY_FAILURES"
	// CodeDuplicateKey: one JSON object holds the same key twice.
	CodeDuplicateKey Code = "DUPLICATE_KEY"
	// CodeFieldNameCase: a key matches a field only if case is ignored
	// ("Amount" for "amount"); Go's decoder would take it, others not.
	CodeFieldNameCase Code = "FIELD_NAME_CASE"
)

// Codes of two-factor checks.
const (
	CodeTOTPNotEnrolled    Code = "TOTP_NOT_ENROLLED"
	CodeTOTPAlreadyEnabled Code = "TOTP_ALREADY_ENABLED"
	CodeTOTPRequired       Code = "TOTP_REQUIRED"
	CodeTOTPInvalid        Code = "TOTP_INVALID"
	CodeTOTPReused         Code = "TOTP_REUSED"
	CodeTOTPLocked         Code = "TOTP_LOCKED"
)

// Error is a refusal a person can understand: a stable code, a message
// and, where one field is at fault, its name.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`         // for people, in English
	Field   string `json:"field,omitempty"` // the input at fault, when there is one
	// Status is the HTTP status it came with (set by the client).
	Status int `json:"-"`
	// RetryAfter is how long to wait before asking again, where the
	// refusal says (Retry-After).
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error.
func Errorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of a market error, or "" for any other error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
