package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JournalEntry is one finished drill, kept so the user can read its
// debrief later and play it again.
type JournalEntry struct {
	N        int       `json:"n"`
	At       time.Time `json:"at"` // when the drill's order ended, on the market's clock
	Scenario string    `json:"scenario"`
	// Live is the debrief of the drill as it was played.
	Live Debrief `json:"live"`
	// Seed and Recording replay the drill in a world of its own; EventLog
	// is that replay's event-log hash, which every later replay matches.
	Seed      uint64    `json:"seed,string"`
	Recording Recording `json:"recording"`
	EventLog  string    `json:"eventLog"`
	Replay    Debrief   `json:"replay"`
	// Differs says why the replay ended otherwise than the drill as
	// played; empty when they agree. The journal's grade is the drill's.
	Differs string `json:"differs,omitempty"`
}

// Agree: the replay ended as the drill did, in state and grade.
func Agree(live, replay Debrief) bool {
	return live.State == replay.State && live.Grade == replay.Grade
}

// why explains a replay that ended otherwise than the live drill. The
// replay plays the user's inputs at the same moments of the drill, in a
// world with no merchants trading around it and codes on the market's
// clock; what the counterparty did in between is what it would do there.
func why(live, replay Debrief) string {
	return fmt.Sprintf("the drill as played ended %s, grade %s; its replay ends %s, grade %s. "+
		"The replay repeats your inputs at the same moments, but the counterparty and support act on the replay's own timing "+
		"(the live market ran on the wall clock at the speed you chose, with merchants trading around the drill); the journal keeps the drill as played",
		live.State, live.Grade, replay.State, replay.Grade)
}

// ErrNoEntry: the journal has no entry of that number.
var ErrNoEntry = errors.New("no such journal entry")

// Journal is the practice journal: one JSON object per line in a file of
// the user's data directory, appended to and never rewritten. It holds no
// secret: scenario names, times, amounts and what was said in a drill.
type Journal struct {
	Path string
	mu   sync.Mutex
}

// OpenJournal uses the journal at path, creating its directory.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return &Journal{Path: path}, nil
}

// Entries reads every entry, oldest first. A torn last line (a crash
// mid-append) is skipped, not fatal.
func (j *Journal) Entries() ([]JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.read()
}

func (j *Journal) read() ([]JournalEntry, error) {
	b, err := os.ReadFile(j.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []JournalEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var e JournalEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.N > 0 {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// Entry finds entry n.
func (j *Journal) Entry(n int) (JournalEntry, error) {
	es, err := j.Entries()
	if err != nil {
		return JournalEntry{}, err
	}
	for _, e := range es {
		if e.N == n {
			return e, nil
		}
	}
	return JournalEntry{}, fmt.Errorf("%w: %d (p2pdesk practice list shows them)", ErrNoEntry, n)
}

// Append numbers e and writes it durably.
func (j *Journal) Append(e *JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	es, err := j.read()
	if err != nil {
		return err
	}
	e.N = 1
	if len(es) > 0 {
		e.N = es[len(es)-1].N + 1
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(j.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Keep journals a drill the user just finished in world w: what they did
// is read back from the records, then played again from seed in a world
// of its own, whose event log becomes the entry's reference.
func Keep(ctx context.Context, j *Journal, w *World, st *Stage, orderID int64, seed uint64) (JournalEntry, error) {
	live, err := w.Debrief(ctx, st, orderID)
	if err != nil {
		return JournalEntry{}, err
	}
	take, inputs, err := RecordInputs(ctx, st, orderID)
	if err != nil {
		return JournalEntry{}, err
	}
	// When the drill ended, on the market's clock: the time its screens
	// showed (a live practice market's date is its own).
	at := w.Sched.Now()
	if o, err := st.User.Market.Order(ctx, orderID); err == nil && o.ClosedAt != nil {
		at = *o.ClosedAt
	}
	e := JournalEntry{At: at.UTC(), Scenario: st.Scenario.Name, Live: live, Seed: seed, Recording: Recording{Take: take, Inputs: inputs}}
	rep, err := Replay(ctx, e)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("replaying the drill: %w", err)
	}
	e.EventLog, e.Replay = rep.EventLog, rep.Debrief
	if !Agree(live, rep.Debrief) {
		e.Differs = why(live, rep.Debrief)
	}
	return e, j.Append(&e)
}

// Replay plays a journal entry again in a fresh world at top speed.
func Replay(ctx context.Context, e JournalEntry) (Report, error) {
	rec := e.Recording
	return RunScenario(ctx, RunOptions{Scenario: e.Scenario, Seed: e.Seed, Replay: &rec})
}
