package sim

import (
	"fmt"
	"io"
	"strings"

	"p2pdesk/i18n"
)

// The course's levels: the trade as it should go, the scams, and the
// same drills again as an exam, without the app's labels.
const (
	LevelBasics = "basics"
	LevelScams  = "scams"
	LevelExam   = "exam"
)

// Level is the scenario's level in the course: basics where the careless
// path loses nothing, only grade (the lesson is how a trade goes), scams
// where it loses money or crypto.
func (s *Scenario) Level() string {
	if s.Expect[Careless].Grade != "F" {
		return LevelBasics
	}
	return LevelScams
}

// passed: a grade that shows the lesson learnt.
func passed(grade string) bool { return grade == "A" || grade == "B" }

// Course is a learner's progress, read from the practice journal.
type Course struct {
	Levels []LevelProgress
	Risks  []RiskProgress // every scenario, in the course's order
}

// LevelProgress counts the drills of a level passed at least once.
type LevelProgress struct {
	Level         string
	Passed, Total int
}

// RiskProgress is one scenario's record: how often it was played (in the
// exam too), its latest and best grades ("" when never played).
type RiskProgress struct {
	Scenario     string
	Level        string
	Played, Exam int
	Last, Best   string
	ExamBest     string
}

// CourseOf reads the journal's entries (oldest first, as kept).
func CourseOf(es []JournalEntry) Course {
	by := map[string]*RiskProgress{}
	var c Course
	for _, lvl := range []string{LevelBasics, LevelScams} {
		for _, n := range ScenarioNames() {
			if s := Scenarios[n]; s.Level() == lvl {
				c.Risks = append(c.Risks, RiskProgress{Scenario: n, Level: lvl})
			}
		}
	}
	for i := range c.Risks {
		by[c.Risks[i].Scenario] = &c.Risks[i]
	}
	better := func(a, b string) bool { return b == "" || (a != "-" && a < b) }
	for _, e := range es {
		r, ok := by[e.Scenario]
		g := e.Live.Grade
		if !ok || g == "" || g == "-" {
			continue // a drill no longer offered, or one never traded
		}
		r.Played++
		r.Last = g
		if better(g, r.Best) {
			r.Best = g
		}
		if e.Live.Exam {
			r.Exam++
			if better(g, r.ExamBest) {
				r.ExamBest = g
			}
		}
	}
	levels := map[string]*LevelProgress{}
	for _, lvl := range []string{LevelBasics, LevelScams, LevelExam} {
		c.Levels = append(c.Levels, LevelProgress{Level: lvl})
	}
	for i := range c.Levels {
		levels[c.Levels[i].Level] = &c.Levels[i]
	}
	for _, r := range c.Risks {
		l, x := levels[r.Level], levels[LevelExam]
		l.Total++
		x.Total++
		if passed(r.Best) {
			l.Passed++
		}
		if passed(r.ExamBest) {
			x.Passed++
		}
	}
	return c
}

// Next is the drill the course suggests: the first not yet passed, level
// by level; then the first not yet passed in the exam.
func (c Course) Next() (name string, exam bool) {
	for _, r := range c.Risks {
		if !passed(r.Best) {
			return r.Scenario, false
		}
	}
	for _, r := range c.Risks {
		if !passed(r.ExamBest) {
			return r.Scenario, true
		}
	}
	return "", false
}

// Summary is the course in one line: each level's passed drills.
func (c Course) Summary(tr *i18n.Tr) string {
	var parts []string
	for _, l := range c.Levels {
		parts = append(parts, tr.T("course.level_short", "Level", tr.T("course.level."+l.Level), "Passed", l.Passed, "Total", l.Total))
	}
	return tr.T("course.summary", "Levels", strings.Join(parts, " · "))
}

// PrintIn writes the course report in tr's language (nil: English).
func (c Course) PrintIn(w io.Writer, tr *i18n.Tr) {
	if tr == nil {
		tr = english
	}
	zh := tr.Lang() != i18n.EN
	fmt.Fprintln(w, tr.T("course.head"))
	for i, l := range c.Levels {
		bar := strings.Repeat("█", l.Passed) + strings.Repeat("░", l.Total-l.Passed)
		fmt.Fprintf(w, "  %d %s %s  %s\n", i+1, padCells(tr.T("course.level."+l.Level), 8), bar, tr.T("course.passed", "Passed", l.Passed, "Total", l.Total))
	}
	fmt.Fprintln(w, "\n"+tr.T("course.by_risk"))
	dash := func(g string) string {
		if g == "" {
			return "·"
		}
		return g
	}
	// Column heads, so a grade is never read under the wrong one.
	fmt.Fprintf(w, "  %s %s  %s %s %s %s\n", padCells(tr.T("course.col.drill"), 24), padCells(tr.T("course.col.level"), 8),
		padCells(tr.T("course.col.last"), 5), padCells(tr.T("course.col.best"), 5), padCells(tr.T("course.col.exam"), 5), tr.T("course.col.played"))
	for _, r := range c.Risks {
		name := r.Scenario
		if zh {
			name = tr.T("scenario." + name + ".title")
		}
		fmt.Fprintf(w, "  %s %s  %s %s %s %s\n", padCells(name, 24), padCells(tr.T("course.level."+r.Level), 8), padCells(dash(r.Last), 5), padCells(dash(r.Best), 5),
			padCells(dash(r.ExamBest), 5), tr.T("course.played", "N", r.Played, "Exam", r.Exam))
	}
	if name, exam := c.Next(); name != "" {
		title := name
		if zh {
			title = tr.T("scenario."+name+".title") + "（" + name + "）"
		}
		id := "course.next"
		if exam {
			id = "course.next_exam"
		}
		fmt.Fprintln(w, "\n"+tr.T(id, "Name", title))
	} else {
		fmt.Fprintln(w, "\n"+tr.T("course.done"))
	}
}
