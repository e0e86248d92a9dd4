package server

import (
	"errors"
	"net/http"
	"strconv"

	"p2pdesk/api"
	"p2pdesk/auth"
)

// statusOf maps a marketplace code to its HTTP status. Every code a client
// can see is here; the docs test checks the table against docs/API.md.
var statusOf = map[api.Code]int{
	api.CodeNotFound: http.StatusNotFound,

	api.CodeOrderStateConflict:  http.StatusConflict,
	api.CodeClockNotSimulated:   http.StatusConflict,
	api.CodeAdStateConflict:     http.StatusConflict,
	api.CodeIdempotencyConflict: http.StatusConflict,
	api.CodeOrderExpired:        http.StatusConflict,
	api.CodePriceChanged:        http.StatusConflict,
	api.CodeAlreadyRated:        http.StatusConflict,
	api.CodeNameTaken:           http.StatusConflict,
	api.CodeTOTPNotEnrolled:     http.StatusConflict,
	api.CodeTOTPAlreadyEnabled:  http.StatusConflict,

	api.CodeNotYourRole:       http.StatusForbidden,
	api.CodeForbidden:         http.StatusForbidden,
	api.CodeAccountRestricted: http.StatusForbidden,
	api.CodeTOTPRequired:      http.StatusForbidden,
	api.CodeTOTPInvalid:       http.StatusForbidden,
	api.CodeTOTPReused:        http.StatusForbidden,

	api.CodeInvalidArgument:      http.StatusBadRequest,
	api.CodeAmountInvalid:        http.StatusBadRequest,
	api.CodeAmountPrecision:      http.StatusBadRequest,
	api.CodeAmountNotPositive:    http.StatusBadRequest,
	api.CodeAmountTooLarge:       http.StatusBadRequest,
	api.CodeUnknownAsset:         http.StatusBadRequest,
	api.CodeUnknownFiat:          http.StatusBadRequest,
	api.CodeUnknownPaymentMethod: http.StatusBadRequest,
	api.CodeTextTooLong:          http.StatusBadRequest,
	api.CodeNameMismatch:         http.StatusBadRequest,
	api.CodeInvalidJSON:          http.StatusBadRequest,
	api.CodeDuplicateKey:         http.StatusBadRequest,
	api.CodeFieldNameCase:        http.StatusBadRequest,

	api.CodeAmountOutOfRange:     http.StatusUnprocessableEntity,
	api.CodeAmountOverAvailable:  http.StatusUnprocessableEntity,
	api.CodeDailyLimitExceeded:   http.StatusUnprocessableEntity,
	api.CodeKYCRequired:          http.StatusUnprocessableEntity,
	api.CodeCompletionTooLow:     http.StatusUnprocessableEntity,
	api.CodeInsufficientBalance:  http.StatusUnprocessableEntity,
	api.CodePaymentNotAccepted:   http.StatusUnprocessableEntity,
	api.CodePaymentDetailsNeeded: http.StatusUnprocessableEntity,
	api.CodeAdNotOnline:          http.StatusUnprocessableEntity,
	api.CodeOwnAd:                http.StatusUnprocessableEntity,
	api.CodePriceOutOfBand:       http.StatusUnprocessableEntity,

	api.CodeUnauthorized:     http.StatusUnauthorized,
	api.CodeSignatureReused:  http.StatusUnauthorized,
	api.CodeTimestampExpired: http.StatusUnauthorized,
	api.CodeBodyTooLarge:     http.StatusRequestEntityTooLarge,
	api.CodeRateLimited:      http.StatusTooManyRequests,
	api.CodeTooManyFailures:  http.StatusTooManyRequests,
	api.CodeTOTPLocked:       http.StatusTooManyRequests,
	api.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	api.CodeInternal:         http.StatusInternalServerError,
	api.CodeUnavailable:      http.StatusServiceUnavailable,
}

// StatusTable is the code -> status table, for documentation tests.
func StatusTable() map[string]int {
	out := make(map[string]int, len(statusOf))
	for k, v := range statusOf {
		out[string(k)] = v
	}
	return out
}

// httpError is an error that knows its response.
type httpError struct {
	status     int
	body       api.Error
	retryAfter int // seconds
}

func (e *httpError) Error() string { return e.body.Error() }

func errf(code api.Code, field, msg string) *httpError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	return &httpError{status: st, body: api.Error{Code: api.Code(code), Message: msg, Field: field}}
}

// toHTTP classifies any error a handler returns.
func toHTTP(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var me *api.Error
	if errors.As(err, &me) {
		e := errf(me.Code, me.Field, me.Message)
		e.retryAfter = int(me.RetryAfter.Seconds())
		return e
	}
	if errors.Is(err, auth.ErrNoSuchKey) {
		return errf(api.CodeNotFound, "key", "no such API key")
	}
	var ue *auth.ErrUnauthorized
	if errors.As(err, &ue) && ue.Code == api.CodeSignatureReused {
		return errf(ue.Code, "", "this signature was used before: sign every request anew (a fresh timestamp)")
	}
	if errors.As(err, &ue) && ue.Code == api.CodeTimestampExpired {
		return errf(ue.Code, "", "the request's timestamp is more than 30 s from the server clock ("+ue.Reason+"): check this machine's clock")
	}
	if errors.As(err, &ue) {
		return errf(api.CodeUnauthorized, "", "the request could not be authenticated: check the API key, passphrase, clock and signature")
	}
	return nil
}

func setRetryAfter(w http.ResponseWriter, secs int) {
	if secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
}
