package sim

import (
	"context"
	"strings"
	"testing"
)

// TestLiveDrills plays every scenario with both policies in the mode the
// practice market runs: wall-clock codes and signatures, the clock at a
// high speed, merchants trading around the drills, all the drills of a
// policy one after another in one world. Each must end as the scenario
// documents (as its deterministic run does), and its replay, which is what
// the journal keeps, must end in the same state with the same grade.
func TestLiveDrills(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 28 live drills")
	}
	for _, pol := range []Policy{Careful, Careless} {
		pol := pol
		t.Run(string(pol), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			reps, err := RunScenarios(ctx, RunOptions{Scenarios: ScenarioNames(), Seed: 7, Policy: pol, Live: true, Speed: 900})
			if err != nil {
				t.Fatalf("after %d drills: %v", len(reps), err)
			}
			if len(reps) != len(ScenarioNames()) {
				t.Fatalf("%d reports for %d drills", len(reps), len(ScenarioNames()))
			}
			for _, rep := range reps {
				var b strings.Builder
				rep.Print(&b)
				if !rep.OK() || rep.Debrief.Grade != rep.Expected.Grade {
					t.Errorf("%s live: expected %+v, got %+v grade %s\n%s", rep.Scenario, rep.Expected, rep.Got, rep.Debrief.Grade, b.String())
					continue
				}
				if rep.Order.ID == 0 {
					continue
				}
				rec := rep.Recording
				again, err := RunScenario(ctx, RunOptions{Scenario: rep.Scenario, Seed: 7, Replay: &rec})
				if err != nil {
					t.Errorf("%s replay: %v", rep.Scenario, err)
					continue
				}
				if !Agree(rep.Debrief, again.Debrief) {
					t.Errorf("%s: live %s grade %s, replay %s grade %s\ninputs: %s", rep.Scenario, rep.Debrief.State, rep.Debrief.Grade,
						again.Debrief.State, again.Debrief.Grade, InputsText(rec.Inputs))
				}
			}
		})
	}
}

// TestEveryDrillTwiceInOneWorld stages each scenario twice in one world:
// every drill gets fresh counterparties (no name is taken twice) and ends
// as documented the second time too.
func TestEveryDrillTwiceInOneWorld(t *testing.T) {
	// CPU-bound, in parallel with the live drills, which mostly wait on wall time.
	t.Parallel()
	names := append(ScenarioNames(), ScenarioNames()...)
	reps, err := RunScenarios(context.Background(), RunOptions{Scenarios: names, Seed: 11, Policy: Careful})
	if err != nil {
		t.Fatalf("after %d drills: %v", len(reps), err)
	}
	if len(reps) != len(names) {
		t.Fatalf("%d reports for %d drills", len(reps), len(names))
	}
	for i, rep := range reps {
		if !rep.OK() || rep.Debrief.Grade != rep.Expected.Grade {
			var b strings.Builder
			rep.Print(&b)
			t.Errorf("drill %d (%s): expected %+v, got %+v grade %s\n%s", i+1, rep.Scenario, rep.Expected, rep.Got, rep.Debrief.Grade, b.String())
		}
	}
}
