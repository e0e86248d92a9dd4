package server_test

import (
	"testing"

	"p2pdesk/store/pgtest"
)

// onStores runs body against a marketplace on SQLite and, where
// P2PDESK_TEST_POSTGRES names one, on PostgreSQL.
func onStores(t *testing.T, body func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { body(t, start(t)) })
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.URL(t)
		e := start(t)
		e.m.Close(e.ctx)
		e.db = db
		e.opts.DBPath = db
		e.boot()
		body(t, e)
	})
}
