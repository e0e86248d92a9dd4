package sim

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/auth"
	"p2pdesk/store/pgtest"
)

// crash stops a world the way kill -9 does: the databases and the claim
// go, nothing is saved on the way out.
func crash(t *testing.T, w *World) {
	t.Helper()
	ctx := context.Background()
	if err := w.Market.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.RailStore.Close()
	w.release()
}

// TestKilledWorldResumesItsClock: a world killed without closing starts
// again no earlier than the last time it wrote, so the market's times
// never run backwards ("created 09:02:14 ── paid 09:00:00").
func TestKilledWorldResumesItsClock(t *testing.T) {
	ctx := context.Background()
	o := Options{Dir: fastDir(t), ServerKey: auth.GenerateKey(), Seed: 4, Merchants: 2, Fast: true}
	w, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(37*time.Minute + 20*time.Second)
	last := w.Sched.Now()
	crash(t, w)

	w, err = Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	if now := w.Sched.Now(); now.Before(last) {
		t.Fatalf("after the kill the clock starts at %s, before the %s the market had reached", now.Format(time.TimeOnly), last.Format(time.TimeOnly))
	}
}

// TestCutShortCreationIsSetAsideAndMadeAgain: a world whose creation was
// cut short (serve killed in its first seconds) is not refused for ever:
// the next start sets the half-made databases aside, keeping them, and
// makes the world again.
func TestCutShortCreationIsSetAsideAndMadeAgain(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			dir := fastDir(t)
			o := Options{Dir: dir, ServerKey: auth.GenerateKey(), Seed: 2, Merchants: 2, Fast: true,
				MarketDB: filepath.Join(dir, "serve.db"), RailDB: filepath.Join(dir, "serve-alipay.db")}
			if kind == "postgres" {
				o.MarketDB, o.RailDB = pgtest.URL(t), ""
			}
			halfMade(t, o)
			if _, err := Open(ctx, withKeep(o)); !errors.Is(err, ErrUnfinished) {
				t.Fatalf("a half-made world opened as %v, want ErrUnfinished", err)
			}
			w, err := Open(ctx, o)
			if err != nil {
				t.Fatalf("the start after a cut-short creation: %v", err)
			}
			defer w.Close(ctx)
			if len(w.Merchants) != 2 {
				t.Fatalf("%d merchants in the world made again", len(w.Merchants))
			}
			if err := w.CheckInvariants(ctx); err != nil {
				t.Fatal(err)
			}
			if kind == "sqlite" {
				kept, _ := filepath.Glob(filepath.Join(dir, "serve.db.unfinished_*"))
				if len(kept) != 1 {
					t.Fatalf("the half-made database was not kept aside: %v", kept)
				}
				if _, err := os.Stat(kept[0]); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func withKeep(o Options) Options { o.KeepUnfinished = true; return o }

// halfMade leaves a world as a kill during its creation does: the people
// are in the database, the world's state is not.
func halfMade(t *testing.T, o Options) {
	t.Helper()
	ctx := context.Background()
	w, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Market.Store.SetMeta(ctx, "sim_world", ""); err != nil {
		t.Fatal(err)
	}
	crash(t, w)
}

// TestDrillAfterARestart: a drill staged in a world that was restarted
// gives its counterparty a past with the retail traders made at creation,
// not new ones under the same names (NAME_TAKEN "retail-00", met playing
// the app); also for a world saved before the state kept them.
func TestDrillAfterARestart(t *testing.T) {
	for _, old := range []bool{false, true} {
		t.Run(map[bool]string{false: "now", true: "saved before"}[old], func(t *testing.T) {
			ctx := context.Background()
			o := Options{Dir: fastDir(t), ServerKey: auth.GenerateKey(), Seed: 8, Merchants: 2, History: true, Fast: true}
			w, err := Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if old {
				raw, _ := w.Market.Store.Meta(ctx, "sim_world")
				var st map[string]any
				if err := json.Unmarshal([]byte(raw), &st); err != nil {
					t.Fatal(err)
				}
				delete(st, "retail")
				b, _ := json.Marshal(st)
				if err := w.Market.Store.SetMeta(ctx, "sim_world", string(b)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(ctx); err != nil {
				t.Fatal(err)
			}
			w, err = Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close(ctx)
			user, _, err := w.NewPerson(ctx, person{Handle: "you", RealName: "Practice User", Phone: "13900000000"}, 1, false,
				map[string]string{"USDT": "2000"}, practiceCNY)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				if _, err := w.StageScenario(ctx, "third-party-payer", user); err != nil {
					t.Fatalf("drill %d after the restart: %v", i+1, err)
				}
			}
		})
	}
}
