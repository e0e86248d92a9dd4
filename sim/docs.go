package sim

import (
	"fmt"
	"io"
)

// WriteScenarioDocs writes docs/SCENARIOS.md from the scenarios themselves,
// so the documentation cannot drift from what runs.
func WriteScenarioDocs(w io.Writer) {
	fmt.Fprint(w, `# Practice scenarios

Each scenario stages one thing that goes right or wrong in a P2P trade
settled over Alipay, with a scripted counterparty that acts through the
same API as everyone else. Pick one in the TUI's practice mode, or run it
headless:

    p2pdesk sim scenarios
    p2pdesk sim run NAME --seed 1 --policy careful   # or careless
    p2pdesk sim run NAME --seed 1 --policy careless -v   # with the debrief
    p2pdesk sim run NAME NAME... --live --speed 600     # as the TUI's practice market runs

Several names run one after another in one world, and a name may repeat:
every drill gets counterparties of its own. `+"`--live`"+` plays them in the mode
of the TUI's practice market: wall-clock signatures and one-time codes (a
user waits for the next code between releases, as a person does), the
market's clock at `+"`--speed`"+`, merchants trading around the drill. A live run
ends in the same order state and grade as the deterministic one.

The same seed, scenario and inputs always give the same event log (its
SHA-256 is printed as `+"`eventlog:`"+`). Support resolves disputes from the
Alipay rail's records, never from claims alone: when it takes a dispute up
(ten minutes after it opened, however it opened) it says in chat until when
it takes evidence (30 minutes), waits that long, and decides from what both
sides attached: a buyer who paid the exact total from their own account
and attached that statement line gets the crypto.

The drills form a course: *basics* (the careless path loses nothing but
grade), *scams* (it loses money or crypto), and the *exam*: the same drills
in a surprise order without the app's labels (the TUI's `+"`e`"+` on the Practice
tab, `+"`--exam`"+` here). An exam debrief lists what the labels would have said and
when; `+"`p2pdesk practice report`"+` prints the course from the journal. Every
debrief ends on the careful move at the moment of the first wrong one, and
the guide's advice it follows.

*withdraw*: you sell crypto and are paid to your Alipay.
*deposit*: you buy crypto and pay the seller's Alipay.

This file is generated from sim/scenario.go by
`+"`go test ./sim -run TestScenarioDocs -update`"+`.
`)
	for _, n := range ScenarioNames() {
		s := Scenarios[n]
		fmt.Fprintf(w, "\n## %s (%s, %s)\n\n%s\n\n", s.Name, s.Direction, s.Level(), s.Summary)
		fmt.Fprintf(w, "- **What the counterparty does:** %s\n", s.Risk)
		fmt.Fprintf(w, "- **What a careful user does:** %s\n", s.Careful)
		fmt.Fprintf(w, "- **The wrong move:** %s\n", s.Careless)
		fmt.Fprintf(w, "- **%s**\n", english.T("scenario."+n+".guide"))
		for _, p := range []Policy{Careful, Careless} {
			e := s.Expect[p]
			fmt.Fprintf(w, "- **%s user:** order ends %s; crypto %s, Alipay %s; grade %s\n", p, e.State, share(e.Crypto), share(e.Fiat), e.Grade)
		}
	}
}

func share(n int) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d× the order", n)
	case n < 0:
		return fmt.Sprintf("%d× the order", n)
	}
	return "unchanged"
}
