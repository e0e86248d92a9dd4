package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
)

// TestAutoDisputeTakesEvidenceAfterwards: a buyer who paid exactly and
// marked paid, whose seller never releases, does not open a dispute: the
// platform does when the release window ends. Support then says until
// when it takes evidence; the buyer attaches their payment afterwards and
// gets the crypto. Without the evidence, support cannot decide for them.
// Both in a deterministic world and live (wall-clock codes and
// signatures, the clock at x600), as the practice market runs.
func TestAutoDisputeTakesEvidenceAfterwards(t *testing.T) {
	// CPU-bound, in parallel with the live drills, which mostly wait on wall time.
	t.Parallel()
	for _, c := range []struct {
		live     bool
		evidence bool
		want     api.Resolution
	}{{false, true, api.ResolveRelease}, {false, false, api.ResolveRefund}, {true, true, api.ResolveRelease}} {
		t.Run(fmt.Sprintf("live=%v evidence=%v", c.live, c.evidence), func(t *testing.T) {
			ctx := context.Background()
			w, err := Open(ctx, Options{Dir: fastDir(t), ServerKey: auth.GenerateKey(), Seed: 3, Merchants: 2, Fast: !c.live, Speed: 600, FeedEvery: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close(ctx)
			advance := func(d time.Duration) { w.Sched.RunFor(d) }
			if c.live {
				runCtx, stop := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { defer close(done); w.Run(runCtx) }()
				defer func() { stop(); <-done }()
				advance = func(d time.Duration) {
					until := w.Sched.Now().Add(d)
					for w.Sched.Now().Before(until) {
						time.Sleep(20 * time.Millisecond)
					}
				}
			}
			user, _, err := w.NewPerson(ctx, person{Handle: "you", RealName: "Practice User", Phone: "13900000000"}, 1, false, map[string]string{"USDT": "10"}, practiceCNY)
			if err != nil {
				t.Fatal(err)
			}
			st, err := w.StageScenario(ctx, "seller-never-releases", user)
			if err != nil {
				t.Fatal(err)
			}
			o, err := user.Market.TakeAd(ctx, api.TakeRequest{AdID: st.Ad.ID, FiatAmount: "700", Payment: string(api.Alipay)}, "take-1")
			if err != nil {
				t.Fatal(err)
			}
			line, err := user.Rail.Send(ctx, o.PayTo.Account, o.FiatTotal.FixedN(2), "", user.RailPass, "pay-1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := user.Market.MarkPaid(ctx, o.ID, api.StateCreated); err != nil {
				t.Fatal(err)
			}
			o, _ = user.Market.Order(ctx, o.ID)
			advance(o.ReleaseDeadline.Sub(w.Sched.Now()) + time.Minute)
			if o, _ = user.Market.Order(ctx, o.ID); o.State != api.StateDisputed {
				t.Fatalf("after the release window: %s, want disputed by the platform", o.State)
			}
			// Support takes it up and says until when it takes evidence.
			advance(12 * time.Minute)
			log, err := user.Market.Messages(ctx, o.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			asked := false
			for _, e := range log {
				asked = asked || e.From == "support" && strings.Contains(e.Text, "attach your evidence")
			}
			if !asked {
				t.Fatalf("support never asked for evidence: %+v", log)
			}
			if c.evidence {
				if _, err := user.Market.AddEvidence(ctx, o.ID, line.TxID, ""); err != nil {
					t.Fatalf("evidence in a dispute the platform opened: %v", err)
				}
			}
			advance(45 * time.Minute)
			o, _ = user.Market.Order(ctx, o.ID)
			if o.State != api.StateResolved || o.Resolution != c.want {
				t.Fatalf("order after support: %s/%s, want resolved/%s", o.State, o.Resolution, c.want)
			}
			if err := w.CheckInvariants(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
