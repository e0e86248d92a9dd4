package sim

import (
	"context"
	"strings"
	"testing"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/money"
)

// TestScenarios plays every scenario with both users, each in a fresh
// world as `p2pdesk sim run NAME` does: each must end as the scenario
// documents, with the books balanced (RunScenario checks the invariants),
// and the careless user told what went wrong. Both play every scenario
// live too (TestLiveDrills), and some twice in one world
// (TestDrillsStageTwiceInOneWorld).
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, name := range ScenarioNames() {
		for _, pol := range []Policy{Careful, Careless} {
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
		{"tainted-money", []string{"the payment note says “USDT 100”", "pressure: check your statement, not the chat"}},
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

// TestStatementLabels: money in that is not the buyer's exact payment is
// labelled, as the order screen labels it; the exact payment is not.
func TestStatementLabels(t *testing.T) {
	o := api.OrderView{Role: "seller", PayerName: "Wu Yu", FiatTotal: money.MustParse("725.00", 2)}
	exact := alipay.Line{Direction: "in", CounterpartyName: "Wu Yu", Amount: money.MustParse("725.00", 2)}
	other := alipay.Line{Direction: "in", CounterpartyName: "Zhang San", Amount: money.MustParse("725.00", 2)}
	if l := statementLabels(o, exact); len(l) != 0 {
		t.Fatalf("the exact payment labelled: %+v", l)
	}
	if l := statementLabels(o, other); len(l) != 1 || !strings.Contains(l[0].Text, "725.00 CNY from Zhang San: not the buyer's exact payment") {
		t.Fatalf("a third party's money: %+v", l)
	}
}
