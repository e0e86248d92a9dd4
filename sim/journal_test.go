package sim

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
)

// TestJournalKeepsAndReplaysADrill plays a drill as the person at the
// keyboard does (through the API, in the shared practice market), keeps
// it in the journal, reads it back from the file as a later session
// would, and replays it twice: both replays match the journal's event log.
func TestJournalKeepsAndReplaysADrill(t *testing.T) {
	// CPU-bound, in parallel with the live drills, which mostly wait on wall time.
	t.Parallel()
	ctx := context.Background()
	w := openWorld(t, Options{Seed: 4, Merchants: 3, History: true})
	acct, err := w.OpenPracticeAccount(ctx, "you", "Chen Jing")
	if err != nil {
		t.Fatal(err)
	}
	mc := w.clientFor(acct.Credentials)
	rc := client.NewAlipay(w.URL(), acct.AlipayToken, nil)
	me, err := rc.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	human := w.Human(acct.UserID, me.ID, acct.Name, mc, rc)
	st, err := w.StageScenario(ctx, "seller-never-releases", human)
	if err != nil {
		t.Fatal(err)
	}
	st.Watch(w)

	// The user buys, pays the order's payee from their own Alipay, marks
	// paid, waits, and disputes with the payment as evidence.
	o, err := mc.TakeAd(ctx, api.TakeRequest{AdID: st.Ad.ID, Amount: "100"}, "drill-1")
	if err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(2 * time.Minute)
	line, err := rc.Send(ctx, o.PayTo.Account, o.FiatTotal.FixedN(2), fmt.Sprintf("order %d", o.ID), acct.AlipayPassword, "drill-pay")
	if err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(time.Minute)
	if _, err := mc.MarkPaid(ctx, o.ID, api.StateCreated); err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(20 * time.Minute)
	if _, err := mc.Dispute(ctx, o.ID, api.DisputeRequest{Reason: "paid-not-released", Statement: "I paid; here is the transfer.", Evidence: []string{line.TxID}}); err != nil {
		t.Fatal(err)
	}
	w.Sched.RunFor(2 * time.Hour)

	path := filepath.Join(t.TempDir(), "practice", "journal.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := Keep(ctx, j, w, st, o.ID, 77)
	if err != nil {
		t.Fatal(err)
	}
	if kept.N != 1 || kept.EventLog == "" || kept.Live.Grade == "" {
		t.Fatalf("kept %+v", kept)
	}
	var did []string
	for _, in := range kept.Recording.Inputs {
		did = append(did, in.Do)
	}
	if got := InputsText(kept.Recording.Inputs); len(did) < 3 || did[0] != "pay" || did[1] != "paid" || did[2] != "dispute" {
		t.Fatalf("recorded %s", got)
	}
	if d := kept.Recording.Inputs[2]; len(d.Refs) != 1 || d.Reason != "paid-not-released" || d.Text == "" {
		t.Fatalf("dispute recorded as %+v", d)
	}
	if kept.Replay.Grade != kept.Live.Grade {
		t.Fatalf("the replay graded %s, the drill %s", kept.Replay.Grade, kept.Live.Grade)
	}

	// A later session: a new Journal on the same file.
	later, _ := OpenJournal(path)
	e, err := later.Entry(1)
	if err != nil {
		t.Fatal(err)
	}
	if e.Live.Grade != kept.Live.Grade || len(e.Live.Points) == 0 {
		t.Fatalf("read back %+v", e.Live)
	}
	if _, err := later.Entry(2); !errors.Is(err, ErrNoEntry) {
		t.Fatalf("entry 2: %v", err)
	}
	for i := 0; i < 2; i++ {
		rep, err := Replay(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if rep.EventLog != e.EventLog {
			t.Fatalf("replay %d: event log %s, the journal has %s", i+1, rep.EventLog[:12], e.EventLog[:12])
		}
	}
}
