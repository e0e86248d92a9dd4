package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/store/pgtest"
)

// inOneBatch runs fns as concurrent updates that the writer takes as one
// batch: a first update holds the writer until all of them are queued.
// It returns each one's error and how many group commits they took.
func inOneBatch(t *testing.T, p *Postgres, fns []func(market.Tx) error) ([]error, int64) {
	t.Helper()
	return inOneBatchOf(t, p, func() int { return len(p.reqs) }, p.Commits.Load, fns)
}

func inOneBatchOf(t *testing.T, p market.Store, queued func() int, commitCount func() int64, fns []func(market.Tx) error) ([]error, int64) {
	t.Helper()
	ctx := context.Background()
	gate, entered := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- p.Update(ctx, func(market.Tx) error {
			select {
			case <-entered: // a re-run
			default:
				close(entered)
			}
			<-gate
			return nil
		})
	}()
	<-entered
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.Update(ctx, fn) }()
		for queued() < i+1 { // queued in the order given
			time.Sleep(time.Millisecond)
		}
	}
	c0 := commitCount()
	close(gate)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	// The holder's batch commits before the others are taken.
	return errs, commitCount() - c0 - 1
}

func insertUser(name string) func(market.Tx) error {
	return func(tx market.Tx) error {
		return tx.InsertUser(&api.User{Name: name, RealName: name, Role: api.RoleTrader})
	}
}

// TestPostgresBatchIsolatesFailures: requests that fail in every way a
// request can (an error after writing, a failed statement, a failed
// deferred write, a panic) undo only their own writes; their neighbours
// in the same group commit are kept.
func TestPostgresBatchIsolatesFailures(t *testing.T) {
	p := openTempPostgres(t, "market")
	ctx := context.Background()
	var uid int64
	if err := p.Update(ctx, func(tx market.Tx) error {
		u := api.User{Name: "rich", Role: api.RoleTrader}
		if err := tx.InsertUser(&u); err != nil {
			return err
		}
		uid = u.ID
		return tx.AddBalance(market.Balance{UserID: u.ID, Asset: api.USDT, CreditsPosted: math.MaxInt64 - 10})
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	fns := []func(market.Tx) error{
		insertUser("ok-1"),
		func(tx market.Tx) error { // an error after a write
			if err := insertUser("undone-1")(tx); err != nil {
				return err
			}
			return boom
		},
		insertUser("ok-2"),
		func(tx market.Tx) error { // a failed statement: the name is taken
			if err := insertUser("undone-2")(tx); err != nil {
				return err
			}
			return insertUser("ok-1")(tx)
		},
		insertUser("ok-3"),
		func(tx market.Tx) error { // a deferred write that overflows
			if err := insertUser("undone-3")(tx); err != nil {
				return err
			}
			return tx.AddBalance(market.Balance{UserID: uid, Asset: api.USDT, CreditsPosted: 100})
		},
		func(tx market.Tx) error { // a panic
			if err := insertUser("undone-4")(tx); err != nil {
				return err
			}
			panic("bad request")
		},
		func(tx market.Tx) error { // reads what the batch wrote before it
			b, err := tx.Balance(uid, api.USDT)
			if err != nil {
				return err
			}
			if b.CreditsPosted != math.MaxInt64-10 {
				return fmt.Errorf("balance %d, want the one before the failed request", b.CreditsPosted)
			}
			return insertUser("ok-4")(tx)
		},
	}
	errs, commits := inOneBatch(t, p, fns)
	if commits != 1 {
		t.Errorf("%d group commits, want 1", commits)
	}
	for i, want := range []bool{true, false, true, false, true, false, false, true} {
		if (errs[i] == nil) != want {
			t.Errorf("request %d: error %v", i, errs[i])
		}
	}
	if !errors.Is(errs[1], boom) {
		t.Errorf("request 1: %v, want its own error", errs[1])
	}
	if errors.Is(errs[3], market.ErrDuplicate) == false {
		t.Errorf("request 3: %v, want ErrDuplicate", errs[3])
	}
	if err := p.View(ctx, func(tx market.ReadTx) error {
		for _, n := range []string{"ok-1", "ok-2", "ok-3", "ok-4"} {
			if _, err := tx.UserByName(n); err != nil {
				t.Errorf("%s: %v", n, err)
			}
		}
		for _, n := range []string{"undone-1", "undone-2", "undone-3", "undone-4"} {
			if _, err := tx.UserByName(n); !errors.Is(err, market.ErrNotFound) {
				t.Errorf("%s: %v, want it undone", n, err)
			}
		}
		b, err := tx.Balance(uid, api.USDT)
		if err == nil && b.CreditsPosted != math.MaxInt64-10 {
			t.Errorf("balance %d", b.CreditsPosted)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPostgresBatchRetriedTakeActsOnce: a take sent twice with one
// idempotency key, in a batch that is run a second time (a neighbour
// fails), opens one order and answers both with it.
func TestPostgresBatchRetriedTakeActsOnce(t *testing.T) {
	p := openTempPostgres(t, "market")
	ctx := context.Background()
	svc := market.New(p, clock.Real{}, market.DefaultConfig())
	m, err := svc.CreateUser(ctx, market.NewUser{Name: "merchant", KYCLevel: 2, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Deposit(ctx, m.ID, api.USDT, money.MustParse("1000", 6), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPaymentAccount(ctx, m.ID, api.PaymentAccount{Method: api.Alipay, Account: "13800000000"}); err != nil {
		t.Fatal(err)
	}
	ad, err := svc.PostAd(ctx, m.ID, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "100",
		MinFiat: "1", MaxFiat: "10000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
	if err != nil {
		t.Fatal(err)
	}
	taker, err := svc.CreateUser(ctx, market.NewUser{Name: "taker", KYCLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	idem := &market.Idem{Key: "k1", Fingerprint: "f1"}
	var views [2]api.OrderView
	take := func(i int) func(market.Tx) error {
		return func(tx market.Tx) error {
			// The service's own transaction, run inside the batch's.
			v, err := market.New(txOnly{tx}, clock.Real{}, market.DefaultConfig()).TakeAd(ctx, taker.ID, api.TakeRequest{AdID: ad.ID, Amount: "2"}, idem)
			views[i] = v
			return err
		}
	}
	errs, commits := inOneBatch(t, p, []func(market.Tx) error{
		take(0),
		func(market.Tx) error { return errors.New("a neighbour fails") },
		take(1),
	})
	if commits != 1 {
		t.Errorf("%d group commits, want 1", commits)
	}
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors %v", errs)
	}
	if views[0].ID == 0 || views[0].ID != views[1].ID {
		t.Errorf("orders %d and %d, want one", views[0].ID, views[1].ID)
	}
	var n int
	if err := p.View(ctx, func(tx market.ReadTx) error {
		os, err := tx.OrdersByAd(ad.ID)
		n = len(os)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	if err := market.CheckInvariants(ctx, p); err != nil {
		t.Error(err)
	}
}

// txOnly runs a Service's updates in a transaction already open.
type txOnly struct{ tx market.Tx }

func (s txOnly) Update(_ context.Context, fn func(market.Tx) error) error   { return fn(s.tx) }
func (s txOnly) View(_ context.Context, fn func(market.ReadTx) error) error { return fn(s.tx) }
func (s txOnly) Close() error                                               { return nil }

// TestPostgresTwoStoresStaySerial: two stores (two servers) on one schema
// increment one counter by read-modify-write; none is lost, and the
// events they write have ids in the order they became visible.
func TestPostgresTwoStoresStaySerial(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	var stores [2]*Postgres
	for i := range stores {
		p, err := OpenPostgres(ctx, url, PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		stores[i] = p
	}
	var uid int64
	if err := stores[0].Update(ctx, func(tx market.Tx) error {
		u := api.User{Name: "counter", RealName: "0", Role: api.RoleTrader}
		err := tx.InsertUser(&u)
		uid = u.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const each = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*8*(each/8+1))
	for _, p := range stores {
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each/8+1; i++ {
					errs <- p.Update(ctx, func(tx market.Tx) error {
						u, err := tx.User(uid)
						if err != nil {
							return err
						}
						n, _ := strconv.Atoi(u.RealName)
						u.RealName = strconv.Itoa(n + 1)
						if err := tx.UpdateUser(u); err != nil {
							return err
						}
						return tx.InsertEvent(&api.Event{Type: "test", At: time.Now(), Data: []byte(u.RealName)})
					})
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	total := 0
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		total++
	}
	if err := stores[1].View(ctx, func(tx market.ReadTx) error {
		u, err := tx.User(uid)
		if err != nil {
			return err
		}
		if u.RealName != strconv.Itoa(total) {
			t.Errorf("counter %s after %d increments", u.RealName, total)
		}
		evs, err := tx.Events(-1, 0, 10*total)
		if err != nil {
			return err
		}
		// Each event carries the counter it saw: in id order, 1, 2, 3...
		for i, e := range evs {
			if string(e.Data) != strconv.Itoa(i+1) {
				t.Fatalf("event %d (id %d) says %s, want %d: ids out of commit order", i, e.ID, e.Data, i+1)
			}
		}
		if len(evs) != total {
			t.Errorf("%d events, want %d", len(evs), total)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteBatchCacheForgetsFailures: a request of a group commit reads
// a balance a failed neighbour wrote before it: it sees the balance as
// it was, not the undone write the batch's row cache once held.
func TestSQLiteBatchCacheForgetsFailures(t *testing.T) {
	s := openTempSQLite(t).(*SQLite)
	commits := func() int64 { s.Stats.Lock(); defer s.Stats.Unlock(); return s.Stats.Commits }
	add := func(n int64) func(market.Tx) error {
		return func(tx market.Tx) error {
			if _, err := tx.Balance(7, api.USDT); err != nil {
				return err
			}
			return tx.AddBalance(market.Balance{UserID: 7, Asset: api.USDT, CreditsPosted: n})
		}
	}
	var seen int64
	errs, n := inOneBatchOf(t, s, func() int { return len(s.reqs) }, commits, []func(market.Tx) error{
		add(1),
		func(tx market.Tx) error {
			if err := add(10)(tx); err != nil {
				return err
			}
			return errors.New("undone")
		},
		func(tx market.Tx) error {
			b, err := tx.Balance(7, api.USDT)
			seen = b.CreditsPosted
			return err
		},
	})
	if n != 1 {
		t.Errorf("%d group commits, want 1", n)
	}
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("errors %v", errs)
	}
	if seen != 1 {
		t.Errorf("read %d, want 1", seen)
	}
}
