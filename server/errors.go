package server

import (
	"errors"
	"net/http"
	"strconv"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// statusOf maps a marketplace code to its HTTP status. Every code a client
// can see is here; the docs test checks the table against docs/API.md.
var statusOf = map[string]int{
	string(market.CodeNotFound): http.StatusNotFound,

	string(market.CodeOrderStateConflict):  http.StatusConflict,
	api.CodeClockNotSimulated:              http.StatusConflict,
	string(market.CodeAdStateConflict):     http.StatusConflict,
	string(market.CodeIdempotencyConflict): http.StatusConflict,
	string(market.CodeOrderExpired):        http.StatusConflict,
	string(market.CodePriceChanged):        http.StatusConflict,
	string(market.CodeAlreadyRated):        http.StatusConflict,
	string(market.CodeNameTaken):           http.StatusConflict,
	"TOTP_NOT_ENROLLED":                    http.StatusConflict,
	"TOTP_ALREADY_ENABLED":                 http.StatusConflict,

	string(market.CodeNotYourRole):       http.StatusForbidden,
	string(market.CodeForbidden):         http.StatusForbidden,
	string(market.CodeAccountRestricted): http.StatusForbidden,
	"TOTP_REQUIRED":                      http.StatusForbidden,
	"TOTP_INVALID":                       http.StatusForbidden,
	"TOTP_REUSED":                        http.StatusForbidden,

	string(market.CodeInvalidArgument):      http.StatusBadRequest,
	string(market.CodeAmountInvalid):        http.StatusBadRequest,
	string(market.CodeAmountPrecision):      http.StatusBadRequest,
	string(market.CodeAmountNotPositive):    http.StatusBadRequest,
	string(market.CodeAmountTooLarge):       http.StatusBadRequest,
	string(market.CodeUnknownAsset):         http.StatusBadRequest,
	string(market.CodeUnknownFiat):          http.StatusBadRequest,
	string(market.CodeUnknownPaymentMethod): http.StatusBadRequest,
	string(market.CodeTextTooLong):          http.StatusBadRequest,
	string(market.CodeNameMismatch):         http.StatusBadRequest,
	api.CodeInvalidJSON:                     http.StatusBadRequest,
	CodeDuplicateKey:                        http.StatusBadRequest,
	CodeFieldNameCase:                       http.StatusBadRequest,

	string(market.CodeAmountOutOfRange):     http.StatusUnprocessableEntity,
	string(market.CodeAmountOverAvailable):  http.StatusUnprocessableEntity,
	string(market.CodeDailyLimitExceeded):   http.StatusUnprocessableEntity,
	string(market.CodeKYCRequired):          http.StatusUnprocessableEntity,
	string(market.CodeCompletionTooLow):     http.StatusUnprocessableEntity,
	string(market.CodeInsufficientBalance):  http.StatusUnprocessableEntity,
	string(market.CodePaymentNotAccepted):   http.StatusUnprocessableEntity,
	string(market.CodePaymentDetailsNeeded): http.StatusUnprocessableEntity,
	string(market.CodeAdNotOnline):          http.StatusUnprocessableEntity,
	string(market.CodeOwnAd):                http.StatusUnprocessableEntity,
	string(market.CodePriceOutOfBand):       http.StatusUnprocessableEntity,

	api.CodeUnauthorized:      http.StatusUnauthorized,
	auth.CodeSignatureReused:  http.StatusUnauthorized,
	auth.CodeTimestampExpired: http.StatusUnauthorized,
	api.CodeBodyTooLarge:      http.StatusRequestEntityTooLarge,
	api.CodeRateLimited:       http.StatusTooManyRequests,
	CodeTooManyFailures:       http.StatusTooManyRequests,
	"TOTP_LOCKED":             http.StatusTooManyRequests,
	api.CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
	api.CodeInternal:          http.StatusInternalServerError,
	api.CodeUnavailable:       http.StatusServiceUnavailable,
}

// StatusTable is the code -> status table, for documentation tests.
func StatusTable() map[string]int {
	out := make(map[string]int, len(statusOf))
	for k, v := range statusOf {
		out[k] = v
	}
	return out
}

// httpError is an error that knows its response.
type httpError struct {
	status     int
	body       api.Error
	retryAfter int // seconds
}

func (e *httpError) Error() string { return e.body.Code + ": " + e.body.Message }

func errf(code, field, msg string) *httpError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	return &httpError{status: st, body: api.Error{Code: code, Message: msg, Field: field}}
}

// toHTTP classifies any error a handler returns.
func toHTTP(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var me *market.Error
	if errors.As(err, &me) {
		return errf(string(me.Code), me.Field, me.Message)
	}
	var ce *auth.CodeError
	if errors.As(err, &ce) {
		e := errf(ce.Code, "totp", ce.Message)
		if ce.Code == "INVALID_ARGUMENT" {
			e.body.Field = "code"
		}
		e.retryAfter = int(ce.RetryAfter.Seconds())
		return e
	}
	if errors.Is(err, auth.ErrNoSuchKey) {
		return errf(string(market.CodeNotFound), "key", "no such API key")
	}
	var ue *auth.ErrUnauthorized
	if errors.As(err, &ue) && ue.Code == auth.CodeSignatureReused {
		return errf(ue.Code, "", "this signature was used before: sign every request anew (a fresh timestamp)")
	}
	if errors.As(err, &ue) && ue.Code == auth.CodeTimestampExpired {
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
