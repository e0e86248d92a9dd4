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
	var verbose bool
	run := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Play one scenario with a scripted user at top speed and print the outcome",
		Long: `Plays a scenario against a fresh throw-away marketplace on a simulated clock.
The scripted user is careful (checks the Alipay statement, the payer's name,
keeps to the platform) or careless (releases on "paid", believes chat).
The same seed, scenario and policy always print the same eventlog hash.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := sim.ParsePolicy(policy)
			if err != nil {
				return &usageError{err.Error()}
			}
			if _, ok := sim.Scenarios[args[0]]; !ok {
				return &usageError{fmt.Sprintf("unknown scenario %q; these exist: %s", args[0], strings.Join(sim.ScenarioNames(), ", "))}
			}
			rep, err := sim.RunScenario(cmd.Context(), sim.RunOptions{Scenario: args[0], Seed: seed, Policy: pol, Log: a.log})
			if err != nil {
				return err
			}
			rep.Print(a.out)
			if verbose {
				fmt.Fprintln(a.out)
				rep.Debrief.Print(a.out)
			}
			if !rep.OK() {
				return fmt.Errorf("the run did not end as the scenario documents (expected %+v)", rep.Expected)
			}
			return nil
		},
	}
	run.Flags().Uint64Var(&seed, "seed", 1, "seed of the run")
	run.Flags().StringVar(&policy, "policy", "careful", "the scripted user: careful or careless")
	run.Flags().BoolVarP(&verbose, "verbose", "v", false, "print the debrief too")
	c.AddCommand(run)
	return c
}
