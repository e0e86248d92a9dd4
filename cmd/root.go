// Package cmd is p2pdesk's command line: the TUI (no arguments), the
// marketplace server, account administration, the simulator's runner, the
// scriptable verbs and the benchmarks. It parses flags and configuration
// and wires the packages together; the logic lives in those packages.
package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"p2pdesk/api"
	"p2pdesk/config"
	"p2pdesk/i18n"
	"p2pdesk/store/secrets"
)

// Version is set at build time with -ldflags "-X p2pdesk/cmd.Version=...";
// otherwise it comes from the build info: the module version, or the VCS
// revision (and "+dirty") that go build stamps into the binary.
var Version = buildVersion()

func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if v == "" || v == "(devel)" {
			return rev + dirty
		}
		return v + " (" + rev + dirty + ")"
	}
	if v == "" || v == "(devel)" {
		return "devel (built without VCS information: -buildvcs=false)"
	}
	return v
}

// app is what every command shares.
type app struct {
	cfgFile string
	cfg     config.Config
	log     *slog.Logger
	closers []io.Closer
	out     io.Writer
	errOut  io.Writer
	in      io.Reader
	lines   *bufio.Reader // in, buffered once (input)
	// secrets, when set, replaces the keyring probe (tests).
	secrets secrets.Store
}

// Execute runs the command line and returns the process exit code.
func Execute() int {
	// The marketplace allocates per request; fewer collections mean fewer
	// pauses in the tail of its latency, and memory is plentiful.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	a := &app{out: os.Stdout, errOut: os.Stderr, in: os.Stdin}
	root := a.rootCommand()
	localiseHelp(root, i18n.New(helpLang(os.Args[1:], os.Getenv)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	for _, c := range a.closers {
		c.Close()
	}
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(a.errOut, "p2pdesk:", err)
			return 2
		}
		fmt.Fprintln(a.errOut, "p2pdesk:", a.errorText(err))
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "p2pdesk",
		Short: "A terminal desk for P2P crypto trading settled over Alipay, with a practice marketplace",
		Long: `p2pdesk browses P2P ads, places buy and sell orders, runs each order through
escrow to completion or dispute, and walks you through the "sell crypto, get
paid to Alipay" withdrawal step by step. With no arguments it opens the
terminal app against a marketplace it runs on this machine, with simulated
merchants, a price feed and a simulated Alipay: practice without real money.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		Version:       Version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runTUI(cmd) },
	}
	// Help, usage and completion write where the app writes.
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	pf := root.PersistentFlags()
	pf.StringVar(&a.cfgFile, "config", "", "configuration file (default $XDG_CONFIG_HOME/p2pdesk/config.yaml)")
	pf.String("server", "", "marketplace URL; empty runs the embedded marketplace")
	pf.String("profile", "", "saved login to use (see p2pdesk login)")
	pf.String("data-dir", "", "where the embedded marketplace keeps its files")
	pf.String("log-file", "", "log file (default $XDG_STATE_HOME/p2pdesk/p2pdesk.log)")
	pf.String("log-level", "", "debug, info, warn or error")
	pf.String("tls-ca", "", "PEM file of the CA (or self-signed certificate) a https:// server's certificate must chain to")
	pf.String("tls-pin", "", "SHA-256 fingerprint of a https:// server's certificate to trust (instead of, or as well as, a CA)")
	pf.String("lang", "", "language: en or zh-CN (default: ui.lang, else the locale)")
	root.Flags().Float64("speed", 0, "simulated clock speed of the embedded marketplace (1-600)")
	root.Flags().Uint64("seed", 0, "seed of the embedded simulation")
	root.Flags().Int("merchants", 0, "simulated merchants in the embedded marketplace (0-100)")
	a.addTUIFlags(root)
	root.AddCommand(a.serveCommand(), a.accountCommand(), a.benchCommand(), a.checkCommand(), a.versionCommand(), a.simCommand(),
		a.loginCommand(), a.logoutCommand(), a.whoamiCommand(), a.practiceCommand(), a.keysCommand())
	a.addMoreCommands(root)
	return root
}

// setup loads the configuration and opens the log file.
func (a *app) setup(cmd *cobra.Command) error {
	flags := cmd.Flags()
	cfg, _, err := config.Load(a.cfgFile, flags)
	if err != nil {
		return &usageError{err.Error()}
	}
	if err := i18n.Check(); err != nil {
		return fmt.Errorf("message catalogue: %w", err)
	}
	a.cfg = cfg
	if completing(cmd) {
		// The shell's completion leaves no trace, in the log or on screen.
		a.log = slog.New(slog.DiscardHandler)
		return nil
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(a.errOut, "p2pdesk: warning: "+w)
	}
	if cmd.Name() == "version" {
		a.log = slog.New(slog.DiscardHandler)
		return nil
	}
	log, closer, err := config.OpenLog(cfg.Log)
	if err != nil {
		return err
	}
	a.log = log
	a.closers = append(a.closers, closer)
	a.log.Info("start", "command", cmd.CommandPath(), "version", Version)
	for _, w := range cfg.Warnings {
		a.log.Warn("configuration", "warning", w)
	}
	return nil
}

// completing: the command serves the shell's completion.
func completing(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.out, "p2pdesk", Version)
			return nil
		},
	}
}

// errorText is a failed command's error for the person who ran it: in
// Chinese, a server's refusal is said by its code in the catalogue (the
// server writes English); in English the error reads as it always has.
func (a *app) errorText(err error) string {
	var e *api.Error
	if tr := a.tr(); tr.Lang() == i18n.ZH && errors.As(err, &e) && e.Code != "" {
		return tr.Refusal(string(e.Code), e.Field, e.Message)
	}
	return err.Error()
}
