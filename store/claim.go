package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"p2pdesk/lockfile"
)

// ErrClaimed: another process holds the role on this database.
var ErrClaimed = errors.New("store: the role is held by another process on this database")

// Claim makes this process the only holder of role on the database (one
// simulation per market, say) until release is called or the process
// ends; ErrClaimed when someone else holds it. SQLite: a lock file beside
// the database. PostgreSQL: a session advisory lock on a connection kept
// for the purpose, so every server on the database sees it.
func (s *SQLite) Claim(ctx context.Context, role string) (release func() error, err error) {
	if s.path == "" || strings.HasPrefix(s.path, ":memory:") {
		return func() error { return nil }, nil // nobody else can open it
	}
	l, err := lockfile.TryLock(s.path + "." + role + ".lock")
	if errors.Is(err, lockfile.ErrHeld) {
		return nil, ErrClaimed
	}
	if err != nil {
		return nil, fmt.Errorf("claiming %s: %w", role, err)
	}
	return l.Unlock, nil
}

// Claim: see SQLite.Claim. The lock lives as long as its connection; a
// server that loses its connection to PostgreSQL loses its claim too.
func (p *Postgres) Claim(ctx context.Context, role string) (release func() error, err error) {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("p2pdesk claim " + p.schema + " " + role))
	key := int64(h.Sum64() >> 1)
	var got bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		c.Close()
		return nil, fmt.Errorf("claiming %s: %w", role, err)
	}
	if !got {
		c.Close()
		return nil, ErrClaimed
	}
	return func() error {
		_, err := c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		// The connection is closed, not pooled (ErrBadConn from Raw does
		// that): a session that still held the lock would hand it to
		// whoever borrowed the connection next.
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
		return err
	}, nil
}
