package sim

import (
	"context"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// TestApplyingForKYCRaisesTheTierAfterTheReview: the practice learner
// starts at KYC 1; an application is approved after the review's hour of
// market time, not before, and raises today's CNY limit to the next
// tier's; at the highest tier there is nothing to apply for.
func TestApplyingForKYCRaisesTheTierAfterTheReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openWorld(t, Options{Seed: 5, Merchants: 1})
	acct, err := w.OpenPracticeAccount(ctx, "you", "Chen Jing")
	if err != nil {
		t.Fatal(err)
	}
	mc := w.clientFor(acct.Credentials)
	rc := client.NewAlipay(w.URL(), acct.AlipayToken, nil)
	me, err := rc.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	human := w.Human(acct.UserID, me.ID, acct.Name, mc, rc)
	limit := func() (int, money.Amount) {
		a, err := mc.Account(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range a.Limits {
			if l.Fiat == api.CNY {
				return a.User.KYCLevel, l.Limit
			}
		}
		return a.User.KYCLevel, money.Amount{}
	}
	lvl, before := limit()
	if lvl != 1 {
		t.Fatalf("the learner starts at KYC %d", lvl)
	}
	at, err := w.ApplyKYC(ctx, human)
	if err != nil {
		t.Fatal(err)
	}
	if got := at.Sub(w.Sched.Now()); got != KYCReview {
		t.Fatalf("approved in %s", got)
	}
	if err := w.advance(ctx, KYCReview-time.Minute); err != nil {
		t.Fatal(err)
	}
	if lvl, _ := limit(); lvl != 1 {
		t.Fatalf("KYC %d before the review ended", lvl)
	}
	if err := w.advance(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	lvl, after := limit()
	if lvl != 2 || after.Cmp(before) <= 0 {
		t.Fatalf("after the review: KYC %d, limit %s (was %s)", lvl, after, before)
	}
	for lvl < 9 {
		if _, err := w.ApplyKYC(ctx, human); err != nil {
			return // the highest tier: nothing more to apply for
		}
		if err := w.advance(ctx, KYCReview+time.Minute); err != nil {
			t.Fatal(err)
		}
		lvl, _ = limit()
	}
	t.Fatalf("KYC %d and still applying", lvl)
}
