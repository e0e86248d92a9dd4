package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"p2pdesk/alipay"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// Database is what the marketplace needs of a store, whichever engine
// holds it: the market's tables, the credentials, a few kept values.
type Database interface {
	market.Store
	AuthUpdate(ctx context.Context, fn func(auth.Tx) error) error
	AuthView(ctx context.Context, fn func(auth.ReadTx) error) error
	RailUpdate(ctx context.Context, fn func(alipay.Tx) error) error
	RailView(ctx context.Context, fn func(alipay.ReadTx) error) error
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
	IntegrityCheck(ctx context.Context) (string, error)
	Claim(ctx context.Context, role string) (release func() error, err error)
}

// Open opens the database at where: a postgres:// URL, or else the path
// of a SQLite file. schema is "market" or "alipay".
func Open(ctx context.Context, where, schema string) (Database, error) {
	if IsPostgresURL(where) {
		return OpenPostgres(ctx, where, PostgresOptions{Schema: schema})
	}
	return OpenSQLite(where, SQLiteOptions{Schema: schema})
}

var (
	_ Database = (*SQLite)(nil)
	_ Database = (*Postgres)(nil)
)

// Redact is where with any password removed, fit for logs and screens.
func Redact(where string) string {
	if !IsPostgresURL(where) {
		return where
	}
	u, err := url.Parse(where)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// SetAside moves a database out of the way with its contents kept: a
// SQLite file (with its WAL) is renamed to where.TAG, a PostgreSQL
// store's schema to SCHEMA_TAG. It says where the data went. For a
// database a start cannot use as it is, where deleting would be rash.
func SetAside(ctx context.Context, where, schema, tag string) (string, error) {
	if IsPostgresURL(where) {
		p, err := OpenPostgres(ctx, where, PostgresOptions{Schema: schema, Conns: 1})
		if err != nil {
			return "", err
		}
		defer p.Close()
		to := p.schema + "_" + tag
		if _, err := p.db.ExecContext(ctx, "ALTER SCHEMA "+quoteIdent(p.schema)+" RENAME TO "+quoteIdent(to)); err != nil {
			return "", fmt.Errorf("setting schema %s aside: %w", p.schema, err)
		}
		return "schema " + to, nil
	}
	to := where + "." + tag
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(where+suffix, to+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return to, nil
}
