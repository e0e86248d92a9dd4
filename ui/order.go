package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/charmbracelet/lipgloss"
	"p2pdesk/client"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/sim/alipay"
)

// orderPage is one order, live: timeline, countdown, payment details,
// the statement check, chat and the actions its state allows.
type orderPage struct {
	c       *Ctx
	id      int64
	o       *market.OrderView
	log     []api.OrderLogEntry
	stmt    []alipay.Line
	err     string
	modal   string // "", chat, paid, cancel, release, dispute, rate
	chat    textinput.Model
	rel     releaseForm
	dis     disputeForm
	ev      evidenceForm
	busy    bool
	ticking bool
	// loads counts loads started; applied is the newest whose answer is shown.
	loads, applied int64
}

type releaseForm struct {
	checks [4]bool
	amount textinput.Model
	totp   textinput.Model
	focus  int // 0 checklist, 1 amount, 2 totp
}

type disputeForm struct {
	reason    int
	statement textinput.Model
	picked    map[string]bool
	cursor    int
	focus     int // 0 reason, 1 statement, 2 evidence
}

// evidenceForm adds evidence to an open dispute: statement lines, a
// transaction id typed in, a note; any mix of them, at any time while the
// dispute is open.
type evidenceForm struct {
	picked map[string]bool
	cursor int
	ref    textinput.Model
	note   textinput.Model
	focus  int // 0 statement lines, 1 transaction id, 2 note
}

type orderMsg struct {
	id   int64
	seq  int64 // which load answered
	o    market.OrderView
	log  []api.OrderLogEntry
	stmt []alipay.Line
	err  error
}
type orderTick struct{ id int64 }
type actionMsg struct {
	id   int64
	what string
	o    market.OrderView
	err  error
}

func newOrderPage(c *Ctx, id int64) *orderPage {
	p := &orderPage{c: c, id: id}
	p.chat = p.c.input()
	p.chat.Prompt = "message: "
	p.chat.CharLimit = 500
	return p
}

func (p *orderPage) Title() string { return fmt.Sprintf("Order %d", p.id) }

func (p *orderPage) Capturing() bool { return p.modal != "" }

func (p *orderPage) Help() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Paid, k.Cancel, k.Release, k.Dispute, k.Rate, k.Chat, k.Copy, k.Refresh, k.Back}
}

func (p *orderPage) Init() tea.Cmd { return p.load() }

func (p *orderPage) load() tea.Cmd {
	p.loads++
	mc, rail, id, seq := p.c.Market, p.c.Alipay, p.id, p.loads
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		o, err := mc.Order(ctx, id)
		if err != nil {
			return orderMsg{id: id, seq: seq, err: err}
		}
		log, err := mc.Messages(ctx, id, 0)
		if err != nil {
			return orderMsg{id: id, seq: seq, err: err}
		}
		var stmt []alipay.Line
		if rail != nil {
			stmt, _ = rail.Statement(ctx, 0)
		}
		return orderMsg{id: id, seq: seq, o: o, log: log, stmt: stmt}
	}
}

func (p *orderPage) tick() tea.Cmd {
	id := p.id
	return p.c.Tick(time.Second, func(time.Time) tea.Msg { return orderTick{id} })
}

// moving: a deadline is running, so the countdown needs the 1 Hz tick.
func (p *orderPage) moving() bool {
	return p.o != nil && (p.o.State == market.StateCreated || p.o.State == market.StatePaid)
}

func (p *orderPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case orderMsg:
		// Loads overlap (every event starts one) and answer in any order;
		// an older snapshot must never replace a newer one.
		if msg.id != p.id || msg.seq < p.applied {
			return p, nil
		}
		p.applied = msg.seq
		if msg.err != nil {
			p.err = msg.err.Error()
			return p, nil
		}
		p.o, p.log, p.stmt, p.err = &msg.o, msg.log, msg.stmt, ""
		if p.moving() && !p.ticking {
			p.ticking = true
			return p, p.tick()
		}
	case orderTick:
		if msg.id != p.id || !p.moving() {
			p.ticking = false
			return p, nil
		}
		return p, p.tick()
	case actionMsg:
		if msg.id != p.id {
			return p, nil
		}
		p.busy = false
		if msg.err != nil {
			// Said as a refusal, in words first: "released: CONFLICT"
			// read as if the release had happened.
			p.err = "could not " + attempted(msg.what) + ": " + errText(msg.err)
			if client.CodeOf(msg.err) == string(market.CodeOrderStateConflict) {
				// The order moved on under the form: close it, show it anew.
				p.modal = ""
				return p, tea.Batch(p.load(), warn(p.err))
			}
			return p, warn(p.err)
		}
		p.modal, p.err = "", ""
		return p, tea.Batch(p.load(), notify(msg.what))
	case EventMsg:
		if eventOrderID(msg.Event) == p.id {
			return p, p.load()
		}
		if msg.Event.Type == "balance.changed" && p.o != nil && p.o.Role == "seller" {
			return p, p.load() // money may have arrived in the statement
		}
	case tea.KeyMsg:
		if p.busy {
			return p, nil
		}
		if p.modal != "" {
			return p.modalKey(msg)
		}
		return p.key(msg)
	}
	return p, nil
}

// eventOrderID finds the order an event is about.
func eventOrderID(e market.Event) int64 {
	var v struct {
		ID      json.Number `json:"id"`
		OrderID json.Number `json:"orderId"`
	}
	if !strings.HasPrefix(e.Type, "order.") && e.Type != "chat.message" {
		return 0
	}
	if json.Unmarshal(e.Data, &v) != nil {
		return 0
	}
	id := v.ID
	if e.Type == "chat.message" {
		id = v.OrderID
	}
	n, _ := id.Int64()
	return n
}

func (p *orderPage) can(action string) bool {
	if p.o == nil {
		return false
	}
	for _, a := range p.o.Actions {
		if a == action {
			return true
		}
	}
	return false
}

func (p *orderPage) key(msg tea.KeyMsg) (Page, tea.Cmd) {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Refresh):
		return p, p.load()
	case key.Matches(msg, k.Chat):
		p.modal = "chat"
		p.chat.SetValue("")
		return p, p.chat.Focus()
	case key.Matches(msg, k.Paid) && p.can("paid"):
		p.modal = "paid"
	case key.Matches(msg, k.Cancel) && p.can("cancel"):
		p.modal = "cancel"
	case key.Matches(msg, k.Release) && p.can("release"):
		p.modal = "release"
		p.rel = releaseForm{amount: p.c.input(), totp: p.c.input()}
		p.rel.amount.Prompt, p.rel.totp.Prompt = "type the amount to release: ", "2FA code: "
		p.rel.amount.Placeholder = p.o.Amount.String()
		p.rel.totp.CharLimit = 6
	case key.Matches(msg, k.Dispute) && p.can("dispute"):
		p.modal = "dispute"
		p.dis = disputeForm{statement: p.c.input(), picked: map[string]bool{}}
		p.dis.statement.Prompt = "what happened: "
		p.dis.statement.CharLimit = 500
		if p.o.Role == "seller" {
			p.dis.reason = 1
		}
	case key.Matches(msg, k.Dispute) && p.can("evidence"):
		p.modal = "evidence"
		p.ev = evidenceForm{picked: map[string]bool{}, ref: p.c.input(), note: p.c.input()}
		p.ev.ref.Prompt, p.ev.note.Prompt = "Alipay transaction id: ", "note: "
		p.ev.ref.CharLimit, p.ev.note.CharLimit = 64, 2000
	case msg.String() == "b" && p.debriefable():
		return p, push(newDebriefPage(p.c, p.id))
	case key.Matches(msg, k.Rate) && p.can("rate"):
		p.modal = "rate"
	case key.Matches(msg, k.Copy) && p.o != nil && p.o.Role == "buyer":
		text := fmt.Sprintf("%s %s %s", p.o.PayTo.Account, p.o.PayTo.RealName, fiat(p.o.FiatTotal))
		return p, func() tea.Msg {
			termenv.DefaultOutput().Copy(text) // OSC 52: works over ssh and tmux
			return noticeMsg{text: "copied: " + text}
		}
	}
	return p, nil
}

func (p *orderPage) act(what string, f func(ctx context.Context) (market.OrderView, error)) tea.Cmd {
	p.busy = true
	id := p.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		o, err := f(ctx)
		return actionMsg{id: id, what: what, o: o, err: err}
	}
}

func (p *orderPage) modalKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	mc, id := p.c.Market, p.id
	if msg.String() == "esc" {
		p.modal = ""
		return p, nil
	}
	switch p.modal {
	case "chat":
		if msg.String() == "enter" {
			text := strings.TrimSpace(p.chat.Value())
			if text == "" {
				return p, nil
			}
			p.busy = true
			return p, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				_, err := mc.SendMessage(ctx, id, text)
				return actionMsg{id: id, what: "message sent", err: err}
			}
		}
		var cmd tea.Cmd
		p.chat, cmd = p.chat.Update(msg)
		return p, cmd
	case "paid":
		if msg.String() == "y" {
			return p, p.act("marked paid", func(ctx context.Context) (market.OrderView, error) { return mc.MarkPaid(ctx, id, market.StateCreated) })
		}
		p.modal = ""
	case "cancel":
		if msg.String() == "y" {
			return p, p.act("order cancelled", func(ctx context.Context) (market.OrderView, error) { return mc.Cancel(ctx, id, market.StateCreated) })
		}
		p.modal = ""
	case "rate":
		switch msg.String() {
		case "g", "+":
			return p, p.act("rated positive", func(ctx context.Context) (market.OrderView, error) { return mc.Rate(ctx, id, true, "") })
		case "b", "-":
			return p, p.act("rated negative", func(ctx context.Context) (market.OrderView, error) { return mc.Rate(ctx, id, false, "") })
		}
	case "release":
		return p.releaseKey(msg)
	case "dispute":
		return p.disputeKey(msg)
	case "evidence":
		return p.evidenceKey(msg)
	}
	return p, nil
}

func (p *orderPage) evidenceKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	f := &p.ev
	lines := p.evidenceLines()
	switch msg.String() {
	case "tab", "shift+tab":
		step := 1
		if msg.String() == "shift+tab" {
			step = 2
		}
		f.focus = (f.focus + step) % 3
		f.ref.Blur()
		f.note.Blur()
		switch f.focus {
		case 1:
			return p, f.ref.Focus()
		case 2:
			return p, f.note.Focus()
		}
		return p, nil
	case "enter":
		var refs []string
		for _, l := range lines {
			if f.picked[l.TxID] {
				refs = append(refs, l.TxID)
			}
		}
		if r := strings.TrimSpace(f.ref.Value()); r != "" {
			refs = append(refs, r)
		}
		note := strings.TrimSpace(f.note.Value())
		if len(refs) == 0 && note == "" {
			p.err = "pick a statement line (space), type a transaction id, or write a note"
			return p, nil
		}
		mc, id := p.c.Market, p.id
		return p, p.act("evidence added", func(ctx context.Context) (market.OrderView, error) {
			for _, r := range refs {
				if _, err := mc.AddEvidence(ctx, id, r, ""); err != nil {
					return market.OrderView{}, err
				}
			}
			if note != "" {
				if _, err := mc.AddEvidence(ctx, id, "", note); err != nil {
					return market.OrderView{}, err
				}
			}
			return mc.Order(ctx, id)
		})
	}
	var cmd tea.Cmd
	switch f.focus {
	case 0:
		switch msg.String() {
		case "up", "k":
			f.cursor = max(0, f.cursor-1)
		case "down", "j":
			f.cursor = min(len(lines)-1, f.cursor+1)
		case " ":
			if f.cursor < len(lines) {
				f.picked[lines[f.cursor].TxID] = !f.picked[lines[f.cursor].TxID]
			}
		}
	case 1:
		f.ref, cmd = f.ref.Update(msg)
	case 2:
		f.note, cmd = f.note.Update(msg)
	}
	return p, cmd
}

func (p *orderPage) releaseKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	f := &p.rel
	switch msg.String() {
	case "tab", "down":
		f.focus = (f.focus + 1) % 3
		return p, p.focusRelease()
	case "shift+tab", "up":
		f.focus = (f.focus + 2) % 3
		return p, p.focusRelease()
	}
	switch f.focus {
	case 0:
		switch msg.String() {
		case "1", "2", "3", "4":
			i := int(msg.String()[0] - '1')
			f.checks[i] = !f.checks[i]
		case "enter":
			f.focus = 1
			return p, p.focusRelease()
		}
		return p, nil
	case 1:
		if msg.String() == "enter" {
			f.focus = 2
			return p, p.focusRelease()
		}
		var cmd tea.Cmd
		f.amount, cmd = f.amount.Update(msg)
		return p, cmd
	}
	if msg.String() == "ctrl+t" && p.c.TOTP != nil {
		if code, ok := p.c.TOTP(p.c.Now()); ok {
			f.totp.SetValue(code)
		}
		return p, nil
	}
	if msg.String() == "enter" {
		if problem := p.releaseProblem(); problem != "" {
			p.err = problem
			return p, nil
		}
		mc, id, code := p.c.Market, p.id, strings.TrimSpace(f.totp.Value())
		return p, p.act("released", func(ctx context.Context) (market.OrderView, error) {
			return mc.Release(ctx, id, code, market.StatePaid)
		})
	}
	var cmd tea.Cmd
	f.totp, cmd = f.totp.Update(msg)
	return p, cmd
}

// releaseProblem is why release is not allowed yet, in words.
func (p *orderPage) releaseProblem() string {
	f := p.rel
	for i, ok := range f.checks {
		if !ok {
			return fmt.Sprintf("tick item %d of the checklist first (or do not release)", i+1)
		}
	}
	if strings.TrimSpace(f.amount.Value()) != p.o.Amount.String() {
		return fmt.Sprintf("type the amount exactly: %s", p.o.Amount)
	}
	if len(strings.TrimSpace(f.totp.Value())) != 6 {
		return "enter the 6-digit code from your authenticator"
	}
	return ""
}

func (p *orderPage) focusRelease() tea.Cmd {
	p.rel.amount.Blur()
	p.rel.totp.Blur()
	switch p.rel.focus {
	case 1:
		return p.rel.amount.Focus()
	case 2:
		return p.rel.totp.Focus()
	}
	return nil
}

func (p *orderPage) disputeKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	f := &p.dis
	ev := p.evidenceLines()
	switch msg.String() {
	case "tab":
		f.focus = (f.focus + 1) % 3
		f.statement.Blur()
		if f.focus == 1 {
			return p, f.statement.Focus()
		}
		return p, nil
	case "enter":
		var refs []string
		for _, l := range ev {
			if f.picked[l.TxID] {
				refs = append(refs, l.TxID)
			}
		}
		req := api.DisputeRequest{Reason: market.DisputeReasons[f.reason], Statement: strings.TrimSpace(f.statement.Value()), Evidence: refs,
			ExpectState: market.StatePaid}
		mc, id := p.c.Market, p.id
		return p, p.act("dispute opened", func(ctx context.Context) (market.OrderView, error) { return mc.Dispute(ctx, id, req) })
	}
	switch f.focus {
	case 0:
		switch msg.String() {
		case "left", "h":
			f.reason = (f.reason + len(market.DisputeReasons) - 1) % len(market.DisputeReasons)
		case "right", "l":
			f.reason = (f.reason + 1) % len(market.DisputeReasons)
		}
	case 1:
		var cmd tea.Cmd
		f.statement, cmd = f.statement.Update(msg)
		return p, cmd
	case 2:
		switch msg.String() {
		case "up", "k":
			f.cursor = max(0, f.cursor-1)
		case "down", "j":
			f.cursor = min(len(ev)-1, f.cursor+1)
		case " ":
			if f.cursor < len(ev) {
				f.picked[ev[f.cursor].TxID] = !f.picked[ev[f.cursor].TxID]
			}
		}
	}
	return p, nil
}

// evidenceLines are the statement lines since the order opened.
func (p *orderPage) evidenceLines() []alipay.Line {
	var out []alipay.Line
	if p.o == nil {
		return nil
	}
	for _, l := range p.stmt {
		if !l.At.Before(p.o.CreatedAt) && l.Kind == "transfer" {
			out = append(out, l)
		}
	}
	return out
}

// match is the incoming transfer that pays this order: the exact amount,
// from the buyer's real name, after the order opened.
func (p *orderPage) match() *alipay.Line {
	if p.o == nil {
		return nil
	}
	for i := range p.stmt {
		l := p.stmt[i]
		if l.Direction == "in" && !l.At.Before(p.o.CreatedAt) && l.Amount.Cmp(p.o.FiatTotal) == 0 && l.CounterpartyName == p.o.PayerName {
			return &p.stmt[i]
		}
	}
	return nil
}

func (p *orderPage) View(w, h int) string {
	st := p.c.St
	if p.o == nil {
		if p.err != "" {
			return st.Danger.Render("✗ " + p.err)
		}
		return "loading order…"
	}
	o := p.o
	var b strings.Builder
	side := st.Buy.Render("BUY")
	if o.Side == market.Sell {
		side = st.Sell.Render("SELL")
	}
	fmt.Fprintf(&b, "%s %s %s for %s %s at %s · with %s · %s\n", side, crypto(o.Amount), o.Asset, st.Bold.Render(fiat(o.FiatTotal)), o.Fiat,
		o.Price.FixedN(4), plain(o.Counterparty.Name)+verifiedWord(o.Counterparty.Verified), st.Title.Render(strings.ToUpper(string(o.State))+resolution(o)))
	b.WriteString(p.timeline() + "\n")
	b.WriteString(p.countdown(w) + "\n")
	r := o.Counterparty.Record
	b.WriteString(kv(st, "counterparty", fmt.Sprintf("%s · %d orders/30d · completion %s · release %s · pay %s", plain(o.Counterparty.Name), r.Orders30d,
		optPct(r.CompletionBP), optDur(r.AvgReleaseS), optDur(r.AvgPayS))) + "\n")
	b.WriteString(p.paymentBlock() + "\n")
	if p.err != "" {
		b.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	used := strings.Count(b.String(), "\n")
	modal := p.modalView(w)
	chatH := h - used - strings.Count(modal, "\n") - 3
	b.WriteString(p.chatView(w, max(3, chatH)) + "\n")
	if modal != "" {
		b.WriteString(modal)
	} else {
		b.WriteString(p.actionsLine())
	}
	return b.String()
}

func resolution(o *market.OrderView) string {
	if o.Resolution != "" {
		return " (" + string(o.Resolution) + ")"
	}
	return ""
}

func (p *orderPage) timeline() string {
	st := p.c.St
	o := p.o
	type step struct {
		name string
		at   *time.Time
	}
	steps := []step{{"created", &o.CreatedAt}, {"paid", o.PaidAt}}
	switch o.State {
	case market.StateCancelled, market.StateExpired:
		steps = []step{{"created", &o.CreatedAt}, {string(o.State), o.ClosedAt}}
	case market.StateDisputed, market.StateResolved:
		steps = append(steps, step{"disputed", o.DisputedAt}, step{"resolved" + resolution(o), o.ClosedAt})
	default:
		steps = append(steps, step{"completed", o.ClosedAt})
	}
	var parts []string
	for _, s := range steps {
		if s.at != nil {
			parts = append(parts, st.OK.Render("● "+s.name)+st.Muted.Render(" "+s.at.UTC().Format("15:04:05")))
		} else {
			parts = append(parts, st.Muted.Render("○ "+s.name))
		}
	}
	return strings.Join(parts, st.Muted.Render(" ── "))
}

// countdown is computed from the server's deadline and the market clock.
func (p *orderPage) countdown(w int) string {
	st := p.c.St
	o := p.o
	now := p.c.MarketNow()
	var from, to time.Time
	var label string
	switch o.State {
	case market.StateCreated:
		from, to, label = o.CreatedAt, o.PayDeadline, "payment window"
	case market.StatePaid:
		if o.PaidAt == nil || o.ReleaseDeadline == nil {
			return ""
		}
		from, to, label = *o.PaidAt, *o.ReleaseDeadline, "release window"
	default:
		return st.Muted.Render("no deadline running")
	}
	total, left := to.Sub(from), to.Sub(now)
	frac := 1.0
	if total > 0 {
		frac = float64(now.Sub(from)) / float64(total)
	}
	sty := st.OK
	if left < total/4 {
		sty = st.Warn
	}
	if left <= 0 {
		return st.Danger.Render(fmt.Sprintf("%s ended: the marketplace acts at its next sweep", label))
	}
	return fmt.Sprintf("%s %s %s left (ends %s)", label, sty.Render(bar(frac, min(40, w/3))), humanDur(left), to.UTC().Format("15:04:05"))
}

func (p *orderPage) paymentBlock() string {
	st := p.c.St
	o := p.o
	if o.Role == "buyer" {
		if o.State == market.StateCreated {
			return st.Bold.Render(fmt.Sprintf("Pay exactly %s %s to Alipay %s (%s) from your own account, then press p.", fiat(o.FiatTotal), o.Fiat,
				o.PayTo.Account, o.PayTo.RealName)) + st.Muted.Render("  y copies")
		}
		if o.PaidAt == nil {
			// Never marked paid (cancelled, expired): nothing says it was.
			return kv(st, "seller's Alipay", fmt.Sprintf("%s (%s) · not marked paid", o.PayTo.Account, o.PayTo.RealName))
		}
		return kv(st, "paid to", fmt.Sprintf("Alipay %s (%s)", o.PayTo.Account, o.PayTo.RealName))
	}
	line := kv(st, "buyer's name", o.PayerName+st.Muted.Render(" — the money must come from this name"))
	// In a dispute the statement is the evidence: it stays on screen.
	if o.State != market.StatePaid && o.State != market.StateCreated && o.State != market.StateDisputed {
		return line
	}
	if m := p.match(); m != nil {
		return line + "\n" + st.OK.Render(fmt.Sprintf("✓ In your Alipay statement: %s %s from %s at %s (%s)", fiat(m.Amount), o.Fiat, plain(m.CounterpartyName),
			m.At.UTC().Format("15:04:05"), m.TxID))
	}
	others := ""
	lines := p.evidenceLines()
	for _, l := range lines {
		if l.Direction != "in" {
			continue
		}
		others += fmt.Sprintf("\n%s %s from %s, account %s (%s): not the buyer's exact payment", st.Warn.Render("⚠"), fiat(l.Amount), plain(l.CounterpartyName),
			plain(l.CounterpartyLogin), l.TxID)
		// A refund is the same amount back to the same account.
		for _, back := range lines {
			if back.Direction == "out" && back.CounterpartyLogin == l.CounterpartyLogin && back.Amount.Cmp(l.Amount) == 0 && !back.At.Before(l.At) {
				others += st.OK.Render(fmt.Sprintf(" · refunded at %s (%s)", back.At.UTC().Format("15:04:05"), back.TxID))
				break
			}
		}
	}
	return line + "\n" + st.Danger.Render(fmt.Sprintf("✗ No %s %s from %s in your Alipay statement yet. \"Paid\" is a claim, not money: do not release.",
		fiat(o.FiatTotal), o.Fiat, o.PayerName)) + others
}

func (p *orderPage) chatView(w, h int) string {
	st := p.c.St
	var lines []string
	for _, e := range p.log {
		who := st.Accent.Render(e.From)
		if e.From == p.o.Role {
			who = st.Muted.Render("you")
		}
		switch e.Kind {
		case market.LogSystem, market.LogState:
			who = st.Title.Render("[platform]")
			if e.AntiPhishing != "" {
				who += st.OK.Render(" «" + plain(e.AntiPhishing) + "»")
			}
		case market.LogEvidence:
			who = st.Muted.Render("[evidence]")
		}
		text := plainLines(e.Text)
		if e.Ref != "" && !strings.Contains(e.Text, e.Ref) {
			text += " (" + plain(e.Ref) + ")"
		}
		// The warnings go first, and the whole message wraps under its
		// sender: the end of a sentence is often where the lure is.
		for i := len(e.Warnings) - 1; i >= 0; i-- {
			text = st.Danger.Render("⚠ "+warningText(e.Warnings[i])) + " " + text
		}
		prefix := st.Muted.Render(e.At.UTC().Format("15:04")) + " " + who + " "
		pw := lipgloss.Width(prefix)
		if pw > w/2 {
			lines = append(lines, truncateStyled(prefix+text, w))
			continue
		}
		for i, l := range strings.Split(lipgloss.NewStyle().Width(w-pw).Render(text), "\n") {
			l = strings.TrimRight(l, " ")
			if i == 0 {
				lines = append(lines, prefix+l)
			} else {
				lines = append(lines, strings.Repeat(" ", pw)+l)
			}
		}
	}
	if len(lines) > h {
		lines = lines[len(lines)-h:]
	}
	return strings.Join(lines, "\n")
}

func warningText(w string) string {
	switch w {
	case market.WarnLink:
		return "link: genuine orders never need one"
	case market.WarnOffPlatform:
		return "asks to leave the platform: you lose its protection"
	case market.WarnImpersonation:
		return "not the platform: real notices carry your anti-phishing code"
	case market.WarnPressure:
		return "pressure: check your statement, not the chat"
	case market.WarnProof:
		return "a screenshot is not money: check your own statement"
	}
	return w
}

// debriefable: the order ended and belongs to a practice drill, however
// it ended (released, refunded from the Wallet, cancelled, expired).
func (p *orderPage) debriefable() bool {
	if p.c.Practice == nil || p.o == nil || !p.o.State.Terminal() {
		return false
	}
	_, ok := p.c.Practice.Drill(p.id)
	return ok
}

func (p *orderPage) actionsLine() string {
	st := p.c.St
	names := map[string]string{"paid": "p mark paid", "cancel": "c cancel", "release": "R release…", "dispute": "d dispute…", "rate": "+ rate", "evidence": "d evidence"}
	var parts []string
	for _, a := range p.o.Actions {
		if n, ok := names[a]; ok {
			parts = append(parts, st.Key.Render(n))
		}
	}
	if p.debriefable() {
		parts = append(parts, st.Key.Render("b debrief"))
	}
	parts = append(parts, st.Muted.Render("m message · r refresh · esc back"))
	return strings.Join(parts, "  ")
}

func (p *orderPage) modalView(w int) string {
	st := p.c.St
	o := p.o
	switch p.modal {
	case "chat":
		return p.chat.View() + st.Muted.Render("  enter send · esc cancel")
	case "paid":
		return fitBox(st, w, fmt.Sprintf("Have you sent exactly %s %s to %s (%s) from your own Alipay?\nMarking paid without paying is fraud and is judged against you.\n\n%s yes, I have paid   %s no",
			fiat(o.FiatTotal), o.Fiat, o.PayTo.Account, o.PayTo.RealName, st.Key.Render("y"), st.Key.Render("any other key")))
	case "cancel":
		return fitBox(st, w, fmt.Sprintf("Cancel order %d? Do not cancel if you have paid: dispute instead.\n\n%s cancel   %s keep", o.ID, st.Key.Render("y"), st.Key.Render("any other key")))
	case "rate":
		return fitBox(st, w, "Rate "+plain(o.Counterparty.Name)+":  "+st.Key.Render("g")+" good   "+st.Key.Render("b")+" bad   esc later")
	case "release":
		return fitBox(st, w, p.releaseView())
	case "dispute":
		return fitBox(st, w, p.disputeView())
	case "evidence":
		return fitBox(st, w, p.evidenceView())
	}
	return ""
}

func (p *orderPage) evidenceView() string {
	st := p.c.St
	f := p.ev
	var b strings.Builder
	mark := func(i int) string { return focusMark(st, f.focus == i) }
	b.WriteString(st.Bold.Render("Add evidence") + st.Muted.Render(" — support verifies payment records on Alipay; a screenshot proves nothing") + "\n")
	b.WriteString(mark(0) + "lines of your Alipay statement since the order opened (space picks):\n")
	b.WriteString(p.statementPicker(f.picked, f.cursor, f.focus == 0))
	b.WriteString(mark(1) + f.ref.View() + "\n")
	b.WriteString(mark(2) + f.note.View() + "\n")
	b.WriteString(st.Muted.Render("tab next · enter submit · esc abort"))
	return b.String() // boxed by modalView, to the width
}

// statementPicker lists the statement lines since the order opened, with
// a box each, for the dispute and evidence forms.
func (p *orderPage) statementPicker(picked map[string]bool, cursor int, focused bool) string {
	st := p.c.St
	ev := p.evidenceLines()
	if len(ev) == 0 {
		return st.Muted.Render("    no transfers since the order opened") + "\n"
	}
	var b strings.Builder
	for i, l := range ev {
		box := "[ ]"
		if picked[l.TxID] {
			box = "[✓]"
		}
		cur := "  "
		if focused && i == cursor {
			cur = "▸ "
		}
		b.WriteString(fmt.Sprintf("  %s%s %s %s %s %s %s\n", cur, box, l.At.UTC().Format("15:04"), l.Direction, fiat(l.Amount), plain(l.CounterpartyName), l.TxID))
	}
	return b.String()
}

func (p *orderPage) releaseView() string {
	st := p.c.St
	o, f := p.o, p.rel
	m := p.match()
	found := st.Danger.Render("not found in your statement")
	if m != nil {
		found = st.OK.Render("found: " + m.TxID)
	}
	items := []string{
		"The money is in my own Alipay statement (" + found + ")",
		fmt.Sprintf("The amount is exactly %s %s", fiat(o.FiatTotal), o.Fiat),
		fmt.Sprintf("The payer's real name is the buyer's: %s", o.PayerName),
		"It arrived within the payment window",
	}
	var b strings.Builder
	b.WriteString(st.Bold.Render(fmt.Sprintf("Release %s %s to %s", o.Amount, o.Asset, plain(o.Counterparty.Name))) + st.Muted.Render(" — this cannot be undone") + "\n")
	// ▸ marks the part that takes the keys: the cursor alone is easy
	// to miss, and 1-4 tick only while the checklist has it.
	at := func(n int) string { return focusMark(st, f.focus == n) }
	for i, it := range items {
		mark := "[ ]"
		if f.checks[i] {
			mark = "[✓]"
		}
		lead := "  "
		if i == 0 {
			lead = at(0)
		}
		b.WriteString(fmt.Sprintf("%s%d %s %s\n", lead, i+1, mark, it))
	}
	b.WriteString(at(1) + f.amount.View() + "\n" + at(2) + f.totp.View())
	if p.c.TOTP != nil {
		if code, ok := p.c.TOTP(p.c.Now()); ok {
			left := 30 - p.c.Now().Unix()%30
			b.WriteString(st.Muted.Render(fmt.Sprintf("   practice authenticator: %s %s (%ds) · ctrl+t fills it", code[:3], code[3:], left)))
		}
	}
	b.WriteString("\n" + st.Muted.Render("1-4 tick (on the checklist) · tab next field · enter release · esc abort"))
	return b.String() // boxed by modalView, to the width
}

func (p *orderPage) disputeView() string {
	st := p.c.St
	f := p.dis
	var b strings.Builder
	mark := func(i int) string { return focusMark(st, f.focus == i) }
	b.WriteString(st.Bold.Render("Open a dispute") + st.Muted.Render(" — support decides from Alipay's records and this chat, not from claims") + "\n")
	b.WriteString(mark(0) + "reason: ◀ " + st.Bold.Render(market.DisputeReasons[f.reason]) + " ▶\n")
	b.WriteString(mark(1) + f.statement.View() + "\n")
	b.WriteString(mark(2) + "evidence from your Alipay statement (space picks):\n")
	b.WriteString(p.statementPicker(f.picked, f.cursor, f.focus == 2))
	b.WriteString(st.Muted.Render("tab next · enter submit · esc abort"))
	return b.String() // boxed by modalView, to the width
}

// attempted names what an action tried, for its refusal.
func attempted(done string) string {
	if a, ok := map[string]string{"marked paid": "mark paid", "order cancelled": "cancel", "released": "release", "dispute opened": "open the dispute",
		"evidence added": "add the evidence", "rated positive": "rate", "rated negative": "rate"}[done]; ok {
		return a
	}
	return done
}

// errText is a refusal in words, its stable code after them.
func errText(err error) string {
	var e *client.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message + " (" + e.Code + ")"
	}
	return err.Error()
}
