package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
)

// Alipay is a client of the simulated Alipay rail: a separate service with
// its own bearer-token credentials.
type Alipay struct {
	base  string
	token string
	hc    *http.Client
}

// NewAlipay builds a rail client for a server address and access token.
func NewAlipay(baseURL, token string, hc *http.Client) *Alipay {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Alipay{base: strings.TrimRight(baseURL, "/") + alipay.Prefix, token: token, hc: hc}
}

func (a *Alipay) do(ctx context.Context, method, path string, body any, idem string, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var e alipay.Error
		if json.Unmarshal(b, &e) != nil || e.Code == "" {
			return &api.Error{Status: resp.StatusCode, Code: api.Code(http.StatusText(resp.StatusCode)), Message: string(b)}
		}
		// The rail's codes are its own; the shape is the marketplace's.
		return &api.Error{Status: resp.StatusCode, Code: api.Code(e.Code), Message: e.Message, Field: e.Field}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// Me returns the account: balance and real name.
func (a *Alipay) Me(ctx context.Context) (alipay.Me, error) {
	var out alipay.Me
	return out, a.do(ctx, http.MethodGet, "/me", nil, "", &out)
}

// Statement lists transfers after a sequence number, oldest first.
func (a *Alipay) Statement(ctx context.Context, after int64) ([]alipay.Line, error) {
	var out []alipay.Line
	path := "/statement"
	if after > 0 {
		path += "?after=" + strconv.FormatInt(after, 10)
	}
	return out, a.do(ctx, http.MethodGet, path, nil, "", &out)
}

// Lookup shows the masked real name of an account before paying it.
func (a *Alipay) Lookup(ctx context.Context, login string) (alipay.Payee, error) {
	var out alipay.Payee
	return out, a.do(ctx, http.MethodGet, "/lookup?login="+url.QueryEscape(login), nil, "", &out)
}

// Send pays another account, at once and for good. idem may be "" for a
// fresh key.
func (a *Alipay) Send(ctx context.Context, to, amount, note, password, idem string) (alipay.Line, error) {
	if idem == "" {
		idem = NewIdempotencyKey()
	}
	var out alipay.Line
	return out, a.do(ctx, http.MethodPost, "/transfers", alipay.SendRequest{To: to, Amount: amount, Note: note, PaymentPassword: password}, idem, &out)
}

// Withdraw sends money to a bank card (two business days).
func (a *Alipay) Withdraw(ctx context.Context, card, amount, password string) (alipay.Line, error) {
	var out alipay.Line
	return out, a.do(ctx, http.MethodPost, "/withdrawals", alipay.WithdrawRequest{Card: card, Amount: amount, PaymentPassword: password}, "", &out)
}

// Receipt reads the rail's record of a transfer.
func (a *Alipay) Receipt(ctx context.Context, txid string) (alipay.Receipt, error) {
	var out alipay.Receipt
	return out, a.do(ctx, http.MethodGet, "/receipts/"+url.PathEscape(txid), nil, "", &out)
}

// Open creates an account (rail admin).
func (a *Alipay) Open(ctx context.Context, n alipay.NewAccount) (alipay.OpenedAccount, error) {
	var out alipay.OpenedAccount
	return out, a.do(ctx, http.MethodPost, "/accounts", n, "", &out)
}

// NewToken issues a fresh access token for an account (rail admin).
func (a *Alipay) NewToken(ctx context.Context, id int64) (string, error) {
	var out map[string]string
	err := a.do(ctx, http.MethodPost, fmt.Sprintf("/accounts/%d/tokens", id), nil, "", &out)
	return out["token"], err
}
