package sim

import (
	"context"
	"strings"
	"testing"
)

// TestScenarios plays every scenario with the careless user, each in a
// fresh world as `p2pdesk sim run NAME` does: each must end as the
// scenario documents, with the books balanced (RunScenario checks the
// invariants), and the user told what went wrong. The careful user plays
// every scenario twice in one world (TestEveryDrillTwiceInOneWorld) and
// live (TestLiveDrills).
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, name := range ScenarioNames() {
		for _, pol := range []Policy{Careless} {
			name, pol := name, pol
			t.Run(name+"/"+string(pol), func(t *testing.T) {
				t.Parallel()
				rep, err := RunScenario(context.Background(), RunOptions{Scenario: name, Seed: 42, Policy: pol})
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				rep.Print(&b)
				if !rep.OK() {
					t.Fatalf("expected %+v, got %+v\n%s", rep.Expected, rep.Got, b.String())
				}
				if rep.Debrief.Grade != rep.Expected.Grade {
					t.Fatalf("grade %s, want %s\n%s\npoints: %+v", rep.Debrief.Grade, rep.Expected.Grade, b.String(), rep.Debrief.Points)
				}
				if pol == Careless && rep.Expected.Grade != "A" {
					bad := false
					for _, p := range rep.Debrief.Points {
						bad = bad || !p.Good
					}
					if !bad {
						t.Fatalf("the careless user is not told what went wrong: %+v", rep.Debrief.Points)
					}
				}
				t.Log(strings.TrimSpace(b.String()))
			})
		}
	}
}
