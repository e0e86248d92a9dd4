package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"p2pdesk/auth"
	"p2pdesk/store/pgtest"
)

// oneSimulation: a second world on a market's database is refused with
// ErrSimulationElsewhere and leaves the first one trading; once the
// first closes, the market opens again.
func oneSimulation(t *testing.T, o Options) {
	ctx := context.Background()
	o.ServerKey, o.Fast, o.Seed, o.Merchants = auth.GenerateKey(), true, 9, 3
	w, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, o)
	if !errors.Is(err, ErrSimulationElsewhere) {
		if second != nil {
			second.Close(ctx)
		}
		w.Close(ctx)
		t.Fatalf("second simulation on one database: %v, want ErrSimulationElsewhere", err)
	}
	w.Sched.RunFor(time.Hour)
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Admin.Account(ctx); err != nil {
		t.Fatalf("the first world stopped answering: %v", err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, o)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close(ctx)
}

func TestOneSimulationPerSQLiteDatabase(t *testing.T) {
	oneSimulation(t, Options{Dir: fastDir(t)})
}

func TestOneSimulationPerPostgresDatabase(t *testing.T) {
	oneSimulation(t, Options{Dir: fastDir(t), MarketDB: pgtest.URL(t)})
}
