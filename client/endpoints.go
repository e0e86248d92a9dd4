package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"p2pdesk/api"
)

// Health asks the server how it is (no authentication needed).
func (c *Client) Health(ctx context.Context) (api.Health, error) {
	var out api.Health
	return out, c.do(ctx, call{method: http.MethodGet, path: "/health", out: &out})
}

// AdQuery filters GET /ads.
type AdQuery struct {
	Side         api.Side // the maker's side
	Asset        api.Asset
	Fiat         api.Fiat
	Payment      api.PaymentMethod
	Amount       string // fiat amount that must fit the ad's limits
	VerifiedOnly bool
	Sort         string
	Cursor       string
	Limit        int
}

func (q AdQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("side", string(q.Side))
	set("asset", string(q.Asset))
	set("fiat", string(q.Fiat))
	set("payment", string(q.Payment))
	set("amount", q.Amount)
	if q.VerifiedOnly {
		v.Set("verified", "true")
	}
	set("sort", q.Sort)
	set("cursor", q.Cursor)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Ads searches the order book.
func (c *Client) Ads(ctx context.Context, q AdQuery) (api.AdPage, error) {
	var out api.AdPage
	return out, c.do(ctx, call{method: http.MethodGet, path: withQuery("/ads", q.values()), out: &out})
}

// Ad returns one ad.
func (c *Client) Ad(ctx context.Context, id int64) (api.AdView, error) {
	var out api.AdView
	return out, c.do(ctx, call{method: http.MethodGet, path: fmt.Sprintf("/ads/%d", id), out: &out})
}

// MyAds lists the caller's ads.
func (c *Client) MyAds(ctx context.Context) ([]api.AdView, error) {
	var out []api.AdView
	return out, c.do(ctx, call{method: http.MethodGet, path: "/ads/mine", out: &out})
}

// PostAd publishes an ad. It is safe to retry: it carries an idempotency key.
func (c *Client) PostAd(ctx context.Context, req api.AdRequest) (api.AdView, error) {
	var out api.AdView
	return out, c.do(ctx, call{method: http.MethodPost, path: "/ads", body: req, out: &out, idem: NewIdempotencyKey()})
}

// EditAd changes an ad.
func (c *Client) EditAd(ctx context.Context, id int64, p api.AdPatch) (api.AdView, error) {
	var out api.AdView
	return out, c.do(ctx, call{method: http.MethodPatch, path: fmt.Sprintf("/ads/%d", id), body: p, out: &out})
}

// SetAdStatus pauses, resumes or deletes an ad.
func (c *Client) SetAdStatus(ctx context.Context, id int64, action string) (api.AdView, error) {
	var out api.AdView
	switch action {
	case "pause", "resume":
		return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/ads/%d/%s", id, action), out: &out})
	case "delete":
		return out, c.do(ctx, call{method: http.MethodDelete, path: fmt.Sprintf("/ads/%d", id), out: &out})
	}
	return out, fmt.Errorf("client: unknown ad action %q", action)
}

// TakeAd opens an order. idem may be "" for a fresh key; a caller that
// retries by itself passes the same key each time.
func (c *Client) TakeAd(ctx context.Context, req api.TakeRequest, idem string) (api.OrderView, error) {
	if idem == "" {
		idem = NewIdempotencyKey()
	}
	var out api.OrderView
	return out, c.do(ctx, call{method: http.MethodPost, path: "/orders", body: req, out: &out, idem: idem})
}

// OrderQuery filters GET /orders.
type OrderQuery struct {
	Open     *bool
	States   []api.OrderState
	Asset    api.Asset
	Side     api.Side // the caller's side
	BeforeID int64
	Limit    int
}

// Orders lists the caller's orders, newest first.
func (c *Client) Orders(ctx context.Context, q OrderQuery) ([]api.OrderView, error) {
	v := url.Values{}
	if q.Open != nil {
		v.Set("open", strconv.FormatBool(*q.Open))
	}
	if len(q.States) > 0 {
		ss := make([]string, len(q.States))
		for i, s := range q.States {
			ss[i] = string(s)
		}
		v.Set("state", strings.Join(ss, ","))
	}
	if q.Asset != "" {
		v.Set("asset", string(q.Asset))
	}
	if q.Side != "" {
		v.Set("side", string(q.Side))
	}
	if q.BeforeID > 0 {
		v.Set("before", strconv.FormatInt(q.BeforeID, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out api.OrderPage
	err := c.do(ctx, call{method: http.MethodGet, path: withQuery("/orders", v), out: &out})
	return out.Orders, err
}

// Order returns one order.
func (c *Client) Order(ctx context.Context, id int64) (api.OrderView, error) {
	var out api.OrderView
	return out, c.do(ctx, call{method: http.MethodGet, path: fmt.Sprintf("/orders/%d", id), out: &out})
}

func (c *Client) action(ctx context.Context, id int64, verb string, body any) (api.OrderView, error) {
	var out api.OrderView
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/orders/%d/%s", id, verb), body: body, out: &out})
}

// MarkPaid says the buyer has paid. expect is the state the caller
// believes the order is in ("" for no check).
func (c *Client) MarkPaid(ctx context.Context, id int64, expect api.OrderState) (api.OrderView, error) {
	return c.action(ctx, id, "paid", api.ExpectBody{ExpectState: expect})
}

// Cancel cancels an unpaid order (buyer).
func (c *Client) Cancel(ctx context.Context, id int64, expect api.OrderState) (api.OrderView, error) {
	return c.action(ctx, id, "cancel", api.ExpectBody{ExpectState: expect})
}

// Release releases the escrow to the buyer (seller), with a one-time code.
func (c *Client) Release(ctx context.Context, id int64, totp string, expect api.OrderState) (api.OrderView, error) {
	return c.action(ctx, id, "release", api.ReleaseRequest{TOTP: totp, ExpectState: expect})
}

// Dispute opens a dispute.
func (c *Client) Dispute(ctx context.Context, id int64, req api.DisputeRequest) (api.OrderView, error) {
	return c.action(ctx, id, "dispute", req)
}

// AddEvidence adds to an open dispute.
func (c *Client) AddEvidence(ctx context.Context, id int64, ref, note string) (api.LogEntry, error) {
	var out api.LogEntry
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/orders/%d/evidence", id), body: api.EvidenceRequest{Ref: ref, Note: note}, out: &out})
}

// Rate rates the counterparty of a finished order.
func (c *Client) Rate(ctx context.Context, id int64, positive bool, comment string) (api.OrderView, error) {
	return c.action(ctx, id, "rate", api.RateRequest{Positive: positive, Comment: comment})
}

// Messages returns an order's history and chat after a line id.
func (c *Client) Messages(ctx context.Context, id, after int64) ([]api.OrderLogEntry, error) {
	var out []api.OrderLogEntry
	path := fmt.Sprintf("/orders/%d/messages", id)
	if after > 0 {
		path += "?after=" + strconv.FormatInt(after, 10)
	}
	return out, c.do(ctx, call{method: http.MethodGet, path: path, out: &out})
}

// SendMessage posts to an order's chat.
func (c *Client) SendMessage(ctx context.Context, id int64, text string) (api.LogEntry, error) {
	var out api.LogEntry
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/orders/%d/messages", id), body: api.MessageRequest{Text: text}, out: &out, idem: NewIdempotencyKey()})
}

// Account returns the caller's account.
func (c *Client) Account(ctx context.Context) (api.Account, error) {
	var out api.Account
	return out, c.do(ctx, call{method: http.MethodGet, path: "/account", out: &out})
}

// SetPaymentAccount records where the caller receives fiat by a method.
func (c *Client) SetPaymentAccount(ctx context.Context, method api.PaymentMethod, account, realName string) (api.PaymentAccount, error) {
	var out api.PaymentAccount
	return out, c.do(ctx, call{method: http.MethodPut, path: "/account/payment-methods/" + url.PathEscape(string(method)),
		body: api.PaymentAccountRequest{Account: account, RealName: realName}, out: &out})
}

// SetAntiPhishing sets the phrase genuine platform messages show.
func (c *Client) SetAntiPhishing(ctx context.Context, code string) error {
	return c.do(ctx, call{method: http.MethodPut, path: "/account/anti-phishing", body: api.AntiPhishingRequest{Code: code}})
}

// TwoFactor returns the caller's two-factor state.
func (c *Client) TwoFactor(ctx context.Context) (api.TwoFactor, error) {
	var out api.TwoFactor
	return out, c.do(ctx, call{method: http.MethodGet, path: "/account/2fa", out: &out})
}

// Enroll2FA starts two-factor enrolment and returns the seed.
func (c *Client) Enroll2FA(ctx context.Context) (api.Enrollment, error) {
	var out api.Enrollment
	return out, c.do(ctx, call{method: http.MethodPost, path: "/account/2fa/enroll", out: &out})
}

// Confirm2FA turns two-factor on with a first valid code.
func (c *Client) Confirm2FA(ctx context.Context, code string) (api.TwoFactor, error) {
	var out api.TwoFactor
	return out, c.do(ctx, call{method: http.MethodPost, path: "/account/2fa/confirm", body: api.TOTPRequest{TOTP: code}, out: &out})
}

// Balances returns the caller's wallet.
func (c *Client) Balances(ctx context.Context) ([]api.BalanceView, error) {
	var out []api.BalanceView
	return out, c.do(ctx, call{method: http.MethodGet, path: "/balances", out: &out})
}

// Trader returns a trader's public card.
func (c *Client) Trader(ctx context.Context, id int64) (api.TraderCard, error) {
	var out api.TraderCard
	return out, c.do(ctx, call{method: http.MethodGet, path: fmt.Sprintf("/traders/%d", id), out: &out})
}

// Index returns the latest reference price.
func (c *Client) Index(ctx context.Context, asset api.Asset, fiat api.Fiat) (api.IndexPoint, error) {
	var out api.IndexPoint
	return out, c.do(ctx, call{method: http.MethodGet, path: withQuery("/index", url.Values{"asset": {string(asset)}, "fiat": {string(fiat)}}), out: &out})
}

// IndexHistory returns reference prices since a moment, oldest first.
func (c *Client) IndexHistory(ctx context.Context, asset api.Asset, fiat api.Fiat, since time.Time, step time.Duration, limit int) ([]api.IndexPoint, error) {
	v := url.Values{"asset": {string(asset)}, "fiat": {string(fiat)}}
	if !since.IsZero() {
		v.Set("since", since.UTC().Format(time.RFC3339Nano))
	}
	if step >= time.Second {
		v.Set("step", strconv.Itoa(int(step/time.Second)))
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out []api.IndexPoint
	return out, c.do(ctx, call{method: http.MethodGet, path: withQuery("/index/history", v), out: &out})
}

// Disputes lists open disputes (support).
func (c *Client) Disputes(ctx context.Context) ([]api.OrderView, error) {
	var out []api.OrderView
	return out, c.do(ctx, call{method: http.MethodGet, path: "/support/disputes", out: &out})
}

// Resolve settles a dispute (support).
func (c *Client) Resolve(ctx context.Context, id int64, res api.Resolution, note string) (api.OrderView, error) {
	var out api.OrderView
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/support/orders/%d/resolve", id), body: api.ResolveRequest{Resolution: res, Note: note}, out: &out})
}

// SupportMessage writes as support in a disputed order's chat.
func (c *Client) SupportMessage(ctx context.Context, id int64, text string) (api.LogEntry, error) {
	var out api.LogEntry
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/support/orders/%d/messages", id), body: api.MessageRequest{Text: text}, out: &out})
}

// CreateUser opens an account (admin). Not retried: the name is unique,
// and the credentials exist only in this one answer.
func (c *Client) CreateUser(ctx context.Context, req api.NewUserRequest) (api.NewUserResponse, error) {
	var out api.NewUserResponse
	return out, c.do(ctx, call{method: http.MethodPost, path: "/admin/users", body: req, out: &out})
}

// PatchUser changes an account (admin).
func (c *Client) PatchUser(ctx context.Context, id int64, p api.UserPatch) (api.User, error) {
	var out api.User
	return out, c.do(ctx, call{method: http.MethodPatch, path: fmt.Sprintf("/admin/users/%d", id), body: p, out: &out})
}

// IssueKey gives an account a new API key (admin).
func (c *Client) IssueKey(ctx context.Context, id int64) (api.Credentials, error) {
	var out api.Credentials
	return out, c.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/admin/users/%d/keys", id), out: &out})
}

// Keys lists the caller's API keys, revoked ones included.
func (c *Client) Keys(ctx context.Context) ([]api.KeyInfo, error) {
	var out []api.KeyInfo
	return out, c.do(ctx, call{method: http.MethodGet, path: "/account/keys", out: &out})
}

// RevokeKey revokes one of the caller's API keys (it may be the one in
// use: later requests with it are refused).
func (c *Client) RevokeKey(ctx context.Context, apiKey string) (api.KeyInfo, error) {
	var out api.KeyInfo
	return out, c.do(ctx, call{method: http.MethodDelete, path: "/account/keys/" + url.PathEscape(apiKey), out: &out})
}

// UserKeys lists an account's API keys (admin).
func (c *Client) UserKeys(ctx context.Context, user int64) ([]api.KeyInfo, error) {
	var out []api.KeyInfo
	return out, c.do(ctx, call{method: http.MethodGet, path: fmt.Sprintf("/admin/users/%d/keys", user), out: &out})
}

// AdminRevokeKey revokes anyone's API key (admin).
func (c *Client) AdminRevokeKey(ctx context.Context, apiKey string) (api.KeyInfo, error) {
	var out api.KeyInfo
	return out, c.do(ctx, call{method: http.MethodDelete, path: "/admin/keys/" + url.PathEscape(apiKey), out: &out})
}

// Deposit credits an account (admin). ref makes it happen once.
func (c *Client) Deposit(ctx context.Context, user int64, asset api.Asset, amount, ref string) (api.BalanceView, error) {
	var out api.BalanceView
	return out, c.do(ctx, call{method: http.MethodPost, path: "/admin/deposits", body: api.DepositRequest{UserID: user, Asset: string(asset), Amount: amount, Ref: ref}, out: &out, idem: "deposit-" + ref})
}

// SetIndex publishes a reference price (admin).
func (c *Client) SetIndex(ctx context.Context, asset api.Asset, fiat api.Fiat, price string) (api.IndexPoint, error) {
	var out api.IndexPoint
	return out, c.do(ctx, call{method: http.MethodPost, path: "/admin/index", body: api.IndexRequest{Asset: string(asset), Fiat: string(fiat), Price: price}, out: &out})
}

// SetIndexes publishes several reference prices in one go (admin).
func (c *Client) SetIndexes(ctx context.Context, points []api.IndexPoint) ([]api.IndexPoint, error) {
	req := api.IndexBatchRequest{}
	for _, p := range points {
		req.Points = append(req.Points, api.IndexRequest{Asset: string(p.Asset), Fiat: string(p.Fiat), Price: p.Price.String()})
	}
	var out []api.IndexPoint
	return out, c.do(ctx, call{method: http.MethodPost, path: "/admin/index/batch", body: req, out: &out})
}

// SetSpeed changes a simulated marketplace's clock speed (admin).
func (c *Client) SetSpeed(ctx context.Context, x float64) (api.ClockResponse, error) {
	var out api.ClockResponse
	return out, c.do(ctx, call{method: http.MethodPut, path: "/admin/clock", body: api.ClockRequest{Speed: x}, out: &out})
}
