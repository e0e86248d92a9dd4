package sim

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// TestLiveDrills plays every scenario with both policies in the mode the
// practice market runs: wall-clock codes and signatures, the clock at a
// high speed, merchants trading around the drills, several drills one
// after another in each world. Each must end as the scenario documents (as
// its deterministic run does), and its replay, which is what the journal
// keeps, must end in the same state with the same grade.
//
// A policy's drills are dealt over three worlds played at once: live, a
// user who released three orders waits for the next 30-second code of
// wall time, as a person does, and in one world that waiting was most of
// the run. The worlds run on goroutines inside one parallel test, so they
// take one of go test's parallel slots and the CPU-bound tests run beside.
func TestLiveDrills(t *testing.T) {
	if testing.Short() {
		t.Skip("plays every drill live, twice")
	}
	t.Parallel()
	const worlds = 3
	var wg sync.WaitGroup
	for _, pol := range []Policy{Careful, Careless} {
		for g := 0; g < worlds; g++ {
			var names []string
			for i, n := range ScenarioNames() {
				if i%worlds == g {
					names = append(names, n)
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				playLive(t, pol, names)
			}()
		}
	}
	wg.Wait()
}

// playLive plays names one after another in one live world, then replays
// each from its recording; failures are reported with t.Errorf (it runs
// on its own goroutine).
func playLive(t *testing.T, pol Policy, names []string) {
	ctx := context.Background()
	reps, err := RunScenarios(ctx, RunOptions{Scenarios: names, Seed: 7, Policy: pol, Live: true, Speed: 900})
	if err != nil {
		t.Errorf("%s %v, after %d drills: %v", pol, names, len(reps), err)
		return
	}
	if len(reps) != len(names) {
		t.Errorf("%s: %d reports for %d drills", pol, len(reps), len(names))
		return
	}
	for _, rep := range reps {
		var b strings.Builder
		rep.Print(&b)
		if !rep.OK() || rep.Debrief.Grade != rep.Expected.Grade {
			t.Errorf("%s %s live: expected %+v, got %+v grade %s\n%s", rep.Scenario, pol, rep.Expected, rep.Got, rep.Debrief.Grade, b.String())
			continue
		}
		if rep.Order.ID == 0 {
			continue
		}
		rec := rep.Recording
		again, err := RunScenario(ctx, RunOptions{Scenario: rep.Scenario, Seed: 7, Replay: &rec})
		if err != nil {
			t.Errorf("%s %s replay: %v", rep.Scenario, pol, err)
			continue
		}
		if !Agree(rep.Debrief, again.Debrief) {
			t.Errorf("%s %s: live %s grade %s, replay %s grade %s\ninputs: %s", rep.Scenario, pol, rep.Debrief.State, rep.Debrief.Grade,
				again.Debrief.State, again.Debrief.Grade, InputsText(rec.Inputs))
		}
	}
}

// TestDrillsStageTwiceInOneWorld stages scenarios twice in one world:
// every drill gets fresh counterparties (no name is taken twice) and ends
// as documented the second time too.
func TestDrillsStageTwiceInOneWorld(t *testing.T) {
	t.Parallel()
	// The drills that make people of their own beside the counterparty
	// (a payer, a "friend", a look-alike of a merchant's name), whose
	// names and logins a second staging must not take again; every drill
	// plays careful in a world of its own in TestScenarios, and several in
	// one world in TestLiveDrills.
	names := []string{"third-party-payer", "off-platform-lure", "bait-price", "lookalike-merchant", "phishing-link"}
	twice := append(append([]string(nil), names...), names...)
	reps, err := RunScenarios(context.Background(), RunOptions{Scenarios: twice, Seed: 11, Policy: Careful})
	if err != nil {
		t.Fatalf("after %d drills: %v", len(reps), err)
	}
	if len(reps) != len(twice) {
		t.Fatalf("%d reports for %d drills", len(reps), len(twice))
	}
	for i, rep := range reps {
		if !rep.OK() || rep.Debrief.Grade != rep.Expected.Grade {
			var b strings.Builder
			rep.Print(&b)
			t.Errorf("drill %d (%s): expected %+v, got %+v grade %s\n%s", i+1, rep.Scenario, rep.Expected, rep.Got, rep.Debrief.Grade, b.String())
		}
	}
}
