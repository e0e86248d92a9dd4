package ui

import (
	"regexp"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
	"p2pdesk/money"
)

// Practice is what practice mode needs from the embedded simulation.
type Practice interface {
	SetSpeed(x float64) error
	Scenarios() []ScenarioInfo
	// Stage sets a scenario up around the user: its counterparty and ad.
	// exam: staged in exam mode (its debrief shows the labels hidden).
	Stage(name string, exam bool) (Staged, error)
	// EnterOnLink takes what the learner typed on the page a chat link of
	// a drill's order opened: in the practice market that page is the
	// scammer's, and what is typed there is theirs.
	EnterOnLink(orderID int64, url, code string) error
	// ApplyKYC applies for the next KYC tier, as a new user does when a
	// limit is met: the practice market checks the simulated ID and face
	// scan and raises the tier at the market time it returns.
	ApplyKYC() (approvedAt time.Time, err error)
	// FriendPays lets the friend of a drill pay its order.
	FriendPays(orderID int64) error
	// PayAccount is the account the payment form of an order comes filled
	// in with: the order's payee, except in the drill whose lesson is a
	// hurried copy of it.
	PayAccount(o api.OrderView) string
	// Link ties the order the learner opened in a drill to the drill.
	Link(drill int, orderID int64)
	// LinkAd ties an order taken on a drill's ad from anywhere (the
	// Market tab, not the drill's guide) to that drill; other ads are no
	// drill's, and nothing happens.
	LinkAd(adID, orderID int64)
	// Drill says which drill an order belongs to, if any: wherever the
	// order is opened from (the wizard, the Orders tab, after a refund
	// from the Wallet), its debrief is one key away.
	Drill(orderID int64) (DrillStatus, bool)
	// Unsettled are the orders of this session's drills not yet kept in
	// the journal: quitting now loses them.
	Unsettled() []int64
	// Debrief judges a drill's order; text is ready to show. Until the
	// drill settles (Final) it is provisional; once final, the drill is
	// kept in the practice journal, with this grade.
	Debrief(orderID int64) (Debriefed, error)
	// Course is the learner's progress through the course: a line for the
	// Practice tab, and the whole report.
	Course() (summary, report string, err error)
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
	// Friend, when set, is someone close to the learner who offers to pay
	// the drill's order from their own account (f lets them); FriendPaid:
	// they did.
	Friend     string
	FriendPaid bool
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
	UserSide api.Side // the user's side: sell = withdraw
	Amount   string   // suggested amount (crypto for sells, fiat for buys)
}

// fiat formats a fiat amount with its two decimals.
func fiat(a money.Amount) string { return a.FixedN(2) }

// crypto formats a crypto amount as written, without trailing zeros.
func crypto(a money.Amount) string { return a.String() }

// displayScale is how many decimals a list shows of an asset: cents of a
// dollar coin, what a satoshi-minded reader of BTC or ETH needs.
func displayScale(a api.Asset) int {
	switch a {
	case api.BTC:
		return 6
	case api.ETH:
		return 4
	}
	return 2
}

// cryptoShown is an amount at its asset's display scale, rounded down
// (a list never shows more than there is), every row with the same
// decimals so a column lines up on the point. The detail shows it exact.
func cryptoShown(a money.Amount, asset api.Asset) string {
	n := displayScale(asset)
	q, err := money.Quo(a, money.New(1, 0), n, money.Down)
	if err != nil {
		return a.String()
	}
	return q.FixedN(n)
}

// alignPoints writes a column of exact amounts so that their decimal
// points line up, with at least two decimals ("5000.00", "0.05",
// "23078.202533" in one column, right-aligned, read as numbers): no
// digit is dropped, the shorter fractions are padded with spaces.
func alignPoints(as []money.Amount) []string {
	out := make([]string, len(as))
	frac := 2
	for i, a := range as {
		out[i] = a.String()
		if _, f, ok := strings.Cut(out[i], "."); ok {
			frac = max(frac, len(f))
		}
	}
	for i, s := range out {
		whole, f, _ := strings.Cut(s, ".")
		if len(f) < 2 {
			f += strings.Repeat("0", 2-len(f))
		}
		out[i] = whole + "." + f + strings.Repeat(" ", frac-len(f))
	}
	return out
}

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

func payments(ps []api.PaymentMethod) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
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
	w = max(10, w-2) + 2 // as lipgloss's Width: the padding inside, the border out
	content := st.Title.Render(title) + "\n" + body
	inner := w - 4
	lines := strings.Split(content, "\n")
	widths := make([]int, len(lines))
	for i, l := range lines {
		if widths[i] = lipgloss.Width(l); widths[i] > inner || strings.Contains(l, "\t") {
			// A line to wrap: lipgloss does that.
			return st.Box.Width(w - 2).Render(content)
		}
	}
	// Drawn by hand: the same rounded border, padding and left alignment
	// as st.Box, for a third of a market frame less (lipgloss measures
	// every line several times).
	edge := lipgloss.NewStyle().Foreground(st.Box.GetBorderTopForeground())
	bar := strings.Repeat("─", w-2)
	side := edge.Render("│")
	var b strings.Builder
	b.WriteString(edge.Render("╭" + bar + "╮"))
	for i, l := range lines {
		b.WriteString("\n" + side + " " + l + strings.Repeat(" ", inner-widths[i]) + " " + side)
	}
	b.WriteString("\n" + edge.Render("╰"+bar+"╯"))
	return b.String()
}

// kv is a label and its value, the label padded to 14 cells by display
// width (a Chinese label lines up with an English one).
func kv(st Styles, k, v string) string {
	// At least one space after a label, however long ("seller's Alipay"
	// is 15 cells: it ran into its value).
	return st.Muted.Render(padRight(k, 13)+" ") + v
}

// kvWrap is kv for a window w cells wide: a value too long for it wraps,
// its lines under its first, so the end of the sentence stays on screen.
func kvWrap(st Styles, k, v string, w int) string {
	const lw = 14
	if w-lw < 20 || lipgloss.Width(v) <= w-lw {
		return kv(st, k, v)
	}
	ls := strings.Split(wrapTo(v, w-lw), "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " ")
	}
	return st.Muted.Render(padRight(k, lw)) + strings.Join(ls, "\n"+strings.Repeat(" ", lw))
}

// hang puts tail after head, wrapping tail to the window of w cells with
// its further lines under its first: a row of columns whose last one is a
// sentence.
func hang(head, tail string, w int) string {
	hw := lipgloss.Width(head)
	if w-hw < 16 || hw+lipgloss.Width(tail) <= w {
		return head + tail
	}
	ls := strings.Split(wrapTo(tail, w-hw), "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " ")
	}
	return head + strings.Join(ls, "\n"+strings.Repeat(" ", hw))
}

// wrapHanging wraps each line of s wider than w under its own text: a
// row like "  13:55:08  platform     The seller…" continues under "The",
// not at the left edge. The text starts after the last run of two or
// more spaces in the line's first half (or after its indent).
func wrapHanging(s string, w int) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if lipgloss.Width(l) <= w {
			continue
		}
		cut := len(l) - len(strings.TrimLeft(l, " "))
		for _, loc := range hangRE.FindAllStringIndex(l, -1) {
			if lipgloss.Width(l[:loc[1]]) <= w/2 {
				cut = loc[1]
			}
		}
		ls[i] = hang(l[:cut], l[cut:], w)
		if lipgloss.Width(l[:cut]) >= w-16 {
			ls[i] = wrapCells(l, w)
		}
	}
	return strings.Join(ls, "\n")
}

var hangRE = regexp.MustCompile(`\S {2,}`)

// wrapLong wraps only the lines of s wider than w, each by itself.
func wrapLong(s string, w int) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if lipgloss.Width(l) > w {
			ws := strings.Split(wrapTo(l, w), "\n")
			for j := range ws {
				ws[j] = strings.TrimRight(ws[j], " ")
			}
			ls[i] = strings.Join(ws, "\n")
		}
	}
	return strings.Join(ls, "\n")
}

func joinH(a, b string) string { return lipgloss.JoinHorizontal(lipgloss.Top, a, b) }

// joinBoxes puts box b right of box a, each line of a aw cells wide (as
// box draws them): lipgloss's JoinHorizontal measures every line again.
func joinBoxes(a string, aw int, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := max(len(al), len(bl))
	var out strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			out.WriteByte('\n')
		}
		if i < len(al) {
			out.WriteString(al[i])
		} else {
			out.WriteString(strings.Repeat(" ", aw))
		}
		if i < len(bl) {
			out.WriteString(bl[i])
		}
	}
	return out.String()
}

// wrapText wraps text to width w by display width (double-width
// characters count two), keeping the lines it already has.
func wrapText(s string, w int) string { return wrapCells(s, w) }

// padRight fills s with spaces to w cells by display width (never cut);
// padLeft puts them before it. fmt's %-10s counts bytes, which puts a
// Chinese column out of line.
func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}

func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-lipgloss.Width(s))) + s
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

// fitBox draws a box no wider than w: its text wraps inside, rather than
// the box losing its right edge (and the end of its sentence) at 80
// columns.
func fitBox(st Styles, w int, s string) string {
	inner := w - st.Box.GetHorizontalFrameSize()
	if inner > 10 && lipgloss.Width(s) > inner {
		s = wrapCells(s, inner)
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
