package sim

import (
	"strings"
	"testing"

	"p2pdesk/i18n"
)

// TestCourseCountsPassesPerLevel: a level counts the drills passed at
// least once (A or B), the exam only drills passed in exam mode; a drill
// never traded counts for nothing; the report suggests the next drill.
func TestCourseCountsPassesPerLevel(t *testing.T) {
	e := func(name, grade string, exam bool) JournalEntry {
		return JournalEntry{Scenario: name, Live: Debrief{Scenario: name, Grade: grade, Exam: exam}}
	}
	if Scenarios["honest-buyer"].Level() != LevelBasics || Scenarios["tainted-money"].Level() != LevelScams {
		t.Fatal("levels are not read from what the careless path loses")
	}
	c := CourseOf([]JournalEntry{
		e("honest-buyer", "A", false), e("honest-buyer", "C", false), // passed once, latest C
		e("third-party-payer", "F", false), e("third-party-payer", "A", true), // passed in the exam only
		e("pressure", "-", false), // never traded
		e("no-such-drill", "A", false),
	})
	lv := map[string]LevelProgress{}
	for _, l := range c.Levels {
		lv[l.Level] = l
	}
	if lv[LevelBasics].Passed != 1 || lv[LevelScams].Passed != 1 || lv[LevelExam].Passed != 1 {
		t.Fatalf("levels %+v", c.Levels)
	}
	if lv[LevelExam].Total != len(Scenarios) || lv[LevelBasics].Total+lv[LevelScams].Total != len(Scenarios) {
		t.Fatalf("totals %+v for %d drills", c.Levels, len(Scenarios))
	}
	for _, r := range c.Risks {
		switch r.Scenario {
		case "honest-buyer":
			if r.Played != 2 || r.Last != "C" || r.Best != "A" || r.ExamBest != "" {
				t.Fatalf("honest-buyer %+v", r)
			}
		case "third-party-payer":
			if r.Played != 2 || r.Exam != 1 || r.Best != "A" || r.ExamBest != "A" || r.Last != "A" {
				t.Fatalf("third-party-payer %+v", r)
			}
		case "pressure":
			if r.Played != 0 {
				t.Fatalf("a drill never traded counted: %+v", r)
			}
		}
	}
	if name, exam := c.Next(); exam || Scenarios[name].Level() != LevelBasics || name == "honest-buyer" {
		t.Fatalf("next %s (exam %v): the first basics drill not passed", name, exam)
	}
	for _, tr := range []*i18n.Tr{nil, i18n.New(i18n.ZH)} {
		var b strings.Builder
		c.PrintIn(&b, tr)
		if out := b.String(); !strings.Contains(out, "1/") && !strings.Contains(out, "1 of") {
			t.Fatalf("report:\n%s", out)
		}
	}
	var b strings.Builder
	c.PrintIn(&b, nil)
	if !strings.Contains(b.String(), "1 of") || !strings.Contains(b.String(), "Next: ") {
		t.Fatalf("report:\n%s", b.String())
	}
}
