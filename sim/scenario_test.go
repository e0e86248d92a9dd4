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

// TestExamDebriefSaysWhatTheLabelsWouldHave: an exam drill ends as the
// same drill does with labels (the scripted users never read them), and
// its debrief says which labels were hidden and when; a drill out of the
// exam does not print them.
func TestExamDebriefSaysWhatTheLabelsWouldHave(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		want []string
	}{
		{"third-party-payer", []string{"not the buyer's exact payment"}},
		{"tainted-money", []string{"the payment note says “USDT 100”", "pressure: check your statement, not the chat"}},
		{"asked-for-code", []string{"asks for a code or password"}},
	} {
		rep, err := RunScenario(context.Background(), RunOptions{Scenario: c.name, Seed: 5, Policy: Careful, Exam: true})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		rep.Debrief.Print(&b)
		out := b.String()
		if !rep.OK() || rep.Debrief.Grade != "A" || !rep.Debrief.Exam {
			t.Fatalf("%s in the exam: %+v grade %s\n%s", c.name, rep.Got, rep.Debrief.Grade, out)
		}
		for _, w := range append(c.want, "Exam: the labels the app would have shown") {
			if !strings.Contains(out, w) {
				t.Fatalf("%s: the exam debrief does not say %q:\n%s", c.name, w, out)
			}
		}
		rep.Debrief.Exam = false
		b.Reset()
		rep.Debrief.Print(&b)
		if strings.Contains(b.String(), "Exam:") {
			t.Fatalf("%s: a drill out of the exam prints the hidden labels", c.name)
		}
	}
}
