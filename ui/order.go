package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"p2pdesk/alipay"
	"p2pdesk/api"
)

// orderPage is one order, live: timeline, countdown, payment details,
// the statement check, chat and the actions its state allows.
type orderPage struct {
	c       *Ctx
	id      int64
	o       *api.OrderView
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
	// err is why enter did not release, said in the form itself: on the
	// page above it, at 80x24, it was off screen, and a learner watched
	// the release window run out (found playing).
	err string
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
	o    api.OrderView
	log  []api.OrderLogEntry
	stmt []alipay.Line
	err  error
}
type orderTick struct{ id int64 }
type actionMsg struct {
	id   int64
	what string
	o    api.OrderView
	err  error
}

func newOrderPage(c *Ctx, id int64) *orderPage {
	p := &orderPage{c: c, id: id}
	p.chat = p.c.input()
	p.chat.Prompt = c.T("order.chat_prompt")
	p.chat.CharLimit = 500
	return p
}

func (p *orderPage) Title() string { return p.c.T("order.title", "ID", p.id) }

func (p *orderPage) Capturing() bool { return p.modal != "" }

func (p *orderPage) Help() []key.Binding {
	k := p.c.Keys
	keys := []key.Binding{k.Pay, k.Paid, k.Cancel, k.Release, k.Dispute, k.Refund, k.Rate, k.Chat, k.Copy, k.Refresh, k.Back}
	if p.debriefable() {
		keys = append(keys, key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "order.key_debrief")))
	}
	return keys
}

func (p *orderPage) Init() tea.Cmd { return p.load() }

func (p *orderPage) load() tea.Cmd {
	p.loads++
	mc, rail, id, seq := p.c.Market, p.c.Alipay, p.id, p.loads
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
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
	})
}

func (p *orderPage) tick() tea.Cmd {
	id := p.id
	return p.c.Tick(time.Second, func(time.Time) tea.Msg { return orderTick{id} })
}

// moving: a deadline is running, so the countdown needs the 1 Hz tick.
func (p *orderPage) moving() bool {
	return p.o != nil && (p.o.State == api.StateCreated || p.o.State == api.StatePaid)
}

func (p *orderPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case friendMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
		}
		return p, p.load()
	case orderMsg:
		// Loads overlap (every event starts one) and answer in any order;
		// an older snapshot must never replace a newer one.
		if msg.id != p.id || msg.seq < p.applied {
			return p, nil
		}
		p.applied = msg.seq
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
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
			p.err = p.c.T("order.could_not", "What", p.c.T("try."+msg.what), "Err", p.c.errText(msg.err))
			if api.CodeOf(msg.err) == api.CodeOrderStateConflict {
				// The order moved on under the form: close it, show it anew.
				p.modal = ""
				return p, tea.Batch(p.load(), warn(p.err))
			}
			return p, warn(p.err)
		}
		p.modal, p.err = "", ""
		return p, tea.Batch(p.load(), notify(p.c.T("done."+msg.what)))
	case sentMsg:
		// A payment went out (from the form this screen opened): read
		// the statement again, so the screen says it left.
		if msg.err == nil && p.o != nil {
			return p, p.load()
		}
	case EventMsg:
		if msg.Event.OrderID() == p.id {
			return p, p.load()
		}
		if msg.Event.Type == api.EventBalanceChanged && p.o != nil && p.o.Role == "seller" {
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
	case key.Matches(msg, k.Pay) && p.canPay():
		return p, payFromAlipay(p.c, *p.o)
	case msg.String() == "f" && p.canPay() && friendOffered(p.c, p.o):
		return p, friendPays(p.c, p.id)
	case key.Matches(msg, k.Refund) && p.toReturn() != nil:
		l := p.toReturn()
		wp := newWalletPage(p.c)
		wp.openForm(l.CounterpartyLogin, fiat(l.Amount), p.c.T("order.refund_note", "ID", p.o.ID))
		wp.focus, wp.backAfterSend = 3, true
		return p, tea.Batch(push(wp), wp.form[3].Focus(), wp.lookup())
	case key.Matches(msg, k.Paid) && p.can("paid"):
		p.modal = "paid"
	case key.Matches(msg, k.Cancel) && p.can("cancel"):
		p.modal = "cancel"
	case key.Matches(msg, k.Release) && p.can("release"):
		p.modal = "release"
		p.rel = releaseForm{amount: p.c.input(), totp: p.c.input()}
		p.rel.amount.Prompt, p.rel.totp.Prompt = p.c.T("release.amount_prompt", "Amount", p.o.Amount), p.c.T("release.totp_prompt")
		p.rel.totp.CharLimit = 6
	case key.Matches(msg, k.Dispute) && p.can("dispute"):
		p.modal = "dispute"
		p.dis = disputeForm{statement: p.c.input(), picked: map[string]bool{}}
		p.dis.statement.Prompt = p.c.T("dispute.statement_prompt")
		p.dis.statement.CharLimit = 500
		if p.o.Role == "seller" {
			p.dis.reason = 1
		}
	case key.Matches(msg, k.Dispute) && p.can("evidence"):
		p.modal = "evidence"
		p.ev = evidenceForm{picked: map[string]bool{}, ref: p.c.input(), note: p.c.input()}
		p.ev.ref.Prompt, p.ev.note.Prompt = p.c.T("evidence.ref_prompt"), p.c.T("evidence.note_prompt")
		p.ev.ref.CharLimit, p.ev.note.CharLimit = 64, 2000
	case key.Matches(msg, k.OpenLink) && p.o != nil && lastLink(p.log, p.o.Role) != "":
		return p, push(newLinkPage(p.c, p.id, lastLink(p.log, p.o.Role)))
	case msg.String() == "b" && p.debriefable():
		return p, push(newDebriefPage(p.c, p.id))
	case key.Matches(msg, k.Rate) && p.can("rate"):
		p.modal = "rate"
	case key.Matches(msg, k.Copy) && p.o != nil && p.o.Role == "buyer":
		text := fmt.Sprintf("%s %s %s", p.o.PayTo.Account, p.o.PayTo.RealName, fiat(p.o.FiatTotal))
		return p, func() tea.Msg {
			termenv.DefaultOutput().Copy(text) // OSC 52: works over ssh and tmux
			return noticeMsg{text: p.c.T("order.copied", "Text", text)}
		}
	}
	return p, nil
}

func (p *orderPage) act(what string, f func(ctx context.Context) (api.OrderView, error)) tea.Cmd {
	p.busy = true
	id := p.id
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		o, err := f(ctx)
		return actionMsg{id: id, what: what, o: o, err: err}
	})
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
			return p, request(loadTimeout, func(ctx context.Context) tea.Msg {
				_, err := mc.SendMessage(ctx, id, text)
				return actionMsg{id: id, what: "message", err: err}
			})
		}
		var cmd tea.Cmd
		p.chat, cmd = p.chat.Update(msg)
		return p, cmd
	case "paid":
		if msg.String() == "y" {
			return p, p.act("paid", func(ctx context.Context) (api.OrderView, error) { return mc.MarkPaid(ctx, id, api.StateCreated) })
		}
		p.modal = ""
	case "cancel":
		if msg.String() == "y" {
			return p, p.act("cancel", func(ctx context.Context) (api.OrderView, error) { return mc.Cancel(ctx, id, api.StateCreated) })
		}
		p.modal = ""
	case "rate":
		switch msg.String() {
		case "g", "+":
			return p, p.act("rate_good", func(ctx context.Context) (api.OrderView, error) { return mc.Rate(ctx, id, true, "") })
		case "b", "-":
			return p, p.act("rate_bad", func(ctx context.Context) (api.OrderView, error) { return mc.Rate(ctx, id, false, "") })
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
			p.err = p.c.T("evidence.empty")
			return p, nil
		}
		mc, id := p.c.Market, p.id
		return p, p.act("evidence", func(ctx context.Context) (api.OrderView, error) {
			for _, r := range refs {
				if _, err := mc.AddEvidence(ctx, id, r, ""); err != nil {
					return api.OrderView{}, err
				}
			}
			if note != "" {
				if _, err := mc.AddEvidence(ctx, id, "", note); err != nil {
					return api.OrderView{}, err
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
			f.err = problem
			return p, nil
		}
		f.err = ""
		mc, id, code := p.c.Market, p.id, strings.TrimSpace(f.totp.Value())
		return p, p.act("release", func(ctx context.Context) (api.OrderView, error) {
			return mc.Release(ctx, id, code, api.StatePaid)
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
			return p.c.T("release.tick_first", "N", i+1)
		}
	}
	if strings.TrimSpace(f.amount.Value()) != p.o.Amount.String() {
		return p.c.T("release.type_amount", "Amount", p.o.Amount)
	}
	if len(strings.TrimSpace(f.totp.Value())) != 6 {
		return p.c.T("release.need_code")
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
		req := api.DisputeRequest{Reason: api.DisputeReasons[f.reason], Statement: strings.TrimSpace(f.statement.Value()), Evidence: refs,
			ExpectState: api.StatePaid}
		mc, id := p.c.Market, p.id
		return p, p.act("dispute", func(ctx context.Context) (api.OrderView, error) { return mc.Dispute(ctx, id, req) })
	}
	switch f.focus {
	case 0:
		switch msg.String() {
		case "left", "h":
			f.reason = (f.reason + len(api.DisputeReasons) - 1) % len(api.DisputeReasons)
		case "right", "l":
			f.reason = (f.reason + 1) % len(api.DisputeReasons)
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
		return p.c.T("order.loading")
	}
	c := p.c
	o := p.o
	var b strings.Builder
	side := st.Buy.Render(c.side(api.Buy))
	if o.Side == api.Sell {
		side = st.Sell.Render(c.side(api.Sell))
	}
	b.WriteString(c.T("order.head", "Side", side, "Amount", crypto(o.Amount), "Asset", o.Asset, "Total", st.Bold.Render(c.money(o.FiatTotal, o.Fiat)),
		"Price", priceText(o.Price), "Name", plain(o.Counterparty.Name)+c.verifiedWord(o.Counterparty.Verified), "State", st.Title.Render(c.bigState(o))) + "\n")
	b.WriteString(p.timeline() + "\n")
	b.WriteString(p.countdown(w) + "\n")
	r := o.Counterparty.Record
	b.WriteString(kvWrap(st, c.T("order.counterparty"), c.T("order.cp_record", "Name", plain(o.Counterparty.Name), "Orders", r.Orders30d,
		"Completion", optPct(r.CompletionBP), "Release", c.dur(r.AvgReleaseS), "Pay", c.dur(r.AvgPayS)), w) + "\n")
	b.WriteString(p.paymentBlock() + "\n")
	if p.err != "" {
		b.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	// What is above the chat wraps to the window (the end of "do not
	// release" must be read), and the chat takes the rows left.
	head := wrapLong(b.String(), w)
	b.Reset()
	b.WriteString(head)
	used := strings.Count(head, "\n")
	modal := p.modalView(w)
	chatH := h - used - strings.Count(modal, "\n") - 3
	b.WriteString(p.chatView(w, max(3, chatH)) + "\n")
	if modal != "" {
		b.WriteString(modal)
	} else {
		b.WriteString(wrapLong(p.actionsLine(), w))
	}
	return b.String()
}

func resolution(o *api.OrderView) string {
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
	c := p.c
	steps := []step{{c.T("timeline.created"), &o.CreatedAt}, {c.T("timeline.paid"), o.PaidAt}}
	switch o.State {
	case api.StateCancelled, api.StateExpired:
		steps = []step{{c.T("timeline.created"), &o.CreatedAt}, {c.T("timeline." + string(o.State)), o.ClosedAt}}
	case api.StateDisputed, api.StateResolved:
		res := c.T("timeline.resolved")
		if o.Resolution != "" {
			res += c.T("common.paren", "Text", c.T("resolution."+string(o.Resolution)))
		}
		steps = append(steps, step{c.T("timeline.disputed"), o.DisputedAt}, step{res, o.ClosedAt})
	default:
		steps = append(steps, step{c.T("timeline.completed"), o.ClosedAt})
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
	case api.StateCreated:
		from, to, label = o.CreatedAt, o.PayDeadline, p.c.T("order.pay_window")
	case api.StatePaid:
		if o.PaidAt == nil || o.ReleaseDeadline == nil {
			return ""
		}
		from, to, label = *o.PaidAt, *o.ReleaseDeadline, p.c.T("order.release_window")
	default:
		return st.Muted.Render(p.c.T("order.no_deadline"))
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
		return st.Danger.Render(p.c.T("order.window_ended", "Label", label))
	}
	return p.c.T("order.countdown", "Label", label, "Bar", sty.Render(bar(frac, min(40, w/3))), "Left", p.c.duration(left), "Ends", to.UTC().Format("15:04:05"))
}

func (p *orderPage) paymentBlock() string {
	st := p.c.St
	c := p.c
	o := p.o
	if o.Role == "buyer" {
		if o.State == api.StateCreated {
			if sent := paymentFor(*o, p.stmt); sent != nil {
				// Paid from the statement's point of view: say so, and
				// never offer to pay a second time.
				return st.OK.Render("✓ " + c.T("order.sent", "Amount", c.money(sent.Amount, o.Fiat), "Name", plain(sent.CounterpartyName),
					"At", sent.At.UTC().Format("15:04:05"), "Tx", sent.TxID, "Key", c.Keys.Paid.Help().Key))
			}
			pay := ""
			if a := astrayLine(c, misdirected(*o, p.stmt)); a != "" {
				pay = a + "\n"
			}
			pay += st.Bold.Render(c.T("order.pay_exactly", "Total", c.money(o.FiatTotal, o.Fiat), "Account", o.PayTo.Account, "Name", o.PayTo.RealName)) +
				st.Muted.Render("  "+c.T("order.y_copies"))
			if p.canPay() {
				pay += st.Muted.Render(" · " + c.T("order.pay_key", "Key", c.Keys.Pay.Help().Key))
			}
			if f := friendLine(c, o, false); f != "" {
				pay += "\n" + f
			}
			return pay
		}
		if o.PaidAt == nil {
			// Never marked paid (cancelled, expired): nothing says it was.
			return kv(st, c.T("order.sellers_alipay"), c.T("order.not_marked_paid", "Account", o.PayTo.Account, "Name", o.PayTo.RealName))
		}
		return kv(st, c.T("ticket.paid_to"), c.T("order.alipay_account", "Account", o.PayTo.Account, "Name", o.PayTo.RealName))
	}
	line := kv(st, c.T("order.buyers_name"), o.PayerName+st.Muted.Render(c.T("order.name_must_match")))
	// In a dispute the statement is the evidence: it stays on screen.
	if o.State != api.StatePaid && o.State != api.StateCreated && o.State != api.StateDisputed {
		if l := p.toReturn(); l != nil {
			// The order ended without this money being the trade's: it is
			// not the seller's to keep.
			return line + "\n" + st.Warn.Render("⚠ "+c.T("order.to_return", "Amount", c.money(l.Amount, o.Fiat), "Name", plain(l.CounterpartyName),
				"Account", plain(l.CounterpartyLogin), "Tx", l.TxID, "Key", c.Keys.Refund.Help().Key))
		}
		return line
	}
	if c.exam {
		return line + p.examStatement()
	}
	if m := p.match(); m != nil {
		line += "\n" + st.OK.Render("✓ "+c.T("order.in_statement", "Amount", c.money(m.Amount, o.Fiat), "Name", plain(m.CounterpartyName),
			"At", m.At.UTC().Format("15:04:05"), "Tx", m.TxID))
		if back := refundOf(*m, p.evidenceLines()); back != nil {
			line += st.OK.Render(c.T("order.refunded", "At", back.At.UTC().Format("15:04:05"), "Tx", back.TxID))
		} else if api.NoteNamesCrypto(m.Note) {
			line += "\n" + st.Danger.Render("⚠ "+c.T("order.note_crypto", "Note", plain(m.Note), "Key", c.Keys.Refund.Help().Key))
		}
		return line
	}
	others := ""
	lines := p.evidenceLines()
	for _, l := range lines {
		if l.Direction != "in" {
			continue
		}
		others += "\n" + st.Warn.Render("⚠") + " " + c.T("order.other_payment", "Amount", c.money(l.Amount, o.Fiat), "Name", plain(l.CounterpartyName),
			"Account", plain(l.CounterpartyLogin), "Tx", l.TxID)
		if back := refundOf(l, lines); back != nil {
			others += st.OK.Render(c.T("order.refunded", "At", back.At.UTC().Format("15:04:05"), "Tx", back.TxID))
		} else if p.toReturn() != nil {
			others += st.Muted.Render(" · " + c.T("order.refund_key", "Key", c.Keys.Refund.Help().Key))
		}
	}
	return line + "\n" + st.Danger.Render("✗ "+c.T("order.not_in_statement", "Total", c.money(o.FiatTotal, o.Fiat), "Name", o.PayerName)) + others
}

// examStatement is the statement since the order opened, as Alipay
// shows it, with no verdict: in the exam the learner compares the name,
// the amount and the note with the order alone.
func (p *orderPage) examStatement() string {
	c, o := p.c, p.o
	out := ""
	lines := p.evidenceLines()
	for _, l := range lines {
		if l.Direction != "in" {
			continue
		}
		note := ""
		if l.Note != "" {
			note = c.T("order.stmt_note", "Note", plain(l.Note))
		}
		out += "\n" + c.T("order.stmt_line", "Amount", c.money(l.Amount, o.Fiat), "Name", plain(l.CounterpartyName), "Account", plain(l.CounterpartyLogin),
			"At", l.At.UTC().Format("15:04:05"), "Tx", l.TxID) + note
		if back := refundOf(l, lines); back != nil {
			out += c.St.Muted.Render(c.T("order.refunded", "At", back.At.UTC().Format("15:04:05"), "Tx", back.TxID))
		} else if r := p.toReturn(); r != nil && r.TxID == l.TxID {
			// A key, not a verdict: the learner judges whether to.
			out += c.St.Muted.Render(" · " + c.T("order.exam_refund_key", "Key", c.Keys.Refund.Help().Key))
		}
	}
	if out == "" {
		return "\n" + c.T("order.stmt_empty")
	}
	return out
}

func (p *orderPage) chatView(w, h int) string {
	st := p.c.St
	var lines []string
	for _, e := range p.log {
		who := st.Accent.Render(p.c.T("role." + e.From))
		if e.From == p.o.Role {
			who = st.Muted.Render(p.c.T("role.you"))
		}
		switch e.Kind {
		case api.LogSystem, api.LogState:
			who = st.Title.Render(p.c.T("chat.platform"))
		case api.LogEvidence:
			// Whose evidence it is: both sides may give the same record.
			author := p.c.T("role." + e.From)
			if e.From == p.o.Role {
				author = p.c.T("role.you")
			}
			who = st.Muted.Render(p.c.T("chat.evidence_by", "Who", author))
		}
		if e.AntiPhishing != "" {
			// Only the platform's lines carry it (support's too).
			who += st.OK.Render(" «" + plain(e.AntiPhishing) + "»")
		}
		text := plainLines(p.logText(e))
		if e.Ref != "" && !strings.Contains(text, e.Ref) {
			text += " (" + plain(e.Ref) + ")"
		}
		// The warnings go first, and the whole message wraps under its
		// sender: the end of a sentence is often where the lure is.
		for i := len(e.Warnings) - 1; i >= 0 && !p.c.exam; i-- {
			text = st.Danger.Render("⚠ "+p.c.warningText(e.Warnings[i])) + " " + text
		}
		prefix := st.Muted.Render(e.At.UTC().Format("15:04")) + " " + who + " "
		pw := lipgloss.Width(prefix)
		if pw > w/2 {
			lines = append(lines, truncateStyled(prefix+text, w))
			continue
		}
		for i, l := range strings.Split(wrapCells(text, w-pw), "\n") {
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

func (c *Ctx) warningText(w string) string {
	switch w {
	case api.WarnLink, api.WarnOffPlatform, api.WarnImpersonation, api.WarnPressure, api.WarnProof, api.WarnCode, api.WarnFee:
		return c.T("warn." + w)
	}
	return w
}

// logText is a platform line of the order's history in the user's
// language: the marketplace writes its state changes in English, and each
// carries the state it reports, which keys the client's own sentence,
// filled from the order. Chat, evidence and support's words are shown as
// written.
func (p *orderPage) logText(e api.OrderLogEntry) string {
	if p.c.zh() && e.Kind == api.LogEvidence && e.Ref != "" && e.Text == "Payment record "+e.Ref {
		// The platform's own wording for a bare reference.
		return p.c.T("log.evidence_ref", "Ref", e.Ref)
	}
	if !p.c.zh() || e.Kind != api.LogState || p.o == nil {
		return e.Text
	}
	o, c := p.o, p.c
	switch e.State {
	case api.StateCreated:
		return c.T("log.created", "Amount", crypto(o.Amount), "Asset", o.Asset, "Total", c.money(o.FiatTotal, o.Fiat), "Window", int(o.PayDeadline.Sub(o.CreatedAt).Minutes()))
	case api.StatePaid:
		return c.T("log.paid")
	case api.StateCompleted:
		return c.T("log.completed", "Amount", o.Amount, "Asset", o.Asset)
	case api.StateCancelled:
		return c.T("log.cancelled")
	case api.StateExpired:
		return c.T("log.expired")
	case api.StateDisputed:
		if strings.Contains(e.Text, "did not release") {
			return c.T("log.disputed_timeout")
		}
		return c.T("log.disputed")
	case api.StateResolved:
		if o.Resolution == api.ResolveRelease {
			return c.T("log.resolved_release", "Amount", o.Amount, "Asset", o.Asset)
		}
		return c.T("log.resolved_refund", "Amount", o.Amount, "Asset", o.Asset)
	}
	return e.Text
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
	// The keys as bound: a remap shows here too.
	k := p.c.Keys
	names := map[string]key.Binding{"paid": k.Paid, "cancel": k.Cancel, "release": k.Release, "dispute": k.Dispute, "rate": k.Rate, "evidence": k.Dispute}
	var parts []string
	if p.canPay() {
		parts = append(parts, st.Key.Render(k.Pay.Help().Key+" "+p.c.T("action.pay")))
	}
	for _, a := range p.o.Actions {
		if b, ok := names[a]; ok {
			parts = append(parts, st.Key.Render(b.Help().Key+" "+p.c.T("action."+a)))
		}
	}
	if p.debriefable() {
		parts = append(parts, st.Key.Render("b "+p.c.T("action.debrief")))
	}
	if lastLink(p.log, p.o.Role) != "" {
		parts = append(parts, st.Key.Render(k.OpenLink.Help().Key+" "+p.c.T("action.open_link")))
	}
	parts = append(parts, st.Muted.Render(p.c.T("order.actions_rest")))
	return strings.Join(parts, "  ")
}

func (p *orderPage) modalView(w int) string {
	st := p.c.St
	o := p.o
	switch p.modal {
	case "chat":
		p.chat.Prompt = p.c.T("order.chat_prompt")
		return p.chat.View() + st.Muted.Render("  "+p.c.T("order.chat_hint"))
	case "paid":
		return fitBox(st, w, p.c.T("order.paid_q", "Total", p.c.money(o.FiatTotal, o.Fiat), "Account", o.PayTo.Account, "Name", o.PayTo.RealName,
			"Y", st.Key.Render("y"), "Other", st.Key.Render(p.c.T("common.any_other_key"))))
	case "cancel":
		return fitBox(st, w, p.c.T("order.cancel_q", "ID", o.ID, "Y", st.Key.Render("y"), "Other", st.Key.Render(p.c.T("common.any_other_key"))))
	case "rate":
		return fitBox(st, w, p.c.T("order.rate_q", "Name", plain(o.Counterparty.Name), "G", st.Key.Render("g"), "B", st.Key.Render("b")))
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
	c := p.c
	b.WriteString(st.Bold.Render(c.T("evidence.title")) + st.Muted.Render(c.T("evidence.why")) + "\n")
	b.WriteString(mark(0) + c.T("evidence.lines") + "\n")
	b.WriteString(p.statementPicker(f.picked, f.cursor, f.focus == 0))
	b.WriteString(mark(1) + f.ref.View() + "\n")
	b.WriteString(mark(2) + f.note.View() + "\n")
	b.WriteString(st.Muted.Render(c.T("form.hint")))
	return b.String() // boxed by modalView, to the width
}

// statementPicker lists the statement lines since the order opened, with
// a box each, for the dispute and evidence forms.
func (p *orderPage) statementPicker(picked map[string]bool, cursor int, focused bool) string {
	st := p.c.St
	ev := p.evidenceLines()
	if len(ev) == 0 {
		return st.Muted.Render("    "+p.c.T("evidence.none")) + "\n"
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
		b.WriteString(fmt.Sprintf("  %s%s %s %s %s %s %s\n", cur, box, l.At.UTC().Format("15:04"), p.c.T("dir."+l.Direction), fiat(l.Amount), plain(l.CounterpartyName), l.TxID))
	}
	return b.String()
}

func (p *orderPage) releaseView() string {
	st := p.c.St
	o, f := p.o, p.rel
	m := p.match()
	c := p.c
	found := st.Danger.Render(c.T("release.not_found"))
	if m != nil {
		found = st.OK.Render(c.T("release.found", "Tx", m.TxID))
	}
	items := []string{
		c.T("release.check1", "Found", found),
		c.T("release.check2", "Total", c.money(o.FiatTotal, o.Fiat)),
		c.T("release.check3", "Name", o.PayerName),
		c.T("release.check4"),
	}
	f.amount.Prompt, f.totp.Prompt = c.T("release.amount_prompt", "Amount", o.Amount), c.T("release.totp_prompt")
	var b strings.Builder
	b.WriteString(st.Bold.Render(c.T("release.title", "Amount", o.Amount, "Asset", o.Asset, "Name", plain(o.Counterparty.Name))) + st.Muted.Render(c.T("release.final")) + "\n")
	if back := p.sentBack(m); back != nil && !c.exam {
		// The careful seller refunded and disputed; a release now would
		// give the crypto away with nothing kept for it.
		b.WriteString(st.Danger.Render("✗ "+c.T("release.after_refund", "Amount", c.money(back.Amount, o.Fiat), "At", back.At.UTC().Format("15:04:05"), "Tx", back.TxID)) + "\n")
	}
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
			b.WriteString(st.Muted.Render("   " + c.T("release.practice_code", "Code", code[:3]+" "+code[3:], "Left", left)))
		}
	}
	if f.err != "" {
		b.WriteString("\n" + st.Danger.Render("✗ "+f.err))
	}
	b.WriteString("\n" + st.Muted.Render(c.T("release.hint")))
	return b.String() // boxed by modalView, to the width
}

// sentBack is the refund of money that came in for this order when the
// seller keeps none of it: no exact payment, or that one returned too.
func (p *orderPage) sentBack(m *alipay.Line) *alipay.Line {
	lines := p.evidenceLines()
	if m != nil && refundOf(*m, lines) == nil {
		return nil // the buyer's exact payment is kept
	}
	for _, l := range lines {
		if l.Direction != "in" {
			continue
		}
		if back := refundOf(l, lines); back != nil {
			return back
		}
	}
	return nil
}

func (p *orderPage) disputeView() string {
	st := p.c.St
	f := p.dis
	var b strings.Builder
	mark := func(i int) string { return focusMark(st, f.focus == i) }
	c := p.c
	f.statement.Prompt = c.T("dispute.statement_prompt")
	b.WriteString(st.Bold.Render(c.T("dispute.title")) + st.Muted.Render(c.T("dispute.why")) + "\n")
	b.WriteString(mark(0) + c.T("dispute.reason") + " ◀ " + st.Bold.Render(c.T("reason."+api.DisputeReasons[f.reason])) + " ▶\n")
	b.WriteString(mark(1) + f.statement.View() + "\n")
	b.WriteString(mark(2) + c.T("dispute.evidence") + "\n")
	b.WriteString(p.statementPicker(f.picked, f.cursor, f.focus == 2))
	b.WriteString(st.Muted.Render(c.T("form.hint")))
	return b.String() // boxed by modalView, to the width
}

// bigState is the order's state as the title of its page: in capitals
// where the language has them.
func (c *Ctx) bigState(o *api.OrderView) string {
	if c.zh() {
		return c.stateRes(o)
	}
	return strings.ToUpper(string(o.State)) + resolution(o)
}

// canPay: the user owes this order's payment and has a simulated Alipay
// to pay it from.
func (p *orderPage) canPay() bool {
	return p.o != nil && p.o.Role == "buyer" && p.o.State == api.StateCreated && p.c.Alipay != nil && paymentFor(*p.o, p.stmt) == nil
}

// friendMsg: the drill's friend paid (or could not).
type friendMsg struct{ err error }

// friendLine is, in a drill where someone close to the learner offers to
// pay the order from their own account, the offer with the key that takes
// it, or what they did; "" anywhere else. Nothing marks the offer: seeing
// what is wrong with it is the drill.
func friendLine(c *Ctx, o *api.OrderView, ownPayment bool) string {
	if c.Practice == nil || o == nil || o.Role != "buyer" || o.State != api.StateCreated || ownPayment {
		return ""
	}
	ds, ok := c.Practice.Drill(o.ID)
	switch {
	case !ok || ds.Friend == "":
		return ""
	case ds.FriendPaid:
		return c.T("practice.friend_did", "Name", ds.Friend, "Total", c.money(o.FiatTotal, o.Fiat), "Key", c.St.Key.Render(c.Keys.Paid.Help().Key))
	}
	return c.T("practice.friend_offer", "Name", ds.Friend, "Key", c.St.Key.Render("f"))
}

// friendOffered: the drill's friend offers to pay and has not yet.
func friendOffered(c *Ctx, o *api.OrderView) bool {
	if c.Practice == nil || o == nil {
		return false
	}
	ds, ok := c.Practice.Drill(o.ID)
	return ok && ds.Friend != "" && !ds.FriendPaid
}

// friendPaid: the drill's friend paid the order.
func friendPaid(c *Ctx, o *api.OrderView) bool {
	if c.Practice == nil || o == nil {
		return false
	}
	ds, ok := c.Practice.Drill(o.ID)
	return ok && ds.FriendPaid
}

// friendPays lets the drill's friend pay the order.
func friendPays(c *Ctx, id int64) tea.Cmd {
	pr := c.Practice
	return func() tea.Msg { return friendMsg{pr.FriendPays(id)} }
}

// payFromAlipay opens the Alipay payment of an order, filled in with the
// seller's account and the exact total: the user only types the payment
// password, and comes back here once it is sent. The form shows the real
// name behind the account; reading it is the user's part.
func payFromAlipay(c *Ctx, o api.OrderView) tea.Cmd {
	wp := newWalletPage(c)
	to := o.PayTo.Account
	if c.Practice != nil {
		to = c.Practice.PayAccount(o)
	}
	wp.openForm(to, fiat(o.FiatTotal), "")
	wp.focus, wp.backAfterSend, wp.order = 3, true, &o
	return tea.Batch(push(wp), wp.form[3].Focus(), wp.lookup())
}

// refundOf is the refund of an incoming payment: the same amount back to
// the same account, after it.
func refundOf(in alipay.Line, lines []alipay.Line) *alipay.Line {
	for i, back := range lines {
		if back.Direction == "out" && back.CounterpartyLogin == in.CounterpartyLogin && back.Amount.Cmp(in.Amount) == 0 && !back.At.Before(in.At) {
			return &lines[i]
		}
	}
	return nil
}

// toReturn is money the seller received around this order that is not
// the trade's and not yet sent back: a payment from another name, a
// wrong amount, or any payment of an order that ended without a release
// to the buyer. The seller refunds it (F) rather than keep it.
func (p *orderPage) toReturn() *alipay.Line {
	if p.o == nil || p.o.Role != "seller" || p.c.Alipay == nil || p.o.State == api.StateCompleted ||
		(p.o.State == api.StateResolved && p.o.Resolution == api.ResolveRelease) {
		return nil
	}
	m := p.match()
	lines := p.evidenceLines()
	for i, l := range lines {
		// The order's own payment, while the order runs, is not to
		// return: unless its note names crypto, or in the exam, where
		// the learner alone judges every line.
		own := m != nil && l.TxID == m.TxID && !p.o.State.Terminal() && !p.c.exam && !api.NoteNamesCrypto(m.Note)
		if l.Direction != "in" || own {
			continue
		}
		if refundOf(l, lines) == nil {
			return &lines[i]
		}
	}
	return nil
}
