package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"p2pdesk/api"
	"p2pdesk/authenticator"
	"p2pdesk/client"
	"p2pdesk/config"
	"p2pdesk/embedded"
	"p2pdesk/i18n"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
	"p2pdesk/ui"
)

func (a *app) addTUIFlags(root *cobra.Command) {}

func (a *app) addMoreCommands(root *cobra.Command) { a.addVerbs(root) }

// runTUI opens the terminal app: against the embedded practice marketplace
// when no server is configured, else against the server of the profile.
func (a *app) runTUI(cmd *cobra.Command) error {
	ctx := cmd.Context()
	// The settings first: a mistake there is said before anything starts.
	theme, err := ui.DefaultTheme().WithOverrides(a.cfg.UI.Theme)
	if err != nil {
		return a.settingsError("ui.theme", err)
	}
	theme = ui.RespectNoColor(theme, os.Getenv)
	keys := ui.DefaultKeys()
	if err := keys.Remap(a.cfg.UI.Keys); err != nil {
		return a.settingsError("ui.keys", err)
	}
	if err := canDrawScreens(os.Getenv, a.out); err != nil {
		return err
	}
	st, status, err := a.openSecrets()
	if err != nil {
		return err
	}
	keyringState := st.Describe()
	if !status.Available {
		// Said once, plainly, before the screen is taken; the status bar
		// keeps saying where secrets are.
		fmt.Fprintln(a.errOut, a.keyringNotice(status))
	}
	d := ui.Deps{Theme: theme, Keys: keys, Bell: a.cfg.UI.Bell, Notify: a.cfg.UI.Notify, Warnings: a.cfg.Warnings,
		KeyringState: keyringState, Ephemeral: !st.Persistent(), Export: a.cfg.DataDir, Refresh: a.cfg.UI.Refresh, SteadyCursor: !a.cfg.UI.CursorBlink}
	tr := i18n.New(a.cfg.Lang(os.Getenv))
	d.Tr = tr
	if os.Getenv("RUNEWIDTH_EASTASIAN") == "" {
		// A Chinese locale makes go-runewidth (text fields) count
		// ambiguous characters (… · ▸ ─) as two cells, where lipgloss and
		// the terminals we target count one: the cursor would drift. A
		// terminal set to wide ambiguous characters says so with
		// RUNEWIDTH_EASTASIAN=1.
		runewidth.DefaultCondition.EastAsianWidth = false
	}
	cfgFile := config.File(a.cfgFile)
	d.SaveLang = func(l i18n.Lang) error { return config.SetLang(cfgFile, l) }
	opts := ui.ProgramOptions(tea.WithAltScreen(), tea.WithContext(ctx))
	if a.cfg.UI.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	var p *tea.Program
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	// relay sends the marketplace's events into the program p.
	relay := func(mc *client.Client) {
		go mc.Stream(streamCtx, -1, func(e api.Event) { p.Send(ui.EventMsg{Event: e}) },
			func(s client.StreamState) {
				if s.Err != nil {
					a.log.Warn("stream", "err", s.Err, "attempt", s.Attempt)
				}
				p.Send(ui.StreamMsg{State: s})
			})
	}
	// connect makes the app for a profile on its marketplace.
	connect := func(profile secrets.Profile, profileName string) (tea.Model, *client.Client, error) {
		mc, err := client.New(profile.Server, client.Credentials{APIKey: profile.APIKey, Secret: profile.Secret, Passphrase: profile.Passphrase}, client.Options{TLS: a.tlsOptions()})
		if err != nil {
			return nil, nil, err
		}
		d.Market, d.Server, d.Profile = mc, profile.Server, profileName
		if profile.AlipayKey != "" {
			d.Alipay = client.NewAlipay(profile.Server, profile.AlipayKey, a.railHTTP())
			if d.Embedded {
				d.AlipayPassword = profile.AlipayPassword
			}
		}
		var mu sync.Mutex
		seed := profile.TOTPSeed
		d.TOTP = func(at time.Time) (string, bool) {
			mu.Lock()
			s := seed
			mu.Unlock()
			if s == "" {
				return "", false
			}
			code, err := authenticator.Code(s, at)
			return code, err == nil
		}
		d.HoldTOTP = func(s string) error {
			mu.Lock()
			defer mu.Unlock()
			p, err := secrets.LoadProfile(st, profileName)
			if err != nil {
				return err
			}
			p.TOTPSeed = s
			if err := secrets.SaveProfile(st, profileName, p); err != nil {
				return err
			}
			seed = s
			return nil
		}
		return ui.New(d), mc, nil
	}

	if a.cfg.Server != "" {
		profile, err := secrets.LoadProfile(st, a.cfg.Profile)
		if err != nil {
			return fmt.Errorf("no saved login %q for %s (%v): run p2pdesk login --server %s", a.cfg.Profile, a.cfg.Server, err, a.cfg.Server)
		}
		m, mc, err := connect(profile, a.cfg.Profile)
		if err != nil {
			return err
		}
		p = tea.NewProgram(m, opts...)
		relay(mc)
	} else {
		// The screen is up from the first frame while the practice
		// marketplace starts behind it (on a first start it is created,
		// which takes seconds).
		dir, key, fresh, err := a.embeddedPlace(st)
		if err != nil {
			return err
		}
		say := tr.T("boot.starting")
		if fresh {
			say = tr.T("boot.creating")
		}
		type started struct {
			app tea.Model
			err error
		}
		ready := make(chan started, 1)
		p = tea.NewProgram(ui.BootIn(tr, d.Theme, say, func() (tea.Model, error) { r := <-ready; return r.app, r.err }), opts...)
		var e *embedded.Embedded
		done := make(chan struct{})
		go func() {
			defer close(done)
			var err error
			e, err = embedded.Start(streamCtx, embedded.Options{Dir: dir, ServerKey: key, Secrets: st, Speed: a.cfg.Embedded.Speed,
				Seed: a.cfg.Embedded.Seed, Merchants: a.cfg.Embedded.Merchants, Log: a.log, Version: Version})
			var busy *embedded.BusyError
			if errors.As(err, &busy) {
				// Another window runs this practice market: join it, not a
				// second simulation of the same merchants.
				profile, err := joinProfile(st, dir, busy)
				if err != nil {
					ready <- started{err: err}
					return
				}
				d.Embedded, d.JoinedPID = true, busy.PID
				a.log.Info("joined the practice marketplace of another p2pdesk", "pid", busy.PID, "url", busy.URL)
				m, mc, err := connect(profile, embedded.ProfileName(dir))
				if err == nil {
					relay(mc)
				}
				ready <- started{m, err}
				return
			}
			if err != nil {
				ready <- started{err: err}
				return
			}
			d.Embedded, d.FirstRun = true, e.FirstRun
			e.World.SetLearner(tr) // its people write to the learner in the learner's language
			j, err := sim.OpenJournal(a.journalPath())
			if err != nil {
				ready <- started{err: err}
				return
			}
			pr := &practice{w: e.World, user: e.Profile, log: a.log, journal: j, tr: tr}
			go pr.keepSettled(streamCtx)
			d.Practice = pr
			m, mc, err := connect(e.Profile, e.ProfileName)
			if err == nil {
				relay(mc)
			}
			ready <- started{m, err}
		}()
		defer func() {
			stop()
			<-done
			if e != nil {
				e.Close()
			}
		}()
	}
	setWindowTitle(os.Stdout, "p2pdesk")
	final, err := p.Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return err
	}
	return ui.BootErr(final)
}

// setWindowTitle names the terminal window (OSC 2), before the program
// owns the terminal; only on a terminal, never into a pipe or a file.
func setWindowTitle(f *os.File, title string) {
	if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintf(f, "\x1b]2;%s\a", title)
	}
}

// joinProfile is the practice account of dir, kept in the secret store,
// at the marketplace another p2pdesk runs there. The practice drills stay
// with the window that runs the simulation.
func joinProfile(st secrets.Store, dir string, busy *embedded.BusyError) (secrets.Profile, error) {
	profile, err := secrets.LoadProfile(st, embedded.ProfileName(dir))
	if err != nil {
		return profile, fmt.Errorf("%v, but its practice account is not in %s (%v): close the other p2pdesk and start again", busy, st.Describe(), err)
	}
	profile.Server = busy.URL
	return profile, nil
}

// embeddedPlace is where the practice marketplace lives and its server
// key; fresh when it is yet to be created. With no persistent secret
// store, the server key could not be found again, so the marketplace
// lives in a temporary directory for this run only.
func (a *app) embeddedPlace(st secrets.Store) (dir string, key []byte, fresh bool, err error) {
	dir = filepath.Dir(a.cfg.Embedded.DB)
	if !st.Persistent() {
		tmp, err := os.MkdirTemp("", "p2pdesk-practice-")
		if err != nil {
			return "", nil, false, err
		}
		a.closers = append(a.closers, closerFunc(func() error { return os.RemoveAll(tmp) }))
		dir = tmp
		fmt.Fprintln(a.errOut, "The practice marketplace runs in", dir, "for this run only.")
	}
	_, statErr := os.Stat(filepath.Join(dir, "market.db"))
	key, err = serverKey(st, filepath.Join(dir, "market.db"), true)
	if err != nil {
		return "", nil, false, err
	}
	return dir, key, errors.Is(statErr, os.ErrNotExist), nil
}

// practice adapts the simulated world to the TUI's practice mode.
type practice struct {
	w    *sim.World
	user secrets.Profile
	log  interface{ Info(string, ...any) }
	me   *sim.Bot
	// journal keeps finished drills; kept maps an order to its entry.
	journal *sim.Journal
	mu      sync.Mutex
	drills  []*sim.Stage  // drill n is drills[n-1]
	byOrder map[int64]int // order → drill number
	kept    map[int64]int // order → journal entry
	// keeping serialises journalling (a replay takes seconds) apart from
	// mu, which the screens read under.
	keeping sync.Mutex
	// tr says the practice mode's words in the user's language.
	tr *i18n.Tr
}

func (p *practice) SetSpeed(x float64) error { return p.w.SetSpeed(x) }

func (p *practice) Merchants() string {
	switch done, err := p.w.Attached(); {
	case !done:
		return p.tr.T("practice.merchants_back")
	case err != nil:
		return p.tr.T("practice.merchants_stopped")
	}
	return ""
}

func (p *practice) Scenarios() []ui.ScenarioInfo {
	var out []ui.ScenarioInfo
	for _, n := range sim.ScenarioNames() {
		s := sim.Scenarios[n]
		summary, _, careful, _ := s.In(p.tr)
		out = append(out, ui.ScenarioInfo{Name: s.Name, Direction: string(s.Direction), Summary: summary, Careful: careful})
	}
	return out
}

// learner is human under the adapter's lock.
func (p *practice) learner(ctx context.Context) (*sim.Bot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.human(ctx)
}

func (p *practice) human(ctx context.Context) (*sim.Bot, error) {
	if p.me != nil {
		return p.me, nil
	}
	mc, err := client.New(p.w.URL(), client.Credentials{APIKey: p.user.APIKey, Secret: p.user.Secret, Passphrase: p.user.Passphrase}, client.Options{})
	if err != nil {
		return nil, err
	}
	acct, err := mc.Account(ctx)
	if err != nil {
		return nil, err
	}
	rc := client.NewAlipay(p.w.URL(), p.user.AlipayKey, nil)
	me, err := rc.Me(ctx)
	if err != nil {
		return nil, err
	}
	p.me = p.w.Human(acct.User.ID, me.ID, acct.User.Name, mc, rc)
	return p.me, nil
}

// Stage sets a new drill up: fresh counterparties every time, so any
// scenario can be played again and again.
func (p *practice) Stage(name string, exam bool) (ui.Staged, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	me, err := p.human(ctx)
	if err != nil {
		return ui.Staged{}, err
	}
	stage, err := p.w.StageScenario(ctx, name, me)
	if err != nil {
		return ui.Staged{}, err
	}
	stage.Exam = exam
	stage.Watch(p.w)
	p.drills = append(p.drills, stage)
	side, amount := api.Sell, "725"
	if stage.Scenario.Direction == sim.Deposit {
		side = api.Buy
	}
	if stage.Need.IsPositive() {
		amount = stage.Need.Fixed() // all the learner needs: more than the tier leaves
	}
	return ui.Staged{Drill: len(p.drills), Scenario: name, Choose: stage.Scenario.Choose(), AdID: stage.Ad.ID, UserSide: side, Amount: amount}, nil
}

// EnterOnLink: the learner typed a code on the page a chat link opened.
// The drill's scammer gets it, as the real one would.
func (p *practice) EnterOnLink(orderID int64, url, code string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	me, err := p.learner(ctx)
	if err != nil {
		return err
	}
	o, err := me.Market.Order(ctx, orderID)
	if err != nil {
		return err
	}
	if st := p.w.StageOf(o); st != nil {
		st.Phish(p.w.Sched.Now(), url, code)
	}
	return nil
}

// PayAccount: what the drill's world fills the payment form with.
func (p *practice) PayAccount(o api.OrderView) string { return p.w.SlipOf(o) }

func (p *practice) Link(drill int, orderID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if drill < 1 || drill > len(p.drills) {
		return
	}
	if p.byOrder == nil {
		p.byOrder = map[int64]int{}
	}
	p.byOrder[orderID] = drill
}

func (p *practice) LinkAd(adID, orderID int64) {
	p.mu.Lock()
	n := 0
	for i := len(p.drills) - 1; i >= 0 && n == 0; i-- { // the newest drill on that ad
		if p.drills[i].Ad.ID == adID {
			n = i + 1
		}
	}
	p.mu.Unlock()
	if n != 0 {
		p.Link(n, orderID)
	}
}

func (p *practice) Drill(orderID int64) (ui.DrillStatus, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.byOrder[orderID]
	if !ok {
		return ui.DrillStatus{}, false
	}
	st := p.drills[n-1]
	ds := ui.DrillStatus{ID: n, Scenario: st.Scenario.Name}
	if st.Friend != nil {
		ds.Friend, ds.FriendPaid = st.Friend.Person.RealName, !st.FriendPaid().IsZero()
	}
	return ds, true
}

func (p *practice) Unsettled() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []int64
	for id := range p.byOrder {
		if p.kept[id] == 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// ApplyKYC: the learner applies for the next tier; the practice review
// approves it after an hour of market time.
func (p *practice) ApplyKYC() (time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	me, err := p.learner(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return p.w.ApplyKYC(ctx, me)
}

// FriendPays: the drill's cousin pays its order from his own Alipay.
func (p *practice) FriendPays(orderID int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	me, err := p.learner(ctx)
	if err != nil {
		return err
	}
	o, err := me.Market.Order(ctx, orderID)
	if err != nil {
		return err
	}
	st := p.w.StageOf(o)
	if st == nil {
		return fmt.Errorf("order %d is not a drill's", orderID)
	}
	return st.FriendPays(ctx, o)
}

// Debrief judges a drill's order as it stands. A drill is final once its
// order has ended and the scenario's settling time has passed on the
// market's clock (late money, refunds, a victim's complaint come in it);
// then, and only then, it is kept in the journal, with the grade shown.
func (p *practice) Debrief(orderID int64) (ui.Debriefed, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p.mu.Lock()
	n, ok := p.byOrder[orderID]
	var stage *sim.Stage
	if ok {
		stage = p.drills[n-1]
	}
	p.mu.Unlock()
	if stage == nil {
		return ui.Debriefed{}, fmt.Errorf("order %d is not a drill of this session", orderID)
	}
	o, err := stage.User.Market.Order(ctx, orderID)
	if err != nil {
		return ui.Debriefed{}, err
	}
	d, err := p.w.Debrief(ctx, stage, orderID)
	if err != nil {
		return ui.Debriefed{}, err
	}
	out := ui.Debriefed{Grade: d.Grade}
	if o.ClosedAt != nil {
		out.FinalAt = o.ClosedAt.Add(stage.Scenario.Settle())
		out.Final = !p.w.Sched.Now().Before(out.FinalAt)
	}
	var b strings.Builder
	d.PrintIn(&b, p.tr)
	if out.Final {
		if e, err := p.keep(ctx, stage, orderID); err != nil {
			fmt.Fprintln(&b, "\n"+p.tr.T("journal.not_kept", "Err", err.Error()))
		} else {
			// The journal's grade is the one shown from now on.
			out.Grade = e.Live.Grade
			fmt.Fprintln(&b, "\n"+p.tr.T("journal.kept", "N", e.N))
			if e.Differs != "" {
				fmt.Fprintln(&b, p.tr.T("journal.kept_differs", "Why", e.Differs))
			}
		}
	}
	out.Text = b.String()
	return out, nil
}

// keepSettled journals every drill of this session that has settled,
// whether or not its debrief is on screen: a learner who never reopens a
// debrief still finds the drill in the journal. It runs until ctx ends.
func (p *practice) keepSettled(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
		for _, id := range p.Unsettled() {
			if ctx.Err() != nil {
				return
			}
			// Debrief keeps the drill once it is final.
			if _, err := p.Debrief(id); err != nil {
				p.log.Info("keeping a drill", "order", id, "err", err)
			}
		}
	}
}

// keep journals a settled drill once and returns its entry.
func (p *practice) keep(ctx context.Context, stage *sim.Stage, orderID int64) (sim.JournalEntry, error) {
	p.keeping.Lock()
	defer p.keeping.Unlock()
	p.mu.Lock()
	n := p.kept[orderID]
	p.mu.Unlock()
	if n > 0 {
		return p.journal.Entry(n)
	}
	e, err := sim.Keep(ctx, p.journal, p.w, stage, orderID, uint64(time.Now().UnixNano()))
	if err != nil {
		return e, err
	}
	p.mu.Lock()
	if p.kept == nil {
		p.kept = map[int64]int{}
	}
	p.kept[orderID] = e.N
	p.mu.Unlock()
	return e, nil
}

func (p *practice) Journal() ([]ui.JournalLine, error) {
	es, err := p.journal.Entries()
	var out []ui.JournalLine
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, ui.JournalLine{N: es[i].N, At: es[i].At, Scenario: es[i].Scenario, Grade: es[i].Live.Grade})
	}
	return out, err
}

func (p *practice) Course() (string, string, error) {
	es, err := p.journal.Entries()
	if err != nil {
		return "", "", err
	}
	c := sim.CourseOf(es)
	var b strings.Builder
	c.PrintIn(&b, p.tr)
	return c.Summary(p.tr), b.String(), nil
}

func (p *practice) JournalDebrief(n int) (string, string, error) {
	e, err := p.journal.Entry(n)
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	writeJournalEntryIn(&b, e, p.tr)
	return e.Live.Grade, b.String(), nil
}

// settingsError says which settings under key the app cannot use, where
// they were set, and for a name it does not know the nearest it does.
func (a *app) settingsError(key string, err error) error {
	var lines []string
	for _, e := range unjoin(err) {
		var se *ui.SettingError
		if !errors.As(e, &se) {
			lines = append(lines, e.Error())
			continue
		}
		line := fmt.Sprintf("%s.%s: %s", key, se.Name, se.Problem)
		if n := config.Nearest(se.Name, se.Known); se.Known != nil && n != "" {
			line += fmt.Sprintf(" (did you mean %q?)", n)
		} else if se.Known != nil {
			line += " (one of " + strings.Join(se.Known, ", ") + ")"
		}
		lines = append(lines, line)
	}
	return &usageError{fmt.Sprintf("configuration (%s, or P2PDESK_%s_*): %s", config.File(a.cfgFile), strings.ToUpper(strings.ReplaceAll(key, ".", "_")), strings.Join(lines, "; "))}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// canDrawScreens refuses, in plain lines, a terminal the app cannot draw
// on: TERM=dumb has no cursor addressing, and output that is no terminal
// would fill a file with escape codes. The verbs work in both.
func canDrawScreens(getenv func(string) string, out io.Writer) error {
	if getenv("TERM") == "dumb" {
		return &usageError{"the terminal app needs a terminal that can move the cursor, and TERM=dumb cannot.\n" +
			"Run it in a terminal emulator (TERM=xterm-256color or similar), or use the verbs, which print lines:\n" +
			"  p2pdesk ads --side sell    p2pdesk order take AD_ID --fiat 500    p2pdesk orders    (p2pdesk --help lists them all)"}
	}
	if f, ok := out.(*os.File); ok && !term.IsTerminal(int(f.Fd())) {
		return &usageError{"the terminal app draws on a terminal, and standard output is not one.\n" +
			"For scripts, use the verbs (p2pdesk --help lists them); they print lines, or JSON with --json."}
	}
	return nil
}
