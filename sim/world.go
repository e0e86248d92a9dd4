package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/i18n"
	"p2pdesk/market"
	"p2pdesk/marketplace"
	"p2pdesk/money"
	"p2pdesk/store"
)

// Options describe a simulated market.
type Options struct {
	Dir string // market.db and alipay.db live here
	// MarketDB overrides the marketplace database: a SQLite path or a
	// postgres:// URL.
	MarketDB string
	// RailDB overrides the Alipay rail's database. Empty: alipay.db in
	// Dir, or, when MarketDB is PostgreSQL, the same database (the rail
	// keeps to a schema of its own there).
	RailDB    string
	ServerKey []byte
	Seed      uint64
	Start     time.Time // simulated time at the first start
	Speed     float64   // live mode
	Merchants int
	History   bool // seed a believable past on the first start
	// Fast makes a deterministic world: the caller drives the clock with
	// RunUntil, one-time codes run on the simulated clock, nothing runs
	// on its own.
	Fast      bool
	Listen    string
	Log       *slog.Logger
	Version   string
	RateLimit float64
	// PollEvery is how often simulated people look at their orders.
	PollEvery time.Duration
	// FeedEvery is how often the index ticks.
	FeedEvery time.Duration
	// AttachInBackground: on a restart, Open returns once the marketplace
	// serves, and the merchants get their fresh credentials (a hashed
	// passphrase and payment password each, most of a restart) in the
	// background, then start trading. The app's first frame does not
	// wait for them; Ready tells when they are back.
	AttachInBackground bool
	// KeepUnfinished: a world whose creation was cut short is refused
	// with ErrUnfinished instead of being set aside and made again.
	KeepUnfinished bool
	// Net: the marketplace's timeouts, connection cap and TLS.
	Net marketplace.Net
	// Config: the market's rules (nil: PracticeRules).
	Config *market.Config
	// SoleWriter: no other process writes the market's database (the
	// embedded practice market): see marketplace.Options.SoleWriter.
	SoleWriter bool
}

// World is a running simulated market: the marketplace on the scheduler's
// clock, the Alipay rail beside it, and the people who trade there.
type World struct {
	// railAdmin is RailAdmin for the marketplace's HTTP handlers, which
	// run beside the world's creation: set once the world is made.
	railAdmin atomic.Pointer[client.Alipay]
	// learner speaks the language of the person practising (SetLearner):
	// the counterparties and support write to them in it.
	learner atomic.Pointer[i18n.Tr]
	Sched   *Scheduler
	// Codes is the clock every authenticator in this world reads: the
	// marketplace's check of one-time codes and the simulated people's
	// authenticator apps alike (see Open).
	Codes     clock.Clock
	Market    *marketplace.Marketplace
	Rail      *alipay.Rail
	RailStore store.Database
	Admin     *client.Client
	RailAdmin *client.Alipay
	Feed      *Feed
	Support   *Support
	// Merchants is complete once Ready is closed.
	Merchants []*Bot

	release    func() error // the claim on the simulation
	ready      chan struct{}
	attachErr  error // set before ready closes
	stopAttach context.CancelFunc
	attaching  sync.WaitGroup

	opts        Options
	log         *slog.Logger
	rng         *rand.Rand
	mu          sync.Mutex
	bots        map[int64]*Bot
	fixedMargin map[int64]int64 // ad id -> margin a fixed-price merchant keeps
	railBase    string
	people      int
	retail      []int64
	stages      []*Stage // the drills staged, for StageOf
	// carriers are the merchants whose records carry volume the world
	// does not play (see carried.go), carriedTo the last day carried.
	carriers  []carrier
	seed      uint64
	carriedTo int64
}

// state is what the world keeps in the marketplace database to attach to
// its people again after a restart. No secret is in it: credentials are
// issued afresh at every start.
type state struct {
	Seed      uint64        `json:"seed"`
	Merchants []savedPerson `json:"merchants"`
	Support   savedPerson   `json:"support"`
	Admin     int64         `json:"admin,string"`
	RailAdmin int64         `json:"railAdmin,string"`
	People    int           `json:"people"`
	Margins   map[int64]int64
	// Retail are the made-up counterparties of the past; drills give
	// their counterparties a past with them after a restart too.
	Retail []int64 `json:"retail,omitempty"`
}

type savedPerson struct {
	UserID   int64   `json:"user,string"`
	RailID   int64   `json:"rail,string"`
	Person   person  `json:"person"`
	Persona  Persona `json:"persona"`
	Scripted string  `json:"script,omitempty"`
}

// Open starts a world in opts.Dir, creating its people on the first start
// and attaching to them afterwards.
func Open(ctx context.Context, o Options) (*World, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	}
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 15 * time.Second
	}
	if o.FeedEvery <= 0 {
		o.FeedEvery = 10 * time.Second
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.MarketDB == "" {
		o.MarketDB = filepath.Join(o.Dir, "market.db")
	}
	w := &World{opts: o, log: o.Log, rng: rand.New(rand.NewPCG(o.Seed, 0x5eed)), bots: map[int64]*Bot{}, fixedMargin: map[int64]int64{},
		ready: make(chan struct{})}
	if o.RailDB == "" {
		o.RailDB = filepath.Join(o.Dir, "alipay.db")
		if store.IsPostgresURL(o.MarketDB) {
			o.RailDB = o.MarketDB
		}
	}
	railStore, err := store.Open(ctx, o.RailDB, "alipay")
	if err != nil {
		return nil, err
	}
	w.RailStore = railStore
	// The simulated clock starts where the market left off, or at Start.
	start := o.Start
	if last, err := railStore.Meta(ctx, "sim_clock"); err == nil && last != "" {
		if t, err := time.Parse(time.RFC3339Nano, last); err == nil && t.After(start) {
			start = t
		}
	}
	w.Sched = NewScheduler(start, o.Speed)
	w.Rail = alipay.New(railStore, w.Sched)
	w.Rail.Logger = o.Log
	mo := marketplace.Options{
		DBPath: o.MarketDB, ServerKey: o.ServerKey, Listen: o.Listen, Clock: w.Sched,
		Log: o.Log, Version: o.Version, RateLimit: o.RateLimit, Net: o.Net, Config: rules(o.Config), SoleWriter: o.SoleWriter,
		Speed:    func() string { return strconv.FormatFloat(w.Sched.Speed(), 'f', -1, 64) + "x" },
		SetSpeed: w.SetSpeed,
		Mount:    map[string]http.Handler{alipay.Prefix + "/": w.Rail.Handler()},
		// Accounts an operator opens here (account create --server) get a
		// simulated Alipay account too: people on a shared market pay
		// through the same rail as the simulated ones.
		OpenAlipay: w.openAlipay,
	}
	// One-time codes: a person's authenticator app runs on wall time, so in
	// a live world (the practice market, serve) the marketplace checks codes
	// against wall time and the simulated people read the same wall clock,
	// exactly like a person with a phone. A deterministic world has no wall
	// time to agree on: there the marketplace and every authenticator read
	// the simulated clock. Either way both sides read one clock, so no code
	// path exists only in tests or only outside them.
	w.Codes = clock.Real{}
	if o.Fast {
		w.Codes = w.Sched
	}
	mo.Codes = w.Codes
	m, err := marketplace.Start(ctx, mo)
	if err != nil {
		railStore.Close()
		return nil, err
	}
	// One simulation per market: two would drive the same merchants.
	release, err := m.Store.Claim(ctx, "simulation")
	if err != nil {
		m.Close(ctx)
		railStore.Close()
		if errors.Is(err, store.ErrClaimed) {
			err = ErrSimulationElsewhere
		}
		return nil, err
	}
	w.release = release
	w.Market, w.railBase = m, m.URL
	w.Feed = NewFeed(o.Seed)
	raw, err := m.Store.Meta(ctx, "sim_world")
	if err != nil {
		w.Close(ctx)
		return nil, err
	}
	var merchants func(context.Context) ([]*Bot, error)
	if raw == "" {
		// Creating a world writes a lot before it saves its state; a start
		// that was cut short left a database no new start can build on.
		var begun string
		if begun, err = m.Store.Meta(ctx, "sim_world_begun"); err == nil && begun != "" {
			err = ErrUnfinished
		}
		if err == nil {
			err = m.Store.SetMeta(ctx, "sim_world_begun", w.Sched.Now().Format(time.RFC3339))
		}
		if err == nil {
			err = w.bootstrap(ctx)
		}
	} else {
		var st state
		if err = json.Unmarshal([]byte(raw), &st); err == nil {
			merchants, err = w.attach(ctx, st)
		}
		if err == nil && !o.AttachInBackground {
			w.Merchants, err = merchants(ctx)
			merchants = nil
		}
	}
	if errors.Is(err, ErrUnfinished) && !o.KeepUnfinished {
		// Creation was cut short (a kill in the first seconds): nobody has
		// traded in a world that was never finished, so it is made again;
		// the half-made databases are set aside, not deleted, as they may
		// hold accounts made before the first start.
		w.Close(ctx)
		tag := "unfinished-" + time.Now().UTC().Format("20060102t150405")
		var errs []error
		for _, db := range []struct{ where, schema string }{{o.MarketDB, "market"}, {o.RailDB, "alipay"}} {
			to, err := store.SetAside(ctx, db.where, db.schema, strings.ReplaceAll(tag, "-", "_"))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			o.Log.Warn("the simulated market was cut short while being created; set aside and made again", "db", store.Redact(db.where), "to", store.Redact(to))
		}
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("%w; setting it aside failed: %v", ErrUnfinished, err)
		}
		o.KeepUnfinished = true // once
		return Open(ctx, o)
	}
	if err != nil {
		w.Close(ctx)
		return nil, err
	}
	w.railAdmin.Store(w.RailAdmin)
	if err := w.carry(ctx); err != nil {
		w.Close(ctx)
		return nil, fmt.Errorf("carrying the merchants' records: %w", err)
	}
	w.schedule()
	w.scheduleMerchants(w.Merchants)
	if merchants == nil {
		close(w.ready)
		return w, nil
	}
	bg, cancel := context.WithCancel(context.Background())
	w.stopAttach = cancel
	w.attaching.Add(1)
	go func() {
		defer w.attaching.Done()
		defer close(w.ready)
		ms, err := merchants(bg)
		if err != nil {
			w.attachErr = err
			if bg.Err() == nil {
				w.log.Error("giving the merchants fresh credentials", "err", err)
			}
			return
		}
		w.Merchants = ms
		w.scheduleMerchants(ms)
		w.log.Info("merchants are back", "count", len(ms))
	}()
	return w, nil
}

// ErrSimulationElsewhere: another process runs the simulation on this
// market's database.
var ErrSimulationElsewhere = errors.New("another p2pdesk already runs the simulated market on this database: " +
	"run one simulation per database (serve --no-sim for the other servers)")

// ErrUnfinished: the world's creation was cut short (the app quit or
// crashed while it was being made); its database has part of a world.
var ErrUnfinished = errors.New("this simulated market was never finished: its creation was interrupted")

// Ready is closed when the merchants are back after a restart (at once
// unless Options.AttachInBackground); Attached then says whether that
// failed.
func (w *World) Ready() <-chan struct{} { return w.ready }

// Attached says, without waiting, whether the merchants are back (done)
// and, if they could not come back, why.
func (w *World) Attached() (done bool, err error) {
	select {
	case <-w.ready:
		return true, w.attachErr
	default:
		return false, nil
	}
}

// MaxSpeed is the fastest live clock: an hour in a minute is plenty to
// practise, and faster would outrun people and bots polling the API.
const MaxSpeed = 600

// SetSpeed changes the live clock's speed, 1 (real time) to MaxSpeed.
func (w *World) SetSpeed(x float64) error {
	if w.opts.Fast {
		return fmt.Errorf("this simulation runs headless at top speed")
	}
	if !(x >= 1 && x <= MaxSpeed) {
		return fmt.Errorf("speed must be between 1 (real time) and %d", MaxSpeed)
	}
	w.Sched.SetSpeed(x)
	return nil
}

// URL is the marketplace's (and the rail's) address.
func (w *World) URL() string { return w.Market.URL }

// Run follows wall time at the world's speed until ctx ends (live mode).
func (w *World) Run(ctx context.Context) { w.Sched.Run(ctx) }

// Close saves the clock and stops everything.
func (w *World) Close(ctx context.Context) error {
	if w.stopAttach != nil {
		w.stopAttach()
		w.attaching.Wait()
	}
	var errs []error
	if w.RailStore != nil {
		errs = append(errs, w.RailStore.SetMeta(ctx, "sim_clock", w.Sched.Now().Format(time.RFC3339Nano)))
	}
	if w.Market != nil {
		errs = append(errs, w.Market.Close(ctx))
	}
	if w.RailStore != nil {
		errs = append(errs, w.RailStore.Close())
	}
	if w.release != nil {
		errs = append(errs, w.release())
	}
	return errors.Join(errs...)
}

func (w *World) clientFor(c api.Credentials) *client.Client {
	cl, _ := client.New(w.Market.URL, client.Credentials{APIKey: c.APIKey, Secret: c.Secret, Passphrase: c.Passphrase},
		client.Options{UserAgent: "p2pdesk-sim", MaxRetries: 2, HTTP: w.Market.HTTPClient()})
	return cl
}

// railPin is a bot's 6-digit payment password, made up at each start
// (bots keep no secret across runs; the rail's hash is replaced).
func (w *World) railPin() string { return fmt.Sprintf("%06d", w.rng.IntN(1_000_000)) }

// openAlipay opens a person's simulated Alipay account, in their verified
// real name, with the practice balance. The password is drawn from
// crypto/rand: it is a person's own, and HTTP handlers run beside the
// world's goroutine, which owns the seeded rng.
func (w *World) openAlipay(ctx context.Context, u api.User) (api.AlipayAccount, error) {
	rail := w.railAdmin.Load()
	if rail == nil {
		return api.AlipayAccount{}, errors.New("the simulated market is still being made: try again in a few seconds")
	}
	n, err := alipay.ForMarketUser(u.ID, u.RealName, u.Name)
	if err != nil {
		return api.AlipayAccount{}, err
	}
	acct := api.AlipayAccount{Account: n.Login, RealName: n.RealName, PaymentPassword: n.PaymentPassword}
	ra, err := rail.Open(ctx, n)
	if err != nil {
		return api.AlipayAccount{}, err
	}
	acct.Token = ra.Token
	return acct, nil
}

// bootstrap creates the world's people on a fresh database.
func (w *World) bootstrap(ctx context.Context) error {
	adm, err := w.Market.Provision(ctx, api.NewUserRequest{Name: "p2pdesk-admin", RealName: "p2pdesk operations", KYCLevel: 2, Role: api.RoleAdmin})
	if err != nil {
		return err
	}
	w.Admin = w.clientFor(adm.Credentials)
	ra, tok, err := w.Rail.Open(ctx, alipay.NewAccount{Login: "ops@rail.p2pdesk.example", RealName: "Rail operations", PaymentPassword: w.railPin(), Role: alipay.RoleAdmin, Simulated: true})
	if err != nil {
		return err
	}
	w.RailAdmin = client.NewAlipay(w.railBase, tok, w.railHTTP())
	st := state{Seed: w.opts.Seed, Admin: adm.User.ID, RailAdmin: ra.ID, Margins: map[int64]int64{}}
	// Thirty days of hourly prices that lead to the first live one: the
	// chart has a month behind it from the first start.
	if err := w.Market.Market.RecordIndexHistory(ctx, w.Feed.Past(w.opts.Seed, w.Sched.Now(), 30*24)); err != nil {
		return err
	}
	if _, err := w.Admin.SetIndexes(ctx, w.Feed.Tick()); err != nil {
		return err
	}
	sup, err := w.newSupport(ctx)
	if err != nil {
		return err
	}
	st.Support = sup
	for i := 0; i < w.opts.Merchants; i++ {
		b, sp, err := w.newMerchant(ctx, i)
		if err != nil {
			return fmt.Errorf("merchant %d: %w", i, err)
		}
		st.Merchants = append(st.Merchants, sp)
		w.Merchants = append(w.Merchants, b)
	}
	w.people = w.opts.Merchants + 10
	w.carryFor(w.opts.Seed, st.Merchants)
	if w.opts.History {
		if err := w.seedHistory(ctx); err != nil {
			return fmt.Errorf("seeding history: %w", err)
		}
	}
	return w.save(ctx, st)
}

func (w *World) save(ctx context.Context, st state) error {
	w.mu.Lock()
	st.Margins = w.fixedMargin
	st.People = w.people
	st.Retail = w.retail
	b, err := json.Marshal(st)
	w.mu.Unlock()
	if err != nil {
		return err
	}
	return w.Market.Store.SetMeta(ctx, "sim_world", string(b))
}

// attach gives the world's admin and support fresh credentials after a
// restart, and returns what does the same for the merchants: the slow
// part, which Open runs at once or in the background.
func (w *World) attach(ctx context.Context, st state) (func(context.Context) ([]*Bot, error), error) {
	w.rng = rand.New(rand.NewPCG(st.Seed, 0x5eed+uint64(time.Now().UnixNano()%1000)))
	key, err := w.Market.Auth.Issue(ctx, st.Admin, "sim restart")
	if err != nil {
		return nil, err
	}
	w.Admin = w.clientFor(key)
	tok, err := w.Rail.NewToken(ctx, st.RailAdmin)
	if err != nil {
		return nil, err
	}
	w.RailAdmin = client.NewAlipay(w.railBase, tok, w.railHTTP())
	w.carryFor(st.Seed, st.Merchants)
	w.fixedMargin = st.Margins
	if w.fixedMargin == nil {
		w.fixedMargin = map[int64]int64{}
	}
	w.people = st.People
	w.retail = st.Retail
	if len(w.retail) == 0 {
		// A world saved before it kept them: find them by name, so a
		// drill does not make them again (NAME_TAKEN "retail-00").
		err := w.Market.Store.View(ctx, func(tx market.ReadTx) error {
			for i := 0; ; i++ {
				u, err := tx.UserByName(fmt.Sprintf("retail-%02d", i))
				if err != nil {
					return nil // no more of them (or none: made on demand)
				}
				w.retail = append(w.retail, u.ID)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if v, err := w.Market.Store.Meta(ctx, "sim_people"); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n > w.people {
			w.people = n
		}
	}
	if err := w.attachSupport(ctx, st.Support); err != nil {
		return nil, err
	}
	// Issuing credentials hashes a passphrase and a payment password per
	// person and commits four times: done one by one it was most of a
	// restart. In parallel, the hashes share the cores and the commits
	// share group commits. Pins are drawn first, in order, from the rng.
	creds := make([]botCreds, len(st.Merchants))
	for i := range creds {
		creds[i].pin = w.railPin()
	}
	return func(ctx context.Context) ([]*Bot, error) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i, sp := range st.Merchants {
			wg.Add(1)
			go func(i int, sp savedPerson) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				creds[i].err = w.issueBotCreds(ctx, sp, &creds[i])
			}(i, sp)
		}
		wg.Wait()
		var bots []*Bot
		for i, sp := range st.Merchants {
			c := creds[i]
			if c.err != nil {
				return nil, c.err
			}
			b := w.newBot(sp.Person.Handle, sp.UserID, sp.Person, w.clientFor(c.key), client.NewAlipay(w.railBase, c.tok, w.railHTTP()), c.seed, c.pin)
			b.RailID = sp.RailID
			b.Script = &Honest{P: sp.Persona}
			bots = append(bots, b)
		}
		return bots, nil
	}, nil
}

// botCreds are the fresh credentials of a saved person.
type botCreds struct {
	key  api.Credentials
	seed string
	tok  string
	pin  string
	err  error
}

// issueBotCreds issues fresh market and rail credentials for a saved
// person; c.pin is already chosen.
func (w *World) issueBotCreds(ctx context.Context, sp savedPerson, c *botCreds) error {
	key, err := w.Market.Auth.Issue(ctx, sp.UserID, "sim restart")
	if err != nil {
		return err
	}
	seed, err := w.Market.Auth.NewTOTPSeed(sp.Person.Handle)
	if err != nil {
		return err
	}
	if err := w.Market.Auth.SetTOTPSeed(ctx, sp.UserID, seed.Secret); err != nil {
		return err
	}
	tok, err := w.Rail.NewToken(ctx, sp.RailID)
	if err != nil {
		return err
	}
	if err := w.Rail.SetSimulatedPassword(ctx, sp.RailID, c.pin); err != nil {
		return err
	}
	c.key, c.seed, c.tok = key, seed.Secret, tok
	return nil
}

func (w *World) newBot(name string, user int64, p person, mc *client.Client, rc *client.Alipay, seed, pin string) *Bot {
	h := sha256.Sum256([]byte(name))
	b := &Bot{Name: name, UserID: user, Person: p, Market: mc, Rail: rc, TOTPSeed: seed, RailPass: pin, w: w,
		rng:  rand.New(rand.NewPCG(w.opts.Seed, uint64(h[0])<<8|uint64(h[1]))),
		memo: map[int64]*orderMemo{}, consumed: map[string]bool{}}
	w.mu.Lock()
	w.bots[user] = b
	w.mu.Unlock()
	return b
}

// NewPerson creates a simulated person with a market account, an Alipay
// account in the same real name, and that account registered for Alipay
// payments. It is the building block of merchants, counterparties and the
// practice user.
func (w *World) NewPerson(ctx context.Context, p person, kyc int, verified bool, deposits map[string]string, cny string) (*Bot, savedPerson, error) {
	acct, err := w.Admin.CreateUser(ctx, api.NewUserRequest{Name: p.Handle, RealName: p.RealName, KYCLevel: kyc, Verified: verified, Deposits: deposits, WithTOTP: true})
	if err != nil {
		return nil, savedPerson{}, err
	}
	pin := w.railPin()
	ra, err := w.RailAdmin.Open(ctx, alipay.NewAccount{Login: p.Phone, RealName: p.RealName, PaymentPassword: pin, Balance: cny, Simulated: true})
	if err != nil {
		return nil, savedPerson{}, err
	}
	b := w.newBot(p.Handle, acct.User.ID, p, w.clientFor(acct.Credentials), client.NewAlipay(w.railBase, ra.Token, w.railHTTP()), acct.TOTPSecret, pin)
	b.RailID = ra.ID
	if _, err := b.Market.SetPaymentAccount(ctx, api.Alipay, p.Phone, ""); err != nil {
		return nil, savedPerson{}, err
	}
	return b, savedPerson{UserID: acct.User.ID, RailID: ra.ID, Person: p}, nil
}

// nextPerson makes up the next simulated person.
func (w *World) nextPerson() person {
	n := w.nextNumber()
	w.mu.Lock()
	defer w.mu.Unlock()
	return newPerson(w.rng, n)
}

// nextNumber numbers the next simulated person: every person's handle and
// login carry their number, so they never clash.
func (w *World) nextNumber() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.people
	w.people++
	return n
}

// savePeople keeps the person counter, so people made after a restart
// never reuse a handle.
func (w *World) savePeople(ctx context.Context) error {
	w.mu.Lock()
	n := w.people
	w.mu.Unlock()
	return w.Market.Store.SetMeta(ctx, "sim_people", strconv.Itoa(n))
}

var adTerms = []string{
	"Pay only from an account in your own name. Third-party payments will be refunded and the order appealed.",
	"Fast release, usually within 5 minutes. Please write nothing but the order number in the payment note.",
	"No crypto words in the payment note. Real-name payments only.",
	"本人实名账户付款，第三方付款一律退回。付款备注请勿写数字货币相关字样。",
	"Online 9:00-23:00. Large orders welcome, please message first.",
}

// newMerchant creates a merchant with a record-to-be, money, and ads.
func (w *World) newMerchant(ctx context.Context, i int) (*Bot, savedPerson, error) {
	p := w.nextPerson()
	tmp := &Bot{rng: rand.New(rand.NewPCG(w.opts.Seed, uint64(i)+1))}
	persona := newPersona(tmp)
	deposits := map[string]string{
		"USDT": strconv.Itoa(20000 + tmp.rng.IntN(180000)),
		"BTC":  fmt.Sprintf("%d.%d", 1+tmp.rng.IntN(5), tmp.rng.IntN(10)),
		"ETH":  strconv.Itoa(10 + tmp.rng.IntN(90)),
	}
	b, sp, err := w.NewPerson(ctx, p, 2, persona.Verified, deposits, strconv.Itoa(300000+tmp.rng.IntN(1700000)))
	if err != nil {
		return nil, sp, err
	}
	sp.Persona = persona
	b.Script = &Honest{P: persona}
	b.Market.SetPaymentAccount(ctx, api.WeChat, fmt.Sprintf("wxid_%s%d", p.Handle[:3], i), "")
	b.Market.SetPaymentAccount(ctx, api.Bank, fmt.Sprintf("62220%014d", int64(i)*7919+1), "")
	n := 2 + b.rng.IntN(4)
	for k := 0; k < n; k++ {
		if err := w.postMerchantAd(ctx, b, i, k, deposits); err != nil {
			return nil, sp, err
		}
	}
	return b, sp, nil
}

func (w *World) postMerchantAd(ctx context.Context, b *Bot, i, k int, deposits map[string]string) error {
	r := b.rng
	side := []string{"sell", "buy"}[r.IntN(2)]
	pairs := []api.Pair{{Asset: api.USDT, Fiat: api.CNY}}
	switch x := r.IntN(10); {
	case x < 6:
	case x < 8:
		pairs[0] = api.Pair{Asset: []api.Asset{api.BTC, api.ETH}[r.IntN(2)], Fiat: api.CNY}
	default:
		pairs[0] = api.Pair{Asset: api.Assets[r.IntN(3)], Fiat: []api.Fiat{api.USD, api.EUR}[r.IntN(2)]}
	}
	pr := pairs[0]
	// Most ads sit within 1% of the index, sellers a little above, buyers a
	// little below; a few are bait.
	margin := int64(10 + r.IntN(90))
	if side == "buy" {
		margin = -margin
	}
	if r.IntN(25) == 0 {
		margin = -int64(250 + r.IntN(300)) // bait: too good to be true
		if side == "buy" {
			margin = -margin
		}
	}
	fiatScale := int64(1)
	if pr.Fiat != api.CNY {
		fiatScale = 7 // USD and EUR limits are smaller numbers
	}
	minF := (int64(100+r.IntN(19)*100) / fiatScale)
	maxF := minF * int64(10+r.IntN(90))
	idx := w.Feed.Price(pr)
	// The ad's size: what the maximum buys, a few times over, and for a
	// sell ad no more than a quarter of what the merchant holds.
	total, _ := api.QuantityForFiat(money.New(maxF*100*int64(2+r.IntN(8)), 2), idx, pr.Asset)
	if side == "sell" {
		held := money.MustParse(deposits[string(pr.Asset)], pr.Asset.Scale())
		quarter, _ := money.Quo(held, money.New(4, 0), pr.Asset.Scale(), money.Down)
		if total.Cmp(quarter) > 0 {
			total = quarter
		}
	}
	payments := []string{"alipay"}
	if r.IntN(2) == 0 {
		payments = append(payments, "wechat")
	}
	if r.IntN(3) == 0 {
		payments = append(payments, "bank")
	}
	req := api.AdRequest{Side: side, Asset: string(pr.Asset), Fiat: string(pr.Fiat), Total: total.String(),
		MinFiat: strconv.FormatInt(minF, 10), MaxFiat: strconv.FormatInt(maxF, 10), Payments: payments,
		WindowMin: []int{10, 15, 15, 15, 20, 30}[r.IntN(6)], Terms: adTerms[r.IntN(len(adTerms))]}
	if r.IntN(10) < 3 {
		req.MinCompletionBP = int64(8000 + r.IntN(15)*100)
	}
	fixed := r.IntN(3) == 0
	if fixed {
		p, _ := money.MulDiv(idx, money.New(10000+margin, 4), api.PriceScale, money.HalfUp)
		req.PriceType, req.Price = "fixed", p.String()
	} else {
		req.PriceType, req.MarginBP = "floating", margin
	}
	ad, err := b.Market.PostAd(ctx, req)
	if err != nil {
		return err
	}
	if fixed {
		w.mu.Lock()
		w.fixedMargin[ad.ID] = margin
		w.mu.Unlock()
	}
	return nil
}

// schedule sets the world's timers.
func (w *World) schedule() {
	ctx := context.Background()
	w.Sched.Every(w.opts.FeedEvery, "index", func() {
		if _, err := w.Admin.SetIndexes(ctx, w.Feed.Tick()); err != nil {
			w.log.Warn("index", "err", err)
		}
	})
	w.Sched.Every(5*time.Second, "sweep", func() {
		if _, err := w.Market.Market.Sweep(ctx, 500); err != nil {
			w.log.Warn("sweep", "err", err)
		}
	})
	w.Sched.Every(10*time.Minute, "rail settle", func() { w.Rail.Settle(ctx) })
	w.Sched.Every(time.Hour, "carry records", func() {
		if err := w.carry(ctx); err != nil {
			w.log.Warn("carry records", "err", err)
		}
	})
	// A high-water mark of the clock, ahead of every time this run can
	// have written before the next mark: a restart after a kill resumes
	// from it, so the market's times never run backwards (Close saves
	// the exact time).
	w.Sched.Every(clockMarkEvery, "clock mark", func() {
		if err := w.RailStore.SetMeta(ctx, "sim_clock", w.Sched.Now().Add(2*clockMarkEvery).Format(time.RFC3339Nano)); err != nil {
			w.log.Warn("clock mark", "err", err)
		}
	})
	if w.Support != nil {
		w.Sched.Every(time.Minute, "support", func() { w.Support.poll(ctx) })
	}
}

// clockMarkEvery is how often the clock's high-water mark is saved.
const clockMarkEvery = time.Minute

// scheduleMerchants has the merchants look at their orders and keep up
// their ads.
func (w *World) scheduleMerchants(ms []*Bot) {
	for i, b := range ms {
		w.Watch(b, w.opts.PollEvery+time.Duration(i%7)*time.Second)
		w.Sched.Every(10*time.Minute+time.Duration(i)*time.Second, "upkeep "+b.Name, func() { w.upkeep(b) })
	}
}

// Watch makes a bot look at its orders every d.
func (w *World) Watch(b *Bot, d time.Duration) {
	b.timer = w.Sched.Every(d, "poll "+b.Name, b.poll)
}

// Bot returns the bot playing a user, if any.
func (w *World) Bot(user int64) *Bot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bots[user]
}

// EventLog hashes every marketplace event and every rail transfer, in
// order: equal seeds and inputs give equal hashes.
func (w *World) EventLog(ctx context.Context) (string, int, error) {
	h := sha256.New()
	n, err := w.WriteEventLog(ctx, h)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// WriteEventLog writes the event log, one line per entry: what EventLog
// hashes, for a person (or a test) to read and compare.
func (w *World) WriteEventLog(ctx context.Context, out io.Writer) (int, error) {
	n := 0
	for after := int64(0); ; {
		evs, err := w.Market.Market.Events(ctx, -1, after, 1000)
		if err != nil {
			return 0, err
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			fmt.Fprintf(out, "%d %d %s %s %s\n", e.ID, e.UserID, e.Type, e.At.Format(time.RFC3339Nano), e.Data)
			after = e.ID
			n++
		}
	}
	for after := int64(0); ; {
		ts, err := w.Rail.Log(ctx, after, 1000)
		if err != nil {
			return 0, err
		}
		if len(ts) == 0 {
			break
		}
		for _, t := range ts {
			fmt.Fprintf(out, "rail %s %s %d %d %d %q %s %s\n", t.TxID, t.Kind, t.From, t.To, t.Amount, t.Note, t.Status, t.At.Format(time.RFC3339Nano))
			after = t.Seq
			n++
		}
	}
	return n, nil
}

// CheckInvariants checks the marketplace's and the rail's books.
func (w *World) CheckInvariants(ctx context.Context) error {
	return errors.Join(market.CheckInvariants(ctx, w.Market.Store), alipay.CheckInvariants(ctx, w.RailStore))
}

var _ = sort.Strings

// railHTTP is the HTTP client of the simulated people's Alipay apps: nil
// (client.NewAlipay's default) unless the marketplace serves TLS, where
// it trusts the marketplace's own certificate.
func (w *World) railHTTP() *http.Client {
	hc := w.Market.HTTPClient()
	if hc != nil {
		hc.Timeout = 15 * time.Second
	}
	return hc
}
