package sim

import (
	"bytes"
	"context"
	"testing"
	"time"

	"p2pdesk/store/pgtest"
)

// TestWorldOnPostgres runs the same seeded market on SQLite and on
// PostgreSQL (the marketplace and the Alipay rail each in a schema of
// their own in one database). The stores must be interchangeable: the
// same seed gives the same event log, byte for byte, and every
// invariant holds on both.
func TestWorldOnPostgres(t *testing.T) {
	pg := pgtest.URL(t)
	ctx := context.Background()
	logs := map[string][]byte{}
	for _, kind := range []string{"sqlite", "postgres"} {
		o := Options{Seed: 5, Merchants: 4, History: true}
		if kind == "postgres" {
			o.MarketDB = pg
		}
		w := openWorld(t, o)
		w.Sched.RunFor(time.Hour)
		if err := w.CheckInvariants(ctx); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		var b bytes.Buffer
		n, err := w.WriteEventLog(ctx, &b)
		if err != nil || n == 0 {
			t.Fatalf("%s: event log of %d entries: %v", kind, n, err)
		}
		logs[kind] = b.Bytes()
	}
	a, b := bytes.Split(logs["sqlite"], []byte("\n")), bytes.Split(logs["postgres"], []byte("\n"))
	for i := 0; i < len(a) && i < len(b); i++ {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("the same seed made different markets; entry %d:\nsqlite:   %s\npostgres: %s", i+1, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		t.Fatalf("sqlite logged %d entries, postgres %d", len(a), len(b))
	}
}
