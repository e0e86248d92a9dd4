package cmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// TestPracticeJournalCommands: a drill kept in the journal is listed,
// its debrief printed in a later process, and its replay matches the
// event log kept with it; a tampered log makes replay fail.
func TestPracticeJournalCommands(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	rep, err := sim.RunScenario(ctx, sim.RunOptions{Scenario: "pressure", Seed: 3, Policy: sim.Careful})
	if err != nil {
		t.Fatal(err)
	}
	// Keep it as the TUI does: the inputs read back, replayed once.
	e := sim.JournalEntry{At: time.Now(), Scenario: "pressure", Live: rep.Debrief, Seed: 5, Recording: rep.Recording}
	again, err := sim.Replay(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	e.EventLog, e.Replay = again.EventLog, again.Debrief
	j, err := sim.OpenJournal(filepath.Join(home, "xdg_data_home", "p2pdesk", "practice-journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(&e); err != nil {
		t.Fatal(err)
	}
	st := secrets.NewMemory()
	out, _, err := run(t, st, "", "practice", "list")
	if err != nil || !strings.Contains(out, "#1") || !strings.Contains(out, "pressure") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "practice", "show", "1")
	if err != nil || !strings.Contains(out, "Drill #1 · pressure") || !strings.Contains(out, "grade") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = run(t, st, "", "practice", "replay", "1")
	if err != nil || !strings.Contains(out, "replay: identical event log") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	// An entry whose log does not match what its inputs make is caught.
	e.EventLog = strings.Repeat("0", 64)
	if err := j.Append(&e); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, st, "", "practice", "replay", "2"); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("replay of a tampered entry: %v", err)
	}
	if _, _, err := run(t, st, "", "practice", "show", "x"); err == nil {
		t.Fatal("show x should be a usage error")
	}
}
