package sim

import (
	"context"
	"strings"
	"testing"
	"time"
)

// polling lists the bots still looking at their orders.
func (s *Scheduler) polling() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, t := range s.q {
		if !t.dead && strings.HasPrefix(t.name, "poll ") {
			names = append(names, strings.TrimPrefix(t.name, "poll "))
		}
	}
	return names
}

// TestDrillCounterpartiesStopAfterTheirDrill plays four drills in one
// world and lets it run on: every drill's counterparty stops looking at
// its orders once its drill has settled, so a long practice session
// costs what its merchants cost, not more with every drill played.
func TestDrillCounterpartiesStopAfterTheirDrill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openWorld(t, Options{Seed: 5})
	user, _, err := w.NewPerson(ctx, person{Handle: "you", RealName: "Practice User", Phone: "13900000000"}, 1, false,
		map[string]string{"USDT": "2000"}, practiceCNY)
	if err != nil {
		t.Fatal(err)
	}
	user.Script = &userScript{policy: Careful}
	user.WatchClosed = true
	w.Watch(user, 20*time.Second)
	for i, name := range []string{"honest-buyer", "third-party-payer", "honest-seller", "late-payment"} {
		rep, err := runDrill(ctx, w, user, name, i, RunOptions{Seed: 5, Policy: Careful, MaxDuration: 6 * time.Hour})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !rep.OK() {
			t.Fatalf("%s: expected %+v, got %+v", name, rep.Expected, rep.Got)
		}
	}
	before := w.Sched.polling()
	if len(before) < 2 {
		t.Fatalf("polling right after the last drill: %v; its counterparty should still be there", before)
	}
	w.Sched.RunFor(3 * time.Hour)
	if got := w.Sched.polling(); len(got) != 1 || got[0] != user.Name {
		t.Fatalf("still polling three hours after the last drill: %v, want only the user %s", got, user.Name)
	}
}

// TestUntakenDrillCounterpartyStops: a drill nobody takes ends with its
// ad, an hour later, and its counterparty with it.
func TestUntakenDrillCounterpartyStops(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t, Options{Seed: 6})
	user, _, err := w.NewPerson(ctx, person{Handle: "you", RealName: "Practice User", Phone: "13900000000"}, 1, false,
		map[string]string{"USDT": "2000"}, practiceCNY)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.StageScenario(ctx, "honest-seller", user)
	if err != nil {
		t.Fatal(err)
	}
	st.Watch(w)
	w.Sched.RunFor(30 * time.Minute)
	if got := w.Sched.polling(); len(got) != 1 {
		t.Fatalf("polling half an hour in: %v, want the counterparty", got)
	}
	w.Sched.RunFor(time.Hour)
	if got := w.Sched.polling(); len(got) != 0 {
		t.Fatalf("still polling after the untaken ad came down: %v", got)
	}
}
