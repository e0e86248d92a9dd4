package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/marketplace"
)

func balancesDigest(t *testing.T, e *env) string {
	t.Helper()
	var out string
	err := e.m.Store.View(e.ctx, func(tx market.ReadTx) error {
		bs, err := tx.AllBalances()
		out = fmt.Sprint(bs)
		if err != nil {
			return err
		}
		last, err := tx.LastEventID()
		out += fmt.Sprint(last)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileRequests(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, map[string]string{"USDT": "10"})
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "70", MaxFiat: "700", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
	before := balancesDigest(t, e)
	adID := fmt.Sprint(ad.ID)
	order := fmt.Sprintf("/api/v1/orders/%d", o.ID)
	big := `{"adId":"` + adID + `","amount":"1","x":"` + strings.Repeat("a", api.MaxBody) + `"}`
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"negative amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"-10"}`, 400, "AMOUNT_NOT_POSITIVE"},
		{"zero amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"0"}`, 400, "AMOUNT_NOT_POSITIVE"},
		{"huge amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"1000000000000000000000"}`, 400, "AMOUNT_TOO_LARGE"},
		{"over-precise amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"10.1234567"}`, 400, "AMOUNT_PRECISION"},
		{"exponent amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"1e2"}`, 400, "AMOUNT_INVALID"},
		{"number for amount", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":10}`, 400, "INVALID_JSON"},
		{"number for adId", "POST", "/api/v1/orders", `{"adId":` + adID + `,"amount":"10"}`, 400, "INVALID_JSON"},
		{"unknown field", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"10","discount":"50%"}`, 400, "INVALID_JSON"},
		{"malformed JSON", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":`, 400, "INVALID_JSON"},
		{"two objects", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"10"}{}`, 400, "INVALID_JSON"},
		{"array body", "POST", "/api/v1/orders", `[1,2]`, 400, "INVALID_JSON"},
		{"empty body", "POST", "/api/v1/orders", ``, 400, "INVALID_JSON"},
		{"oversized body", "POST", "/api/v1/orders", big, 413, "BODY_TOO_LARGE"},
		{"unknown ad", "POST", "/api/v1/orders", `{"adId":"99999","amount":"10"}`, 404, "NOT_FOUND"},
		{"below the ad's minimum", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"1"}`, 422, "AMOUNT_OUT_OF_RANGE"},
		{"unknown payment", "POST", "/api/v1/orders", `{"adId":"` + adID + `","amount":"10","payment":"paypal"}`, 400, "UNKNOWN_PAYMENT_METHOD"},
		{"unknown order id", "GET", "/api/v1/orders/424242", ``, 404, "NOT_FOUND"},
		{"non-numeric order id", "GET", "/api/v1/orders/abc", ``, 404, "NOT_FOUND"},
		{"invalid side", "GET", "/api/v1/ads?side=hodl&asset=USDT&fiat=CNY", ``, 400, "INVALID_ARGUMENT"},
		{"invalid asset", "GET", "/api/v1/ads?side=sell&asset=DOGE&fiat=CNY", ``, 400, "UNKNOWN_ASSET"},
		{"invalid fiat", "GET", "/api/v1/ads?side=sell&asset=USDT&fiat=XYZ", ``, 400, "UNKNOWN_FIAT"},
		{"unknown query parameter", "GET", "/api/v1/ads?side=sell&asset=USDT&fiat=CNY&admin=1", ``, 400, "INVALID_ARGUMENT"},
		{"bad cursor", "GET", "/api/v1/ads?side=sell&asset=USDT&fiat=CNY&cursor=!!", ``, 400, "INVALID_ARGUMENT"},
		{"bad limit", "GET", "/api/v1/ads?side=sell&asset=USDT&fiat=CNY&limit=-4", ``, 400, "INVALID_ARGUMENT"},
		{"invalid state filter", "GET", "/api/v1/orders?state=lost", ``, 400, "INVALID_ARGUMENT"},
		{"invalid expectState", "POST", order + "/paid", `{"expectState":"teleported"}`, 409, "ORDER_STATE_CONFLICT"},
		{"invalid dispute reason", "POST", order + "/dispute", `{"reason":"because"}`, 409, "ORDER_STATE_CONFLICT"},
		{"control characters", "POST", order + "/messages", `{"text":"hi\u0007"}`, 400, "INVALID_ARGUMENT"},
		{"message too long", "POST", order + "/messages", `{"text":"` + strings.Repeat("x", 1001) + `"}`, 400, "TEXT_TOO_LONG"},
		{"admin endpoint as trader", "POST", "/api/v1/admin/deposits", `{"userId":"2","asset":"USDT","amount":"1000000","ref":"x"}`, 404, "NOT_FOUND"},
		{"deposit to self as trader", "POST", "/api/v1/admin/index", `{"asset":"USDT","fiat":"CNY","price":"1"}`, 404, "NOT_FOUND"},
		{"no such endpoint", "GET", "/api/v1/nothing", ``, 404, "NOT_FOUND"},
		{"wrong method", "DELETE", "/api/v1/balances", ``, 405, "METHOD_NOT_ALLOWED"},
		{"third-party payment account", "PUT", "/api/v1/account/payment-methods/alipay", `{"account":"13900001111","realName":"Somebody Else"}`, 400, "REAL_NAME_MISMATCH"},
		{"unknown payment method path", "PUT", "/api/v1/account/payment-methods/cash", `{"account":"x"}`, 400, "UNKNOWN_PAYMENT_METHOD"},
		{"price as number in ad", "POST", "/api/v1/ads", `{"side":"sell","asset":"USDT","fiat":"CNY","price":7.2,"total":"1","minFiat":"1","maxFiat":"2","payments":["alipay"],"windowMinutes":15}`, 400, "INVALID_JSON"},
	}
	for _, c := range cases {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		st, code := e.raw(c.method, c.path, body, b.cred, time.Now(), nil)
		if st != c.status || (c.code != "" && code != c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.name, st, code, c.status, c.code)
		}
	}
	if after := balancesDigest(t, e); after != before {
		t.Fatal("a refused request changed a balance or emitted an event")
	}
}

func TestIdempotencyOverHTTP(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	ad, _ := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	body := []byte(fmt.Sprintf(`{"adId":"%d","amount":"10"}`, ad.ID))
	withKey := func(k string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(api.HeaderIdempotencyKey, k) }
	}
	st1, _ := e.raw("POST", "/api/v1/orders", body, b.cred, time.Now(), withKey("k-1"))
	st2, _ := e.raw("POST", "/api/v1/orders", body, b.cred, time.Now(), withKey("k-1"))
	if st1 != 201 || st2 != 201 {
		t.Fatalf("first %d, retry %d", st1, st2)
	}
	list, _ := b.c.Orders(e.ctx, clientOpen(true))
	if len(list) != 1 {
		t.Fatalf("a retry acted twice: %d orders", len(list))
	}
	other := []byte(fmt.Sprintf(`{"adId":"%d","amount":"11"}`, ad.ID))
	st3, code := e.raw("POST", "/api/v1/orders", other, b.cred, time.Now(), withKey("k-1"))
	if st3 != 409 || code != "IDEMPOTENCY_CONFLICT" {
		t.Fatalf("same key, other body: %d %s", st3, code)
	}
}

func TestRateLimit(t *testing.T) {
	e := &env{t: t, ctx: t.Context()}
	e.key = startKey()
	e.db = t.TempDir() + "/m.db"
	e.opts = marketplace.Options{DBPath: e.db, ServerKey: e.key, RateLimit: 5}
	e.boot()
	u := e.user("alice", 1, nil)
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		req, _ := http.NewRequest("GET", e.m.URL+"/api/v1/balances", nil)
		st, code := e.raw("GET", "/api/v1/balances", nil, u.cred, time.Now(), nil)
		_ = req
		if st == 429 {
			if code != "RATE_LIMITED" {
				t.Fatalf("429 with code %s", code)
			}
			limited = true
		}
	}
	if !limited {
		t.Fatal("40 requests at once were never limited at 5/s")
	}
	_, err := u.c.Balances(e.ctx) // the client waits out Retry-After and succeeds
	if err != nil {
		t.Fatalf("client did not recover from 429: %v", err)
	}
}
