package cmd

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/authenticator"
	"p2pdesk/money"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// TestPracticeJournalCommands: a drill kept in the journal is listed,
// its debrief printed in a later process, and its replay matches the
// event log kept with it; a tampered log makes replay fail.
func TestPracticeJournalCommands(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	rep, err := sim.RunScenario(ctx, sim.RunOptions{Scenario: "pressure", Seed: 3, Policy: sim.Careful})
	if err != nil {
		t.Fatal(err)
	}
	// Keep it as the TUI does: the inputs read back, replayed once.
	e := sim.JournalEntry{At: time.Now(), Scenario: "pressure", Live: rep.Debrief, Seed: 5, Recording: rep.Recording}
	again, err := sim.Replay(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	e.EventLog, e.Replay = again.EventLog, again.Debrief
	j, err := sim.OpenJournal(filepath.Join(home, "xdg_data_home", "p2pdesk", "practice-journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(&e); err != nil {
		t.Fatal(err)
	}
	st := secrets.NewMemory()
	out, _, err := run(t, st, "", "practice", "list")
	if err != nil || !strings.Contains(out, "#1") || !strings.Contains(out, "pressure") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "practice", "show", "1")
	if err != nil || !strings.Contains(out, "Drill #1 · pressure") || !strings.Contains(out, "grade") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "practice", "replay", "1")
	if err != nil || !strings.Contains(out, "replay: identical event log") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	// In Chinese, what the verbs print is Chinese: the list, the debrief
	// and the replay's verdict.
	out, _, err = run(t, st, "", "--lang", "zh-CN", "practice", "list")
	if err != nil || !strings.Contains(out, "评分") || strings.Contains(out, "grade") || strings.Contains(out, "inputs") {
		t.Fatalf("list in Chinese: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "--lang", "zh-CN", "practice", "show", "1")
	if err != nil || !strings.Contains(out, "练习 #1 · pressure") || strings.Contains(out, "What you did") {
		t.Fatalf("show in Chinese: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "--lang", "zh-CN", "practice", "replay", "1")
	if err != nil || !strings.Contains(out, "重放：事件日志完全一致") || !strings.Contains(out, "练习记录：") {
		t.Fatalf("replay in Chinese: %v\n%s", err, out)
	}
	// An entry whose log does not match what its inputs make is caught.
	e.EventLog = strings.Repeat("0", 64)
	if err := j.Append(&e); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, st, "", "practice", "replay", "2"); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("replay of a tampered entry: %v", err)
	}
	if _, _, err := run(t, st, "", "practice", "show", "x"); err == nil {
		t.Fatal("show x should be a usage error")
	}
}

// TestSettledDrillsAreKeptUnopened: a drill whose order settled is kept in
// the journal although its debrief was never opened, and though its ad
// was taken from the Market tab (it used to be kept
// only when the learner reopened the debrief after it settled).
func TestSettledDrillsAreKeptUnopened(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	w, err := sim.Open(ctx, sim.Options{Dir: t.TempDir(), ServerKey: auth.GenerateKey(), Seed: 4, Merchants: 2, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	acct, err := w.OpenPracticeAccount(ctx, "you", "Chen Jing")
	if err != nil {
		t.Fatal(err)
	}
	j, err := sim.OpenJournal(filepath.Join(home, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	p := &practice{w: w, log: slog.New(slog.NewTextHandler(io.Discard, nil)), journal: j,
		user: secrets.Profile{APIKey: acct.Credentials.APIKey, Secret: acct.Credentials.Secret, Passphrase: acct.Credentials.Passphrase, AlipayKey: acct.AlipayToken}}
	s, err := p.Stage("off-platform-lure", false)
	if err != nil {
		t.Fatal(err)
	}
	me, _ := p.human(ctx)
	o, err := me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, FiatAmount: s.Amount, Payment: string(api.Alipay)}, "drill-take")
	if err != nil {
		t.Fatal(err)
	}
	// Taken from the Market tab, not the drill's guide: the ticket ties
	// the order to the drill by its ad; an ad of no drill ties nothing.
	p.LinkAd(s.AdID+1000, o.ID+1000)
	p.LinkAd(s.AdID, o.ID)
	if ds, ok := p.Drill(o.ID); !ok || ds.Scenario != "off-platform-lure" {
		t.Fatalf("the order on the drill's ad is not the drill's: %+v %v", ds, ok)
	}
	if got := p.Unsettled(); !slices.Equal(got, []int64{o.ID}) {
		t.Fatalf("unsettled drills before the order ends: %v, want [%d]", got, o.ID)
	}
	w.Sched.RunFor(2 * time.Minute) // the lure arrives; the careful learner cancels
	if _, err := me.Market.Cancel(ctx, o.ID, api.StateCreated); err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(time.Hour) // past the drill's settling time
	kctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.keepSettled(kctx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(time.Minute)
	for {
		lines, err := p.Journal()
		if err == nil && len(lines) == 1 {
			if lines[0].Scenario != "off-platform-lure" || lines[0].Grade != "A" {
				t.Fatalf("kept %+v", lines[0])
			}
			if got := p.Unsettled(); len(got) != 0 {
				t.Fatalf("a kept drill is still unsettled: %v", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the settled drill was not kept: %v %v", lines, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestCodeTypedOnAPhishingPageReleasesTheDrill plays the phishing drill as
// the app runs it (a live clock, wall-clock codes and signatures): the
// learner takes the drill's ad, the "risk control" link arrives in chat,
// and the code typed on the page it opens (what the TUI's link page sends
// through EnterOnLink) releases the learner's crypto to the scammer. A
// code never typed there releases nothing (TestLiveDrills plays that).
func TestCodeTypedOnAPhishingPageReleasesTheDrill(t *testing.T) {
	ctx := context.Background()
	w, p, me, secret := livePractice(t)
	s, err := p.Stage("phishing-link", false)
	if err != nil {
		t.Fatal(err)
	}
	o, err := me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, Amount: "100", Payment: string(api.Alipay)}, "drill-take")
	if err != nil {
		t.Fatal(err)
	}
	p.Link(s.Drill, o.ID)
	url := ""
	waitFor(t, "the phishing link", func() bool {
		log, err := me.Market.Messages(ctx, o.ID, 0)
		if err != nil {
			return false
		}
		for _, e := range log {
			if e.Kind == api.LogChat && e.From == "buyer" && strings.Contains(e.Text, "https://") {
				url = e.Text[strings.Index(e.Text, "https://"):]
				url = url[:strings.IndexAny(url+" ", " ")]
				return true
			}
		}
		return false
	})
	// The next code: the one confirming 2FA is spent.
	next, _ := authenticator.Code(secret, time.Now().Add(30*time.Second))
	if err := p.EnterOnLink(o.ID, url, next); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the scammer's release", func() bool {
		got, err := me.Market.Order(ctx, o.ID)
		return err == nil && got.State == api.StateCompleted
	})
	d, err := w.Debrief(ctx, w.StageOf(o), o.ID)
	if err != nil || d.Grade != "F" || !strings.Contains(strings.Join(pointTexts(d), "\n"), "You logged in on https://p2pdesk-secure.top/verify") {
		t.Fatalf("debrief %s: %v\n%v", d.Grade, err, pointTexts(d))
	}
}

// livePractice is the practice market as the app runs it: a live clock
// (×600), wall-clock authentication, merchants trading, and the learner
// with 2FA on, behind the TUI's adapter. It returns the 2FA secret.
func livePractice(t *testing.T) (*sim.World, *practice, *sim.Bot, string) {
	t.Helper()
	isolate(t)
	ctx := context.Background()
	w, err := sim.Open(ctx, sim.Options{Dir: t.TempDir(), ServerKey: auth.GenerateKey(), Seed: 4, Merchants: 2, Speed: 600})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done; w.Close(ctx) })
	acct, err := w.OpenPracticeAccount(ctx, "you", "Chen Jing")
	if err != nil {
		t.Fatal(err)
	}
	p := &practice{w: w, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		user: secrets.Profile{APIKey: acct.Credentials.APIKey, Secret: acct.Credentials.Secret, Passphrase: acct.Credentials.Passphrase, AlipayKey: acct.AlipayToken}}
	me, err := p.human(ctx)
	if err != nil {
		t.Fatal(err)
	}
	me.RailPass = acct.AlipayPassword // what the TUI shows in practice
	enr, err := me.Market.Enroll2FA(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := authenticator.Code(enr.Secret, time.Now())
	if _, err := me.Market.Confirm2FA(ctx, code); err != nil {
		t.Fatal(err)
	}
	return w, p, me, enr.Secret
}

// TestPaymentFormSlipsToAStrangerAndTheOrderAccountCompletes: in the
// live practice market, the own-payment-mistake drill fills the payment
// form with a stranger's account (another real name behind it on the
// rail); the learner who pays the order's own account instead is
// released to by the honest seller, on wall-clock codes, and graded A.
func TestPaymentFormSlipsToAStrangerAndTheOrderAccountCompletes(t *testing.T) {
	ctx := context.Background()
	w, p, me, _ := livePractice(t)
	s, err := p.Stage("own-payment-mistake", false)
	if err != nil {
		t.Fatal(err)
	}
	o, err := me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, Amount: "100", Payment: string(api.Alipay)}, "drill-take")
	if err != nil {
		t.Fatal(err)
	}
	p.Link(s.Drill, o.ID)
	slip := p.PayAccount(o)
	if slip == o.PayTo.Account || len(slip) != len(o.PayTo.Account) {
		t.Fatalf("the form is filled with %q for the order's %q", slip, o.PayTo.Account)
	}
	stranger, err := me.Rail.Lookup(ctx, slip)
	if err != nil {
		t.Fatal(err)
	}
	seller, err := me.Rail.Lookup(ctx, o.PayTo.Account)
	if err != nil || stranger.MaskedName == seller.MaskedName {
		t.Fatalf("the slip's owner reads as the seller: %q %q %v", stranger.MaskedName, seller.MaskedName, err)
	}
	if _, err := me.Rail.Send(ctx, o.PayTo.Account, o.FiatTotal.Fixed(), "", me.RailPass, "pay-order"); err != nil {
		t.Fatal(err)
	}
	if _, err := me.Market.MarkPaid(ctx, o.ID, api.StateCreated); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the seller's release", func() bool {
		got, err := me.Market.Order(ctx, o.ID)
		return err == nil && got.State == api.StateCompleted
	})
	d, err := w.Debrief(ctx, w.StageOf(o), o.ID)
	if err != nil || d.Grade != "A" {
		t.Fatalf("debrief %s: %v\n%v", d.Grade, err, pointTexts(d))
	}
}

// TestFriendWhoPaysIsRefundedInTheLiveMarket: in the live practice
// market, the cousin the adapter lets pay (f in the TUI) pays from his own
// Alipay; the honest seller refunds him and disputes, support returns the
// crypto to the seller, and the learner's debrief names the cousin's
// payment (grade C: nothing of the learner's lost, the trade failed).
func TestFriendWhoPaysIsRefundedInTheLiveMarket(t *testing.T) {
	ctx := context.Background()
	w, p, me, _ := livePractice(t)
	s, err := p.Stage("friend-pays", false)
	if err != nil {
		t.Fatal(err)
	}
	o, err := me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, Amount: "100", Payment: string(api.Alipay)}, "drill-take")
	if err != nil {
		t.Fatal(err)
	}
	p.Link(s.Drill, o.ID)
	if ds, ok := p.Drill(o.ID); !ok || ds.Friend != "Li Hua" || ds.FriendPaid {
		t.Fatalf("drill status before: %+v %v", ds, ok)
	}
	if err := p.FriendPays(o.ID); err != nil {
		t.Fatal(err)
	}
	if ds, _ := p.Drill(o.ID); !ds.FriendPaid {
		t.Fatal("the cousin's payment is not seen")
	}
	if _, err := me.Market.MarkPaid(ctx, o.ID, api.StateCreated); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the seller's dispute", func() bool {
		got, err := me.Market.Order(ctx, o.ID)
		return err == nil && got.State == api.StateDisputed
	})
	d, err := w.Debrief(ctx, w.StageOf(o), o.ID)
	if err != nil || !strings.Contains(strings.Join(pointTexts(d), "\n"), "Li Hua paid the") {
		t.Fatalf("debrief %s: %v\n%v", d.Grade, err, pointTexts(d))
	}
}

func pointTexts(d sim.Debrief) []string {
	var out []string
	for _, p := range d.Points {
		out = append(out, p.Text)
	}
	return out
}

// waitFor polls cond for up to a minute of wall time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come in a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOverTheLimitInTheLiveMarket plays the over-the-limit drill as the
// app runs it: the ticket comes filled with all the learner needs, which
// the KYC 1 limit refuses (the refusal says what is left); the learner
// applies for the next tier (K), sells within the limit, sees the
// buyer's "limit desk" line flagged as an advance fee, pays no one, and
// releases on the buyer's exact payment with a wall-clock code: grade A,
// the tier application among the good moves.
func TestOverTheLimitInTheLiveMarket(t *testing.T) {
	ctx := context.Background()
	w, p, me, secret := livePractice(t)
	s, err := p.Stage("over-the-limit", false)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := me.Market.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	need, err := money.Parse(s.Amount, 2)
	if err != nil || len(acct.Limits) == 0 || need.Cmp(acct.Limits[0].Remaining) <= 0 {
		t.Fatalf("the drill asks for %q, not more than the %v left today (%v)", s.Amount, acct.Limits, err)
	}
	_, err = me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, FiatAmount: s.Amount, Payment: string(api.Alipay)}, "drill-need")
	if api.CodeOf(err) != api.CodeDailyLimitExceeded || !strings.Contains(err.Error(), "left today") {
		t.Fatalf("taking all the learner needs: want %s saying what is left, got %v", api.CodeDailyLimitExceeded, err)
	}
	if _, err := p.ApplyKYC(); err != nil {
		t.Fatal(err)
	}
	o, err := me.Market.TakeAd(ctx, api.TakeRequest{AdID: s.AdID, Amount: "100", Payment: string(api.Alipay)}, "drill-take")
	if err != nil {
		t.Fatal(err)
	}
	p.Link(s.Drill, o.ID)
	waitFor(t, "the limit desk's line, flagged", func() bool {
		log, err := me.Market.Messages(ctx, o.ID, 0)
		if err != nil {
			return false
		}
		for _, e := range log {
			if e.Kind == api.LogChat && e.From == "buyer" && strings.Contains(e.Text, "deposit") {
				return slices.Contains(e.Warnings, api.WarnFee)
			}
		}
		return false
	})
	waitFor(t, "the buyer's payment and mark", func() bool {
		got, err := me.Market.Order(ctx, o.ID)
		return err == nil && got.State == api.StatePaid
	})
	code, _ := authenticator.Code(secret, time.Now().Add(30*time.Second))
	if _, err := me.Market.Release(ctx, o.ID, code, api.StatePaid); err != nil {
		t.Fatal(err)
	}
	d, err := w.Debrief(ctx, w.StageOf(o), o.ID)
	points := strings.Join(pointTexts(d), "\n")
	if err != nil || d.Grade != "A" || !strings.Contains(points, "You applied for the next tier") || !strings.Contains(points, "You paid no one") {
		t.Fatalf("debrief %s: %v\n%s", d.Grade, err, points)
	}
}
