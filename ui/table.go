package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"p2pdesk/i18n"
)

// Column of a Table: a title (a message ID of the catalogue), a width in
// terminal cells, and how a row renders in it.
type Column[T any] struct {
	Title string
	Width int
	Right bool
	Cell  func(T) string
	Style func(T) *lipgloss.Style // optional colour of the cell
	// Drop: where the window is too narrow for every column, the one
	// with the highest Drop goes first, then the next; 0 never goes.
	// Whole columns go, not the ends of the rows: at 80 columns the
	// market showed "…" where the limits should be.
	Drop int
}

// Table is a typed, virtualised table: it renders only the rows that fit,
// and keeps the cursor on the same row (by id) when the rows change under
// it, as they do with every live update.
type Table[T any] struct {
	Cols   []Column[T]
	ID     func(T) int64
	rows   []T
	cursor int
	offset int
	height int
	filter string
	match  func(T, string) bool
	shown  []int // indexes of rows passing the filter, unless all
	all    bool  // no filter: every row shows, in order
	// Tr says the titles in the user's language (nil: English).
	Tr *i18n.Tr
	// Salt, when set, turns the row cache on: a row is drawn once and
	// kept until the rows are set again, the width or the language
	// changes, or Salt's value does (what else its cells read, e.g. exam
	// mode). Only for tables whose cells read nothing else: no clock.
	Salt  func() any
	gen   uint64 // bumped by every SetRows
	cache map[int64]string
	key   rowCacheKey
}

// rowCacheKey is what every cached row was drawn for.
type rowCacheKey struct {
	gen   uint64
	width int
	lang  i18n.Lang
	salt  any
}

// NewTable makes a table.
func NewTable[T any](id func(T) int64, match func(T, string) bool, cols ...Column[T]) *Table[T] {
	return &Table[T]{Cols: cols, ID: id, match: match, height: 10}
}

// SetRows replaces the rows, keeping the cursor on the row it was on.
func (t *Table[T]) SetRows(rows []T) {
	var keep int64
	had := false
	if r, ok := t.Selected(); ok {
		keep, had = t.ID(r), true
	}
	t.rows = rows
	t.gen++
	t.refilter()
	if had {
		// Most updates leave the row where it was: look there first.
		if t.cursor < t.Len() && t.ID(t.rows[t.row(t.cursor)]) == keep {
			t.clamp()
			return
		}
		for i := 0; i < t.Len(); i++ {
			if t.ID(t.rows[t.row(i)]) == keep {
				t.cursor = i
				t.clamp()
				return
			}
		}
	}
	t.clamp()
}

// row is the index in rows of the i-th row shown.
func (t *Table[T]) row(i int) int {
	if t.all {
		return i
	}
	return t.shown[i]
}

// Rows are all rows, unfiltered.
func (t *Table[T]) Rows() []T { return t.rows }

// Len is the number of rows shown.
func (t *Table[T]) Len() int {
	if t.all {
		return len(t.rows)
	}
	return len(t.shown)
}

// SetFilter shows only rows matching s.
func (t *Table[T]) SetFilter(s string) {
	t.filter = s
	t.refilter()
	t.clamp()
}

// Filter is the current filter.
func (t *Table[T]) Filter() string { return t.filter }

func (t *Table[T]) refilter() {
	t.shown = t.shown[:0]
	f := strings.ToLower(strings.TrimSpace(t.filter))
	// Without a filter every row shows: no index to build over a book of
	// a million ads at every update.
	t.all = f == "" || t.match == nil
	if t.all {
		return
	}
	for i, r := range t.rows {
		if f == "" || t.match == nil || t.match(r, f) {
			t.shown = append(t.shown, i)
		}
	}
}

// Selected is the row under the cursor.
func (t *Table[T]) Selected() (T, bool) {
	var zero T
	if t.cursor < 0 || t.cursor >= t.Len() {
		return zero, false
	}
	return t.rows[t.row(t.cursor)], true
}

// Cursor is the cursor's position among the shown rows.
func (t *Table[T]) Cursor() int { return t.cursor }

// Move moves the cursor by n rows.
func (t *Table[T]) Move(n int) {
	t.cursor += n
	t.clamp()
}

// Top and Bottom jump.
func (t *Table[T]) Top()    { t.cursor = 0; t.clamp() }
func (t *Table[T]) Bottom() { t.cursor = t.Len() - 1; t.clamp() }

// SetHeight is the rows that fit, header excluded.
func (t *Table[T]) SetHeight(h int) {
	t.height = max(1, h)
	t.clamp()
}

// Height is the number of body rows that fit.
func (t *Table[T]) Height() int { return t.height }

func (t *Table[T]) clamp() {
	if t.cursor >= t.Len() {
		t.cursor = t.Len() - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	if t.offset > max(0, t.Len()-t.height) {
		t.offset = max(0, t.Len()-t.height)
	}
}

// Click selects the row drawn on line y of the table (0: its header) and
// reports whether that row was selected already (a second click opens it).
func (t *Table[T]) Click(y int) (again, ok bool) {
	i := t.offset + y - 1
	if y < 1 || y > t.height || i >= t.Len() {
		return false, false
	}
	again = i == t.cursor
	t.cursor = i
	t.clamp()
	return again, true
}

// View renders the header and the visible rows only.
// fit is the columns that fit width, dropping by Drop.
func (t *Table[T]) fit(width int) []Column[T] {
	cols := t.Cols
	need := func(cs []Column[T]) int {
		n := 2 // the cursor mark
		for i, c := range cs {
			if i > 0 {
				n++
			}
			n += c.Width
		}
		return n
	}
	for need(cols) > width {
		worst := -1
		for i, c := range cols {
			if c.Drop > 0 && (worst < 0 || c.Drop > cols[worst].Drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		cols = append(append([]Column[T](nil), cols[:worst]...), cols[worst+1:]...)
	}
	return cols
}

func (t *Table[T]) View(st Styles, width int) string {
	var b strings.Builder
	all := t.Cols
	t.Cols = t.fit(width)
	defer func() { t.Cols = all }()
	cells := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		cells[i] = pad(t.Tr.T(c.Title), c.Width, c.Right)
	}
	b.WriteString(st.Header.Render(truncate("  "+strings.Join(cells, " "), width)))
	end := min(t.Len(), t.offset+t.height)
	if t.Salt != nil {
		k := rowCacheKey{gen: t.gen, width: width, lang: t.Tr.Lang(), salt: t.Salt()}
		if k != t.key || t.cache == nil || len(t.cache) > 4096 {
			t.key, t.cache = k, map[int64]string{}
		}
	}
	for i := t.offset; i < end; i++ {
		r := t.rows[t.row(i)]
		if i != t.cursor && t.cache != nil && t.Salt != nil {
			if line, ok := t.cache[t.ID(r)]; ok {
				b.WriteByte('\n')
				b.WriteString(line)
				continue
			}
		}
		for j, c := range t.Cols {
			s := pad(plain(c.Cell(r)), c.Width, c.Right)
			if c.Style != nil && i != t.cursor {
				if sty := c.Style(r); sty != nil {
					s = sty.Render(s)
				}
			}
			cells[j] = s
		}
		line := strings.Join(cells, " ")
		b.WriteByte('\n')
		if i == t.cursor {
			b.WriteString(st.Selected.Render(truncate("▸ "+line, width)))
		} else {
			line = truncateStyled("  "+line, width)
			if t.Salt != nil {
				t.cache[t.ID(r)] = line
			}
			b.WriteString(line)
		}
	}
	if t.Len() == 0 {
		b.WriteString("\n" + st.Muted.Render("  "+t.Tr.T("table.empty")))
	}
	return b.String()
}

// pad fits s into exactly w cells, by display width: a double-width
// character counts two, and one cut short leaves a space, not a ragged
// column.
func pad(s string, w int, right bool) string {
	n := lipgloss.Width(s)
	if n > w {
		s = truncate(s, w)
		n = lipgloss.Width(s)
	}
	if right {
		return strings.Repeat(" ", w-n) + s
	}
	return s + strings.Repeat(" ", w-n)
}

// truncate cuts plain text to w cells with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > w-1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// truncateStyled cuts a styled line to w cells.
func truncateStyled(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}
