package alipay

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Prefix is where the rail's API lives.
const Prefix = "/alipay/v1"

// Handler serves the rail's API. Credentials are bearer tokens of its own,
// nothing to do with the marketplace's keys.
func (r *Rail) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn func(w http.ResponseWriter, req *http.Request, me Account, body []byte) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, req *http.Request) {
			body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 16<<10))
			if err != nil {
				r.writeErr(w, req, errf(413, "BODY_TOO_LARGE", "", "the body is too large"))
				return
			}
			tok := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
			me, err := r.Authenticate(req.Context(), tok)
			if err != nil {
				r.writeErr(w, req, err)
				return
			}
			out, err := fn(w, req, me, body)
			if err != nil {
				r.writeErr(w, req, err)
				return
			}
			writeJSON(w, http.StatusOK, out)
		})
	}
	admin := func(me Account) error {
		if me.Role != RoleAdmin {
			return errf(404, "NOT_FOUND", "", "no such endpoint")
		}
		return nil
	}
	h("GET "+Prefix+"/me", func(_ http.ResponseWriter, req *http.Request, me Account, _ []byte) (any, error) {
		return r.Me(req.Context(), me.ID)
	})
	h("GET "+Prefix+"/statement", func(_ http.ResponseWriter, req *http.Request, me Account, _ []byte) (any, error) {
		after, _ := strconv.ParseInt(req.URL.Query().Get("after"), 10, 64)
		limit, _ := strconv.Atoi(req.URL.Query().Get("limit"))
		return r.Statement(req.Context(), me.ID, after, limit)
	})
	h("GET "+Prefix+"/lookup", func(_ http.ResponseWriter, req *http.Request, _ Account, _ []byte) (any, error) {
		return r.Lookup(req.Context(), req.URL.Query().Get("login"))
	})
	h("POST "+Prefix+"/transfers", func(_ http.ResponseWriter, req *http.Request, me Account, body []byte) (any, error) {
		var s SendRequest
		if err := decode(body, &s); err != nil {
			return nil, err
		}
		t, err := r.Send(req.Context(), me.ID, s, req.Header.Get("Idempotency-Key"))
		if err != nil {
			return nil, err
		}
		return r.LineFor(req.Context(), me.ID, t)
	})
	h("POST "+Prefix+"/withdrawals", func(_ http.ResponseWriter, req *http.Request, me Account, body []byte) (any, error) {
		var wr WithdrawRequest
		if err := decode(body, &wr); err != nil {
			return nil, err
		}
		t, err := r.Withdraw(req.Context(), me.ID, wr)
		if err != nil {
			return nil, err
		}
		return r.LineFor(req.Context(), me.ID, t)
	})
	h("GET "+Prefix+"/receipts/{txid}", func(_ http.ResponseWriter, req *http.Request, me Account, _ []byte) (any, error) {
		return r.Receipt(req.Context(), me, req.PathValue("txid"))
	})
	h("POST "+Prefix+"/accounts", func(_ http.ResponseWriter, req *http.Request, me Account, body []byte) (any, error) {
		if err := admin(me); err != nil {
			return nil, err
		}
		var n NewAccount
		if err := decode(body, &n); err != nil {
			return nil, err
		}
		a, tok, err := r.Open(req.Context(), n)
		if err != nil {
			return nil, err
		}
		return OpenedAccount{Me: meOf(a, r.clock.Now()), Token: tok}, nil
	})
	h("POST "+Prefix+"/accounts/{id}/tokens", func(_ http.ResponseWriter, req *http.Request, me Account, _ []byte) (any, error) {
		if err := admin(me); err != nil {
			return nil, err
		}
		id, _ := strconv.ParseInt(req.PathValue("id"), 10, 64)
		tok, err := r.NewToken(req.Context(), id)
		if errors.Is(err, ErrNotFound) {
			return nil, errf(404, "NOT_FOUND", "", "no such account")
		}
		return map[string]string{"token": tok}, err
	})
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, req *http.Request) {
		r.writeErr(w, req, errf(404, "NOT_FOUND", "", "no such endpoint"))
	})
	return mux
}

// OpenedAccount is a new account with its access token, shown once.
type OpenedAccount struct {
	Me
	Token string `json:"token"`
}

func decode(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return errf(400, "INVALID_JSON", "", "the body is not the JSON this endpoint takes: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return errf(400, "INVALID_JSON", "", "one JSON object, nothing after it")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (r *Rail) writeErr(w http.ResponseWriter, req *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		r.Logger.Error("alipay rail", "method", req.Method, "path", req.URL.Path, "err", err)
		e = errf(500, "INTERNAL", "", "the rail failed on this request")
	}
	writeJSON(w, e.Status, e)
}
