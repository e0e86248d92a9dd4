package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/store"
)

// StoreOptions bound the store benchmark.
type StoreOptions struct {
	Dir       string        // where the fresh database files go ("" = a temp dir)
	Takers    int           // concurrent takers for escrow-lock
	Duration  time.Duration // how long each timed phase runs
	AdCounts  []int         // ad-search book sizes
	Searches  int           // searches per book size
	Baseline  int           // commits for sqlite-baseline
	KeepFiles bool
	// Postgres, a postgres:// URL, runs escrow-lock and ad-search on
	// PostgreSQL instead, in schemas of their own that are dropped after.
	Postgres string
}

// DefaultStoreOptions are the figures the issue asks for.
func DefaultStoreOptions() StoreOptions {
	return StoreOptions{Takers: 64, Duration: 5 * time.Second, AdCounts: []int{100_000, 1_000_000}, Searches: 2000, Baseline: 2000}
}

// Store runs the store benchmark and prints its lines to w.
func Store(ctx context.Context, w io.Writer, o StoreOptions) error {
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "p2pdesk-bench-")
		if err != nil {
			return err
		}
		dir = d
		if !o.KeepFiles {
			defer os.RemoveAll(d)
		}
	}
	open := func(name string) (store.Database, func(), error) {
		if o.Postgres == "" {
			st, err := store.OpenSQLite(filepath.Join(dir, name+".db"), store.SQLiteOptions{})
			return st, func() { st.Close() }, err
		}
		pg, err := openBenchPostgres(ctx, o.Postgres, name)
		if err != nil {
			return nil, nil, err
		}
		return pg, func() { pg.DropSchema(context.Background()); pg.Close() }, nil
	}
	rate, err := escrowLock(ctx, w, open, o)
	if err != nil {
		return fmt.Errorf("escrow-lock: %w", err)
	}
	if o.Postgres == "" {
		base, err := sqliteBaseline(ctx, w, filepath.Join(dir, "baseline.db"), o.Baseline)
		if err != nil {
			return fmt.Errorf("sqlite-baseline: %w", err)
		}
		fmt.Fprintf(w, "escrow-lock vs sqlite-baseline: %.2fx the single-row commit rate\n", rate/base)
	}
	for _, n := range o.AdCounts {
		if err := adSearch(ctx, w, open, n, o.Searches); err != nil {
			return fmt.Errorf("ad-search %d: %w", n, err)
		}
	}
	return nil
}

// escrowLock measures taking an ad: the order, every check and the escrow
// lock, acknowledged only after a durable commit.
func escrowLock(ctx context.Context, w io.Writer, open opener, o StoreOptions) (float64, error) {
	st, done, err := open("escrow")
	if err != nil {
		return 0, err
	}
	defer done()
	svc := market.New(st, clock.Real{}, market.DefaultConfig())
	m, err := svc.CreateUser(ctx, market.NewUser{Name: "bench-merchant", KYCLevel: 2, Verified: true})
	if err != nil {
		return 0, err
	}
	if _, err := svc.Deposit(ctx, m.ID, api.USDT, money.MustParse("1000000000", 6), "bench"); err != nil {
		return 0, err
	}
	if _, err := svc.SetPaymentAccount(ctx, m.ID, api.PaymentAccount{Method: api.Alipay, Account: "13800000000"}); err != nil {
		return 0, err
	}
	const ads = 16
	var adIDs []int64
	for i := 0; i < ads; i++ {
		a, err := svc.PostAd(ctx, m.ID, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "50000000",
			MinFiat: "1", MaxFiat: "1000000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
		if err != nil {
			return 0, err
		}
		adIDs = append(adIDs, a.ID)
	}
	takers := make([]int64, o.Takers)
	for i := range takers {
		u, err := svc.CreateUser(ctx, market.NewUser{Name: fmt.Sprintf("bench-taker-%d", i), KYCLevel: 2})
		if err != nil {
			return 0, err
		}
		takers[i] = u.ID
	}
	var lat latencies
	var ops, fails atomic.Int64
	deadline := time.Now().Add(o.Duration)
	c0, r0, _, _ := writerStats(st)
	s0 := store.Statements()
	start := time.Now()
	var wg sync.WaitGroup
	for i, u := range takers {
		wg.Add(1)
		go func(i int, u int64) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) {
				t0 := time.Now()
				_, err := svc.TakeAd(ctx, u, api.TakeRequest{AdID: adIDs[i%ads], Amount: "1"}, nil)
				local = append(local, time.Since(t0))
				if err != nil {
					fails.Add(1)
					continue
				}
				ops.Add(1)
			}
			lat.merge(local)
		}(i, u)
	}
	wg.Wait()
	el := time.Since(start)
	c1, r1, execT, commitT := writerStats(st)
	commits, reqs := c1-c0, r1-r0
	perTake := float64(store.Statements()-s0) / float64(max(ops.Load(), 1))
	if fails.Load() > 0 {
		return 0, fmt.Errorf("%d takes failed", fails.Load())
	}
	rate := float64(ops.Load()) / el.Seconds()
	if pg, ok := st.(*store.Postgres); ok {
		fmt.Fprintf(w, "escrow-lock: %.0f ops/s p99 %.2f ms (%d concurrent takers, postgres serializable, group commit)\n",
			rate, ms(lat.pct(99)), o.Takers)
		fmt.Fprintf(w, "  escrow-lock detail: %d takes, p50 %.2f ms, %.1f requests per commit, %d serialization retries, %.1f statements per take\n",
			ops.Load(), ms(lat.pct(50)), float64(pg.Requests.Load())/float64(max(pg.Commits.Load(), 1)), pg.Retries.Load(), perTake)
		return rate, market.CheckInvariants(ctx, st)
	}
	fmt.Fprintf(w, "  writer time: exec %.2fs commit %.2fs of %.2fs\n", execT.Seconds(), commitT.Seconds(), time.Since(start).Seconds())
	fmt.Fprintf(w, "escrow-lock: %.0f ops/s p99 %.2f ms (%d concurrent takers, synchronous=FULL)\n",
		rate, ms(lat.pct(99)), o.Takers)
	fmt.Fprintf(w, "  escrow-lock detail: %d takes, p50 %.2f ms, %d commits, %.1f requests per commit, %.1f statements per take\n",
		ops.Load(), ms(lat.pct(50)), commits, float64(reqs)/float64(max(commits, 1)), perTake)
	return rate, market.CheckInvariants(ctx, st)
}

type opener func(name string) (store.Database, func(), error)

// writerStats reads the SQLite writer's counters (zeros for PostgreSQL).
func writerStats(st store.Database) (commits, reqs int64, exec, commit time.Duration) {
	s, ok := st.(*store.SQLite)
	if !ok {
		return
	}
	s.Stats.Lock()
	defer s.Stats.Unlock()
	return s.Stats.Commits, s.Stats.Requests, s.Stats.Exec, s.Stats.Commit
}

// openBenchPostgres opens a fresh schema for one phase of the benchmark.
func openBenchPostgres(ctx context.Context, base, name string) (*store.Postgres, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", fmt.Sprintf("bench%d_%s", os.Getpid(), name))
	u.RawQuery = q.Encode()
	pg, err := store.OpenPostgres(ctx, u.String(), store.PostgresOptions{Conns: 32})
	if err != nil {
		return nil, err
	}
	// A leftover from an interrupted run would skew the figures.
	if err := pg.DropSchema(ctx); err != nil {
		pg.Close()
		return nil, err
	}
	pg.Close()
	return store.OpenPostgres(ctx, u.String(), store.PostgresOptions{Conns: 32})
}

// sqliteBaseline measures one-row commits with full durability: the floor
// that group commit lifts the escrow figure above.
func sqliteBaseline(ctx context.Context, w io.Writer, path string, n int) (float64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)"); err != nil {
		return 0, err
	}
	stmt, err := db.PrepareContext(ctx, "INSERT INTO t (v) VALUES (?)")
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := stmt.ExecContext(ctx, i); err != nil {
			return 0, err
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	fmt.Fprintf(w, "sqlite-baseline: %.0f single-row commits/s (synchronous=FULL)\n", rate)
	return rate, nil
}

// adSearch fills a book of n ads, then times first-page searches filtered
// by side, asset, fiat, payment method and an amount that must fit.
func adSearch(ctx context.Context, w io.Writer, open opener, n, searches int) error {
	st, done, err := open(fmt.Sprintf("ads%d", n))
	if err != nil {
		return err
	}
	defer done()
	fill := time.Now()
	if err := fillBook(ctx, st, n); err != nil {
		return err
	}
	if pg, ok := st.(*store.Postgres); ok {
		if err := pg.Analyze(ctx); err != nil {
			return err
		}
	}
	fillTook := time.Since(fill)
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	var lat latencies
	var rows int
	for i := 0; i < searches; i++ {
		q := market.AdQuery{
			Side:       []api.Side{api.Sell, api.Buy}[rng.IntN(2)],
			Asset:      api.Assets[rng.IntN(3)],
			Fiat:       api.CNY,
			Payment:    api.PaymentMethods[rng.IntN(3)],
			FiatAmount: int64(100+rng.IntN(20000)) * 100,
			Statuses:   []api.AdStatus{api.AdOnline},
			Sort:       market.SortBestPrice,
			Limit:      20,
		}
		t0 := time.Now()
		err := st.View(ctx, func(tx market.ReadTx) error {
			ads, err := tx.SearchAds(q)
			rows += len(ads)
			return err
		})
		lat.add(time.Since(t0))
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "ad-search: %d ads p50 %.3f ms p99 %.3f ms\n", n, ms(lat.pct(50)), ms(lat.pct(99)))
	fmt.Fprintf(w, "  ad-search detail: %d searches, %.1f ads per page, book filled in %.1f s\n", searches, float64(rows)/float64(searches), fillTook.Seconds())
	return nil
}

// fillBook inserts n ads from 200 makers in large transactions.
func fillBook(ctx context.Context, st store.Database, n int) error {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	makers := make([]int64, 200)
	if err := st.Update(ctx, func(tx market.Tx) error {
		for i := range makers {
			u := api.User{Name: fmt.Sprintf("maker-%03d", i), RealName: "Maker", Role: api.RoleTrader, KYCLevel: 2, Verified: i%3 == 0}
			if err := tx.InsertUser(&u); err != nil {
				return err
			}
			makers[i] = u.ID
		}
		return nil
	}); err != nil {
		return err
	}
	base := map[api.Asset]int64{api.USDT: 72000, api.BTC: 7_000_000_000, api.ETH: 250_000_000}
	now := time.Now().UTC()
	const batch = 5000
	for done := 0; done < n; done += batch {
		err := st.Update(ctx, func(tx market.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				asset := api.Assets[rng.IntN(3)]
				price := base[asset] + base[asset]*int64(rng.IntN(400)-200)/10000
				minF := int64(100+rng.IntN(5000)) * 100
				maxF := minF + int64(1000+rng.IntN(50000))*100
				status := api.AdOnline
				if rng.IntN(10) == 0 {
					status = api.AdPaused
				}
				a := market.Ad{
					MakerID: makers[rng.IntN(len(makers))], Side: []api.Side{api.Sell, api.Buy}[rng.IntN(2)],
					Asset: asset, Fiat: api.CNY, PriceType: api.PriceFixed, Price: money.New(price, api.PriceScale),
					Total: money.New(1e12, asset.Scale()), Remaining: money.New(1e12, asset.Scale()),
					MinFiat: money.New(minF, 2), MaxFiat: money.New(maxF, 2), AvailFiat: money.New(maxF, 2),
					Payments: market.PaymentSet(1 + rng.IntN(7)), WindowMin: 15, Status: status, CreatedAt: now, UpdatedAt: now, Version: 1,
				}
				if err := tx.InsertAd(&a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
