package sim

import (
	"context"
	"reflect"
	"testing"
)

// TestReplay reads back what a scripted user did in a drill, plays it
// again from the seed, and gets the same drill: the same outcome, grade
// and the same event log, twice. (TestLiveDrills replays every scenario
// of both policies once, from live recordings; these two cases, a refund
// and dispute with evidence and a release with a code, check that two
// replays of one recording are the same to the byte.)
func TestReplay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scenario string
		policy   Policy
	}{
		{"third-party-payer", Careful},      // refund, then dispute with evidence
		{"marks-paid-never-pays", Careless}, // releases on a claim, with a code
	} {
		t.Run(c.scenario+"/"+string(c.policy), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			orig, err := RunScenario(ctx, RunOptions{Scenario: c.scenario, Seed: 9, Policy: c.policy})
			if err != nil {
				t.Fatal(err)
			}
			if len(orig.Recording.Inputs) == 0 && orig.Order.ID != 0 {
				t.Fatalf("nothing recorded from %+v", orig.Order)
			}
			var logs []string
			for i := 0; i < 2; i++ {
				rec := orig.Recording
				rep, err := RunScenario(ctx, RunOptions{Scenario: c.scenario, Seed: 9, Replay: &rec})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Debrief.Grade != orig.Debrief.Grade || rep.Got != orig.Got || rep.Outcome != orig.Outcome {
					t.Fatalf("replay %d: grade %s outcome %q %+v; the drill had grade %s outcome %q %+v\ninputs: %s",
						i+1, rep.Debrief.Grade, rep.Outcome, rep.Got, orig.Debrief.Grade, orig.Outcome, orig.Got, InputsText(rec.Inputs))
				}
				if !reflect.DeepEqual(rep.Recording, orig.Recording) {
					t.Fatalf("the replay did other things:\n drill:  %s\n replay: %s", InputsText(orig.Recording.Inputs), InputsText(rep.Recording.Inputs))
				}
				logs = append(logs, rep.EventLog)
			}
			if logs[0] != logs[1] {
				t.Fatalf("two replays of one recording made different event logs: %s, %s", logs[0][:12], logs[1][:12])
			}
		})
	}
}
