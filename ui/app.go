// Package ui is p2pdesk's terminal client: one root model routing keys and
// messages to pages behind one small interface. Every I/O happens in a
// tea.Cmd; live changes arrive from the event stream as messages.
package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/i18n"
)

// Minimum terminal size; below it the app shows how big it needs to be.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Deps is what the app is given: clients, the identity it runs as and the
// few hooks that are not API calls.
type Deps struct {
	// Warnings of the configuration (an unknown key, with the nearest):
	// said at start on the notice line, as the terminal's own lines are
	// hidden under the screen.
	Warnings []string
	Market   *client.Client
	Alipay   *client.Alipay // nil when there is no simulated Alipay
	// AlipayPassword is the practice Alipay payment password, shown as a
	// hint in practice only (it is a simulated account).
	AlipayPassword string
	Server         string
	Profile        string
	Embedded       bool
	// JoinedPID: the embedded marketplace runs in that other p2pdesk.
	JoinedPID    int
	KeyringState string
	// Ephemeral: no persistent secret store, so the practice market (its
	// account, balances, orders) lasts this run only.
	Ephemeral bool
	// TOTP returns a code when p2pdesk holds the seed (practice
	// authenticator); ok is false otherwise.
	TOTP func(at time.Time) (code string, ok bool)
	// HoldTOTP saves a seed as the practice authenticator.
	HoldTOTP func(seed string) error
	// FirstRun: offer 2FA enrolment at start.
	FirstRun bool
	// Practice stages scenarios (embedded only); nil elsewhere.
	Practice Practice
	// Now is the wall clock (tests pin it).
	Now   func() time.Time
	Theme Theme
	Keys  Keys
	Bell  bool
	// Notify: desktop notifications by osc9 or osc777 ("" or off: none).
	Notify string
	// AlertOut is where the bell and notifications are written (nil: the
	// terminal).
	AlertOut io.Writer
	Export   string // directory for CSV exports
	// Refresh is how often the status bar checks the server (0: 5 s).
	Refresh time.Duration
	// SteadyCursor: text fields do not blink (ui.cursor_blink: false).
	SteadyCursor bool
	// Tick starts a timer (nil: tea.Tick). Tests that compare screens
	// give one that never fires, so nothing moves between two looks.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// Tr speaks the user's language (nil: English); switching it on the
	// Account tab changes every screen at its next look.
	Tr *i18n.Tr
	// SaveLang keeps a language chosen at run time (ui.lang in the
	// configuration file); nil keeps it for this run only.
	SaveLang func(i18n.Lang) error
}

// Page is one screen.
type Page interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Page, tea.Cmd)
	View(width, height int) string
	Title() string
	Help() []key.Binding
	// Capturing: a text field has focus, so global keys are not taken.
	Capturing() bool
}

// Messages between pages and the root.
type (
	// EventMsg is one event from the stream.
	EventMsg struct{ Event api.Event }
	// StreamMsg is a change of the stream's connection.
	StreamMsg struct{ State client.StreamState }
	pushMsg   struct{ page Page }
	popMsg    struct{}
	// replaceMsg swaps the top page in one step, so no key can land
	// between a pop and a push on the page beneath.
	replaceMsg struct{ page Page }
	noticeMsg  struct {
		text string
		bad  bool
	}
	healthMsg struct {
		market time.Time
		speed  string
		at     time.Time
		err    error
	}
	healthTick struct{}
)

func push(p Page) tea.Cmd { return func() tea.Msg { return pushMsg{p} } }
func pop() tea.Cmd        { return func() tea.Msg { return popMsg{} } }
func replace(p Page) tea.Cmd {
	return func() tea.Msg { return replaceMsg{p} }
}
func notify(s string) tea.Cmd {
	return func() tea.Msg { return noticeMsg{text: s} }
}
func warn(s string) tea.Cmd { return func() tea.Msg { return noticeMsg{text: s, bad: true} } }

// Ctx is shared by every page: dependencies, styles, the market's clock.
type Ctx struct {
	Deps
	St Styles
	// exam: practice exam mode, where the app shows none of its labels
	// (chat warnings, bait marks, statement checks, reliability ranks):
	// the learner reads the statement, the chat and the record alone.
	exam bool
	// market clock estimate: the last health answer, moved on by speed.
	mkt   time.Time
	mktAt time.Time
	speed float64
	// wizardOrders: the order each wizard is following, to come back to.
	wizardOrders map[api.Side]int64
}

// MarketNow is the marketplace's clock as best known: deadlines are in it.
func (c *Ctx) MarketNow() time.Time {
	if c.mkt.IsZero() {
		return c.Now()
	}
	return c.mkt.Add(time.Duration(float64(c.Now().Sub(c.mktAt)) * c.speed))
}

// input is a text field with the cursor the user chose.
func (c *Ctx) input() textinput.Model {
	in := textinput.New()
	if c.SteadyCursor {
		in.Cursor.SetMode(cursor.CursorStatic)
	}
	return in
}

// Speed is the market clock's speed factor.
func (c *Ctx) Speed() float64 { return c.speed }

// Model is the root.
type Model struct {
	c     *Ctx
	tabs  []Page // the top-level pages, cached so they keep their state
	tab   int
	stack []Page // pages opened on top of the current tab
	w, h  int
	// tabSpans: the cells of each tab in the tab bar as last drawn, for
	// a click.
	tabSpans [][2]int
	// tabLine is the tab bar as last drawn, for tabKey.
	tabLine, tabKey string
	help            bool
	quitting        bool
	notice          string
	noticeOK        bool
	// noticeNews: the notice says what the counterparty did to order
	// noticeOrder (not a chat line).
	noticeNews  bool
	noticeOrder int64
	// owed: the user's orders waiting for their payment; pacedFrom: the
	// speed the clock had before it slowed for them (0: not slowed).
	owed      map[int64]bool
	pacedFrom float64
	stream    string // connecting, live or reconnecting (attempt)
	attempt   int
	health    string
	ready     bool
}

// New builds the app.
func New(d Deps) *Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Tick == nil {
		d.Tick = tea.Tick
	}
	if d.Tr == nil {
		d.Tr = i18n.New(i18n.EN)
	}
	c := &Ctx{Deps: d, St: NewStyles(d.Theme), speed: 1, wizardOrders: map[api.Side]int64{}}
	m := &Model{c: c, stream: "connecting", owed: map[int64]bool{}}
	if d.Ephemeral && d.Embedded {
		// Said once, at start, in one line: what the quit will take away.
		m.notice = c.T("app.no_keyring")
	}
	if len(d.Warnings) > 0 {
		m.notice = strings.Join(d.Warnings, " · ")
	}
	m.tabs = []Page{newMarketPage(c), newOrdersPage(c), newWalletPage(c), newMyAdsPage(c), newAccountPage(c)}
	if d.Practice != nil {
		m.tabs = append(m.tabs, newPracticePage(c))
	}
	return m
}

// Init loads the first page and checks the server.
func (m *Model) Init() tea.Cmd {
	// No tea.SetWindowTitle: in bubbletea v1.3.10 it writes to the
	// terminal without the renderer's lock, racing a frame being drawn
	// (the race detector caught it). The command sets the title first.
	cmds := []tea.Cmd{m.checkHealth()}
	for _, p := range m.tabs {
		cmds = append(cmds, p.Init())
	}
	if m.c.FirstRun {
		ep := newEnrollPage(m.c, true)
		m.stack = append(m.stack, ep)
		cmds = append(cmds, ep.Init())
	}
	return tea.Batch(cmds...)
}

func (m *Model) checkHealth() tea.Cmd {
	return request(pingTimeout, func(ctx context.Context) tea.Msg {
		h, err := m.c.Market.Health(ctx)
		hm := healthMsg{at: m.c.Now(), err: err, speed: h.Speed}
		if err == nil {
			hm.market, _ = time.Parse(time.RFC3339Nano, h.Market)
		}
		return hm
	})
}

func (m *Model) current() Page {
	if n := len(m.stack); n > 0 {
		return m.stack[n-1]
	}
	return m.tabs[m.tab]
}

func (m *Model) setCurrent(p Page) {
	if n := len(m.stack); n > 0 {
		m.stack[n-1] = p
		return
	}
	m.tabs[m.tab] = p
}

// Update routes: modal (quit, help) → focused input → global → page.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h, m.ready = msg.Width, msg.Height, true
		return m, nil
	case tea.MouseMsg:
		return m.mouse(msg)
	case healthMsg:
		if msg.err != nil {
			if m.c.JoinedPID != 0 && m.health == "" {
				m.notice, m.noticeOK = m.c.T("app.joined_gone", "PID", m.c.JoinedPID), false
			}
			m.health = "unreachable"
		} else {
			m.health = ""
			m.c.mkt, m.c.mktAt = msg.market, msg.at
			m.c.speed = parseSpeed(msg.speed)
		}
		every := m.c.Refresh
		if every <= 0 {
			every = 5 * time.Second
		}
		if m.c.Practice != nil && m.c.Practice.Merchants() != "" && every > time.Second {
			every = time.Second // the status bar follows them coming back
		}
		return m, m.c.Tick(every, func(time.Time) tea.Msg { return healthTick{} })
	case healthTick:
		return m, m.checkHealth()
	case StreamMsg:
		if msg.State.Connected {
			m.stream = "live"
		} else {
			m.stream, m.attempt = "reconnecting", msg.State.Attempt
		}
		return m, nil
	case EventMsg:
		if msg.Event.Type == "reset" {
			// The server no longer has what we missed: load everything again.
			var cmds []tea.Cmd
			for _, p := range m.tabs {
				cmds = append(cmds, p.Init())
			}
			return m, tea.Batch(cmds...)
		}
		return m, tea.Batch(m.broadcast(msg), m.bell(msg), m.paceTheClock(msg.Event))
	case pushMsg:
		m.stack = append(m.stack, msg.page)
		return m, msg.page.Init()
	case popMsg:
		if len(m.stack) > 0 {
			m.stack = m.stack[:len(m.stack)-1]
		}
		return m, nil
	case replaceMsg:
		if len(m.stack) > 0 {
			m.stack[len(m.stack)-1] = msg.page
		} else {
			m.stack = append(m.stack, msg.page)
		}
		return m, msg.page.Init()
	case noticeMsg:
		m.notice, m.noticeOK, m.noticeNews = msg.text, !msg.bad, false
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	// Answers of commands go to every page, not just the one on top: a
	// page waiting for its data may be under another one. Each page's
	// messages have their own types (and ids), so the others ignore them.
	return m, m.broadcast(msg)
}

// bell tells the user what the counterparty (or support, or the
// platform) just did: a notice line naming it, the bell and a desktop
// notification if they are on. The user's own actions make no noise.
//
// A chat line does not cover what the same order's counterparty just did
// (a seller releasing and saying thanks in one breath): the notice keeps
// the release, the bell still rings for the line.
func (m *Model) bell(msg EventMsg) tea.Cmd {
	n, ok := counterpartyNotice(msg.Event, m.c)
	if !ok {
		return nil
	}
	if !(n.chat && m.noticeNews && m.noticeOrder == n.order) {
		m.notice, m.noticeOK = n.text, !n.bad
		m.noticeNews, m.noticeOrder = !n.chat, n.order
	}
	return alert(m.c.AlertOut, m.c.Bell, m.c.Notify, n.text)
}

// broadcast gives a message to every live page: each decides if it cares.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, p := range m.tabs {
		np, cmd := p.Update(msg)
		m.tabs[i] = np
		cmds = append(cmds, cmd)
	}
	for i, p := range m.stack {
		np, cmd := p.Update(msg)
		m.stack[i] = np
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.Keys
	if m.quitting {
		switch msg.String() {
		case "y", "Y", "enter":
			return m, tea.Quit
		default:
			m.quitting = false
			return m, nil
		}
	}
	if m.help {
		m.help = false
		return m, nil
	}
	if msg.String() == "ctrl+c" {
		m.quitting = true
		return m, nil
	}
	cur := m.current()
	if !cur.Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			m.quitting = true
			return m, nil
		case key.Matches(msg, k.Help):
			m.help = true
			return m, nil
		case key.Matches(msg, k.Back) && len(m.stack) > 0:
			m.stack = m.stack[:len(m.stack)-1]
			return m, nil
		case key.Matches(msg, k.Speed) && m.c.Practice != nil:
			m.pacedFrom = 0 // the user's own choice, kept
			return m, m.cycleSpeed()
		case key.Matches(msg, k.Speed):
			// Said, not silently ignored: only the practice market on this
			// machine has a clock p2pdesk may speed up.
			m.notice, m.noticeOK = m.c.T("app.speed_remote"), false
			return m, nil
		}
		for i, b := range []key.Binding{k.Market, k.Orders, k.Wallet, k.MyAds, k.Account, k.Practice} {
			if key.Matches(msg, b) && i < len(m.tabs) {
				// Switching reloads the tab: what it showed may be minutes
				// old if the stream was down. Its cursor stays by id.
				m.tab, m.stack = i, nil
				m.notice, m.noticeNews = "", false
				return m, m.tabs[i].Init()
			}
		}
		if key.Matches(msg, k.Withdraw) {
			return m, m.openWizard(api.Sell)
		}
		if key.Matches(msg, k.Deposit) {
			return m, m.openWizard(api.Buy)
		}
	}
	p, cmd := cur.Update(msg)
	m.setCurrent(p)
	return m, cmd
}

// openWizard opens the guide for side over the current tab, so that esc
// leaves it for the tab, not for pages opened before it. A guide already
// open comes back as it was (pages opened from it close): pushing a
// second one made esc land in the first.
func (m *Model) openWizard(side api.Side) tea.Cmd {
	for i, p := range m.stack {
		if w, ok := p.(*wizard); ok && w.side == side && w.drill == 0 {
			m.stack = m.stack[:i+1]
			return nil
		}
	}
	m.stack = nil
	return push(newWizard(m.c, side))
}

// paceTheClock runs the practice clock at real time while an order waits
// for the user: a payment they owe (at x60 a 15-minute payment window is
// 15 seconds, less than it takes to open the wallet and type a password:
// found playing, the first buy expired), or, as the seller, a buyer's
// "paid" to check against their own statement and release or dispute (a
// 30-minute release window is 30 seconds at x60: found playing, a careful
// seller who checked the statement found the order in dispute and their
// completion rate down). Once nothing waits for them, the clock goes back
// to the speed the user chose. S during the wait is obeyed and not
// undone. Only the practice market's clock.
func (m *Model) paceTheClock(e api.Event) tea.Cmd {
	if m.c.Practice == nil {
		return nil
	}
	o, ok := orderOfEvent(e)
	if !ok {
		return nil
	}
	waits := (o.Role == "buyer" && o.State == api.StateCreated) || (o.Role == "seller" && o.State == api.StatePaid)
	if waits {
		m.owed[o.ID] = true
	} else {
		delete(m.owed, o.ID)
	}
	switch {
	case len(m.owed) > 0 && m.pacedFrom == 0 && m.c.speed > 1:
		m.pacedFrom = m.c.speed
		id := "app.paced"
		if o.Role == "seller" {
			id = "app.paced_release"
		}
		if waits {
			m.notice, m.noticeOK, m.noticeNews = m.c.T(id, "ID", o.ID), true, false
		}
		return m.setSpeed(1)
	case len(m.owed) == 0 && m.pacedFrom != 0:
		back := m.pacedFrom
		m.pacedFrom = 0
		return m.setSpeed(back)
	}
	return nil
}

func (m *Model) setSpeed(x float64) tea.Cmd {
	return func() tea.Msg {
		if err := m.c.Practice.SetSpeed(x); err != nil {
			return noticeMsg{text: err.Error(), bad: true}
		}
		return healthTick{}
	}
}

var speeds = []float64{1, 10, 60, 300}

func (m *Model) cycleSpeed() tea.Cmd {
	next := speeds[0]
	for i, s := range speeds {
		if m.c.speed < s+0.001 && m.c.speed > s-0.001 {
			next = speeds[(i+1)%len(speeds)]
		}
	}
	return func() tea.Msg {
		if err := m.c.Practice.SetSpeed(next); err != nil {
			return noticeMsg{text: err.Error(), bad: true}
		}
		return healthTick{}
	}
}

func parseSpeed(s string) float64 {
	var x float64
	if _, err := fmt.Sscanf(strings.TrimSuffix(s, "x"), "%g", &x); err != nil || x <= 0 {
		return 1
	}
	return x
}

// quitQuestion asks to quit and says what happens to the open orders,
// which depends on where the marketplace runs.
func (m *Model) quitQuestion() string {
	var q string
	switch {
	case m.c.JoinedPID != 0:
		q = m.c.T("quit.joined", "PID", m.c.JoinedPID)
	case m.c.Embedded && m.c.Ephemeral:
		q = m.c.T("quit.ephemeral")
	case m.c.Embedded:
		q = m.c.T("quit.embedded")
	default:
		q = m.c.T("quit.remote")
	}
	// A drill is kept in the journal once it settles; one that has not
	// yet is lost with this session (its counterparty lives in it).
	if m.c.Practice != nil {
		if ids := m.c.Practice.Unsettled(); len(ids) > 0 {
			var os []string
			for _, id := range ids {
				os = append(os, fmt.Sprint(id))
			}
			q += "\n\n" + m.c.St.Warn.Render(m.c.N("quit.unsettled", len(ids), "Orders", strings.Join(os, ", ")))
		}
	}
	return q
}

// View draws the tabs, the page, the notice line and the status bar.
func (m *Model) View() string {
	if !m.ready {
		return m.c.T("app.starting")
	}
	st := m.c.St
	if m.w < MinWidth || m.h < MinHeight {
		msg := m.c.T("app.too_small", "W", m.w, "H", m.h, "MinW", MinWidth, "MinH", MinHeight)
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, msg)
	}
	if m.quitting {
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center,
			fitBox(st, m.w, m.quitQuestion()+"\n\n"+st.Key.Render("y")+" "+m.c.T("quit.yes")+"   "+st.Key.Render(m.c.T("common.any_other_key"))+" "+m.c.T("quit.stay")))
	}
	header := m.tabBar()
	status := m.statusBar()
	notice := ""
	if m.notice != "" {
		if m.noticeOK {
			notice = st.OK.Render("✓ " + m.notice)
		} else {
			notice = st.Danger.Render("✗ " + m.notice)
		}
	}
	bodyH := m.h - 3
	var body string
	if m.help {
		body = m.helpView(bodyH)
	} else {
		body = m.current().View(m.w, bodyH)
	}
	// Lines, not a lipgloss block: a block pads every line to the widest
	// by display width, a fifth of a frame, for trailing spaces the
	// renderer clears anyway.
	return header + "\n" + fitLines(body, bodyH) + "\n" + truncateStyled(notice, m.w) + "\n" + status
}

// fitLines makes s exactly h lines: cut below, blank lines added.
func fitLines(s string, h int) string {
	if strings.Contains(s, "\t") {
		s = strings.ReplaceAll(s, "\t", "    ") // as lipgloss renders a tab
	}
	n := strings.Count(s, "\n") + 1
	switch {
	case n > h:
		i := 0
		for k := 0; k < h; k++ {
			i += strings.IndexByte(s[i:], '\n') + 1
		}
		return s[:i-1]
	case n < h:
		return s + strings.Repeat("\n", h-n)
	}
	return s
}

func (m *Model) tabBar() string {
	// The bar changes with the tabs' titles, the page on top, the width
	// and the hints: drawn again only then.
	var key strings.Builder
	fmt.Fprint(&key, m.w, m.tab, len(m.stack), m.hint("tabs.hint_full"))
	for _, p := range m.tabs {
		key.WriteString("\x00" + p.Title())
	}
	if n := len(m.stack); n > 0 {
		key.WriteString("\x00" + m.stack[n-1].Title())
	}
	if key.String() == m.tabKey {
		return m.tabLine
	}
	m.tabKey, m.tabLine = key.String(), m.drawTabBar()
	return m.tabLine
}

func (m *Model) drawTabBar() string {
	st := m.c.St
	// Narrower windows drop words, not keys: first the hints' words, then
	// the names of the tabs not shown (their numbers stay).
	var tabParts []string
	build := func(allNames bool) string {
		var parts []string
		for i, p := range m.tabs {
			active := i == m.tab && len(m.stack) == 0
			label := fmt.Sprintf("%d %s", i+1, p.Title())
			if !allNames && i != m.tab {
				label = fmt.Sprint(i + 1)
			}
			if active {
				parts = append(parts, st.TabActive.Render(label))
			} else {
				parts = append(parts, st.Tab.Render(label))
			}
		}
		tabParts = parts
		if n := len(m.stack); n > 0 {
			parts = append(parts, st.Title.Render("› "+m.stack[n-1].Title()))
		}
		return strings.Join(parts, "")
	}
	defer func() { m.tabSpans = spans(tabParts) }()
	for _, try := range []struct {
		names bool
		right string
	}{{true, m.hint("tabs.hint_full")}, {true, m.hint("tabs.hint_short")}, {false, m.hint("tabs.hint_full")}, {false, m.hint("tabs.hint_min")}} {
		left, right := build(try.names), st.Muted.Render(try.right)
		if gap := m.w - lipgloss.Width(left) - lipgloss.Width(right); gap >= 1 {
			return left + strings.Repeat(" ", gap) + right
		}
	}
	return truncateStyled(build(false), m.w)
}

func (m *Model) statusBar() string {
	conn := m.c.T("status.stream."+m.stream, "Attempt", m.attempt)
	if m.health != "" {
		conn = m.c.T("status." + m.health)
	}
	if m.c.Practice != nil {
		if st := m.c.Practice.Merchants(); st != "" {
			conn += ", " + st
		}
	}
	mode := m.c.T("status.remote")
	switch {
	case m.c.JoinedPID != 0:
		mode = m.c.T("status.joined", "PID", m.c.JoinedPID)
	case m.c.Embedded:
		mode = m.c.T("status.embedded")
	}
	clock := m.c.stamp(m.c.MarketNow()) + " UTC"
	// Most telling first, so a narrow window cuts the address, not the
	// clock: the full keyring state is on the Account tab.
	speed := fmt.Sprintf("%g", m.c.speed)
	if m.pacedFrom != 0 {
		// Said where the speed is, for as long as it lasts: a notice
		// line is soon covered by the next one.
		speed += " " + m.c.T("status.paced", "Speed", fmt.Sprintf("%g", m.pacedFrom))
	}
	s := " " + m.c.T("status.line", "Clock", clock, "Speed", speed, "Conn", conn, "Keyring", m.shortKeyring(m.c.KeyringState),
		"Profile", m.c.Profile, "Server", m.c.Server, "Mode", mode)
	return m.c.St.Status.Render(pad(s, m.w, false))
}

func (m *Model) helpView(h int) string {
	st := m.c.St
	k := m.c.Keys
	line := func(b key.Binding) string {
		return "  " + st.Key.Render(padRight(b.Help().Key, 14)) + " " + m.c.T(b.Help().Desc)
	}
	global := []key.Binding{k.Market, k.Orders, k.Wallet, k.MyAds, k.Account, k.Withdraw, k.Deposit, k.Back, k.Help, k.Quit}
	if m.c.Practice != nil {
		// Practice and the clock exist only against the embedded market.
		global = append(global[:5], append([]key.Binding{k.Practice}, global[5:]...)...)
		global = append(global[:len(global)-3], append([]key.Binding{k.Speed}, global[len(global)-3:]...)...)
	}
	pageKeys := m.current().Help()
	// One column when it fits the height, else the page's keys and the
	// global ones side by side: 80x24 holds both.
	oneColumn := len(pageKeys)+len(global)+6 <= h
	colW := m.w
	if !oneColumn {
		colW = (m.w - 2) / 2
	}
	var page strings.Builder
	page.WriteString(st.Title.Render(m.c.T("help.title", "Page", m.current().Title())) + "\n")
	for _, kb := range pageKeys {
		page.WriteString(line(kb) + "\n")
	}
	if n, ok := m.current().(interface{ HelpNote() string }); ok {
		page.WriteString(indent(st.Muted.Render(wrapText(n.HelpNote(), colW-4)), 2) + "\n")
	}
	var every strings.Builder
	every.WriteString(st.Title.Render(m.c.T("help.everywhere")) + "\n")
	for _, kb := range global {
		every.WriteString(line(kb) + "\n")
	}
	closeHint := st.Muted.Render(m.c.T("help.close"))
	if oneColumn {
		return page.String() + "\n" + every.String() + "\n" + closeHint
	}
	left := lipgloss.NewStyle().Width(colW).Render(strings.TrimRight(page.String(), "\n"))
	return joinH(left, "  "+strings.ReplaceAll(strings.TrimRight(every.String(), "\n"), "\n", "\n  ")) + "\n\n" + closeHint
}

// shortKeyring says in a word or two where secrets are kept.
func (m *Model) shortKeyring(state string) string {
	switch {
	case strings.HasPrefix(state, "OS keyring"):
		return m.c.T("status.keyring_ok")
	case strings.HasPrefix(state, "memory"):
		return m.c.T("status.keyring_memory")
	case strings.HasPrefix(state, "encrypted file"):
		return m.c.T("status.keyring_file")
	case state == "":
		return m.c.T("status.keyring_unknown")
	}
	return state
}

// hint says a tab-bar hint with the keys as bound now: a remapped key
// shows as remapped.
func (m *Model) hint(id string) string {
	k := m.c.Keys
	return m.c.T(id, "W", k.Withdraw.Help().Key, "D", k.Deposit.Help().Key, "Help", k.Help.Help().Key)
}

// Deadlines of the requests pages make: loading what a screen shows, one
// action, the health check, an export of the whole history.
const (
	loadTimeout   = 15 * time.Second
	actTimeout    = 10 * time.Second
	pingTimeout   = 5 * time.Second
	exportTimeout = 30 * time.Second
)

// request is a command that runs fn with a deadline, so no request
// outlives the screen's patience.
func request[T any](d time.Duration, fn func(ctx context.Context) T) func() T {
	return func() T {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return fn(ctx)
	}
}
