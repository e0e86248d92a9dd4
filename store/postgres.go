package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"p2pdesk/alipay"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// PostgresOptions tune the PostgreSQL store.
type PostgresOptions struct {
	// Conns is the size of the connection pool.
	Conns int
	// MaxBatch is the most requests one group commit carries.
	MaxBatch int
	// Schema is "market" (the default) or "alipay". Each lives in its own
	// PostgreSQL schema, PREFIX_market or PREFIX_alipay, where PREFIX is
	// the URL's search_path or "p2pdesk": one database holds both without
	// the marketplace seeing the rail's tables.
	Schema string
}

// Postgres is the marketplace in a PostgreSQL database, for when one
// machine is not enough: several `p2pdesk serve` processes may share it.
//
// Writes go through one writer goroutine per store that runs queued
// requests together in one SERIALIZABLE transaction holding write_lock,
// each in its own savepoint when one fails, and commits once (see
// pgwriter.go). Every writer of every process takes write_lock first, so
// writes are serial, which is what the single SQLite writer gives; the
// SERIALIZABLE level still guards against a writer that does not. Reads
// run in REPEATABLE READ, READ ONLY: one consistent snapshot, never a
// conflict.
type Postgres struct {
	db     *sql.DB
	schema string
	opts   PostgresOptions

	reqs    chan *writeReq
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
	mu      sync.RWMutex // guards closed against update
	closed  bool

	// Commits, Requests and Retries count group commits, the requests
	// they carried and conflicts run again, for benchmarks.
	Commits, Requests, Retries atomic.Int64
}

// IsPostgresURL tells a PostgreSQL connection URL from a SQLite path.
func IsPostgresURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
}

// OpenPostgres connects to the database at dsn (a postgres:// URL) and
// brings the schema up to date.
func OpenPostgres(ctx context.Context, dsn string, opts PostgresOptions) (*Postgres, error) {
	if opts.Conns <= 0 {
		opts.Conns = 16
	}
	if opts.Schema == "" {
		opts.Schema = "market"
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 128
	}
	migrations, ok := schemas[opts.Schema]
	if !ok {
		return nil, fmt.Errorf("store: unknown schema %q", opts.Schema)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: bad PostgreSQL URL: %w", err)
	}
	q := u.Query()
	prefix := q.Get("search_path")
	if prefix == "" {
		prefix = "p2pdesk"
	}
	schema := prefix + "_" + opts.Schema
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(opts.Conns)
	db.SetMaxIdleConns(opts.Conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	p := &Postgres{db: db, schema: schema, opts: opts,
		reqs: make(chan *writeReq, 4096), stop: make(chan struct{}), stopped: make(chan struct{})}
	if err := p.migrate(ctx, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate PostgreSQL schema %s: %w", schema, err)
	}
	go p.writer()
	return p, nil
}

// Schema is the PostgreSQL schema the store's tables live in.
func (p *Postgres) Schema() string { return p.schema }

// migrate creates the schema and applies the migrations under an advisory
// lock, so servers starting together do not migrate twice.
func (p *Postgres) migrate(ctx context.Context, migrations []string) error {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	h := fnv.New64a()
	h.Write([]byte("p2pdesk migrate " + p.schema))
	lock := int64(h.Sum64() >> 1)
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return err
	}
	defer c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", lock)
	if _, err := c.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(p.schema)); err != nil {
		return err
	}
	applied, err := migrate(ctx, c, postgresDialect, "BEGIN", migrations)
	if err != nil || applied == 0 {
		return err
	}
	// Migrations insert a few rows with explicit ids (the system user,
	// the rail's bank); move each identity past the highest id so the
	// next insert does not collide with them. Only right after migrating:
	// moving a sequence while another server inserts could hand out an
	// id twice.
	rows, err := c.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	var cols [][2]string
	for rows.Next() {
		var t, col string
		if err := rows.Scan(&t, &col); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, [2]string{t, col})
	}
	rows.Close()
	for _, tc := range cols {
		t, col := quoteIdent(tc[0]), quoteIdent(tc[1])
		// is_called false: the next value is exactly MAX+1 (1 when empty).
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 0) + 1, false) FROM %s", t, tc[1], col, t)
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("identity of %s.%s: %w", tc[0], tc[1], err)
		}
	}
	return nil
}

func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}

// Update runs fn in a SERIALIZABLE transaction, again if it conflicted
// with another, and returns once the COMMIT is durable.
func (p *Postgres) Update(ctx context.Context, fn func(market.Tx) error) error {
	return p.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// AuthUpdate is Update for the credential tables.
func (p *Postgres) AuthUpdate(ctx context.Context, fn func(auth.Tx) error) error {
	return p.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// AuthView is View for the credential tables.
func (p *Postgres) AuthView(ctx context.Context, fn func(auth.ReadTx) error) error {
	return p.view(ctx, func(t *sqlTx) error { return fn(t) })
}

// RailUpdate is Update for the simulated Alipay rail's tables.
func (p *Postgres) RailUpdate(ctx context.Context, fn func(alipay.Tx) error) error {
	return p.update(ctx, func(t *sqlTx) error { return fn(t) })
}

// RailView is View for the rail's tables.
func (p *Postgres) RailView(ctx context.Context, fn func(alipay.ReadTx) error) error {
	return p.view(ctx, func(t *sqlTx) error { return fn(t) })
}

// View runs fn on one consistent snapshot.
func (p *Postgres) View(ctx context.Context, fn func(market.ReadTx) error) error {
	return p.view(ctx, func(t *sqlTx) error { return fn(t) })
}

func (p *Postgres) view(ctx context.Context, fn func(*sqlTx) error) error {
	tx, err := p.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&sqlTx{ctx: ctx, d: postgresDialect, tx: tx, isDup: isPostgresDup})
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isPostgresRetryable: serialization_failure or deadlock_detected; the
// transaction did nothing and may run again.
func isPostgresRetryable(err error) bool {
	c := pgCode(err)
	return c == "40001" || c == "40P01"
}

func isPostgresDup(err error) bool { return pgCode(err) == "23505" }

// Meta reads a value kept with the database ("" if none).
func (p *Postgres) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := p.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta keeps a value with the database.
func (p *Postgres) SetMeta(ctx context.Context, key, value string) error {
	return p.update(ctx, func(t *sqlTx) error {
		_, err := t.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
		return err
	})
}

// Close finishes queued writes, then closes the connection pool.
func (p *Postgres) Close() error {
	var err error
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		close(p.stop)
		<-p.stopped
		err = p.db.Close()
	})
	return err
}

// IntegrityCheck: PostgreSQL checks its pages itself; this asks the
// server to answer at all, so callers can treat both stores alike.
func (p *Postgres) IntegrityCheck(ctx context.Context) (string, error) {
	var one int
	if err := p.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return "", err
	}
	return "ok", nil
}

// DropSchema removes the store's schema and everything in it; for tests
// and for `p2pdesk` tools that make throwaway databases.
func (p *Postgres) DropSchema(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(p.schema)+" CASCADE")
	return err
}

var _ market.Store = (*Postgres)(nil)

// Analyze refreshes the planner's statistics; after a bulk load the
// planner otherwise guesses until autovacuum catches up.
func (p *Postgres) Analyze(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, "ANALYZE")
	return err
}
