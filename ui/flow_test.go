package ui_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/authenticator"
	"p2pdesk/client"
	"p2pdesk/money"
	"p2pdesk/sim"
	"p2pdesk/ui"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// desk is the real program against a real simulated market on loopback:
// merchants are bots acting through the API, money moves on the Alipay
// rail. The simulated clock only moves when the test says so.
type desk struct {
	t    *testing.T
	w    *sim.World
	tm   *teatest.TestModel
	mc   *client.Client
	rc   *client.Alipay
	seed string
	pw   string
	// alerts is what the app wrote for the bell and notifications.
	alerts *syncBuffer
}

// syncBuffer is a bytes.Buffer the program's commands write from their
// goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// notifications are the desktop notifications (OSC 9) the app sent.
func (d *desk) notifications() []string {
	var out []string
	for _, part := range strings.Split(d.alerts.String(), "\x1b]9;")[1:] {
		out = append(out, strings.SplitN(part, "\x1b\\", 2)[0])
	}
	return out
}

// notified reports whether a notification containing s was sent.
func (d *desk) notified(s string) bool {
	for _, n := range d.notifications() {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func openDesk(t *testing.T) *desk {
	t.Helper()
	dir, err := os.MkdirTemp("", "p2pdesk-ui-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	w, err := sim.Open(ctx, sim.Options{Dir: dir, ServerKey: auth.GenerateKey(), Seed: 21, Merchants: 6, History: true, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	acct, mc, enr := practiceTrader(t, w)
	d := &desk{t: t, w: w, mc: mc, rc: client.NewAlipay(w.URL(), acct.AlipayToken, nil), seed: enr.Secret, pw: acct.AlipayPassword,
		alerts: &syncBuffer{}}
	deps := ui.Deps{Bell: true, Notify: "osc9", AlertOut: d.alerts, Market: mc, Alipay: d.rc, AlipayPassword: acct.AlipayPassword, Server: w.URL(), Profile: "test", Embedded: true,
		KeyringState: "memory", Theme: ui.DefaultTheme(), Keys: ui.DefaultKeys(), Export: t.TempDir(),
		// The practice authenticator, on the simulated clock the server checks codes with.
		TOTP: func(time.Time) (string, bool) {
			c, err := authenticator.Code(enr.Secret, w.Sched.Now())
			return c, err == nil
		},
	}
	d.tm = teatest.NewTestModel(t, ui.New(deps), teatest.WithInitialTermSize(120, 40))
	sctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go mc.Stream(sctx, -1, func(e api.Event) { d.tm.Send(ui.EventMsg{Event: e}) }, nil)
	return d
}

func (d *desk) keys(ks ...string) {
	for _, k := range ks {
		switch k {
		case "enter":
			d.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case "tab":
			d.tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		case "esc":
			d.tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
		case "ctrl+t":
			d.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlT})
		default:
			d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

func (d *desk) typeText(s string) {
	for _, r := range s {
		d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// practiceTrader opens the practice account in w, with 2FA on, and a
// client signed in as it.
func practiceTrader(t *testing.T, w *sim.World) (sim.PracticeAccount, *client.Client, api.Enrollment) {
	t.Helper()
	ctx := context.Background()
	acct, err := w.OpenPracticeAccount(ctx, "you", "Chen Jing")
	if err != nil {
		t.Fatal(err)
	}
	cred := client.Credentials{APIKey: acct.Credentials.APIKey, Secret: acct.Credentials.Secret, Passphrase: acct.Credentials.Passphrase}
	mc, err := client.New(w.URL(), cred, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enr, err := mc.Enroll2FA(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := authenticator.Code(enr.Secret, w.Sched.Now())
	if _, err := mc.Confirm2FA(ctx, code); err != nil {
		t.Fatal(err)
	}
	return acct, mc, enr
}

// quit leaves the app as a person does and waits for it to end.
func (d *desk) quit() {
	d.t.Helper()
	d.keys("q", "y")
	d.tm.WaitFinished(d.t, teatest.WithFinalTimeout(30*time.Second))
}

// waitFor waits until the screen shows every one of the texts.
func (d *desk) waitFor(texts ...string) {
	d.t.Helper()
	teatest.WaitFor(d.t, d.tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(time.Minute), teatest.WithCheckInterval(20*time.Millisecond))
}

func balance(t *testing.T, mc *client.Client, a api.Asset) money.Amount {
	t.Helper()
	bs, err := mc.Balances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Asset == a {
			return b.Available
		}
	}
	return money.Zero(a.Scale())
}

// TestWithdrawFlow sells USDT to a bot buyer through the withdrawal
// wizard: rank buyers, open the ticket, lock escrow, wait for the buyer's
// payment, see it in the statement, release with the checklist, the typed
// amount and the 2FA code. The money really moves.
func TestWithdrawFlow(t *testing.T) {
	d := openDesk(t)
	ctx := context.Background()
	usdtBefore := balance(t, d.mc, api.USDT)
	me, _ := d.rc.Me(ctx)

	d.placeThroughWizard("W", "Withdraw to Alipay", "1000", "to your Alipay")
	d.keys("enter")
	d.waitFor("payment window")

	// The buyer bot pays after a believable delay, then marks paid.
	d.w.Sched.RunFor(12 * time.Minute)
	d.keys("r")
	d.waitFor("In your Alipay statement", "release window")

	orders, err := d.mc.Orders(ctx, client.OrderQuery{})
	if err != nil || len(orders) == 0 {
		t.Fatalf("no order: %v", err)
	}
	o := orders[0]
	d.keys("R")
	d.waitFor("this cannot be undone")
	// Release refuses until every item is ticked and the amount is typed.
	d.keys("tab", "tab", "ctrl+t", "enter")
	d.waitFor("tick item 1")
	d.keys("tab", "1", "2", "3", "4", "tab")
	// The amount not typed: the form says so itself, next to the fields.
	d.keys("tab", "ctrl+t", "enter")
	d.waitFor("type the amount exactly")
	d.tm.Send(tea.KeyMsg{Type: tea.KeyShiftTab})
	d.typeText(o.Amount.String())
	d.keys("tab", "ctrl+t", "enter")
	d.waitFor("COMPLETED")
	// The buyer's "paid" was news, told on the notice line, with the bell
	// and a notification; the user's own take and release were not.
	if !d.notified("the buyer says they paid") || !strings.Contains(d.alerts.String(), "\a") {
		t.Fatalf("no bell or notification for the buyer's payment: %q", d.notifications())
	}
	for _, own := range []string{"took your ad", "released"} {
		if d.notified(own) {
			t.Fatalf("notified of the user's own action (%q): %q", own, d.notifications())
		}
	}

	after := balance(t, d.mc, api.USDT)
	want, _ := usdtBefore.Sub(o.Amount)
	if after.Cmp(want) != 0 {
		t.Fatalf("USDT %s after selling %s from %s", after, o.Amount, usdtBefore)
	}
	me2, _ := d.rc.Me(ctx)
	got, _ := me2.Balance.Sub(me.Balance)
	if got.Cmp(o.FiatTotal) != 0 {
		t.Fatalf("Alipay grew by %s, the order total is %s", got, o.FiatTotal)
	}
	if err := d.w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	d.quit()
}

// TestDepositFlow buys USDT: the wizard opens the payment to the seller's
// Alipay with the account and the exact amount filled in, the user types
// the payment password, marks paid, and the seller bot releases once it
// sees the money in its statement.
func TestDepositFlow(t *testing.T) {
	d := openDesk(t)
	ctx := context.Background()
	usdtBefore := balance(t, d.mc, api.USDT)

	// After the take the guide is back, at the payment.
	d.placeThroughWizard("D", "Deposit via Alipay", "800", "opens the payment")
	d.keys("a")
	d.waitFor("Send an Alipay payment", "real name", "▸ payment password")
	pw := strings.TrimSpace(d.passwordHint())
	d.typeText(pw)
	d.keys("enter")
	// The payment goes out and the guide, reading the statement, sees it.
	d.waitFor("sent ", "Your statement:", "mark the order paid")
	d.keys("p")
	d.waitFor("marked paid", "PAID", "Wait for the release")

	d.w.Sched.RunFor(15 * time.Minute)
	d.keys("r")
	d.waitFor("COMPLETED", "the crypto is yours", "the seller released")
	if !d.notified("the seller released") {
		t.Fatalf("no notification of the release: %q", d.notifications())
	}
	if d.notified("says they paid") || d.notified("took your ad") {
		t.Fatalf("notified of the user's own take or payment: %q", d.notifications())
	}
	orders, _ := d.mc.Orders(ctx, client.OrderQuery{})
	want, _ := usdtBefore.Add(orders[0].Amount)
	if got := balance(t, d.mc, api.USDT); got.Cmp(want) != 0 {
		t.Fatalf("USDT %s, want %s", got, want)
	}
	if err := d.w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	d.quit()
}

// passwordHint is the practice password the wallet shows; a test reads it
// from the model the way a person reads the screen.
// placeThroughWizard opens the withdraw (W) or deposit (D) wizard from the
// market, asks for amount CNY, takes the best-ranked ad, confirms, and
// waits for the guide, back on screen with the new order, to show then.
func (d *desk) placeThroughWizard(key, title, amount, then string) {
	d.t.Helper()
	d.waitFor("BUY USDT")
	d.keys(key)
	d.waitFor(title, "amount in CNY")
	d.typeText(amount)
	d.keys("enter")
	d.waitFor("score = completion", "\u00a0· release") // a row, not the header
	d.keys("enter")
	d.waitFor("pays by", "your Alipay")
	d.keys("enter")
	d.waitFor("Place this order?")
	d.keys("y")
	d.waitFor("CREATED", then)
}

func (d *desk) passwordHint() string { return d.pw }

// TestDisputeFlow sells USDT, and when the buyer marks paid the user opens
// a dispute from the order screen instead of releasing: a reason, a
// statement and the incoming transfer picked from their own Alipay
// statement as evidence. Support then decides from the records.
func TestDisputeFlow(t *testing.T) {
	d := openDesk(t)
	ctx := context.Background()

	d.placeThroughWizard("W", "Withdraw to Alipay", "900", "to your Alipay")
	d.keys("enter")
	d.waitFor("payment window")
	d.w.Sched.RunFor(12 * time.Minute)
	d.keys("r")
	d.waitFor("In your Alipay statement", "release window")

	d.keys("d")
	d.waitFor("Open a dispute", "evidence from your Alipay statement")
	d.keys("tab")
	d.typeText("The payment came from another name")
	d.keys("tab", " ", "enter")
	d.waitFor("DISPUTED")

	orders, err := d.mc.Orders(ctx, client.OrderQuery{})
	if err != nil || len(orders) == 0 {
		t.Fatalf("no order: %v", err)
	}
	o := orders[0]
	if o.State != api.StateDisputed || o.DisputeReason == "" {
		t.Fatalf("order after the dispute: %s %q", o.State, o.DisputeReason)
	}
	log, err := d.mc.Messages(ctx, o.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var statement, evidence bool
	for _, e := range log {
		if e.Kind == api.LogEvidence {
			statement = statement || strings.Contains(e.Text, "another name")
			evidence = evidence || e.Ref != ""
		}
	}
	if !statement || !evidence {
		t.Fatalf("the dispute carries statement=%v, a transfer as evidence=%v", statement, evidence)
	}
	// Support takes the dispute up, says until when it takes evidence,
	// and only then decides from the records: the buyer did pay, so the
	// crypto goes to the buyer.
	d.w.Sched.RunFor(12 * time.Minute)
	d.keys("r")
	d.waitFor("attach your evidence")
	d.w.Sched.RunFor(30 * time.Minute)
	d.keys("r")
	d.waitFor("RESOLVED")
	if err := d.w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	d.quit()
}

// TestAccountSetsTheAlipayPayee: the Account tab sets the Alipay account
// buyers pay (p), which a sell ad needs; the server keeps it.
func TestAccountSetsTheAlipayPayee(t *testing.T) {
	d := openDesk(t)
	d.waitFor("BUY USDT")
	d.keys("5")
	d.waitFor("pay method")
	d.keys("p")
	d.waitFor("Alipay account (phone or email) buyers pay")
	for range 11 {
		d.tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	d.typeText("13812345678")
	d.keys("enter")
	d.waitFor("Alipay account set")
	a, err := d.mc.Account(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, pm := range a.Payments {
		if pm.Method == api.Alipay {
			got = pm.Account
		}
	}
	if got != "13812345678" {
		t.Fatalf("the server keeps %q as the Alipay payee", got)
	}
	d.quit()
}

// TestOrderPagePaysFromAlipay: a buy placed from the market (no guide)
// can be paid from the order screen: a opens the Alipay payment with the
// seller's account and the exact total filled in, the password sends it,
// the order screen comes back, and p marks it paid (found playing: the
// order screen only offered to copy the details).
func TestOrderPagePaysFromAlipay(t *testing.T) {
	d := openDesk(t)
	// The ads are in (an ad's detail shows) before enter picks one.
	d.waitFor("BUY USDT", "30-day orders")
	d.keys("enter")
	d.waitFor("BUY USDT from")
	d.keys("tab")
	d.typeText("500")
	// The ticket has the account in (whose Alipay pays) before review.
	d.waitFor("in your name", "500.00 CNY")
	d.keys("enter")
	d.waitFor("Place this order?")
	d.keys("y")
	d.waitFor("CREATED", "a pay from Alipay")
	d.keys("a")
	d.waitFor("Send an Alipay payment", "500.00", "▸ payment password")
	d.typeText(strings.TrimSpace(d.passwordHint()))
	d.keys("enter")
	// The screen reads the statement again: the payment left, and it
	// is not offered a second time.
	d.waitFor("sent ", "CREATED", "as your statement shows")
	d.keys("p")
	d.keys("y")
	d.waitFor("PAID")
	orders, err := d.mc.Orders(context.Background(), client.OrderQuery{})
	if err != nil || len(orders) == 0 || orders[0].State != api.StatePaid {
		t.Fatalf("the order after paying from its screen: %+v %v", orders, err)
	}
	d.quit()
}
