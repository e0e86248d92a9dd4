package server_test

import (
	"testing"
	"time"

	"p2pdesk/api"
)

// Over HTTP, a take whose body holds two amounts, or a key in the wrong
// case, is 400 with its own code and opens no order.
func TestAmbiguousBodiesRefusedOverHTTP(t *testing.T) {
	onStores(t, ambiguousBodiesRefused)
}

func ambiguousBodiesRefused(t *testing.T, e *env) {
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 2, nil)
	a, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "1", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	ad := a.ID
	for _, c := range []struct{ body, code string }{
		{`{"adId":"` + itoa(ad) + `","amount":"1","amount":"100","payment":"alipay"}`, "DUPLICATE_KEY"},
		{`{"adId":"` + itoa(ad) + `","Amount":"1","payment":"alipay"}`, "FIELD_NAME_CASE"},
		{`{"adId":"` + itoa(ad) + `","amount":"1","payment":"alipay","payment":"bank"}`, "DUPLICATE_KEY"},
	} {
		st, code := e.raw("POST", "/api/v1/orders", []byte(c.body), b.cred, time.Now(), nil)
		if st != 400 || code != c.code {
			t.Errorf("%s: %d %s, want 400 %s", c.body, st, code, c.code)
		}
	}
	orders, err := b.c.Orders(e.ctx, clientOpen(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 0 {
		t.Fatalf("a refused body opened %d orders", len(orders))
	}
}
