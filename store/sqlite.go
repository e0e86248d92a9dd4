package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"p2pdesk/alipay"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// SQLiteOptions tune the SQLite store.
type SQLiteOptions struct {
	// MaxBatch is the most requests one group commit carries.
	MaxBatch int
	// Readers is the size of the read pool.
	Readers int
	// Synchronous is the durability level; only tests of the baseline
	// change it. FULL: an acknowledged write survives power loss.
	Synchronous string
	// Schema is "market" (the default) or "alipay".
	Schema string
}

// SQLite is the marketplace database in one SQLite file. Writes go through
// one writer goroutine that groups concurrent requests into a single
// transaction (group commit): each request runs in its own savepoint, so
// one that fails rolls back alone, and each is acknowledged only after
// the COMMIT that makes it durable. Reads use a small pool of read-only
// connections, which WAL lets run beside the writer.
type SQLite struct {
	path   string
	opts   SQLiteOptions
	wdb    *sql.DB
	rdb    *sql.DB
	cdb    *sql.DB // checkpoints, off the writer's path
	wconn  *sql.Conn
	wstmts map[string]*sql.Stmt
	rstmts sync.Map // query -> *sql.Stmt on rdb

	reqs     chan *writeReq
	ckptDone chan struct{}
	stop     chan struct{}
	stopped  chan struct{}
	once     sync.Once
	mu       sync.RWMutex // guards closed against Update
	closed   bool

	// Stats counts commits and requests, for benchmarks.
	Stats struct {
		sync.Mutex
		Commits  int64
		Requests int64
		Exec     time.Duration // time running requests
		Commit   time.Duration // time in COMMIT (the fsync)
	}
}

type writeReq struct {
	ctx  context.Context
	fn   func(*sqlTx) error
	done chan error
}

func dsn(path string, readOnly bool, sync string, extra ...string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-32768)") // 32 MiB of pages per connection
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	for _, p := range extra {
		q.Add("_pragma", p)
	}
	return "file:" + path + "?" + q.Encode()
}

// OpenSQLite opens (creating if needed) the database at path and brings
// its schema up to date.
func OpenSQLite(path string, opts SQLiteOptions) (*SQLite, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 128
	}
	if opts.Readers <= 0 {
		opts.Readers = 4
	}
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.Schema == "" {
		opts.Schema = "market"
	}
	migrations, ok := schemas[opts.Schema]
	if !ok {
		return nil, fmt.Errorf("store: unknown schema %q", opts.Schema)
	}
	if err := privateFiles(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The writer never checkpoints: a checkpoint's fsyncs would land in
	// some unlucky request's commit. A background connection does it.
	wdb, err := sql.Open("sqlite", dsn(path, false, opts.Synchronous, "wal_autocheckpoint(0)"))
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	ctx := context.Background()
	wconn, err := wdb.Conn(ctx)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := migrate(ctx, wconn, sqliteDialect, "BEGIN IMMEDIATE", migrations); err != nil {
		wconn.Close()
		wdb.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, true, opts.Synchronous))
	if err != nil {
		wconn.Close()
		wdb.Close()
		return nil, err
	}
	rdb.SetMaxOpenConns(opts.Readers)
	rdb.SetMaxIdleConns(opts.Readers)
	cdb, err := sql.Open("sqlite", dsn(path, false, opts.Synchronous))
	if err != nil {
		rdb.Close()
		wconn.Close()
		wdb.Close()
		return nil, err
	}
	cdb.SetMaxOpenConns(1)
	s := &SQLite{
		path: path, opts: opts, wdb: wdb, rdb: rdb, cdb: cdb, wconn: wconn, wstmts: map[string]*sql.Stmt{},
		reqs: make(chan *writeReq, 4096), stop: make(chan struct{}), stopped: make(chan struct{}), ckptDone: make(chan struct{}),
	}
	go s.writer()
	go s.checkpointer()
	// SQLite has made its -wal and -shm by now, in the file's own mode;
	// this holds even where it made them otherwise.
	if err := privateFiles(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// Update runs fn in the next group commit and returns once that commit is
// durable (or fn failed, with nothing of it written).
func (s *SQLite) Update(ctx context.Context, fn func(market.Tx) error) error {
	return s.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// AuthUpdate is Update for the credential tables.
func (s *SQLite) AuthUpdate(ctx context.Context, fn func(auth.Tx) error) error {
	return s.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// AuthView is View for the credential tables.
func (s *SQLite) AuthView(ctx context.Context, fn func(auth.ReadTx) error) error {
	return s.view(ctx, func(t *sqlTx) error { return fn(t) })
}

func (s *SQLite) update(ctx context.Context, fn func(*sqlTx) error) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// Wait for the outcome even if ctx ends now: the request may already
	// be in a commit, and the caller must not believe it failed when it
	// did not. A batch takes milliseconds.
	return <-r.done
}

// checkpointer copies the WAL into the database file every few seconds,
// in PASSIVE mode, which never blocks the writer. Not more often: its
// fsync of the database file competes with the writer's fsync of the WAL.
func (s *SQLite) checkpointer() {
	defer close(s.ckptDone)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			_, _ = s.cdb.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("store: closed")

func (s *SQLite) writer() {
	defer close(s.stopped)
	batch := make([]*writeReq, 0, s.opts.MaxBatch)
	for {
		var first *writeReq
		select {
		case first = <-s.reqs:
		case <-s.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-s.reqs:
					s.commit([]*writeReq{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < s.opts.MaxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

func (s *SQLite) wstmt(q string) (*sql.Stmt, error) {
	if st, ok := s.wstmts[q]; ok {
		return st, nil
	}
	st, err := s.wconn.PrepareContext(context.Background(), sqliteDialect.rebind(q))
	if err != nil {
		return nil, err
	}
	s.wstmts[q] = st
	return st, nil
}

func (s *SQLite) execW(q string) error {
	st, err := s.wstmt(q)
	if err != nil {
		return err
	}
	_, err = st.Exec()
	return err
}

// commit runs one group commit. It first runs the batch without
// savepoints; if any request fails, it rolls everything back and runs the
// batch again with a savepoint around each request, so a failed request
// undoes only its own writes. Requests are re-runnable by contract
// (market.Store), and failures are the exception, so the common case pays
// for no savepoints.
func (s *SQLite) commit(batch []*writeReq) {
	t0 := time.Now()
	errs, hooks, ok := s.run(batch, false)
	if !ok {
		errs, hooks, _ = s.run(batch, true)
	}
	t1 := time.Now()
	ran := 0
	for _, e := range errs {
		if e == nil {
			ran++
		}
	}
	if ran > 0 {
		if err := s.execW("COMMIT"); err != nil {
			_ = s.execW("ROLLBACK")
			for i := range errs {
				if errs[i] == nil {
					errs[i] = fmt.Errorf("store: commit: %w", err)
				}
			}
			ran = 0
		}
	} else {
		_ = s.execW("ROLLBACK")
	}
	t2 := time.Now()
	s.Stats.Lock()
	s.Stats.Commits++
	s.Stats.Requests += int64(ran)
	s.Stats.Exec += t1.Sub(t0)
	s.Stats.Commit += t2.Sub(t1)
	s.Stats.Unlock()
	for i, r := range batch {
		if errs[i] == nil {
			for _, h := range hooks[i] {
				h()
			}
		}
		r.done <- errs[i]
	}
}

// run executes a batch inside BEGIN IMMEDIATE, leaving the transaction
// open. Without savepoints it stops at the first failure, rolls back and
// reports !ok.
func (s *SQLite) run(batch []*writeReq, savepoints bool) (errs []error, hooks [][]func(), ok bool) {
	errs = make([]error, len(batch))
	hooks = make([][]func(), len(batch))
	if err := s.execW("BEGIN IMMEDIATE"); err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("store: begin: %w", err)
		}
		return errs, hooks, true
	}
	cache := &rowCache{}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if savepoints {
			if err := s.execW("SAVEPOINT req"); err != nil {
				errs[i] = err
				continue
			}
		}
		tx := &sqlTx{ctx: context.Background(), d: sqliteDialect, stmt: s.wstmt, isDup: isSQLiteDup, rc: cache}
		err := runSafely(r.fn, tx)
		if err != nil && !savepoints {
			_ = s.execW("ROLLBACK")
			return errs, hooks, false
		}
		if err != nil {
			errs[i] = err
			*cache = rowCache{} // it may hold this request's writes
			if rerr := s.execW("ROLLBACK TO req"); rerr != nil {
				errs[i] = errors.Join(err, rerr)
			}
		} else {
			hooks[i] = tx.hooks
		}
		if savepoints {
			if err := s.execW("RELEASE req"); err != nil && errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs, hooks, true
}

// runSafely turns a panic in fn into an error, so one bad request cannot
// take the writer (and everyone's writes) down.
func runSafely(fn func(*sqlTx) error, tx *sqlTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in transaction: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(tx)
}

func isSQLiteDup(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		c := e.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// View runs fn on a consistent snapshot from the read pool.
func (s *SQLite) View(ctx context.Context, fn func(market.ReadTx) error) error {
	return s.view(ctx, func(t *sqlTx) error { return fn(t) })
}

func (s *SQLite) view(ctx context.Context, fn func(*sqlTx) error) error {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	// A statement not in the shared cache yet is prepared on this
	// transaction's own connection. Preparing it on the pool would wait
	// for a second connection while this transaction holds one, and when
	// every reader does that at once (a burst of first requests after a
	// start) none ever gets one. The shared statement is made afterwards.
	var missed map[string]*sql.Stmt
	rt := &sqlTx{ctx: ctx, d: sqliteDialect, isDup: isSQLiteDup, stmt: func(q string) (*sql.Stmt, error) {
		if st, ok := s.rstmts.Load(q); ok {
			return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
		}
		if st, ok := missed[q]; ok {
			return st, nil
		}
		st, err := tx.PrepareContext(ctx, sqliteDialect.rebind(q))
		if err != nil {
			return nil, err
		}
		if missed == nil {
			missed = map[string]*sql.Stmt{}
		}
		missed[q] = st
		return st, nil
	}}
	err = fn(rt)
	tx.Rollback()
	for q := range missed {
		s.cacheReadStmt(q)
	}
	return err
}

// cacheReadStmt prepares q on the read pool for every later transaction;
// called holding no connection.
func (s *SQLite) cacheReadStmt(q string) {
	if _, ok := s.rstmts.Load(q); ok {
		return
	}
	st, err := s.rdb.PrepareContext(context.Background(), sqliteDialect.rebind(q))
	if err != nil {
		return // closed meanwhile; the next view prepares it again
	}
	if _, loaded := s.rstmts.LoadOrStore(q, st); loaded {
		st.Close()
	}
}

// Close finishes queued writes, then closes the database cleanly (the WAL
// is checkpointed).
func (s *SQLite) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
		<-s.stopped
		<-s.ckptDone
		// A last full checkpoint leaves a clean database file behind.
		_, _ = s.wconn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		for _, st := range s.wstmts {
			st.Close()
		}
		s.rstmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
		err = errors.Join(s.rdb.Close(), s.cdb.Close(), s.wconn.Close(), s.wdb.Close())
	})
	return err
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict.
func (s *SQLite) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.rdb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}

// migrate applies the migrations not yet applied, each in a transaction,
// and says how many it applied.
func migrate(ctx context.Context, c *sql.Conn, d dialect, begin string, migrations []string) (applied int, err error) {
	if _, err := c.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); err != nil {
		return 0, err
	}
	for {
		var v int
		err := c.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v)
		if err != nil {
			return applied, err
		}
		if v >= len(migrations) {
			return applied, nil
		}
		if _, err := c.ExecContext(ctx, begin); err != nil {
			return applied, err
		}
		// Re-read inside the transaction: another process may have migrated.
		if err := c.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v); err != nil {
			c.ExecContext(ctx, "ROLLBACK")
			return applied, err
		}
		if v >= len(migrations) {
			_, err := c.ExecContext(ctx, "COMMIT")
			return applied, err
		}
		if _, err := c.ExecContext(ctx, expand(d, migrations[v])); err != nil {
			c.ExecContext(ctx, "ROLLBACK")
			return applied, fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := c.ExecContext(ctx, d.rebind("INSERT INTO schema_version (version) VALUES (?)"), v+1); err != nil {
			c.ExecContext(ctx, "ROLLBACK")
			return applied, err
		}
		if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
			return applied, err
		}
		applied++
	}
}

var _ market.Store = (*SQLite)(nil)

// RailUpdate is Update for the simulated Alipay rail's tables.
func (s *SQLite) RailUpdate(ctx context.Context, fn func(alipay.Tx) error) error {
	return s.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// RailView is View for the rail's tables.
func (s *SQLite) RailView(ctx context.Context, fn func(alipay.ReadTx) error) error {
	return s.view(ctx, func(t *sqlTx) error { return fn(t) })
}

// Meta reads a value kept with the database ("" if none).
func (s *SQLite) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.rdb.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta keeps a value with the database.
func (s *SQLite) SetMeta(ctx context.Context, key, value string) error {
	return s.update(ctx, func(t *sqlTx) error {
		_, err := t.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
		return err
	})
}
