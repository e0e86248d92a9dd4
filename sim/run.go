package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/money"
)

// RunOptions describe a headless run of one scenario or several.
type RunOptions struct {
	Scenario string
	// Scenarios, when set, are played one after another in one world (a
	// name may repeat); Scenario is then ignored.
	Scenarios []string
	Seed      uint64
	Policy    Policy
	Dir       string // "" for a temporary directory
	Log       *slog.Logger
	// Merchants around the scenario (bait-price needs honest ones to
	// choose instead).
	Merchants int
	// MaxDuration bounds each drill in simulated time.
	MaxDuration time.Duration
	// Replay, when set, plays these recorded inputs instead of a policy.
	Replay *Recording
	// Live plays in the mode of the practice market a person opens: the
	// clock follows wall time at Speed, one-time codes and signatures are
	// checked against wall time, and the merchants trade on their own
	// timers. Otherwise the world is deterministic and runs at top speed.
	Live bool
	// Exam plays the drills without the app's labels, as the TUI's exam
	// mode does; the debrief says what they would have said, and when.
	Exam  bool
	Speed float64
}

// Recording is what a user did in a drill: enough, with the seed, to play
// it again with the same event log.
type Recording struct {
	Take   Take    `json:"take"`
	Inputs []Input `json:"inputs"`
}

// Report is what a run ended with.
type Report struct {
	Scenario   string
	Policy     Policy
	Seed       uint64
	Outcome    string
	Expected   Expectation
	Got        Expectation
	Crypto     money.Amount // the user's change in the order's asset
	Fiat       money.Amount // the user's change of available Alipay money
	Frozen     money.Amount // Alipay money frozen after a complaint
	Order      api.OrderView
	Ad         api.AdView
	EventLog   string
	Events     int
	Debrief    Debrief
	SimElapsed time.Duration
	// Recording is what the user did, read back from the records.
	Recording Recording
}

// OK reports whether the run ended as the scenario expects for its policy.
func (r Report) OK() bool {
	return r.Got.Crypto == r.Expected.Crypto && r.Got.Fiat == r.Expected.Fiat && r.Got.State == r.Expected.State
}

// Print writes the report's lines: outcome, user-funds and eventlog first.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "scenario: %s (policy %s, seed %d)\n", r.Scenario, r.Policy, r.Seed)
	fmt.Fprintf(w, "outcome: %s\n", r.Outcome)
	fmt.Fprintf(w, "user-funds: %s %s CNY %s", r.Order.Asset, signed(r.Crypto), signed(r.Fiat))
	if r.Frozen.IsPositive() {
		fmt.Fprintf(w, " (CNY %s frozen)", r.Frozen.Fixed())
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "order: %d %s%s\n", r.Order.ID, r.Order.State, resSuffix(r.Order))
	fmt.Fprintf(w, "grade: %s\n", r.Debrief.Grade)
	fmt.Fprintf(w, "eventlog: %s\n", r.EventLog)
	fmt.Fprintf(w, "events: %d over %s of simulated time\n", r.Events, r.SimElapsed.Round(time.Second))
}

func resSuffix(o api.OrderView) string {
	if o.Resolution != "" {
		return "/" + string(o.Resolution)
	}
	return ""
}

func signed(a money.Amount) string {
	if a.IsNegative() {
		return a.String()
	}
	return "+" + a.String()
}

// tempDir is on tmpfs where there is one: a run is throw-away.
func tempDir() (string, error) {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return os.MkdirTemp("/dev/shm", "p2pdesk-run-")
	}
	return os.MkdirTemp("", "p2pdesk-run-")
}

// RunScenario plays a scenario with a scripted user against a fresh
// temporary marketplace. Deterministic unless o.Live: the same seed,
// scenario and policy give the same event log.
func RunScenario(ctx context.Context, o RunOptions) (Report, error) {
	if len(o.Scenarios) == 0 {
		o.Scenarios = []string{o.Scenario}
	}
	reps, err := RunScenarios(ctx, o)
	if len(reps) == 0 {
		return Report{Scenario: o.Scenarios[0], Policy: o.Policy, Seed: o.Seed}, err
	}
	return reps[len(reps)-1], err
}

// RunScenarios plays o.Scenarios one after another in one world, each
// with fresh counterparties, and reports on each as it ends. A report is
// returned for every drill that ran, with the error that stopped the run.
func RunScenarios(ctx context.Context, o RunOptions) ([]Report, error) {
	names := o.Scenarios
	if len(names) == 0 {
		names = []string{o.Scenario}
	}
	bait := false
	for _, n := range names {
		sc, ok := Scenarios[n]
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q: p2pdesk sim scenarios lists them", n)
		}
		bait = bait || sc.choose
	}
	if o.MaxDuration == 0 {
		o.MaxDuration = 6 * time.Hour
	}
	if o.Merchants == 0 && (bait || o.Live) {
		// Bait needs honest ads to pass it over for; a live market has
		// merchants trading around the drill, as the practice market does.
		o.Merchants = 3
	}
	if o.Dir == "" {
		d, err := tempDir()
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		o.Dir = d
	}
	w, err := Open(ctx, Options{Dir: o.Dir, ServerKey: auth.GenerateKey(), Seed: o.Seed, Merchants: o.Merchants, History: o.Merchants > 0,
		Fast: !o.Live, Speed: o.Speed, Log: o.Log, FeedEvery: time.Minute})
	if err != nil {
		return nil, err
	}
	defer w.Close(context.Background())
	usdt := "2000"
	if o.Replay != nil {
		usdt = practiceDeposits["USDT"] // a drill was played from a practice account
	}
	user, _, err := w.NewPerson(ctx, person{Handle: "you", RealName: "Practice User", Phone: "13900000000"}, 1, false,
		map[string]string{"USDT": usdt}, practiceCNY)
	if err != nil {
		return nil, err
	}
	if o.Replay == nil {
		user.Script = &userScript{policy: o.Policy}
	}
	user.WatchClosed = true
	w.Watch(user, 20*time.Second)
	stopLive := func() {}
	if o.Live {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); w.Run(runCtx) }()
		stopLive = func() { cancel(); <-done }
	}
	var reps []Report
	for i, name := range names {
		if err := waitForCode(ctx, w, user); err != nil {
			return reps, err
		}
		rep, err := runDrill(ctx, w, user, name, i, o)
		if rep.Scenario != "" {
			reps = append(reps, rep)
		}
		if err != nil {
			stopLive()
			return reps, err
		}
	}
	stopLive()
	if err := w.CheckInvariants(ctx); err != nil {
		return reps, fmt.Errorf("invariants after the run: %w", err)
	}
	return reps, nil
}

// waitForCode waits, between drills, until the user's authenticator shows
// a code they have not used. Live, codes follow wall time: one new code
// every 30 seconds, however fast the market's clock runs. A person who
// released three orders in a minute waits for the next code too; a drill
// must not start with the user unable to release in it.
func waitForCode(ctx context.Context, w *World, user *Bot) error {
	for {
		var ready bool
		w.Sched.Serialize(func() { ready = user.codeReady() })
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// drillState is what the timers of one drill tell the loop that drives
// it; in a live world they run on the scheduler's goroutine.
type drillState struct {
	mu      sync.Mutex
	orderID int64
	ad      api.AdView
	takeErr error
	errs    []error
}

func (d *drillState) get() (int64, api.AdView, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.orderID, d.ad, d.takeErr
}

// runDrill stages one scenario around the user in world w and plays it to
// its end, then a while longer for late money, refunds and complaints.
func runDrill(ctx context.Context, w *World, user *Bot, name string, n int, o RunOptions) (Report, error) {
	sc := Scenarios[name]
	rep := Report{Scenario: sc.Name, Policy: o.Policy, Seed: o.Seed, Expected: sc.Expect[o.Policy]}
	var rp *replay
	if o.Replay != nil {
		rp = &replay{take: o.Replay.Take, inputs: o.Replay.Inputs}
		rep.Policy = "replay"
	}
	st, err := w.StageScenario(ctx, sc.Name, user)
	if err != nil {
		return rep, err
	}
	st.Exam = o.Exam
	st.Watch(w)
	if err := st.snapshot(ctx); err != nil {
		return rep, err
	}
	start := w.Sched.Now()
	var ds drillState
	w.Sched.After(30*time.Second, "user takes", func() {
		// A drill that is not about the choice opens on its own ad, as
		// the TUI's does: the lesson is in the trade, whoever it is with.
		ad, ok := st.Ad, true
		if sc.choose {
			ad, ok = choose(o.Policy, st.Offered)
		}
		amount := st.Amount
		if rp != nil {
			ad, ok = rp.chooseAd(st)
			amount = rp.take.Amount
		}
		ds.mu.Lock()
		defer ds.mu.Unlock()
		if !ok {
			ds.takeErr = fmt.Errorf("no acceptable ad on offer")
			return
		}
		ds.ad = ad
		key := fmt.Sprintf("take-%d", o.Seed)
		if n > 0 {
			key = fmt.Sprintf("take-%d-%d", o.Seed, n)
		}
		if sc.limit && rp == nil {
			// Both ask for all they need first, and the tier refuses it;
			// the careful user applies for the next tier, then both sell
			// what the limit leaves.
			_, err := user.Market.TakeAd(ctx, api.TakeRequest{AdID: ad.ID, FiatAmount: st.Need.Fixed()}, key+"-need")
			if api.CodeOf(err) != api.CodeDailyLimitExceeded {
				ds.takeErr = fmt.Errorf("asking for %s CNY over the limit: want %s, got %v", st.Need.Fixed(), api.CodeDailyLimitExceeded, err)
				return
			}
			if o.Policy == Careful {
				if _, err := w.ApplyKYC(ctx, user); err != nil {
					ds.takeErr = err
					return
				}
			}
		}
		ord, err := user.Market.TakeAd(ctx, api.TakeRequest{AdID: ad.ID, Amount: amount}, key)
		if err != nil {
			ds.takeErr = err
			return
		}
		ds.orderID = ord.ID
		if rp != nil {
			rp.schedule(ctx, w, user, ord, &ds)
		}
	})
	var closedAt time.Time
	for w.Sched.Now().Sub(start) < o.MaxDuration {
		if err := w.advance(ctx, time.Minute); err != nil {
			return rep, err
		}
		orderID, ad, takeErr := ds.get()
		if takeErr != nil {
			return rep, fmt.Errorf("the user could not take an ad: %w", takeErr)
		}
		if orderID == 0 {
			continue
		}
		rep.Ad = ad
		ord, err := user.Market.Order(ctx, orderID)
		if err != nil {
			return rep, err
		}
		rep.Order = ord
		if ord.State.Terminal() && closedAt.IsZero() {
			closedAt = w.Sched.Now()
		}
		// After the end, leave time for late money, refunds and complaints.
		if !closedAt.IsZero() && w.Sched.Now().Sub(closedAt) > sc.Settle() {
			break
		}
	}
	rep.SimElapsed = w.Sched.Now().Sub(start)
	ds.mu.Lock()
	errs := ds.errs
	ds.mu.Unlock()
	if len(errs) > 0 {
		return rep, errors.Join(errs...)
	}
	if err := st.measure(ctx, &rep); err != nil {
		return rep, err
	}
	if rep.Order.ID != 0 {
		if rep.Recording.Take, rep.Recording.Inputs, err = RecordInputs(ctx, st, rep.Order.ID); err != nil {
			return rep, err
		}
	}
	if rep.Debrief, err = w.Debrief(ctx, st, rep.Order.ID); err != nil {
		return rep, err
	}
	// Live, the log is what the wall clock made of the world: printed,
	// never compared.
	rep.EventLog, rep.Events, err = w.EventLog(ctx)
	return rep, err
}

// Settle is how long a drill goes on after its order ends: late money,
// refunds and a victim's complaint (half an hour after) come in it; where
// none can come, a few minutes for a rating.
func (sc *Scenario) Settle() time.Duration {
	if sc.aftermath != nil || sc.watchClosed {
		return 45 * time.Minute
	}
	return 10 * time.Minute
}

// advance lets d of simulated time pass: at top speed in a deterministic
// world; in a live one, by waiting while the clock runs on its own.
func (w *World) advance(ctx context.Context, d time.Duration) error {
	if w.opts.Fast {
		w.Sched.RunFor(d)
		return nil
	}
	until := w.Sched.Now().Add(d)
	for w.Sched.Now().Before(until) {
		wait := time.Duration(float64(until.Sub(w.Sched.Now())) / w.Sched.Speed())
		wait = min(max(wait, time.Millisecond), 50*time.Millisecond)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return nil
}

// snapshot remembers the user's funds before the trade.
func (st *Stage) snapshot(ctx context.Context) error {
	me, err := st.User.Rail.Me(ctx)
	if err != nil {
		return err
	}
	st.StartCNY = me.Available
	bs, err := st.User.Market.Balances(ctx)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Asset == api.USDT {
			st.StartCrypto = b.Total
		}
	}
	return nil
}

// measure fills the outcome of a run.
func (st *Stage) measure(ctx context.Context, rep *Report) error {
	me, err := st.User.Rail.Me(ctx)
	if err != nil {
		return err
	}
	rep.Fiat, _ = me.Available.Sub(st.StartCNY)
	rep.Frozen = me.Frozen
	bs, err := st.User.Market.Balances(ctx)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Asset == api.USDT {
			rep.Crypto, _ = b.Total.Sub(st.StartCrypto)
		}
	}
	o := rep.Order
	rep.Got = Expectation{State: string(o.State) + resSuffix(o)}
	if o.ID == 0 {
		rep.Outcome = "no order was placed"
		return nil
	}
	rep.Got.Crypto = ratio(rep.Crypto, o.Amount)
	rep.Got.Fiat = ratio(rep.Fiat, o.FiatTotal)
	rep.Outcome = describe(st.Scenario.Direction, *rep)
	return nil
}

// ratio is x/unit rounded to the nearest whole number.
func ratio(x, unit money.Amount) int {
	if unit.IsZero() {
		return 0
	}
	q, err := money.Quo(x, unit, 0, money.HalfUp)
	if err != nil {
		return 0
	}
	return int(q.Units())
}

func describe(d Direction, r Report) string {
	o := r.Order
	amt := fmt.Sprintf("%s %s", o.Amount, o.Asset)
	tot := fmt.Sprintf("%s CNY", o.FiatTotal.Fixed())
	lost := func(a money.Amount) string { n, _ := a.Neg(); return n.Fixed() + " CNY" }
	var parts []string
	if d == Withdraw {
		switch {
		case r.Got.Crypto < 0 && r.Fiat.Cmp(o.FiatTotal) >= 0 && r.Frozen.IsZero():
			parts = append(parts, "sold "+amt+" and was paid "+tot)
		case r.Got.Crypto < 0 && r.Frozen.IsPositive():
			parts = append(parts, "released "+amt+"; the "+r.Frozen.Fixed()+" CNY received is frozen after a complaint: LOSS")
		case r.Got.Crypto < 0:
			parts = append(parts, fmt.Sprintf("released %s and was left with %s CNY of %s: LOSS", amt, r.Fiat.Fixed(), tot))
		default:
			parts = append(parts, "kept "+amt+"; the escrow came back")
			if r.Fiat.IsPositive() {
				parts = append(parts, fmt.Sprintf("and kept %s CNY that is not yours", r.Fiat.Fixed()))
			}
			if r.Frozen.IsPositive() {
				parts = append(parts, "which is now frozen after a complaint")
			}
		}
	} else {
		switch {
		case r.Got.Crypto > 0 && r.Got.Fiat == -1:
			parts = append(parts, "bought "+amt+" for "+tot)
		case r.Got.Crypto > 0:
			parts = append(parts, fmt.Sprintf("bought %s but paid %s: LOSS of the extra payment", amt, lost(r.Fiat)))
		case r.Fiat.IsNegative():
			parts = append(parts, fmt.Sprintf("paid %s and got no crypto: LOSS", lost(r.Fiat)))
		default:
			parts = append(parts, "no trade; nothing paid, nothing lost")
		}
	}
	return strings.Join(parts, " ") + fmt.Sprintf(" (order %s%s)", o.State, resSuffix(o))
}

var _ = client.AdQuery{}

// signedFiat is a CNY amount with its sign and two decimals.
func signedFiat(a money.Amount) string {
	if a.IsNegative() {
		return a.FixedN(2)
	}
	return "+" + a.FixedN(2)
}
