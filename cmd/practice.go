package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"p2pdesk/i18n"
	"p2pdesk/sim"
)

// tr speaks the language the user chose for what the commands print:
// --lang, else ui.lang, else the locale.
func (a *app) tr() *i18n.Tr { return i18n.New(a.cfg.Lang(os.Getenv)) }

func (a *app) journalPath() string { return filepath.Join(a.cfg.DataDir, "practice-journal.jsonl") }

func (a *app) practiceCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "practice",
		Short: "The practice journal: past drills, their debriefs, and replays",
	}
	open := func() (*sim.Journal, error) { return sim.OpenJournal(a.journalPath()) }
	entries := func() ([]sim.JournalEntry, error) {
		j, err := open()
		if err != nil {
			return nil, err
		}
		return j.Entries()
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the drills kept in the journal",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			es, err := entries()
			if err != nil {
				return err
			}
			tr := a.tr()
			if len(es) == 0 {
				fmt.Fprintln(a.out, tr.T("practice.none"))
			}
			for _, e := range es {
				fmt.Fprintf(a.out, "#%-4d %s  %-26s %s\n", e.N, e.At.Local().Format("2006-01-02 15:04"), e.Scenario,
					tr.T("practice.row_tail", "Grade", e.Live.Grade, "Inputs", len(e.Recording.Inputs)))
			}
			return nil
		},
	}
	// entry reads the drill numbered arg from the journal.
	entry := func(arg string) (sim.JournalEntry, error) {
		n, err := strconv.Atoi(arg)
		if err != nil {
			return sim.JournalEntry{}, &usageError{a.tr().T("practice.bad_n")}
		}
		j, err := open()
		if err != nil {
			return sim.JournalEntry{}, err
		}
		return j.Entry(n)
	}
	report := &cobra.Command{
		Use:   "report",
		Short: "Print the course: each level's drills passed, and each risk's grades",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			es, err := entries()
			if err != nil {
				return err
			}
			sim.CourseOf(es).PrintIn(a.out, a.tr())
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show N",
		Short: "Print the debrief of drill N",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := entry(args[0])
			if err != nil {
				return err
			}
			writeJournalEntryIn(a.out, e, a.tr())
			return nil
		},
	}
	replay := &cobra.Command{
		Use:   "replay N",
		Short: "Play drill N again from its seed and recorded inputs, and check the event log",
		Long: `replay plays the drill again at top speed in a fresh simulated market, from the
seed and the user's recorded inputs, prints its debrief, and checks that its
event log is identical to the one kept when the drill ended. It exits 1 if not.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := entry(args[0])
			if err != nil {
				return err
			}
			rep, err := sim.Replay(cmd.Context(), e)
			if err != nil {
				return err
			}
			tr := a.tr()
			rep.Print(a.out)
			rep.Debrief.PrintIn(a.out, tr)
			fmt.Fprintln(a.out, tr.T("practice.journal_kept", "State", e.Live.State, "Grade", e.Live.Grade))
			if e.Differs != "" {
				fmt.Fprintln(a.out, tr.T("practice.replay_differs", "Why", e.Differs))
			}
			if rep.EventLog != e.EventLog {
				return fmt.Errorf("the replay's event log %s differs from the journal's %s", short(rep.EventLog), short(e.EventLog))
			}
			if !sim.Agree(rep.Debrief, e.Replay) {
				return fmt.Errorf("the replay ended %s, grade %s; when the drill was kept it ended %s, grade %s", rep.Debrief.State, rep.Debrief.Grade, e.Replay.State, e.Replay.Grade)
			}
			if e.Differs == "" && !sim.Agree(rep.Debrief, e.Live) {
				return fmt.Errorf("the replay ended %s, grade %s; the journal keeps %s, grade %s", rep.Debrief.State, rep.Debrief.Grade, e.Live.State, e.Live.Grade)
			}
			fmt.Fprintln(a.out, tr.T("practice.replay_same", "Log", short(e.EventLog)))
			return nil
		},
	}
	c.AddCommand(list, report, show, replay)
	return c
}

// writeJournalEntryIn is writeJournalEntry in tr's language (nil: English).
func writeJournalEntryIn(w io.Writer, e sim.JournalEntry, tr *i18n.Tr) {
	if tr == nil || tr.Lang() == i18n.EN {
		fmt.Fprintf(w, "Drill #%d · %s · ended %s\n", e.N, e.Scenario, e.At.Local().Format(time.DateTime))
		fmt.Fprintf(w, "What you did: %s\n", orNothing(sim.InputsText(e.Recording.Inputs)))
		fmt.Fprintf(w, "Replay: seed %d, event log %s\n", e.Seed, short(e.EventLog))
		if e.Differs != "" {
			fmt.Fprintf(w, "The replay differs: %s.\n", e.Differs)
		}
		fmt.Fprintln(w)
		e.Live.Print(w)
		return
	}
	var did []string
	for _, in := range e.Recording.Inputs {
		did = append(did, "+"+in.After.Round(time.Second).String()+" "+tr.T("input."+in.Do))
	}
	fmt.Fprintln(w, tr.T("journal.entry_head", "N", e.N, "Scenario", e.Scenario, "At", e.At.Local().Format("2006年1月2日 15:04")))
	if len(did) == 0 {
		fmt.Fprintln(w, tr.T("journal.did", "Did", tr.T("journal.did_nothing")))
	} else {
		fmt.Fprintln(w, tr.T("journal.did", "Did", strings.Join(did, "，")))
	}
	fmt.Fprintln(w, tr.T("journal.replay", "Seed", e.Seed, "Log", short(e.EventLog)))
	if e.Differs != "" {
		fmt.Fprintln(w, tr.T("journal.differs", "Why", e.Differs))
	}
	fmt.Fprintln(w)
	e.Live.PrintIn(w, tr)
}

func orNothing(s string) string {
	if s == "" {
		return "nothing after taking the ad"
	}
	return s
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
