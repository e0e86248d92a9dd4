package ui_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/i18n"
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

// TestGoldenViews renders every screen in the ASCII profile, against a
// seeded simulated market whose clock stands still, in English and in
// Simplified Chinese, at 120×40 and at the 80×24 floor, and compares each
// with testdata/NAME[.LANG][.WxH].golden (`go test ./ui -run Golden
// -update` rewrites them). No golden may hold a secret of the account;
// every line fits the window, the screen fits its height, no message ID
// shows instead of its text, and the market's columns line up.
func TestGoldenViews(t *testing.T) {
	for _, c := range []struct {
		lang i18n.Lang
		w, h int
	}{{i18n.EN, 120, 40}, {i18n.EN, 80, 24}, {i18n.ZH, 120, 40}, {i18n.ZH, 80, 24}} {
		suffix := ""
		if c.lang != i18n.EN {
			suffix += "." + string(c.lang)
		}
		if c.w != 120 {
			suffix += fmt.Sprintf(".%dx%d", c.w, c.h)
		}
		t.Run(fmt.Sprintf("%s-%dx%d", c.lang, c.w, c.h), func(t *testing.T) { goldenRun(t, c.lang, c.w, c.h, suffix) })
	}
}

// goldenPractice is practice mode as far as the screens ask: its
// scenarios, as the command gives them.
type goldenPractice struct {
	ui.Practice
	tr *i18n.Tr
}

func (goldenPractice) Merchants() string                  { return "" }
func (goldenPractice) Drill(int64) (ui.DrillStatus, bool) { return ui.DrillStatus{}, false }
func (goldenPractice) LinkAd(int64, int64)                {}
func (goldenPractice) Unsettled() []int64                 { return nil }
func (p goldenPractice) Course() (string, string, error) {
	var b strings.Builder
	c := sim.CourseOf(nil)
	c.PrintIn(&b, p.tr)
	return c.Summary(p.tr), b.String(), nil
}
func (p goldenPractice) Scenarios() []ui.ScenarioInfo {
	var out []ui.ScenarioInfo
	for _, n := range sim.ScenarioNames() {
		s := sim.Scenarios[n]
		summary, _, careful, _ := s.In(p.tr)
		out = append(out, ui.ScenarioInfo{Name: s.Name, Direction: string(s.Direction), Summary: summary, Careful: careful})
	}
	return out
}

func goldenRun(t *testing.T, lang i18n.Lang, width, height int, suffix string) {
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

	tr := i18n.New(lang)
	deps := ui.Deps{Market: mc, Alipay: client.NewAlipay(w.URL(), acct.AlipayToken, nil), Server: "http://127.0.0.1:PORT",
		Profile: "golden", Embedded: true, KeyringState: "memory", Theme: ui.DefaultTheme(), Keys: ui.DefaultKeys(),
		Export: dir, Now: w.Sched.Now, SteadyCursor: true, Tick: neverTick, Tr: tr, Practice: goldenPractice{tr: tr}}
	d := &driver{t: t, m: ui.New(deps)}
	d.send(tea.WindowSizeMsg{Width: width, Height: height})
	d.send(d.m.Init()())

	shot := func(name string) {
		t.Helper()
		raw := d.m.View()
		got := normalise(raw, w.URL())
		for _, s := range secrets {
			if s != "" && strings.Contains(got, s) {
				t.Fatalf("%s shows a secret of the account", name)
			}
		}
		checkFits(t, name, got, width, height)
		if missed := tr.Missed(); len(missed) > 0 {
			t.Fatalf("%s: no message for %v", name, missed)
		}
		for _, id := range i18n.IDs(lang) {
			if strings.Contains(got, id) && strings.Count(id, ".") > 0 && !strings.Contains(id, "_") && len(id) > 12 {
				t.Errorf("%s shows the message ID %s", name, id)
			}
		}
		if name == "market" {
			// Narrow windows drop whole columns (vs index first of
			// these), never the limits a taker must meet.
			anchors := []anchor{{title: tr.T("col.price"), cell: price}, {title: tr.T("col.limits"), cell: limits}}
			if width >= 100 {
				anchors = append(anchors, anchor{title: tr.T("col.vs_index"), cell: dev})
			}
			checkColumns(t, name, got, tr.T("col.merchant"), anchors)
		}
		name += suffix
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
	d.key("C")
	shot("chart")
	d.key("t") // 24h
	d.key("t") // 7d
	d.key("t") // 30d
	shot("chart-30d")
	d.key("esc")
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
	d.key("6")
	shot("practice")
	if width == 120 {
		d.send(tea.WindowSizeMsg{Width: 70, Height: 20})
		shot("too-small")
	}
}

// checkFits: every line of a screen fits the window's width (by display
// width: a Chinese character takes two cells), and the screen its height.
func checkFits(t *testing.T, name, view string, w, h int) {
	t.Helper()
	if name == "too-small" {
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines in a window of %d", name, len(lines), h)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > w {
			t.Errorf("%s line %d is %d cells wide in a window of %d: %q", name, i+1, n, w, l)
		}
	}
}

// anchor is a right-aligned column: its title, and what its cells hold.
type anchor struct {
	title string
	cell  *regexp.Regexp
}

var (
	price  = regexp.MustCompile(`\b\d+\.\d{4}\b`)
	dev    = regexp.MustCompile(`[+-]\d+\.\d{2}%`)
	limits = regexp.MustCompile(`\d+–\d+`)
)

// cellEnd is the display cell after the first match of re in l.
func cellEnd(l string, re *regexp.Regexp) int {
	loc := re.FindStringIndex(l)
	if loc == nil {
		return -1
	}
	return lipgloss.Width(l[:loc[1]])
}

// checkColumns: in a table, each right-aligned column's cells end in the
// cell where its title ends, on every row, however many double-width
// characters stand before it (a merchant's name, a duration in Chinese).
func checkColumns(t *testing.T, name, view, firstTitle string, anchors []anchor) {
	t.Helper()
	lines := strings.Split(view, "\n")
	head := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "  "+firstTitle) {
			head = i
			break
		}
	}
	if head < 0 {
		t.Fatalf("%s: no table header starting with %q", name, firstTitle)
	}
	rows := 0
	for _, l := range lines[head+1:] {
		if !strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "▸ ") {
			break
		}
		rows++
		for _, a := range anchors {
			i := strings.Index(lines[head], a.title)
			if i < 0 {
				t.Fatalf("%s: no column %q in %q", name, a.title, lines[head])
			}
			want := lipgloss.Width(lines[head][:i+len(a.title)])
			if got := cellEnd(l, a.cell); got != want {
				t.Errorf("%s: column %q ends at cell %d in the header, at %d in a row:\n%s\n%s", name, a.title, want, got, lines[head], l)
			}
		}
	}
	if rows == 0 {
		t.Errorf("%s: the table has no rows", name)
	}
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
