package sim

import (
	"context"
	"reflect"
	"strings"
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
		{"own-payment-mistake", Careless},   // pays the account the form came filled with
		{"friend-pays", Careless},           // the cousin pays, from his statement
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

// TestReplayNamesTheFormsAccountAndTheCousin: a recording names a payment
// to the account the form came filled with by its part ("slip"), not by
// a login another world does not have, and keeps the cousin's payment,
// which is in his statement only; the replay's debrief has it too.
func TestReplayNamesTheFormsAccountAndTheCousin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, want := range map[string]string{"own-payment-mistake": "pay:slip", "friend-pays": "friend:"} {
		orig, err := RunScenario(ctx, RunOptions{Scenario: name, Seed: 9, Policy: Careless})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, in := range orig.Recording.Inputs {
			if in.Do == "pay" || in.Do == "friend" {
				got += in.Do + ":" + in.To
			}
		}
		if got != want {
			t.Fatalf("%s recorded %q, want %q: %s", name, got, want, InputsText(orig.Recording.Inputs))
		}
		if name != "friend-pays" {
			continue
		}
		rec := orig.Recording
		again, err := RunScenario(ctx, RunOptions{Scenario: name, Seed: 9, Replay: &rec})
		if err != nil {
			t.Fatal(err)
		}
		said := false
		for _, p := range again.Debrief.Points {
			said = said || strings.Contains(p.Text, "Li Hua paid the")
		}
		if !said {
			t.Fatalf("the replay lost the cousin's payment: %+v", again.Debrief.Points)
		}
	}
}
