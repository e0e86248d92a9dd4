package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"p2pdesk/api"
	"p2pdesk/market"
)

// The PostgreSQL store commits in groups, as the SQLite store does: one
// writer goroutine per process takes the queued requests, runs them in
// one transaction that first takes write_lock (so writers of every
// process sharing the database run one at a time, and event ids are
// handed out in commit order), and commits once. Each request is
// acknowledged after that COMMIT. Writes whose result nobody reads are
// queued and sent in one pipelined round trip with the next statement.

// pgRun is one batch's connection and its queue of deferred statements.
type pgRun struct {
	ctx   context.Context
	conn  *pgx.Conn
	queue []pgStmt
	// err is the first failure of a deferred statement: the transaction
	// is aborted from there on, and every later statement reports it.
	err   error
	retry bool
	// begun: BEGIN has reached the server.
	begun bool
	// trips counts round trips.
	trips int
	cache rowCache
}

type pgStmt struct {
	q    string
	args []any
}

func (r *pgRun) later(q string, args ...any) {
	statements.Add(1)
	r.queue = append(r.queue, pgStmt{q, args})
}

// noteErr records a failure the batch must be retried for.
func (r *pgRun) noteErr(err error) error {
	if err != nil && isPostgresRetryable(err) {
		r.retry = true
	}
	return err
}

// send runs the queued statements and then q, in one round trip, and
// returns the results positioned at q's. The caller reads that result
// and closes br.
func (r *pgRun) send(q string, args []any) (pgx.BatchResults, error) {
	if r.err != nil {
		return nil, r.err
	}
	b := &pgx.Batch{}
	for _, s := range r.queue {
		b.Queue(s.q, s.args...)
	}
	n := len(r.queue)
	r.queue = r.queue[:0]
	b.Queue(q, args...)
	br := r.conn.SendBatch(r.ctx, b)
	r.begun = true
	r.trips++
	for i := 0; i < n; i++ {
		if _, err := br.Exec(); err != nil {
			br.Close()
			// Wrapped without %w: a deferred write's failure must not pass
			// for the outcome (a duplicate, say) of the statement after it.
			r.err = fmt.Errorf("store: deferred write: %v", r.noteErr(err))
			return nil, r.err
		}
	}
	return br, nil
}

// flush sends whatever is queued.
func (r *pgRun) flush() error {
	if r.err != nil {
		return r.err
	}
	if len(r.queue) == 0 {
		return nil
	}
	last := r.queue[len(r.queue)-1]
	r.queue = r.queue[:len(r.queue)-1]
	br, err := r.send(last.q, last.args)
	if err != nil {
		return err
	}
	_, err = br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.err = fmt.Errorf("store: deferred write: %v", r.noteErr(err))
	}
	return r.err
}

func (r *pgRun) exec(q string, args []any) (sql.Result, error) {
	var tag pgconn.CommandTag
	var err error
	if len(r.queue) == 0 && r.err == nil {
		tag, err = r.conn.Exec(r.ctx, q, args...)
		r.begun = true
		r.trips++
	} else {
		var br pgx.BatchResults
		if br, err = r.send(q, args); err != nil {
			return nil, err
		}
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, r.noteErr(err)
	}
	return pgResult(tag), nil
}

func (r *pgRun) query(q string, args []any) (rowsIter, error) {
	if len(r.queue) == 0 && r.err == nil {
		rows, err := r.conn.Query(r.ctx, q, args...)
		r.begun = true
		r.trips++
		if err != nil {
			return nil, r.noteErr(err)
		}
		return pgRows{rows, nil, r}, nil
	}
	br, err := r.send(q, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, r.noteErr(err)
	}
	return pgRows{rows, br, r}, nil
}

func (r *pgRun) row(q string, args []any) scanner {
	rows, err := r.query(q, args)
	if err != nil {
		return errScan{err}
	}
	return pgRow{rows.(pgRows)}
}

type pgResult pgconn.CommandTag

func (pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("store: no LastInsertId on PostgreSQL")
}
func (t pgResult) RowsAffected() (int64, error) { return pgconn.CommandTag(t).RowsAffected(), nil }

// rowsIter is what the queries read: *sql.Rows, or pgx's rows.
type rowsIter interface {
	Next() bool
	Scan(dest ...any) error
	Close() error
	Err() error
}

type pgRows struct {
	rows pgx.Rows
	br   pgx.BatchResults
	r    *pgRun
}

func (p pgRows) Next() bool             { return p.rows.Next() }
func (p pgRows) Scan(dest ...any) error { return p.r.noteErr(p.rows.Scan(dest...)) }
func (p pgRows) Err() error             { return p.r.noteErr(p.rows.Err()) }
func (p pgRows) Close() error {
	p.rows.Close()
	err := p.rows.Err()
	if p.br != nil {
		if cerr := p.br.Close(); err == nil {
			err = cerr
		}
	}
	return p.r.noteErr(err)
}

// pgRow is one row of a query, sql.ErrNoRows if none.
type pgRow struct{ p pgRows }

func (w pgRow) Scan(dest ...any) error {
	defer w.p.Close()
	if !w.p.Next() {
		if err := w.p.Err(); err != nil {
			return err
		}
		if err := w.p.Close(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := w.p.Scan(dest...); err != nil {
		return err
	}
	return w.p.Close()
}

// update queues fn for the writer and waits for its outcome.
func (p *Postgres) update(ctx context.Context, fn func(*sqlTx) error) error {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return ErrClosed
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case p.reqs <- r:
	case <-ctx.Done():
		p.mu.RUnlock()
		return ctx.Err()
	}
	p.mu.RUnlock()
	// Once queued the request may be in a COMMIT at any moment: wait for
	// the outcome whatever ctx does.
	return <-r.done
}

func (p *Postgres) writer() {
	defer close(p.stopped)
	batch := make([]*writeReq, 0, p.opts.MaxBatch)
	for {
		var first *writeReq
		select {
		case first = <-p.reqs:
		case <-p.stop:
			for {
				select {
				case r := <-p.reqs:
					p.commit([]*writeReq{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < p.opts.MaxBatch {
			select {
			case r := <-p.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		p.commit(batch)
	}
}

// commit runs a batch until it commits or fails for a reason other than
// a serialization conflict (which a writer outside this store's queue,
// say a migration, can still cause), then answers every request.
func (p *Postgres) commit(batch []*writeReq) {
	pause := time.Millisecond
	for {
		errs, hooks, retry := p.runBatch(batch)
		if !retry {
			ran := 0
			for i, r := range batch {
				if errs[i] == nil {
					ran++
					for _, h := range hooks[i] {
						h()
					}
				}
				r.done <- errs[i]
			}
			p.Commits.Add(1)
			p.Requests.Add(int64(ran))
			return
		}
		p.Retries.Add(1)
		time.Sleep(pause/2 + rand.N(pause))
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// runBatch runs the batch once on a pooled connection. The first pass
// has no savepoints; if a request fails, the batch is rolled back and run
// again with a savepoint around each request, so a failure undoes only
// its own request (requests are re-runnable by the market.Store
// contract, and failures are the exception).
func (p *Postgres) runBatch(batch []*writeReq) (errs []error, hooks [][]func(), retry bool) {
	ctx := context.Background()
	errs = make([]error, len(batch))
	hooks = make([][]func(), len(batch))
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	c, err := p.db.Conn(ctx)
	if err != nil {
		fail(err)
		return errs, hooks, false
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		r := &pgRun{ctx: ctx, conn: dc.(*stdlib.Conn).Conn()}
		var ok bool
		errs, hooks, ok, retry = p.runPass(r, batch, false)
		if !ok && !retry {
			errs, hooks, _, retry = p.runPass(r, batch, true)
		}
		// A connection left inside a transaction, or broken, is not
		// handed to anyone else.
		if r.conn.IsClosed() || r.conn.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn
		}
		return nil
	})
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		fail(err)
	}
	return errs, hooks, retry
}

// runPass runs every request of the batch and commits. ok is false when
// a pass without savepoints met a failure and rolled back.
func (p *Postgres) runPass(r *pgRun, batch []*writeReq, savepoints bool) (errs []error, hooks [][]func(), ok, retry bool) {
	errs = make([]error, len(batch))
	hooks = make([][]func(), len(batch))
	*r = pgRun{ctx: r.ctx, conn: r.conn, queue: r.queue[:0]}
	rollback := func() {
		r.queue = r.queue[:0]
		if r.begun {
			_, _ = r.conn.Exec(r.ctx, "ROLLBACK")
		}
	}
	r.later("BEGIN ISOLATION LEVEL SERIALIZABLE")
	r.later("LOCK TABLE write_lock IN EXCLUSIVE MODE")
	ran := 0
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		mark, sent := len(r.queue), r.trips
		if savepoints {
			r.later("SAVEPOINT req")
		}
		t := &sqlTx{ctx: r.ctx, d: postgresDialect, pg: r, rc: &r.cache, isDup: isPostgresDup, retryable: isPostgresRetryable,
			// write_lock already orders every writer; the event log's own
			// lock would add nothing.
			eventsLocked: true}
		err := runSafely(req.fn, t)
		if err == nil && savepoints {
			err = r.flush() // a deferred write's failure is this request's
		}
		if t.retry || r.retry {
			rollback()
			return errs, hooks, false, true
		}
		if err == nil {
			hooks[i] = t.hooks
			ran++
			if savepoints {
				r.later("RELEASE req")
			}
			continue
		}
		if !savepoints {
			rollback()
			return errs, hooks, false, false
		}
		errs[i] = err
		// Later requests must not read what this one wrote.
		r.cache = rowCache{}
		if r.trips == sent {
			// Nothing of the request reached the server: drop it.
			r.queue = r.queue[:mark]
			continue
		}
		// Everything queued is this request's (a round trip sends the
		// whole queue).
		// At once, in the simple protocol: an aborted transaction
		// refuses the prepare a queued statement would need.
		r.queue = r.queue[:0]
		r.err = nil
		r.trips++
		if _, err := r.conn.PgConn().Exec(r.ctx, "ROLLBACK TO req; RELEASE req").ReadAll(); err != nil {
			failAll(errs, hooks, err)
			rollback()
			return errs, hooks, true, false
		}
	}
	if ran == 0 {
		rollback()
		return errs, hooks, true, false
	}
	br, err := r.send("COMMIT", nil)
	if err != nil {
		// A deferred write failed: the transaction did not commit.
		rollback()
		if r.retry {
			return errs, hooks, false, true
		}
		if !savepoints {
			return errs, hooks, false, false
		}
		failAll(errs, hooks, err)
		return errs, hooks, true, false
	}
	_, err = br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		rollback()
		if isPostgresRetryable(err) {
			return errs, hooks, false, true
		}
		failAll(errs, hooks, fmt.Errorf("store: commit: %w", err))
	}
	return errs, hooks, true, false
}

func failAll(errs []error, hooks [][]func(), err error) {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
			hooks[i] = nil
		}
	}
}

// rowCache holds rows one group commit read, so the requests after it
// read them without a statement: nobody else writes while the writer's
// transaction is open (SQLite's one writer, PostgreSQL's write_lock), and
// every write of the batch updates or drops what it changes. A failed
// request empties it.
type rowCache struct {
	users map[int64]api.User
	ads   map[int64]market.Ad
	bals  map[market.BalanceKey]market.Balance
	pays  map[payKey]api.PaymentAccount
}

type payKey struct {
	user   int64
	method api.PaymentMethod
}

func (c *rowCache) init() {
	if c.users == nil {
		*c = rowCache{users: map[int64]api.User{}, ads: map[int64]market.Ad{},
			bals: map[market.BalanceKey]market.Balance{}, pays: map[payKey]api.PaymentAccount{}}
	}
}
