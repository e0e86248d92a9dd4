package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/marketplace"
)

// FuzzAPI sends arbitrary, validly signed requests to the real handler
// over a real database. Whatever the input: no panic, no 5xx, and every
// refusal is a JSON error with a code.
func FuzzAPI(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/api/v1/orders", `{"adId":"1","amount":"10"}`},
		{"POST", "/api/v1/orders", `{"adId":"1","fiatAmount":"70.5","payment":"alipay","expectPrice":"7"}`},
		{"POST", "/api/v1/orders", `{"adId":1,"amount":10}`},
		{"POST", "/api/v1/ads", `{"side":"sell","asset":"USDT","fiat":"CNY","price":"7.2","total":"10","minFiat":"10","maxFiat":"72","payments":["alipay"],"windowMinutes":15}`},
		{"POST", "/api/v1/ads", `{"side":"buy","asset":"BTC","fiat":"EUR","priceType":"floating","marginBP":-150,"total":"0.5","minFiat":"10","maxFiat":"1000","payments":["bank","wechat"],"windowMinutes":30,"terms":"hi"}`},
		{"PATCH", "/api/v1/ads/1", `{"total":"5","terms":"x"}`},
		{"POST", "/api/v1/orders/1/paid", `{"expectState":"created"}`},
		{"POST", "/api/v1/orders/1/release", `{"totp":"123456"}`},
		{"POST", "/api/v1/orders/1/dispute", `{"reason":"other","statement":"s","evidence":["AP1"]}`},
		{"POST", "/api/v1/orders/1/messages", `{"text":"hello"}`},
		{"GET", "/api/v1/ads?side=sell&asset=USDT&fiat=CNY&payment=alipay&amount=500&sort=price&limit=5", ``},
		{"GET", "/api/v1/orders?open=true&state=created,paid&asset=BTC&side=buy&before=9&limit=3", ``},
		{"GET", "/api/v1/index/history?asset=USDT&fiat=CNY&since=2026-01-01T00:00:00Z", ``},
		{"PUT", "/api/v1/account/payment-methods/alipay", `{"account":"13800138000"}`},
		{"PUT", "/api/v1/account/anti-phishing", `{"code":"blue-fox"}`},
		{"POST", "/api/v1/account/2fa/confirm", `{"totp":"000000"}`},
		{"POST", "/api/v1/admin/users", `{"name":"x","kycLevel":1}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, []byte(s.body))
	}
	key := auth.GenerateKey()
	m, err := marketplace.Start(f.Context(), marketplace.Options{DBPath: filepath.Join(f.TempDir(), "fuzz.db"), ServerKey: key})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { m.Close(f.Context()) })
	acct, err := m.Provision(f.Context(), api.NewUserRequest{Name: "fuzzer", KYCLevel: 2, Deposits: map[string]string{"USDT": "1000"}, WithTOTP: true})
	if err != nil {
		f.Fatal(err)
	}
	c := acct.Credentials
	m.Client(c).SetPaymentAccount(f.Context(), api.Alipay, "13800138000", "")
	h := m.Server.Handler()
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://fuzz"+path, bytes.NewReader(body))
		if err != nil {
			return // not an HTTP request at all
		}
		ts := api.Timestamp(time.Now())
		req.Header.Set(api.HeaderKey, c.APIKey)
		req.Header.Set(api.HeaderPassphrase, c.Passphrase)
		req.Header.Set(api.HeaderTimestamp, ts)
		req.Header.Set(api.HeaderSign, api.Sign(c.Secret, ts, req.Method, req.URL.RequestURI(), body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && strings.HasPrefix(req.URL.Path, api.Prefix+"/") {
			var e api.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%s %s: %d with a body that is not an error: %q", method, path, rec.Code, rec.Body)
			}
		}
	})
}
