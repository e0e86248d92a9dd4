package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"p2pdesk/sim"
)

// simCommand runs the simulator's scenarios headless, the way the tests do,
// so anyone can see what a scenario does and what it costs a careless user.
func (a *app) simCommand() *cobra.Command {
	c := &cobra.Command{Use: "sim", Short: "Scenarios of the simulated market, run headless"}
	c.AddCommand(&cobra.Command{
		Use:   "scenarios",
		Short: "List the practice scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tYOU\tWHAT HAPPENS")
			for _, n := range sim.ScenarioNames() {
				s := sim.Scenarios[n]
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Direction, s.Summary)
			}
			return tw.Flush()
		},
	})
	var seed uint64
	var policy string
	var verbose, live, exam bool
	var speed float64
	run := &cobra.Command{
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return sim.ScenarioNames(), cobra.ShellCompDirectiveNoFileComp
		},
		Use:   "run SCENARIO...",
		Short: "Play scenarios with a scripted user and print each outcome",
		Long: `Plays scenarios, one after another in one throw-away marketplace (a name may
repeat; each drill gets fresh counterparties). The scripted user is careful
(checks the Alipay statement, the payer's name, keeps to the platform) or
careless (releases on "paid", believes chat).

By default the market is deterministic and runs at top speed: the same seed,
scenarios and policy always print the same eventlog hash. With --live it runs
the way the practice market of the terminal app does: the clock follows wall
time at --speed, signatures and one-time codes are checked against wall time,
and merchants trade around the drill. A live run ends each drill in the same
order state and grade as the deterministic run.`,
		Example: `  p2pdesk sim run third-party-payer --policy careless --seed 3 -v
  p2pdesk sim run honest-seller pressure honest-seller --live --speed 600`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := sim.ParsePolicy(policy)
			if err != nil {
				return &usageError{err.Error()}
			}
			for _, n := range args {
				if _, ok := sim.Scenarios[n]; !ok {
					return &usageError{fmt.Sprintf("unknown scenario %q; these exist: %s", n, strings.Join(sim.ScenarioNames(), ", "))}
				}
			}
			if live && !(speed >= 1 && speed <= sim.MaxSpeed) {
				return &usageError{fmt.Sprintf("--speed is 1 (real time) to %d", sim.MaxSpeed)}
			}
			reps, err := sim.RunScenarios(cmd.Context(), sim.RunOptions{Scenarios: args, Seed: seed, Policy: pol, Log: a.log, Live: live, Speed: speed, Exam: exam})
			failed := 0
			for i, rep := range reps {
				if i > 0 {
					fmt.Fprintln(a.out)
				}
				rep.Print(a.out)
				if verbose {
					fmt.Fprintln(a.out)
					rep.Debrief.PrintIn(a.out, a.tr())
				}
				if !rep.OK() {
					failed++
					fmt.Fprintf(a.errOut, "p2pdesk: %s did not end as the scenario documents (expected %+v)\n", rep.Scenario, rep.Expected)
				}
			}
			if err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d drills did not end as documented", failed, len(reps))
			}
			return nil
		},
	}
	run.Flags().Uint64Var(&seed, "seed", 1, "seed of the run")
	run.Flags().StringVar(&policy, "policy", "careful", "the scripted user: careful or careless")
	run.Flags().BoolVarP(&verbose, "verbose", "v", false, "print the debrief too")
	run.Flags().BoolVar(&exam, "exam", false, "exam mode: the drills as the TUI's exam plays them, without the app's labels; the debrief shows what they would have said")
	run.Flags().BoolVar(&live, "live", false, "play on a live clock with wall-clock authentication, as the practice market runs")
	run.Flags().Float64Var(&speed, "speed", 60, "with --live: how many times faster than real time the clock runs (1-600)")
	c.AddCommand(run)
	return c
}
