package ui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/market"
	"p2pdesk/money"
)

// Practice is what practice mode needs from the embedded simulation.
type Practice interface {
	SetSpeed(x float64) error
	Scenarios() []ScenarioInfo
	// Stage sets a scenario up around the user: its counterparty and ad.
	Stage(name string) (Staged, error)
	// Link ties the order the learner opened in a drill to the drill.
	Link(drill int, orderID int64)
	// Drill says which drill an order belongs to, if any: wherever the
	// order is opened from (the wizard, the Orders tab, after a refund
	// from the Wallet), its debrief is one key away.
	Drill(orderID int64) (DrillStatus, bool)
	// Debrief judges a drill's order; text is ready to show. Until the
	// drill settles (Final) it is provisional; once final, the drill is
	// kept in the practice journal, with this grade.
	Debrief(orderID int64) (Debriefed, error)
	// Journal lists the drills kept, newest first.
	Journal() ([]JournalLine, error)
	// JournalDebrief shows the debrief of journal entry n.
	JournalDebrief(n int) (grade, text string, err error)
	// Merchants is "" while the simulated merchants trade, else a short
	// state for the status bar: still coming back, or stopped and why.
	Merchants() string
}

// JournalLine is one kept drill in the practice journal.
type JournalLine struct {
	N        int
	At       time.Time
	Scenario string
	Grade    string
}

// ScenarioInfo describes one scenario for the picker.
type ScenarioInfo struct {
	Name, Direction, Summary, Careful string
}

// DrillStatus is where a drill stands.
type DrillStatus struct {
	ID       int
	Scenario string
}

// Debriefed is a drill's debrief as it stands.
type Debriefed struct {
	Grade, Text string
	// Final: the drill has settled and its grade is kept. Until then
	// FinalAt (market time) says when it settles.
	Final   bool
	FinalAt time.Time
}

// Staged is a scenario set up and waiting for the user.
type Staged struct {
	Drill    int // the drill's number in this session
	Scenario string
	// Choose: the learner chooses among the market's ads (the lesson is
	// the choice); otherwise the drill's own ad is the one on offer.
	Choose   bool
	AdID     int64
	UserSide market.Side // the user's side: sell = withdraw
	Amount   string      // suggested amount (crypto for sells, fiat for buys)
}

// fiat formats a fiat amount with its two decimals.
func fiat(a money.Amount) string { return a.FixedN(2) }

// crypto formats a crypto amount as written, without trailing zeros.
func crypto(a money.Amount) string { return a.String() }

func pct(bp int64) string {
	sign := ""
	if bp > 0 {
		sign = "+"
	}
	return sign + money.New(bp, 2).FixedN(2) + "%"
}

func optPct(p *int64) string {
	if p == nil {
		return "—"
	}
	return money.New(*p, 2).FixedN(1) + "%"
}

func optDur(p *int64) string {
	if p == nil {
		return "—"
	}
	return humanDur(time.Duration(*p) * time.Second)
}

func humanDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func payments(ps []market.PaymentMethod) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// sideLabel: what the user does with this ad, as words (never colour alone).
func sideLabel(userSide market.Side) string {
	if userSide == market.Buy {
		return "BUY"
	}
	return "SELL"
}

// bar is a progress bar of w cells, filled by frac (0..1).
func bar(frac float64, w int) string {
	if frac < 0 {
		frac = 0
	}
	if frac > 1 {
		frac = 1
	}
	n := int(frac*float64(w) + 0.5)
	return strings.Repeat("█", n) + strings.Repeat("░", w-n)
}

// spark draws values as a one-line chart of w cells.
func spark(vals []int64, w int) string {
	if len(vals) == 0 || w <= 0 {
		return ""
	}
	if len(vals) > w {
		step := float64(len(vals)) / float64(w)
		out := make([]int64, w)
		for i := range out {
			out[i] = vals[int(float64(i)*step)]
		}
		vals = out
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range vals {
		i := 0
		if hi > lo {
			i = int((v - lo) * int64(len(blocks)-1) / (hi - lo))
		}
		b.WriteRune(blocks[i])
	}
	return b.String()
}

func box(st Styles, title, body string, w int) string {
	return st.Box.Width(max(10, w-2)).Render(st.Title.Render(title) + "\n" + body)
}

func kv(st Styles, k, v string) string {
	return st.Muted.Render(fmt.Sprintf("%-14s", k)) + v
}

func joinH(a, b string) string { return lipgloss.JoinHorizontal(lipgloss.Top, a, b) }

// wrapText wraps text to width w by display width (double-width
// characters count two), keeping the lines it already has.
func wrapText(s string, w int) string {
	if w <= 0 {
		return s
	}
	return lipgloss.NewStyle().Width(w).Render(s)
}

// indent puts n spaces before every line of s.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// amountKey: the key may type into an amount field (digits, a point,
// editing and cursor keys); letters never do.
func amountKey(msg tea.KeyMsg) bool {
	if msg.Type != tea.KeyRunes {
		return true
	}
	for _, r := range msg.Runes {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// count says "1 order", "2 orders": a number with its noun in the right
// number (English plural by -s, which every noun here takes).
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fitBox draws a box no wider than w: its text wraps inside, rather than
// the box losing its right edge (and the end of its sentence) at 80
// columns.
func fitBox(st Styles, w int, s string) string {
	inner := w - st.Box.GetHorizontalFrameSize()
	if inner > 10 && lipgloss.Width(s) > inner {
		s = lipgloss.NewStyle().Width(inner).Render(s)
	}
	return st.Box.Render(s)
}

// focusMark marks the field of a form that takes the keys: the cursor
// alone is easy to miss, and absent without colour.
func focusMark(st Styles, focused bool) string {
	if focused {
		return st.Key.Render("▸ ")
	}
	return "  "
}
