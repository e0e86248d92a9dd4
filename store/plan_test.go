package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLitePlaceholdersKeepPlans: the store hands SQLite '+?' instead of
// '?' (see sqliteDialect.rebind), which must not change how a query is
// planned: the order book, floating ads, open and closed orders and the
// deadline sweep keep their indexes.
func TestSQLitePlaceholdersKeepPlans(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "m.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := func(q string, args ...any) string {
		rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			out = append(out, d)
		}
		return strings.Join(out, " | ")
	}
	for _, q := range []struct {
		q    string
		args []any
	}{
		{"SELECT " + adCols + " FROM ads WHERE side = ? AND asset = ? AND fiat = ? AND status = ? AND (payments & ?) <> 0 AND min_fiat <= ? AND avail_fiat >= ? ORDER BY price, id LIMIT ?", []any{"sell", "USDT", "CNY", "online", 1, 100, 100, 20}},
		{"SELECT id FROM ads WHERE asset = ? AND fiat = ? AND price_type = 'floating' AND status <> 'deleted' ORDER BY id", []any{"USDT", "CNY"}},
		{"SELECT id FROM orders WHERE buyer_id = ? AND state IN ('created', 'paid', 'disputed') ORDER BY id DESC LIMIT ?", []any{1, 20}},
		{"SELECT id FROM orders WHERE seller_id = ? AND state IN (?, ?) AND id < ? ORDER BY id DESC LIMIT ?", []any{1, "completed", "cancelled", 100, 20}},
		{"SELECT id FROM orders WHERE due_at <= ? ORDER BY due_at LIMIT ?", []any{"2026", 20}},
	} {
		a, b := plan(q.q, q.args...), plan(sqliteDialect.rebind(q.q), q.args...)
		if a != b || !strings.Contains(b, "USING") || strings.Contains(b, "SCAN") {
			t.Errorf("%s\n  with ?:  %s\n  with +?: %s", q.q, a, b)
		}
	}
}
