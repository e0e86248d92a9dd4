package ui_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/sim"
	"p2pdesk/ui"
)

// updating: -update (the flag teatest defines) rewrites the goldens.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// driver runs the real model synchronously: it delivers a message, runs
// the commands that come back (the API calls go to the real loopback
// server) and delivers their answers, until every command has answered.
// The app's timers are given a Tick that never fires and its text fields
// a steady cursor, so every command ends and the screen holds still
// between two looks, however slow the machine.
type driver struct {
	t *testing.T
	m tea.Model
}

// stuck: a command running this long is a hang, not a slow machine.
const stuck = 2 * time.Minute

func neverTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	results := make(chan tea.Msg, 256)
	pending := 0
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { results <- c() }()
	}
	deliver := func(msg tea.Msg) {
		if msg == nil {
			return
		}
		// tea.Batch and tea.Sequence answer with a list of commands.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				run(v.Index(i).Interface().(tea.Cmd))
			}
			return
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			return
		}
		var c tea.Cmd
		d.m, c = d.m.Update(msg)
		run(c)
	}
	deliver(msg)
	for pending > 0 {
		select {
		case r := <-results:
			pending--
			deliver(r)
		case <-time.After(stuck):
			d.t.Fatalf("%d commands still running after %s", pending, stuck)
		}
	}
}

func (d *driver) key(k string) {
	switch k {
	case "enter":
		d.send(tea.KeyMsg{Type: tea.KeyEnter})
	case "esc":
		d.send(tea.KeyMsg{Type: tea.KeyEsc})
	case "tab":
		d.send(tea.KeyMsg{Type: tea.KeyTab})
	default:
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// TestGoldenViews renders every screen at 120×40 in the ASCII profile,
// against a seeded simulated market whose clock stands still, and
// compares each with testdata/NAME.golden (`go test ./ui -run Golden
// -update` rewrites them). No golden may hold a secret of the account.
func TestGoldenViews(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := sim.Open(ctx, sim.Options{Dir: dir, ServerKey: auth.GenerateKey(), Seed: 33, Merchants: 6, History: true, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	acct, mc, enr := practiceTrader(t, w)
	cred := acct.Credentials
	secrets := []string{cred.APIKey, cred.Secret, cred.Passphrase, enr.Secret, acct.AlipayPassword, acct.AlipayToken}

	deps := ui.Deps{Market: mc, Alipay: client.NewAlipay(w.URL(), acct.AlipayToken, nil), Server: "http://127.0.0.1:PORT",
		Profile: "golden", Embedded: true, KeyringState: "memory", Theme: ui.DefaultTheme(), Keys: ui.DefaultKeys(),
		Export: dir, Now: w.Sched.Now, SteadyCursor: true, Tick: neverTick}
	d := &driver{t: t, m: ui.New(deps)}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.send(d.m.Init()())

	shot := func(name string) {
		t.Helper()
		got := normalise(d.m.View(), w.URL())
		for _, s := range secrets {
			if s != "" && strings.Contains(got, s) {
				t.Fatalf("%s shows a secret of the account", name)
			}
		}
		path := filepath.Join("testdata", name+".golden")
		if updating() {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s:\n%s", name, path, diffLines(string(want), got))
		}
	}

	shot("market")
	d.key("?")
	shot("help")
	d.key("esc")
	d.key("enter")
	shot("ticket")
	d.typeText("700")
	d.key("enter")
	shot("ticket-review")
	d.key("y")
	shot("order")
	d.key("esc")
	d.key("2")
	shot("orders")
	d.key("3")
	shot("wallet")
	d.key("4")
	shot("myads")
	d.key("5")
	shot("account")
	d.key("1")
	d.key("W")
	shot("withdraw-amount")
	d.typeText("1000")
	d.key("enter")
	shot("withdraw-buyers")
	d.key("esc")
	d.send(tea.WindowSizeMsg{Width: 70, Height: 20})
	shot("too-small")
}

// normalise takes out what changes from run to run: the loopback port.
func normalise(view, url string) string {
	view = strings.ReplaceAll(view, url, "http://127.0.0.1:PORT")
	return trailing.ReplaceAllString(view, "")
}

var trailing = regexp.MustCompile(`(?m)[ \t]+$`)

// diffLines shows the first lines that differ, with their numbers.
func diffLines(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < max(len(a), len(b)) && shown < 8; i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			out.WriteString("line " + itoa(i+1) + "\n  want: " + x + "\n  got:  " + y + "\n")
			shown++
		}
	}
	return out.String()
}

func itoa(n int) string {
	s := ""
	for n >= 10 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return string(rune('0'+n)) + s
}
