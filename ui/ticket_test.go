package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
	"p2pdesk/money"
)

// tab switches the ticket between a fiat total and a crypto amount, and
// the number goes with it: a learner's 600 CNY, outside the ad's limits,
// became 600 USDT (about 4,300 CNY) under the new label.
func TestTicketTabConvertsTheAmount(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	ad := fakeAds(1)[0] // 7.2000 CNY per USDT, 100 to 50,000 CNY
	tab := tea.KeyMsg{Type: tea.KeyTab}
	for _, c := range []struct{ typed, crypto, back string }{
		{"720", "100", "720.00"},
		{"50", "6.944444", "50.00"}, // under the ad's minimum: converted all the same
		{"7x", "", ""},              // not a number: cleared, never relabelled
	} {
		tk := newTicketPage(m.c, ad, c.typed, 0)
		if !tk.fiatMode {
			t.Fatalf("a ticket opened with a fiat amount is not in fiat mode")
		}
		tk.recalc()
		tk.Update(tab)
		if tk.fiatMode || tk.input.Value() != c.crypto {
			t.Errorf("%s CNY, tab: fiat mode %v, field %q, want %q USDT", c.typed, tk.fiatMode, tk.input.Value(), c.crypto)
		}
		tk.Update(tab)
		if !tk.fiatMode || tk.input.Value() != c.back {
			t.Errorf("%s CNY, tab twice: field %q, want %q CNY", c.typed, tk.input.Value(), c.back)
		}
	}
}

// The market list holds still while the user moves the cursor (live
// prices reorder it, and enter opened another ad than the one aimed at),
// and a new search puts the cursor on its first ad, not on the row
// number the old list had.
func TestMarketListHoldsStillUnderTheCursor(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Now: func() time.Time { return now }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	mp := m.tabs[0].(*marketPage)
	mp.Update(adsMsg{version: mp.version, page: api.AdPage{Ads: fakeAds(10)}})
	down := tea.KeyMsg{Type: tea.KeyDown}
	for range 3 {
		mp.Update(down)
	}
	v := mp.version
	mp.Update(adsDebounce{})
	if mp.version != v {
		t.Fatalf("the list reloaded right after a cursor key")
	}
	now = now.Add(3 * time.Second)
	mp.Update(adsDebounce{})
	if mp.version == v {
		t.Fatalf("the list never reloads once the cursor rests")
	}
	if mp.table.Cursor() != 3 {
		t.Fatalf("cursor at %d after three downs", mp.table.Cursor())
	}
	// A new search (verified only): its answer starts at the top.
	mp.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'v'}})
	mp.Update(adsMsg{version: mp.version, page: api.AdPage{Ads: fakeAds(6)[1:]}})
	if mp.table.Cursor() != 0 {
		t.Fatalf("after a new search the cursor is on row %d", mp.table.Cursor())
	}
}

// A column of amounts lines up on the decimal point with every digit
// kept: the Available column read 9117.25 / 23078.202533 / 16541.
func TestAmountsAlignOnTheDecimalPoint(t *testing.T) {
	var as []money.Amount
	for _, s := range []string{"9117.25", "23078.202533", "16541", "0.05"} {
		a, err := money.Parse(s, 6)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	col := alignPoints(as)
	want := []string{"9117.25    ", "23078.202533", "16541.00    ", "0.05    "}
	for i := range col {
		if col[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, col[i], want[i])
		}
		if got, first := strings.Index(padLeft(col[i], 16), "."), strings.Index(padLeft(col[0], 16), "."); got != first {
			t.Errorf("row %d: point at %d, row 0 at %d", i, got, first)
		}
	}
}

// A table too wide for the window drops whole columns, highest Drop
// first, and never one marked 0.
func TestTableDropsWholeColumns(t *testing.T) {
	col := func(title string, w, drop int) Column[int] {
		return Column[int]{Title: title, Width: w, Drop: drop, Cell: func(int) string { return title }}
	}
	tb := NewTable(func(i int) int64 { return int64(i) }, nil, col("a", 10, 0), col("b", 10, 1), col("c", 10, 2), col("d", 10, 0))
	names := func(w int) string {
		var s []string
		for _, c := range tb.fit(w) {
			s = append(s, c.Title)
		}
		return strings.Join(s, "")
	}
	for _, c := range []struct {
		w    int
		want string
	}{{100, "abcd"}, {45, "abcd"}, {44, "abd"}, {34, "abd"}, {33, "ad"}, {10, "ad"}} {
		if got := names(c.w); got != c.want {
			t.Errorf("width %d: columns %s, want %s", c.w, got, c.want)
		}
	}
}
