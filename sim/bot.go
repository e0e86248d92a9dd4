package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/authenticator"
	"p2pdesk/client"
	"p2pdesk/money"
)

// Bot is a simulated person who trades through the marketplace API and
// pays through the rail's API, exactly as a person with the app would.
type Bot struct {
	Name     string
	UserID   int64
	Person   person
	Market   *client.Client
	Rail     *client.Alipay
	RailID   int64
	TOTPSeed string
	RailPass string
	Script   Script

	w        *World
	rng      *rand.Rand
	lastStep int64
	memo     map[int64]*orderMemo
	consumed map[string]bool // rail transfers already matched to an order
	stmt     []alipay.Line
	stmtSeq  int64
	timer    *Timer
	// WatchClosed makes the bot look at its recently closed orders too
	// (money can arrive after an order ended).
	WatchClosed bool
	// retired, if set, is asked after each look at the orders whether
	// the bot's part is over; then it stops looking.
	retired func(seen []api.OrderView) bool
}

type orderMemo struct {
	done  map[string]bool
	fails map[string]int
	paid  []string // our payments for this order
	match *alipay.Line
}

// Script decides what a bot does on each look at one of its orders. It
// must be idempotent: it is called again on every poll.
type Script interface {
	Act(ctx context.Context, b *Bot, o api.OrderView)
}

func (b *Bot) logf(format string, args ...any) {
	b.w.log.Debug(fmt.Sprintf(format, args...), "bot", b.Name)
}

func (b *Bot) memoOf(id int64) *orderMemo {
	m := b.memo[id]
	if m == nil {
		m = &orderMemo{done: map[string]bool{}, fails: map[string]int{}}
		b.memo[id] = m
	}
	return m
}

// maxTries is how often a failing action is tried before the bot gives
// up on it, as a person would.
const maxTries = 5

// once runs fn the first time key is seen for an order; it reports
// whether fn ran and succeeded (a failed fn is tried again on later
// polls, up to maxTries times).
func (b *Bot) once(o api.OrderView, key string, fn func() error) bool {
	m := b.memoOf(o.ID)
	if m.done[key] || m.fails[key] >= maxTries {
		return false
	}
	if err := fn(); err != nil {
		m.fails[key]++
		b.logf("order %d %s: %v", o.ID, key, err)
		return false
	}
	m.done[key] = true
	return true
}

// did reports whether key was done for an order.
func (b *Bot) did(o api.OrderView, key string) bool { return b.memoOf(o.ID).done[key] }

// now is the simulated time.
func (b *Bot) now() time.Time { return b.w.Sched.Now() }

// since is how long ago t was, in simulated time.
func (b *Bot) since(t time.Time) time.Duration { return b.now().Sub(t) }

// say writes a chat line to an order, once per key.
func (b *Bot) say(ctx context.Context, o api.OrderView, key, text string) bool {
	return b.once(o, "say:"+key, func() error {
		_, err := b.Market.SendMessage(ctx, o.ID, text)
		return err
	})
}

// code returns a one-time code from the bot's authenticator, never one it
// used before ("" when it must wait for the next 30 seconds). The
// authenticator reads the world's code clock, as the marketplace does.
func (b *Bot) code() string {
	now := b.w.Codes.Now()
	cur := now.Unix() / 30
	for step := cur - 1; step <= cur+1; step++ {
		if step > b.lastStep {
			c, err := authenticator.Code(b.TOTPSeed, time.Unix(step*30, 0))
			if err != nil {
				return ""
			}
			b.lastStep = step
			return c
		}
	}
	return ""
}

// codeReady: the authenticator has a code the bot has not used yet.
// Call it between timers (Scheduler.Serialize): polls use lastStep.
func (b *Bot) codeReady() bool { return b.lastStep < b.w.Codes.Now().Unix()/30+1 }

// release releases an order with a fresh code. Waiting for the
// authenticator's next code is not a failed try: in a live world a person
// who just used a code waits up to 30 seconds of wall time for the next,
// which at a fast clock is many looks at the order.
func (b *Bot) release(ctx context.Context, o api.OrderView) bool {
	if m := b.memoOf(o.ID); m.done["release"] || m.fails["release"] >= maxTries {
		return false
	}
	c := b.code()
	if c == "" {
		b.logf("order %d release: waiting for the authenticator's next code", o.ID)
		return false
	}
	return b.once(o, "release", func() error {
		_, err := b.Market.Release(ctx, o.ID, c, "")
		return err
	})
}

// statement refreshes and returns the bot's whole rail statement.
func (b *Bot) statement(ctx context.Context) []alipay.Line {
	lines, err := b.Rail.Statement(ctx, b.stmtSeq)
	if err != nil {
		b.logf("statement: %v", err)
		return b.stmt
	}
	for _, l := range lines {
		b.stmt = append(b.stmt, l)
		b.stmtSeq = l.Seq
	}
	return b.stmt
}

// Match kinds of an incoming payment against an order.
const (
	MatchExact      = "exact"       // the whole amount from the buyer's own account
	MatchPartial    = "partial"     // from the buyer, but less than the total
	MatchThirdParty = "third-party" // the amount, from someone else's account
	MatchSuspect    = "suspect"     // exact, from the buyer, but crypto words in the note
)

// incoming finds money received for an order: transfers in, after the
// order opened, not matched to another order. The best match wins.
func (b *Bot) incoming(ctx context.Context, o api.OrderView) (alipay.Line, string, bool) {
	m := b.memoOf(o.ID)
	if m.match != nil {
		return *m.match, b.classify(o, *m.match), true
	}
	var best *alipay.Line
	bestKind := ""
	rank := map[string]int{MatchExact: 3, MatchThirdParty: 2, MatchPartial: 1}
	for _, l := range b.statement(ctx) {
		if l.Direction != "in" || l.Kind != alipay.KindTransfer || l.At.Before(o.CreatedAt) || b.consumed[l.TxID] {
			continue
		}
		k := b.classify(o, l)
		if k != "" && rank[k] > rank[bestKind] {
			l := l
			best, bestKind = &l, k
		}
	}
	if best == nil {
		return alipay.Line{}, "", false
	}
	b.consumed[best.TxID] = true
	m.match = best
	return *best, bestKind, true
}

func (b *Bot) classify(o api.OrderView, l alipay.Line) string {
	switch {
	case l.CounterpartyName == o.PayerName && l.Amount.Cmp(o.FiatTotal) == 0:
		return MatchExact
	case l.CounterpartyName == o.PayerName && l.Amount.Cmp(o.FiatTotal) < 0:
		return MatchPartial
	case l.Amount.Cmp(o.FiatTotal) == 0:
		return MatchThirdParty
	}
	return ""
}

// pay sends money through the rail, once per key.
func (b *Bot) pay(ctx context.Context, o api.OrderView, key, to string, amount money.Amount, note string) bool {
	return b.once(o, "pay:"+key, func() error {
		l, err := b.Rail.Send(ctx, to, amount.Fixed(), note, b.RailPass, fmt.Sprintf("%s-%d-%s", b.Name, o.ID, key))
		if err == nil {
			m := b.memoOf(o.ID)
			m.paid = append(m.paid, l.TxID)
		}
		return err
	})
}

// paidTx is the rail id of the bot's payment for an order, if any.
func (b *Bot) paidTx(o api.OrderView) string {
	if p := b.memoOf(o.ID).paid; len(p) > 0 {
		return p[0]
	}
	return ""
}

// poll looks at the bot's open orders and lets the script act on each.
func (b *Bot) poll() {
	ctx := context.Background()
	open := true
	orders, err := b.Market.Orders(ctx, client.OrderQuery{Open: &open, Limit: 100})
	if err != nil {
		b.w.log.Warn("bot poll", "bot", b.Name, "err", err)
		return
	}
	if b.WatchClosed {
		closed := false
		recent, err := b.Market.Orders(ctx, client.OrderQuery{Open: &closed, Limit: 3})
		if err == nil {
			for _, o := range recent {
				// Only what ended lately: money can still arrive for it.
				if o.ClosedAt != nil && b.since(*o.ClosedAt) < 2*time.Hour {
					orders = append(orders, o)
				}
			}
			sort.Slice(orders, func(i, j int) bool { return orders[i].ID > orders[j].ID })
		}
	}
	// Oldest first: the order things happened in.
	for i := len(orders) - 1; i >= 0; i-- {
		if b.Script != nil {
			b.Script.Act(ctx, b, orders[i])
		}
	}
	if b.retired != nil && b.retired(orders) {
		b.w.Sched.Stop(b.timer)
	}
}

// jitter is a random duration in [lo, hi).
func (b *Bot) jitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(b.rng.Int64N(int64(hi-lo)))
}

// chatLine picks one of a bot's lines, in its language.
func (b *Bot) chatLine(lines ...string) string { return lines[b.rng.IntN(len(lines))] }

var _ = slog.LevelInfo
