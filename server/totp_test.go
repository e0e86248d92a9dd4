package server_test

import (
	"testing"

	"p2pdesk/api"
)

// TestRefusedReleaseKeepsTheCode: a release the market refuses (the order
// is not paid yet) does not use up the one-time code, and a reused code
// does not count toward the lockout; only wrong codes do (issue 12, item 8
// of the report, item 5 of the brief).
func TestRefusedReleaseKeepsTheCode(t *testing.T) {
	e := start(t)
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
	if err != nil {
		t.Fatal(err)
	}
	good := code(t, m.totp, 0)
	_, err = m.c.Release(e.ctx, o.ID, good, "")
	wantCode(t, err, "ORDER_STATE_CONFLICT")
	if _, err := b.c.MarkPaid(e.ctx, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Release(e.ctx, o.ID, good, ""); err != nil {
		t.Fatalf("the code a refused release was given no longer works: %v", err)
	}

	// Now it is spent: trying it again and again is TOTP_REUSED, never a
	// lockout, and the next code still works.
	o2, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.c.MarkPaid(e.ctx, o2.ID, ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		_, err = m.c.Release(e.ctx, o2.ID, good, "")
		wantCode(t, err, "TOTP_REUSED")
	}
	tf, err := m.c.TwoFactor(e.ctx)
	if err != nil || tf.Locked || tf.FailuresWindow != 0 {
		t.Fatalf("2FA after reused codes: %+v %v", tf, err)
	}
	if _, err := m.c.Release(e.ctx, o2.ID, code(t, m.totp, 1), ""); err != nil {
		t.Fatal(err)
	}
}
