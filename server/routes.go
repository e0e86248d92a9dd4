package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
)

const p = api.Prefix

func (s *Server) register() {
	s.open("GET "+p+"/health", s.health)
	s.mux.HandleFunc(p+"/", s.notFoundAPI)

	s.route("GET "+p+"/ads", s.searchAds)
	s.route("POST "+p+"/ads", s.postAd)
	s.route("GET "+p+"/ads/mine", func(c *call) (any, error) { return s.svc.MyAds(c.r.Context(), c.user) })
	s.route("GET "+p+"/ads/{id}", s.getAd)
	s.route("PATCH "+p+"/ads/{id}", s.editAd)
	s.route("DELETE "+p+"/ads/{id}", s.adStatus("delete"))
	s.route("POST "+p+"/ads/{id}/pause", s.adStatus("pause"))
	s.route("POST "+p+"/ads/{id}/resume", s.adStatus("resume"))

	s.route("POST "+p+"/orders", s.takeAd)
	s.route("GET "+p+"/orders", s.listOrders)
	s.route("GET "+p+"/orders/{id}", s.getOrder)
	s.route("POST "+p+"/orders/{id}/paid", s.orderAction(s.svc.MarkPaid))
	s.route("POST "+p+"/orders/{id}/cancel", s.orderAction(s.svc.Cancel))
	s.route("POST "+p+"/orders/{id}/release", s.release)
	s.route("POST "+p+"/orders/{id}/dispute", s.dispute)
	s.route("POST "+p+"/orders/{id}/evidence", s.evidence)
	s.route("POST "+p+"/orders/{id}/rate", s.rate)
	s.route("GET "+p+"/orders/{id}/messages", s.messages)
	s.route("POST "+p+"/orders/{id}/messages", s.postMessage)

	s.route("GET "+p+"/account", s.account)
	s.route("PUT "+p+"/account/payment-methods/{method}", s.setPaymentMethod)
	s.route("PUT "+p+"/account/anti-phishing", s.setAntiPhishing)
	s.route("GET "+p+"/account/2fa", func(c *call) (any, error) { return s.auth.Status(c.r.Context(), c.user) })
	s.route("POST "+p+"/account/2fa/enroll", s.enroll)
	s.route("POST "+p+"/account/2fa/confirm", s.confirm2FA)
	s.route("GET "+p+"/account/keys", func(c *call) (any, error) { return s.auth.Keys(c.r.Context(), c.user) })
	s.route("DELETE "+p+"/account/keys/{key}", s.revokeKey(false))
	s.route("GET "+p+"/balances", func(c *call) (any, error) { return s.svc.Balances(c.r.Context(), c.user) })
	s.route("GET "+p+"/traders/{id}", s.trader)
	s.route("GET "+p+"/index", s.index)
	s.route("GET "+p+"/index/history", s.indexHistory)
	s.route("GET "+p+"/stream", s.stream)

	s.route("GET "+p+"/support/disputes", s.disputes)
	s.route("POST "+p+"/support/orders/{id}/resolve", s.resolve)
	s.route("POST "+p+"/support/orders/{id}/messages", s.supportMessage)

	s.route("POST "+p+"/admin/users", s.adminCreateUser)
	s.route("PATCH "+p+"/admin/users/{id}", s.adminPatchUser)
	s.route("POST "+p+"/admin/users/{id}/keys", s.adminIssueKey)
	s.route("GET "+p+"/admin/users/{id}/keys", s.adminListKeys)
	s.route("DELETE "+p+"/admin/keys/{key}", s.revokeKey(true))
	s.route("POST "+p+"/admin/deposits", s.adminDeposit)
	s.route("POST "+p+"/admin/index", s.adminIndex)
	s.route("POST "+p+"/admin/index/batch", s.adminIndexBatch)
	s.route("PUT "+p+"/admin/clock", s.adminClock)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := api.Health{Status: "ok", Version: s.opts.Version, Time: s.opts.Wall.Now().UTC().Format(time.RFC3339Nano),
		Market: s.svc.Clock().Now().UTC().Format(time.RFC3339Nano)}
	if s.opts.Speed != nil {
		h.Speed = s.opts.Speed()
	}
	writeJSON(w, http.StatusOK, h)
}

// ---- ads

func (s *Server) searchAds(c *call) (any, error) {
	q := c.r.URL.Query()
	if err := onlyParams(q, "side", "asset", "fiat", "payment", "amount", "verified", "sort", "cursor", "limit"); err != nil {
		return nil, err
	}
	limit, err := intParam(q.Get("limit"), "limit", 20)
	if err != nil {
		return nil, err
	}
	verified, err := boolParam(q.Get("verified"), "verified")
	if err != nil {
		return nil, err
	}
	return s.svc.SearchAds(c.r.Context(), market.AdSearch{Side: q.Get("side"), Asset: q.Get("asset"), Fiat: q.Get("fiat"),
		Payment: q.Get("payment"), FiatAmount: q.Get("amount"), VerifiedOnly: verified, Sort: q.Get("sort"),
		Cursor: q.Get("cursor"), Limit: limit})
}

func (s *Server) postAd(c *call) (any, error) {
	var req api.AdRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	idem, err := c.idem()
	if err != nil {
		return nil, err
	}
	v, err := s.svc.PostAd(c.r.Context(), c.user, req, idem)
	return created{v}, err
}

func (s *Server) getAd(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return s.svc.GetAd(c.r.Context(), c.user, id)
}

func (s *Server) editAd(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var patch api.AdPatch
	if err := c.decode(&patch); err != nil {
		return nil, err
	}
	return s.svc.EditAd(c.r.Context(), c.user, id, patch)
}

func (s *Server) adStatus(action string) handler {
	return func(c *call) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		if err := c.decodeOptional(&struct{}{}); err != nil {
			return nil, err
		}
		return s.svc.SetAdStatus(c.r.Context(), c.user, id, action)
	}
}

// ---- orders

func (s *Server) takeAd(c *call) (any, error) {
	var req api.TakeRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	idem, err := c.idem()
	if err != nil {
		return nil, err
	}
	if s.opts.TakeAd != nil {
		v, err := s.opts.TakeAd(c.r.Context(), c.user, req, idem)
		return created{v}, err
	}
	v, err := s.svc.TakeAd(c.r.Context(), c.user, req, idem)
	return created{v}, err
}

func (s *Server) listOrders(c *call) (any, error) {
	q := c.r.URL.Query()
	if err := onlyParams(q, "open", "state", "asset", "side", "before", "limit"); err != nil {
		return nil, err
	}
	f := market.OrderFilter{Asset: q.Get("asset"), Side: q.Get("side")}
	if v := q.Get("open"); v != "" {
		b, err := boolParam(v, "open")
		if err != nil {
			return nil, err
		}
		f.Open = &b
	}
	for _, st := range q["state"] {
		f.States = append(f.States, strings.Split(st, ",")...)
	}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), "limit", 50); err != nil {
		return nil, err
	}
	if b := q.Get("before"); b != "" {
		if f.BeforeID, err = strconv.ParseInt(b, 10, 64); err != nil {
			return nil, errf(api.CodeInvalidArgument, "before", "before is an order id")
		}
	}
	list, err := s.svc.ListOrders(c.r.Context(), c.user, f)
	if err != nil {
		return nil, err
	}
	page := api.OrderPage{Orders: list}
	if len(list) == f.Limit && len(list) > 0 {
		page.Next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	return page, nil
}

func (s *Server) getOrder(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return s.svc.GetOrder(c.r.Context(), c.user, id)
}

type orderFn func(ctx context.Context, user, id int64, expect market.Expect) (api.OrderView, error)

func (s *Server) orderAction(fn orderFn) handler {
	return func(c *call) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		var b api.ExpectBody
		if err := c.decodeOptional(&b); err != nil {
			return nil, err
		}
		return fn(c.r.Context(), c.user, id, market.Expect{State: b.ExpectState})
	}
}

// release checks the one-time code first, in its own transaction, so a
// wrong code is counted even though the release does not happen.
func (s *Server) release(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.ReleaseRequest
	if err := c.decodeOptional(&b); err != nil {
		return nil, err
	}
	// Only a party may even try a code on an order: others get 404.
	ord, err := s.svc.GetOrder(c.r.Context(), c.user, id)
	if err != nil {
		return nil, err
	}
	if ord.Role != "seller" {
		return nil, &api.Error{Code: api.CodeNotYourRole, Message: "only the seller releases the crypto"}
	}
	// The code is spent only by a release that happens: a release the
	// market refuses (the order is not paid yet, say) gives it back.
	var out api.OrderView
	err = s.auth.CheckFor(c.r.Context(), c.user, b.TOTP, func() error {
		var err error
		out, err = s.svc.Release(c.r.Context(), c.user, id, market.Expect{State: b.ExpectState})
		return err
	}, func(err error) bool { return api.CodeOf(err) != "" })
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) dispute(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.DisputeRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	return s.svc.Dispute(c.r.Context(), c.user, id, market.DisputeRequest{Reason: b.Reason, Statement: b.Statement, Evidence: b.Evidence},
		market.Expect{State: b.ExpectState})
}

func (s *Server) evidence(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.EvidenceRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	e, err := s.svc.AddEvidence(c.r.Context(), c.user, id, b.Ref, b.Note)
	return created{e}, err
}

func (s *Server) rate(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.RateRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	return s.svc.Rate(c.r.Context(), c.user, id, b.Positive, b.Comment)
}

func (s *Server) messages(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	if err := onlyParams(q, "after"); err != nil {
		return nil, err
	}
	var after int64
	if a := q.Get("after"); a != "" {
		if after, err = strconv.ParseInt(a, 10, 64); err != nil {
			return nil, errf(api.CodeInvalidArgument, "after", "after is a message id")
		}
	}
	es, err := s.svc.OrderLog(c.r.Context(), c.user, id, after)
	if err != nil {
		return nil, err
	}
	code, err := s.auth.AntiPhishing(c.r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	out := make([]api.OrderLogEntry, 0, len(es))
	for _, e := range es {
		out = append(out, decorate(e, code))
	}
	return out, nil
}

// decorate marks platform lines with the reader's anti-phishing code and
// counterparty lines with warnings.
func decorate(e api.LogEntryView, code string) api.OrderLogEntry {
	out := api.OrderLogEntry{LogEntryView: e}
	// Every line the platform writes carries the code: its notices, its
	// record of a state change (whoever caused it), support's messages.
	// A line without it that claims to be the platform is not.
	if e.From == "system" || e.From == "support" || e.Kind == api.LogState || e.Kind == api.LogSystem {
		out.AntiPhishing = code
	} else if e.Kind == api.LogChat {
		out.Warnings = market.ChatWarnings(e.Text)
	}
	return out
}

func (s *Server) postMessage(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.MessageRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	e, err := s.svc.PostMessage(c.r.Context(), c.user, id, b.Text)
	return created{e}, err
}

// ---- account

func (s *Server) account(c *call) (any, error) {
	v, err := s.svc.Account(c.r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	tf, err := s.auth.Status(c.r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	code, err := s.auth.AntiPhishing(c.r.Context(), c.user)
	return api.Account{AccountView: v, TwoFactor: tf, AntiPhishing: code}, err
}

func (s *Server) setPaymentMethod(c *call) (any, error) {
	var b api.PaymentAccountRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	return s.svc.SetPaymentAccount(c.r.Context(), c.user, api.PaymentAccount{Method: api.PaymentMethod(c.r.PathValue("method")), Account: b.Account, RealName: b.RealName})
}

func (s *Server) setAntiPhishing(c *call) (any, error) {
	var b api.AntiPhishingRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := s.auth.SetAntiPhishing(c.r.Context(), c.user, b.Code); err != nil {
		return nil, err
	}
	return api.AntiPhishing{Code: strings.TrimSpace(b.Code)}, nil
}

func (s *Server) enroll(c *call) (any, error) {
	if err := c.decodeOptional(&struct{}{}); err != nil {
		return nil, err
	}
	acct, err := s.svc.Account(c.r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	return s.auth.Enroll(c.r.Context(), c.user, acct.User.Name)
}

func (s *Server) confirm2FA(c *call) (any, error) {
	var b api.TOTPRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := s.auth.Confirm(c.r.Context(), c.user, b.TOTP); err != nil {
		return nil, err
	}
	return s.auth.Status(c.r.Context(), c.user)
}

func (s *Server) trader(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return s.svc.Trader(c.r.Context(), id)
}

func (s *Server) index(c *call) (any, error) {
	q := c.r.URL.Query()
	if err := onlyParams(q, "asset", "fiat"); err != nil {
		return nil, err
	}
	asset, fiat, err := pair(q.Get("asset"), q.Get("fiat"))
	if err != nil {
		return nil, err
	}
	return s.svc.Index(c.r.Context(), asset, fiat)
}

func (s *Server) indexHistory(c *call) (any, error) {
	q := c.r.URL.Query()
	if err := onlyParams(q, "asset", "fiat", "since", "step", "limit"); err != nil {
		return nil, err
	}
	asset, fiat, err := pair(q.Get("asset"), q.Get("fiat"))
	if err != nil {
		return nil, err
	}
	since := time.Time{}
	if v := q.Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return nil, errf(api.CodeInvalidArgument, "since", "since is an RFC 3339 time")
		}
	}
	limit, err := intParam(q.Get("limit"), "limit", 500)
	if err != nil {
		return nil, err
	}
	var step int64
	if v := q.Get("step"); v != "" {
		if step, err = strconv.ParseInt(v, 10, 64); err != nil || step < 1 || step > 90*24*3600 {
			return nil, errf(api.CodeInvalidArgument, "step", "step is a whole number of seconds from 1 to 7776000 (90 days)")
		}
	}
	return s.svc.IndexHistory(c.r.Context(), asset, fiat, since, time.Duration(step)*time.Second, limit)
}

// ---- support and admin

func (s *Server) requireRole(c *call, roles ...api.Role) error {
	acct, err := s.svc.Account(c.r.Context(), c.user)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if acct.User.Role == r {
			return nil
		}
	}
	// An endpoint a caller may not use does not exist for them.
	return &api.Error{Code: api.CodeNotFound, Message: "no such endpoint"}
}

func (s *Server) disputes(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleSupport, api.RoleAdmin); err != nil {
		return nil, err
	}
	return s.svc.Disputes(c.r.Context(), c.user)
}

func (s *Server) resolve(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleSupport, api.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.ResolveRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	return s.svc.Resolve(c.r.Context(), c.user, id, b.Resolution, b.Note)
}

func (s *Server) supportMessage(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleSupport, api.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.MessageRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	e, err := s.svc.SupportMessage(c.r.Context(), c.user, id, b.Text)
	return created{e}, err
}

func (s *Server) adminCreateUser(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	var b api.NewUserRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	out, err := Provision(c.r.Context(), s.svc, s.auth, b)
	if err != nil || !b.Alipay || s.opts.OpenAlipay == nil {
		return created{out}, err
	}
	// The account buyers pay is the new Alipay account: set as the user's
	// Alipay payment method, so their ads can be posted at once.
	ali, err := s.opts.OpenAlipay(c.r.Context(), out.User)
	if err == nil {
		_, err = s.svc.SetPaymentAccount(c.r.Context(), out.User.ID, api.PaymentAccount{Method: api.Alipay, Account: ali.Account})
	}
	if err != nil {
		return nil, fmt.Errorf("account %s (id %d) was created, but its simulated Alipay account could not be opened: %w", out.User.Name, out.User.ID, err)
	}
	out.Alipay = &ali
	return created{out}, nil
}

func (s *Server) adminPatchUser(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var b api.UserPatch
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	return s.svc.SetUser(c.r.Context(), id, b.KYCLevel, b.Verified, b.Restricted)
}

func (s *Server) adminIssueKey(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.Trader(c.r.Context(), id); err != nil {
		return nil, err
	}
	out, err := s.auth.Reissue(c.r.Context(), id, "admin-issued")
	if err != nil {
		return nil, err
	}
	return created{out}, nil
}

func (s *Server) adminListKeys(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.Trader(c.r.Context(), id); err != nil {
		return nil, err
	}
	return s.auth.Keys(c.r.Context(), id)
}

// revokeKey revokes one API key: the caller's own, or (admin) anyone's.
// Someone else's key is 404 to a trader, like one that does not exist.
func (s *Server) revokeKey(admin bool) handler {
	return func(c *call) (any, error) {
		owner := c.user
		if admin {
			if err := s.requireRole(c, api.RoleAdmin); err != nil {
				return nil, err
			}
			owner = 0
		}
		if err := c.decodeOptional(&struct{}{}); err != nil {
			return nil, err
		}
		return s.auth.Revoke(c.r.Context(), c.r.PathValue("key"), owner)
	}
}

func (s *Server) adminDeposit(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	var b api.DepositRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	asset, err := api.ParseAsset(b.Asset)
	if err != nil {
		return nil, err
	}
	amt, err := api.ParseAmount(b.Amount, asset.Scale(), "amount")
	if err != nil {
		return nil, err
	}
	v, err := s.svc.Deposit(c.r.Context(), b.UserID, asset, amt, b.Ref)
	return created{v}, err
}

func (s *Server) adminIndex(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	var b api.IndexRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	asset, fiat, err := pair(b.Asset, b.Fiat)
	if err != nil {
		return nil, err
	}
	price, err := api.ParseAmount(b.Price, api.PriceScale, "price")
	if err != nil {
		return nil, err
	}
	v, err := s.svc.SetIndex(c.r.Context(), asset, fiat, price)
	return created{v}, err
}

func (s *Server) adminClock(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	var b api.ClockRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if s.opts.SetSpeed == nil {
		return nil, errf(api.CodeClockNotSimulated, "speed", "this marketplace runs on real time; only a simulated one has a speed")
	}
	if err := s.opts.SetSpeed(b.Speed); err != nil {
		return nil, errf(api.CodeInvalidArgument, "speed", err.Error())
	}
	return api.ClockResponse{Speed: s.opts.Speed(), Market: s.svc.Clock().Now().UTC().Format(time.RFC3339Nano)}, nil
}

func (s *Server) adminIndexBatch(c *call) (any, error) {
	if err := s.requireRole(c, api.RoleAdmin); err != nil {
		return nil, err
	}
	var b api.IndexBatchRequest
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if len(b.Points) == 0 || len(b.Points) > 100 {
		return nil, errf(api.CodeInvalidArgument, "points", "send 1 to 100 points")
	}
	pts := make([]api.IndexPoint, 0, len(b.Points))
	for _, r := range b.Points {
		asset, fiat, err := pair(r.Asset, r.Fiat)
		if err != nil {
			return nil, err
		}
		price, err := api.ParseAmount(r.Price, api.PriceScale, "price")
		if err != nil {
			return nil, err
		}
		pts = append(pts, api.IndexPoint{Asset: asset, Fiat: fiat, Price: price})
	}
	v, err := s.svc.SetIndexes(c.r.Context(), pts)
	return created{v}, err
}

// ---- query helpers

func onlyParams(q map[string][]string, allowed ...string) error {
	for k := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return errf(api.CodeInvalidArgument, k, fmt.Sprintf("unknown query parameter %q", k))
		}
	}
	return nil
}

func intParam(v, name string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5000 {
		return 0, errf(api.CodeInvalidArgument, name, name+" is a whole number from 1 to 5000")
	}
	return n, nil
}

func boolParam(v, name string) (bool, error) {
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errf(api.CodeInvalidArgument, name, name+" is true or false")
}

func pair(a, f string) (api.Asset, api.Fiat, error) {
	asset, err := api.ParseAsset(a)
	if err != nil {
		return "", "", err
	}
	fiat, err := api.ParseFiat(f)
	return asset, fiat, err
}
