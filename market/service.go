package market

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/money"
	"p2pdesk/usertext"
)

// Config holds the marketplace's rules that an operator may tune.
type Config struct {
	// DailyLimits is the fiat a trader may commit per day as a taker, by
	// KYC level. A level with no entry cannot trade.
	DailyLimits map[int]map[api.Fiat]money.Amount
	// ReleaseWindow is how long a seller has to release after the buyer
	// marks paid; when it ends the order goes to dispute, never refund.
	ReleaseWindow time.Duration
	// RecordDays is the window of a trader's record.
	RecordDays int
	// KeepEvents is how many recent events the outbox keeps for
	// reconnecting streams.
	KeepEvents int64
	// PriceBandBP is how far, in basis points, an ad's price may stand
	// from the market index, per market; a market not listed has
	// DefaultPriceBandBP. A fixed price outside the band and a floating
	// margin past it are refused.
	PriceBandBP map[api.Pair]int64
}

// DefaultPriceBandBP is the price band of a market with none set: +-20%.
const DefaultPriceBandBP = 2000

// DefaultConfig is the rule set of the bundled marketplace.
func DefaultConfig() Config {
	return Config{
		DailyLimits: map[int]map[api.Fiat]money.Amount{
			1: {api.CNY: money.MustParse("50000", 2), api.USD: money.MustParse("7000", 2), api.EUR: money.MustParse("6500", 2)},
			2: {api.CNY: money.MustParse("1000000", 2), api.USD: money.MustParse("140000", 2), api.EUR: money.MustParse("130000", 2)},
		},
		ReleaseWindow: 30 * time.Minute,
		RecordDays:    30,
		KeepEvents:    200_000,
	}
}

// PriceBand is the band of a market, in basis points either way of the
// index.
func (c Config) PriceBand(p api.Pair) int64 {
	if b, ok := c.PriceBandBP[p]; ok && b > 0 {
		return b
	}
	return DefaultPriceBandBP
}

// Service is the marketplace: every rule lives here, every write goes
// through one transaction of its Store, and it reads time only from its
// Clock.
type Service struct {
	store  Store
	clock  clock.Clock
	cfg    Config
	notify func()
	// past: the operations write history (Batch): every rule holds, and
	// no event is written, since nobody is told of the past as news.
	past bool
}

// New builds a Service.
func New(store Store, clk clock.Clock, cfg Config) *Service {
	return &Service{store: store, clock: clk, cfg: cfg, notify: func() {}}
}

// OnCommit sets a function called after every transaction that wrote
// events, so a stream hub can wake up. Set it before serving.
func (s *Service) OnCommit(f func()) { s.notify = f }

// Clock is the service's clock.
func (s *Service) Clock() clock.Clock { return s.clock }

// Config is the service's rule set.
func (s *Service) Config() Config { return s.cfg }

// Store is the service's store, for read models and checks.
func (s *Service) Store() Store { return s.store }

// op carries one operation's transaction, its moment and its view cache.
type op struct {
	s   *Service
	tx  Tx
	now time.Time
	vc  *viewCtx
}

func (s *Service) update(ctx context.Context, fn func(o *op) error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		now := s.clock.Now()
		vc := newViewCtx(tx, now, s.cfg.RecordDays)
		vc.noRecords = s.past
		return fn(&op{s: s, tx: tx, now: now, vc: vc})
	})
}

func (s *Service) view(ctx context.Context, fn func(tx ReadTx, now time.Time) error) error {
	return s.store.View(ctx, func(tx ReadTx) error { return fn(tx, s.clock.Now()) })
}

// emit writes an event to the outbox. user 0 addresses everyone.
func (o *op) emit(user int64, typ api.EventType, data any) error {
	if o.s.past {
		return nil
	}
	// The contract names one payload type per event; anything else is a
	// bug here, refused before a client has to guess.
	if want, ok := api.Payloads[typ]; !ok || reflect.TypeOf(want) != reflect.TypeOf(data) {
		return fmt.Errorf("market: event %s with a %T payload, want %T", typ, data, want)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if err := o.tx.InsertEvent(&api.Event{UserID: user, Type: typ, At: o.now, Data: b}); err != nil {
		return err
	}
	o.tx.AfterCommit(o.s.notify)
	return nil
}

func (o *op) log(orderID, actor int64, kind api.LogKind, state api.OrderState, text, ref string) (api.LogEntry, error) {
	e := api.LogEntry{OrderID: orderID, At: o.now, Kind: kind, Actor: actor, State: state, Text: text, Ref: ref}
	err := o.tx.InsertLog(&e)
	return e, err
}

// Idem is an idempotency key with the fingerprint of the request it came
// with.
type Idem struct {
	Key         string
	Fingerprint string
}

// idempotent runs fn once per (user, key): a repeat with the same
// fingerprint returns the first result and changes nothing; a repeat with
// another fingerprint is refused. A failed first attempt leaves no record,
// since it had no effect, so the client may retry it.
func idempotent[T any](o *op, user int64, idem *Idem, fn func() (T, error)) (T, error) {
	var zero T
	if idem == nil || idem.Key == "" {
		return fn()
	}
	rec, err := o.tx.Idempotency(user, idem.Key)
	switch {
	case err == nil:
		if rec.Fingerprint != idem.Fingerprint {
			return zero, api.Errorf(api.CodeIdempotencyConflict, "Idempotency-Key",
				"this idempotency key was already used for a different request")
		}
		var out T
		if err := json.Unmarshal(rec.Result, &out); err != nil {
			return zero, fmt.Errorf("idempotency record %q: %w", idem.Key, err)
		}
		return out, nil
	case !errors.Is(err, ErrNotFound):
		return zero, err
	}
	out, err := fn()
	if err != nil {
		return zero, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return zero, err
	}
	return out, o.tx.PutIdempotency(IdemRecord{UserID: user, Key: idem.Key, Fingerprint: idem.Fingerprint, Result: b, At: o.now})
}

// dayOf is the trading day of a moment: limits reset at midnight UTC.
func dayOf(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// DayStart is the first moment of the trading day of t.
func DayStart(t time.Time) time.Time { return time.Unix(dayOf(t)*86400, 0).UTC() }

func (o *op) user(id int64) (api.User, error) {
	if u, ok := o.vc.users[id]; ok {
		return u, nil
	}
	u, err := o.tx.User(id)
	if errors.Is(err, ErrNotFound) {
		return u, notFound("account")
	}
	if err == nil {
		o.vc.users[id] = u
	}
	return u, err
}

// trimText bounds free text a person typed.
func trimText(s, field string, max int) (string, error) {
	s = string(bytes.TrimSpace([]byte(s)))
	if len([]rune(s)) > max {
		return s, api.Errorf(api.CodeTextTooLong, field, "%s is longer than %d characters", field, max)
	}
	if r, bad := usertext.Forbidden(s, true); bad {
		return s, api.Errorf(api.CodeInvalidArgument, field, "%s contains a control or invisible character (%U)", field, r)
	}
	return s, nil
}

// Batch runs fn against a Service bound to one open transaction and a
// clock of its own, so that every operation fn makes commits together or
// not at all. The simulator seeds a believable past with it: real orders,
// under every rule, at moments in the past, with no events (the past is
// not news to stream). An error from any operation
// must end fn with an error, or what the failed operation wrote stays.
func (s *Service) Batch(ctx context.Context, clk clock.Clock, fn func(*Service) error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		return fn(&Service{store: txStore{tx}, clock: clk, cfg: s.cfg, notify: s.notify, past: true})
	})
}

// txStore runs every call in one transaction that is already open.
type txStore struct{ tx Tx }

func (t txStore) Update(_ context.Context, fn func(Tx) error) error   { return fn(t.tx) }
func (t txStore) View(_ context.Context, fn func(ReadTx) error) error { return fn(t.tx) }
func (t txStore) Close() error                                        { return nil }
