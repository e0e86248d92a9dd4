package store

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/market"
)

// TestSQLiteMoneyColumnsHoldIntegers: SQLite turns an integer sum that
// overflows into a REAL and stores it; the schema refuses that write, so
// a bug above the store can fail a request but never leave a ledger that
// no longer reads as integers.
func TestSQLiteMoneyColumnsHoldIntegers(t *testing.T) {
	ctx := context.Background()
	st, err := OpenSQLite(filepath.Join(fastDir(t), "market.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	add := func(v int64) error {
		return st.Update(ctx, func(tx market.Tx) error {
			return tx.AddBalance(market.Balance{UserID: 1, Asset: api.USDT, CreditsPosted: v})
		})
	}
	if err := add(math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if err := add(1); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Fatalf("an overflowing sum was written: %v", err)
	}
	err = st.View(ctx, func(tx market.ReadTx) error {
		b, err := tx.Balance(1, api.USDT)
		if err == nil && b.CreditsPosted != math.MaxInt64 {
			t.Errorf("balance = %+v", b)
		}
		return err
	})
	if err != nil {
		t.Fatalf("the ledger no longer reads: %v", err)
	}
	// A non-integer written straight to a money column is refused too.
	err = st.Update(ctx, func(tx market.Tx) error {
		_, err := tx.(*sqlTx).exec(`INSERT INTO usage (user_id, day, fiat, amount) VALUES (1, 1, 'CNY', 1.5)`)
		return err
	})
	if err == nil {
		t.Fatal("a REAL went into usage.amount")
	}

	rail, err := OpenSQLite(filepath.Join(fastDir(t), "alipay.db"), SQLiteOptions{Schema: "alipay"})
	if err != nil {
		t.Fatal(err)
	}
	defer rail.Close()
	addRail := func(v int64) error {
		return rail.RailUpdate(ctx, func(tx alipay.Tx) error { return tx.AddRailBalance(1, v) })
	}
	if err := addRail(math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if err := addRail(1); err == nil {
		t.Fatal("an overflowing rail balance was written")
	}
}
