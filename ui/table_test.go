package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
)

type row struct {
	id   int64
	name string
}

func newRowTable() *Table[row] {
	return NewTable(func(r row) int64 { return r.id }, func(r row, f string) bool { return strings.Contains(r.name, f) },
		Column[row]{Title: "Name", Width: 10, Cell: func(r row) string { return r.name }})
}

func rows(n int) []row {
	out := make([]row, n)
	for i := range out {
		out[i] = row{int64(i + 1), fmt.Sprintf("row%05d", i+1)}
	}
	return out
}

// The cursor stays on the same row when live updates reorder the rows.
func TestTableKeepsCursorByID(t *testing.T) {
	tb := newRowTable()
	tb.SetRows(rows(5))
	tb.Move(2)
	if r, _ := tb.Selected(); r.id != 3 {
		t.Fatalf("selected %d", r.id)
	}
	rev := rows(5)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	tb.SetRows(append([]row{{99, "new"}}, rev...))
	if r, _ := tb.Selected(); r.id != 3 {
		t.Fatalf("after the update the cursor is on %d, want 3", r.id)
	}
	// The selected row goes away: the cursor stays in range.
	tb.SetRows(rows(2))
	if r, ok := tb.Selected(); !ok || r.id != 2 {
		t.Fatalf("after shrinking: %v %v", r, ok)
	}
	tb.SetRows(nil)
	if _, ok := tb.Selected(); ok {
		t.Fatal("a selection in an empty table")
	}
}

// Only the visible rows are rendered, whatever the table holds.
func TestTableRendersOnlyVisibleRows(t *testing.T) {
	tb := newRowTable()
	tb.SetRows(rows(100000))
	tb.SetHeight(20)
	tb.Move(5000)
	out := tb.View(NewStyles(DefaultTheme()), 80)
	if n := strings.Count(out, "\n"); n != 20 {
		t.Fatalf("%d lines rendered, want header + 20 rows", n+1)
	}
	if !strings.Contains(out, "row05001") {
		t.Fatalf("the cursor's row is not on screen:\n%s", out)
	}
	tb.SetFilter("row0999")
	if tb.Len() != 10 {
		t.Fatalf("filter kept %d rows", tb.Len())
	}
}

func BenchmarkTableView(b *testing.B) {
	tb := newRowTable()
	tb.SetRows(rows(100000))
	tb.SetHeight(30)
	st := NewStyles(DefaultTheme())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tb.Move(1)
		_ = tb.View(st, 120)
	}
}

func BenchmarkTableSetRows(b *testing.B) {
	tb := newRowTable()
	rs := rows(10000)
	tb.SetRows(rs)
	tb.Move(5000)
	b.ReportAllocs()
	for b.Loop() {
		tb.SetRows(rs)
	}
}

// Below 80×24 the app says how big it needs to be, and nothing else.
func TestTooSmall(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	v := m.View()
	if !strings.Contains(v, "Terminal too small: 60×20") || !strings.Contains(v, "80×24") {
		t.Fatalf("view:\n%s", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(m.View(), "too small") {
		t.Fatal("80×24 is enough")
	}
}

// q asks before quitting; any other key stays.
func TestQuitAsks(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q quit without asking")
		}
	}
	if !strings.Contains(m.View(), "Quit p2pdesk?") {
		t.Fatal("no quit question")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	if strings.Contains(m.View(), "Quit p2pdesk?") {
		t.Fatal("the question stayed after n")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	if cmd == nil {
		t.Fatal("y did not quit")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Fatal("y did not quit")
	}
}

// TestRemap: every action can be remapped and its hint follows; an
// unknown action and a key no terminal sends are refused by name, and
// refusing one leaves the others applied.
func TestRemap(t *testing.T) {
	k := DefaultKeys()
	err := k.Remap(map[string]string{"release": "ctrl+r", "nonsense": "x", "page_down": "ctrl+zz", "rate": "alt+g, F", "verified": "space"})
	var names []string
	for _, e := range unjoin(err) {
		var se *SettingError
		if !errors.As(e, &se) {
			t.Fatalf("%v is not a SettingError", e)
		}
		names = append(names, se.Name)
	}
	if strings.Join(names, ",") != "nonsense,page_down" {
		t.Fatalf("refused %v (%v), want nonsense and page_down", names, err)
	}
	if got := k.Release.Keys(); len(got) != 1 || got[0] != "ctrl+r" || k.Release.Help().Key != "ctrl+r" {
		t.Fatalf("release keys %v, hint %q", got, k.Release.Help().Key)
	}
	if got := k.Rate.Keys(); strings.Join(got, " ") != "alt+g F" {
		t.Fatalf("rate keys %v", got)
	}
	if got := k.Verified.Keys(); len(got) != 1 || got[0] != " " || k.Verified.Help().Key != "space" {
		t.Fatalf("verified keys %q, hint %q", got, k.Verified.Help().Key)
	}
	if got := k.PageDown.Keys(); got[0] != "pgdown" {
		t.Fatalf("a refused remap changed page_down: %v", got)
	}
	for _, ok := range []string{"r", "R", "ctrl+r", "alt+r", "f5", "enter", "pgdown", "shift+tab", "?", "/"} {
		if !ValidKey(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"ctrl+zz", "", "rr", "hyper+x", "ctrl+"} {
		if ValidKey(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if len(KeyActions()) < 40 {
		t.Fatalf("only %d actions can be remapped", len(KeyActions()))
	}
}

// TestThemeOverrides: a colour is an ANSI number or #rgb/#rrggbb; a name
// like "chartreuse" and an unknown role are refused by name.
func TestThemeOverrides(t *testing.T) {
	th, err := DefaultTheme().WithOverrides(map[string]string{"buy": "#00af5f", "sell": "196"})
	if err != nil || th.Buy != "#00af5f" || th.Sell != "196" {
		t.Fatalf("%+v %v", th, err)
	}
	_, err = DefaultTheme().WithOverrides(map[string]string{"buy": "chartreuse", "sel": "1", "ok": "256"})
	var names []string
	for _, e := range unjoin(err) {
		var se *SettingError
		if errors.As(e, &se) {
			names = append(names, se.Name)
		}
	}
	if strings.Join(names, ",") != "buy,ok,sel" {
		t.Fatalf("refused %v (%v)", names, err)
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestPercentToBP(t *testing.T) {
	for in, want := range map[string]int64{"+0.3": 30, "-1.25": -125, "2": 200, "0.05": 5} {
		if got, err := percentToBP(in); err != nil || got != want {
			t.Errorf("%s: %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0.125", "", "abc"} {
		if _, err := percentToBP(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The quit question tells the truth about what the quit does to the open
// orders: a server keeps them running; the practice market keeps them for
// the next start, unless there is no keyring, where the start said so in
// one line and the quit says they end.
func TestQuitSaysWhatHappensToOrders(t *testing.T) {
	for _, c := range []struct {
		name  string
		d     Deps
		start string // the start's notice, "" for none
		quit  string
	}{
		{"server", Deps{}, "", "keep running on the marketplace"},
		{"practice", Deps{Embedded: true}, "", "open orders\nincluded, and its clock goes on"},
		{"practice without keyring", Deps{Embedded: true, Ephemeral: true}, "ends at quit. Keep it: keyring.file_fallback: true", "gone for good"},
		{"joined", Deps{Embedded: true, JoinedPID: 4242}, "", "keeps running in p2pdesk pid 4242"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.d.Theme, c.d.Keys = DefaultTheme(), DefaultKeys()
			m := New(c.d)
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24}) // the notice fits the smallest screen
			if v := m.View(); c.start != "" && !strings.Contains(v, c.start) || c.start == "" && strings.Contains(v, "No OS keyring") {
				t.Fatalf("start notice: want %q in\n%s", c.start, v)
			}
			m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
			if q := m.quitQuestion(); !strings.Contains(q, c.quit) {
				t.Fatalf("quit question %q, want %q", q, c.quit)
			}
			if !strings.Contains(m.View(), "Quit p2pdesk?") {
				t.Fatal("no quit question on the screen")
			}
		})
	}
}

// The first screen a new user meets fits 80×24: the key, the code field
// and how to go on are all on it (the QR code, 36 rows, only where it
// fits); at 120×40 the QR code is there too.
func TestEnrolmentFitsSmallScreens(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Embedded: true})
	p := newEnrollPage(m.c, true)
	p.enr = &api.Enrollment{Secret: "RAOCERNDF23SPL2NADWI6ZTUGGE2N3VY", URI: "otpauth://totp/p2pdesk:you?secret=RAOCERNDF23SPL2NADWI6ZTUGGE2N3VY&issuer=p2pdesk"}
	for _, c := range []struct {
		w, h int
		qr   bool
	}{{80, 22, false}, {120, 38, true}} {
		v := p.View(c.w, c.h)
		for _, want := range []string{"RAOC ERND", "code from your authenticator", "ctrl+p", "enter confirm"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d×%d: %q is not on the screen:\n%s", c.w, c.h, want, v)
			}
		}
		if n := strings.Count(v, "\n") + 1; n > c.h {
			t.Errorf("%d×%d: the page takes %d rows", c.w, c.h, n)
		}
		if got := strings.Contains(v, "█"); got != c.qr {
			t.Errorf("%d×%d: QR code shown %v, want %v", c.w, c.h, got, c.qr)
		}
		for i, l := range strings.Split(v, "\n") {
			if lipgloss.Width(l) > c.w {
				t.Errorf("%d×%d: line %d is %d wide: %q", c.w, c.h, i+1, lipgloss.Width(l), l)
			}
		}
	}
}

// S on a marketplace whose clock p2pdesk does not run says so.
func TestSpeedKeySaysWhyOnAServer(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("S")})
	if !strings.Contains(m.View(), "only the practice market") {
		t.Fatalf("S did nothing visible:\n%s", m.View())
	}
}

// A box keeps its right edge within the window: the text wraps inside.
func TestFitBoxKeepsItsEdge(t *testing.T) {
	st := NewStyles(DefaultTheme())
	text := "Place this order?\nThe seller's crypto is locked in escrow; you then pay 700.00 CNY within 30 minutes, from your own account, or the order ends."
	for _, w := range []int{80, 60} {
		box := fitBox(st, w, text)
		for _, l := range strings.Split(box, "\n") {
			if lipgloss.Width(l) > w {
				t.Fatalf("at %d columns a line is %d wide:\n%s", w, lipgloss.Width(l), box)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(box), " "), "order ends.") {
			t.Fatalf("the end of the sentence is lost:\n%s", box)
		}
	}
}

// A new order switches the Orders tab from History to Open, where it is.
func TestNewOrderShowsTheOpenOrders(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	p := m.tabs[1].(*ordersPage)
	p.open = false
	p.Update(EventMsg{Event: api.Event{Type: "order.created"}})
	if !p.open {
		t.Fatal("the Orders tab stayed on History after a new order")
	}
}

// TestRowCacheFollowsItsInputs: a cached table draws a row again when the
// rows are set again (an ad's price moved), when Salt's value changes
// (exam mode), and never shows a stale row.
func TestRowCacheFollowsItsInputs(t *testing.T) {
	type row struct {
		id    int64
		price string
	}
	mark := false
	tb := NewTable(func(r row) int64 { return r.id }, nil,
		Column[row]{Title: "col.price", Width: 10, Cell: func(r row) string {
			if mark {
				return "⚠" + r.price
			}
			return r.price
		}})
	tb.Salt = func() any { return mark }
	st := NewStyles(DefaultTheme())
	tb.SetRows([]row{{1, "7.20"}, {2, "7.30"}})
	if v := tb.View(st, 40); !strings.Contains(v, "7.30") {
		t.Fatal(v)
	}
	tb.SetRows([]row{{1, "7.20"}, {2, "7.35"}})
	if v := tb.View(st, 40); !strings.Contains(v, "7.35") || strings.Contains(v, "7.30") {
		t.Fatalf("a stale row after new rows:\n%s", v)
	}
	mark = true
	if v := tb.View(st, 40); !strings.Contains(v, "⚠7.35") {
		t.Fatalf("the salt changed and the row did not:\n%s", v)
	}
}
