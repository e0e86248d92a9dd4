// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema prefix in the database P2PDESK_TEST_POSTGRES names, dropped when
// the test ends. CI sets that variable and P2PDESK_REQUIRE_POSTGRES
// (.ci/run), and there a missing database fails the test; elsewhere the
// test skips.
package pgtest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

var seq atomic.Int64

// URL returns the test database's URL with a search_path prefix no other
// test uses; every schema named PREFIX_* is dropped at the test's end.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("P2PDESK_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("P2PDESK_REQUIRE_POSTGRES") != "" {
			t.Fatal("P2PDESK_REQUIRE_POSTGRES is set but P2PDESK_TEST_POSTGRES is empty: no database to test against")
		}
		t.Skip("P2PDESK_TEST_POSTGRES (a postgres:// URL) is not set; the PostgreSQL store is tested in CI")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("P2PDESK_TEST_POSTGRES: %v", err)
	}
	prefix := fmt.Sprintf("t%d_%d", os.Getpid(), seq.Add(1))
	q := u.Query()
	q.Set("search_path", prefix)
	u.RawQuery = q.Encode()
	t.Cleanup(func() { drop(t, base, prefix) })
	return u.String()
}

func drop(t testing.TB, base, prefix string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Errorf("pgtest: %v", err)
		return
	}
	defer db.Close()
	rows, err := db.Query("SELECT schema_name FROM information_schema.schemata WHERE starts_with(schema_name, $1)", prefix+"_")
	if err != nil {
		t.Errorf("pgtest: list schemas: %v", err)
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.Exec(`DROP SCHEMA "` + strings.ReplaceAll(n, `"`, `""`) + `" CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", n, err)
		}
	}
}
