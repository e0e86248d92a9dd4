package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// TestIndexHistoryStepOverHTTP: ?step= sums history into buckets, and a
// step or limit out of range is a 400 naming it, never a silent default.
func TestIndexHistoryStepOverHTTP(t *testing.T) {
	e := start(t)
	u := e.user("chartist", 1, nil)
	base := e.clk.Now()
	for i := 0; i < 6; i++ { // every 20 minutes for two hours
		e.clk.Set(base.Add(time.Duration(i) * 20 * time.Minute))
		if _, err := e.m.Market.SetIndex(e.ctx, api.USDT, api.CNY, money.MustParse(fmt.Sprintf("7.2%d", i), api.PriceScale)); err != nil {
			t.Fatal(err)
		}
	}
	hourly, err := u.c.IndexHistory(e.ctx, api.USDT, api.CNY, base, time.Hour, 100)
	if err != nil || len(hourly) < 2 || len(hourly) > 3 {
		t.Fatalf("hourly: %d points, %v", len(hourly), err)
	}
	for _, q := range []string{"step=0", "step=abc", "step=9999999999", "limit=6000", "limit=0"} {
		got := e.signedGet(http.DefaultClient, "/api/v1/index/history?asset=USDT&fiat=CNY&"+q, u.cred)
		if got.status != 400 || got.code != string(api.CodeInvalidArgument) {
			t.Errorf("%s: %+v, want 400 INVALID_ARGUMENT", q, got)
		}
	}
}
