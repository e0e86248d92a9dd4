package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p2pdesk/store/secrets"
)

// TestCompletionAndHelpLeaveTheLogAlone: the shell's completion, --help
// and version write nothing to the log; a verb does.
func TestCompletionAndHelpLeaveTheLogAlone(t *testing.T) {
	home := isolate(t)
	logFile := filepath.Join(home, "xdg_state_home", "p2pdesk", "p2pdesk.log")
	st := secrets.NewMemory()
	for _, args := range [][]string{{"completion", "bash"}, {"--help"}, {"order", "--help"}, {"version"}, {"--version"}, {"__complete", "order", "show", ""}} {
		if _, errOut, err := run(t, st, "", args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, errOut)
		}
		if _, err := os.Stat(logFile); err == nil {
			t.Fatalf("p2pdesk %s wrote the log", strings.Join(args, " "))
		}
	}
	if _, _, err := run(t, st, "", "sim", "scenarios"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Fatalf("a verb wrote no log: %v", err)
	}
}

// TestBadThemeAndKeysStopTheAppByName: a colour no terminal has, a key no
// terminal sends and an action that does not exist each stop the app
// before the screen is taken, named with where they were set and, for a
// misspelt action, what was meant.
func TestBadThemeAndKeysStopTheAppByName(t *testing.T) {
	home := isolate(t)
	cfg := filepath.Join(home, "config.yaml")
	for body, want := range map[string][]string{
		"ui:\n  theme:\n    buy: chartreuse\n": {`ui.theme.buy: "chartreuse" is no colour`, cfg},
		"ui:\n  keys:\n    relase: ctrl+r\n":   {`ui.keys.relase: no such action (did you mean "release"?)`, cfg},
		"ui:\n  keys:\n    release: ctrl+zz\n": {`ui.keys.release: "ctrl+zz" is no key a terminal sends`},
	} {
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := run(t, secrets.NewMemory(), "", "--config", cfg)
		if !isUsage(err) {
			t.Fatalf("%q: %v, want a usage error", body, err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %v lacks %q", body, err, w)
			}
		}
	}
}

// TestDumbTerminalGetsLines: TERM=dumb cannot draw screens; the app says
// so in plain lines and points at the verbs, before anything starts.
func TestDumbTerminalGetsLines(t *testing.T) {
	var b strings.Builder
	err := canDrawScreens(func(k string) string {
		if k == "TERM" {
			return "dumb"
		}
		return ""
	}, &b)
	if !isUsage(err) || !strings.Contains(err.Error(), "TERM=dumb") || !strings.Contains(err.Error(), "p2pdesk ads") || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("%v", err)
	}
	if err := canDrawScreens(func(string) string { return "xterm-256color" }, &b); err != nil {
		t.Fatalf("a terminal refused: %v", err)
	}
}
