package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// walletPage: balances per asset, and the user's Alipay: balance,
// statement, and sending a payment with the payment password.
type walletPage struct {
	c    *Ctx
	bals []api.BalanceView
	me   *alipay.Me
	stmt []alipay.Line
	// sales are the user's recent sell orders: money in around one that
	// is not its buyer's stays marked on the statement.
	sales   []api.OrderView
	cursor  int
	err     string
	sending bool
	form    []textinput.Model // to, amount, note, password
	focus   int
	// backAfterSend: the form was opened by a guide, which it returns to
	// once the payment went out.
	backAfterSend bool
	payee         string
	idem          string
	// order is the payment's order when a guide opened the form for it:
	// the account and total the form is checked against.
	order *api.OrderView
}

type walletMsg struct {
	bals  []api.BalanceView
	me    *alipay.Me
	stmt  []alipay.Line
	sales []api.OrderView
	err   error
}
type sentMsg struct {
	line alipay.Line
	err  error
}
type payeeMsg struct {
	login, name string
}

func newWalletPage(c *Ctx) *walletPage { return &walletPage{c: c} }

func (p *walletPage) Title() string   { return p.c.T("tab.wallet") }
func (p *walletPage) Capturing() bool { return p.sending }
func (p *walletPage) Help() []key.Binding {
	return []key.Binding{p.c.Keys.Up, p.c.Keys.Down, key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "wallet.key_send")), p.c.Keys.Refresh}
}

func (p *walletPage) Init() tea.Cmd { return p.load() }

func (p *walletPage) load() tea.Cmd {
	mc, rail := p.c.Market, p.c.Alipay
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		b, err := mc.Balances(ctx)
		if err != nil {
			return walletMsg{err: err}
		}
		out := walletMsg{bals: b}
		if rail != nil {
			me, err := rail.Me(ctx)
			if err != nil {
				return walletMsg{bals: b, err: fmt.Errorf("alipay: %w", err)}
			}
			out.me = &me
			out.stmt, out.err = rail.Statement(ctx, 0)
			if recent, err := mc.Orders(ctx, client.OrderQuery{Side: api.Sell, Limit: 50}); err == nil {
				out.sales = recent
			}
		}
		return out
	})
}

func (p *walletPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case walletMsg:
		p.err = ""
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
		}
		p.bals, p.me, p.stmt, p.sales = msg.bals, msg.me, msg.stmt, msg.sales
	case sentMsg:
		if !p.sending {
			return p, nil
		}
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.sending, p.err = false, ""
		sent := notify(p.c.T("wallet.sent", "Amount", p.c.money(msg.line.Amount, api.CNY), "Name", plain(msg.line.CounterpartyName), "Tx", msg.line.TxID))
		if p.backAfterSend {
			return p, tea.Batch(pop(), sent)
		}
		return p, tea.Batch(p.load(), sent)
	case payeeMsg:
		if p.sending && strings.TrimSpace(p.form[0].Value()) == msg.login {
			p.payee = msg.name
		}
	case EventMsg:
		if msg.Event.Type == api.EventBalanceChanged || msg.Event.Type.IsOrder() {
			return p, p.load()
		}
	case tea.KeyMsg:
		if p.sending {
			return p.formKey(msg)
		}
		switch {
		case key.Matches(msg, p.c.Keys.Refresh):
			return p, p.load()
		case key.Matches(msg, p.c.Keys.Up):
			p.cursor = max(0, p.cursor-1)
		case key.Matches(msg, p.c.Keys.Down):
			p.cursor = min(len(p.stmt)-1, p.cursor+1)
		case msg.String() == "s" && p.c.Alipay != nil:
			p.openForm("", "", "")
			return p, p.form[0].Focus()
		}
	}
	return p, nil
}

// openForm starts a payment, optionally filled in (the deposit wizard
// fills the seller's account and the exact amount).
func (p *walletPage) openForm(to, amount, note string) {
	p.sending, p.focus, p.payee, p.err = true, 0, "", ""
	p.idem = fmt.Sprintf("pay-%d", p.c.Now().UnixNano())
	p.form = make([]textinput.Model, 4)
	for i := range p.form {
		p.form[i] = p.c.input()
	}
	p.prompts()
	p.form[0].SetValue(to)
	p.form[1].SetValue(amount)
	p.form[2].SetValue(note)
	p.form[3].EchoMode = textinput.EchoPassword
	p.form[3].CharLimit = 6
}

func (p *walletPage) formKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	switch msg.String() {
	case "esc":
		p.sending = false
		return p, nil
	case "tab", "down", "enter":
		if msg.String() == "enter" && p.focus == 3 {
			return p, p.send()
		}
		p.form[p.focus].Blur()
		var cmd tea.Cmd
		if p.focus == 0 {
			cmd = p.lookup()
		}
		p.focus = (p.focus + 1) % 4
		return p, tea.Batch(cmd, p.form[p.focus].Focus())
	case "shift+tab", "up":
		p.form[p.focus].Blur()
		p.focus = (p.focus + 3) % 4
		return p, p.form[p.focus].Focus()
	}
	var cmd tea.Cmd
	p.form[p.focus], cmd = p.form[p.focus].Update(msg)
	return p, cmd
}

// lookup shows the masked real name behind the account, as Alipay does
// before you pay: the moment to notice a name that is not the seller's.
func (p *walletPage) lookup() tea.Cmd {
	rail, login := p.c.Alipay, strings.TrimSpace(p.form[0].Value())
	if login == "" {
		return nil
	}
	return request(actTimeout, func(ctx context.Context) tea.Msg {
		py, err := rail.Lookup(ctx, login)
		if err != nil {
			return payeeMsg{login, p.c.T("wallet.no_account")}
		}
		return payeeMsg{login, py.MaskedName}
	})
}

func (p *walletPage) send() tea.Cmd {
	rail := p.c.Alipay
	to, amount, note, pass, idem := strings.TrimSpace(p.form[0].Value()), strings.TrimSpace(p.form[1].Value()), p.form[2].Value(), p.form[3].Value(), p.idem
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		l, err := rail.Send(ctx, to, amount, note, pass, idem)
		return sentMsg{l, err}
	})
}

func (p *walletPage) View(w, h int) string {
	st := p.c.St
	var b strings.Builder
	c := p.c
	b.WriteString(st.Title.Render(c.T("wallet.balances")) + "\n")
	cw := 18 // an amount column; 80 columns fit four of 16
	if w < 2+6+4*19 {
		cw = 16
	}
	b.WriteString(st.Header.Render("  "+padRight(c.T("wallet.col.asset"), 6)+" "+padLeft(c.T("wallet.col.available"), cw)+" "+padLeft(c.T("wallet.col.escrow"), cw)+" "+
		padLeft(c.T("wallet.col.incoming"), cw)+" "+padLeft(c.T("wallet.col.total"), cw)) + "\n")
	var avail, locked, incoming, total []money.Amount
	for _, bl := range p.bals {
		avail, locked = append(avail, bl.Available), append(locked, bl.Locked)
		incoming, total = append(incoming, bl.Incoming), append(total, bl.Total)
	}
	av, lo, in, to := alignPoints(avail), alignPoints(locked), alignPoints(incoming), alignPoints(total)
	for i, bl := range p.bals {
		b.WriteString("  " + padRight(string(bl.Asset), 6) + " " + padLeft(av[i], cw) + " " + padLeft(lo[i], cw) + " " +
			padLeft(in[i], cw) + " " + st.Bold.Render(padLeft(to[i], cw)) + "\n")
	}
	if p.err != "" {
		b.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	if p.c.Alipay == nil {
		b.WriteString("\n" + st.Muted.Render(c.T("wallet.no_alipay")))
		return b.String()
	}
	if p.me != nil {
		frozen := ""
		if p.me.Frozen.IsPositive() {
			frozen = st.Danger.Render("  " + c.T("wallet.frozen", "Amount", fiat(p.me.Frozen)))
		}
		b.WriteString("\n" + st.Title.Render(c.T("wallet.alipay")) + "  " + c.T("wallet.alipay_line", "Login", p.me.Login, "Name", p.me.RealName,
			"Balance", st.Bold.Render(fiat(p.me.Balance)), "Available", fiat(p.me.Available)) + frozen + "\n")
	}
	if p.sending {
		b.WriteString(p.formView(w) + "\n")
	}
	nameW, loginW := 16, 14
	if w < 100 {
		nameW, loginW = 12, 12
	}
	b.WriteString(st.Header.Render(truncate("  "+padRight(c.T("wallet.col.time"), 8)+" "+padRight("", 3)+" "+padLeft(c.T("wallet.col.amount"), 12)+"  "+
		padRight(c.T("wallet.col.counterparty"), nameW)+" "+padRight(c.T("wallet.col.account"), loginW)+" "+padRight(c.T("wallet.col.tx"), 20)+" "+c.T("wallet.col.status"), w)) + "\n")
	rows := h - strings.Count(b.String(), "\n") - 2
	start := max(0, min(p.cursor-rows/2, len(p.stmt)-rows))
	used := 0
	for i := start; i < len(p.stmt) && used < rows; i++ {
		l := p.stmt[len(p.stmt)-1-i] // newest first
		sign, sty := "+", st.Buy
		if l.Direction == "out" {
			sign, sty = "−", st.Sell
		}
		line := padRight(l.At.UTC().Format("15:04:05"), 8) + " " + padRight(c.T("wallet.dir."+l.Direction), 3) + " " + padLeft(sign+fiat(l.Amount), 12) + "  " +
			pad(plain(p.c.railName(l.CounterpartyName)), nameW, false) + " " + pad(plain(l.CounterpartyLogin), loginW, false) + " " + padRight(l.TxID, 20) + " " + c.T("wallet.status."+l.Status)
		line = truncate(line, w-2)
		if i == p.cursor {
			b.WriteString(st.Selected.Render("▸ "+line) + "\n")
		} else {
			b.WriteString("  " + sty.Render(line) + "\n")
		}
		used++
		// Under its line, where no width cuts it off.
		if mark := p.mark(l); mark != "" && used < rows {
			b.WriteString(st.Warn.Render(truncate("           "+mark, w)) + "\n")
			used++
		}
	}
	if len(p.stmt) == 0 {
		b.WriteString(st.Muted.Render("  "+c.T("wallet.no_transfers")) + "\n")
	}
	return b.String()
}

// mark is what the statement keeps saying about money in around one of
// the user's sales that is not that sale's buyer's (a third party's, the
// kind a fraud victim later claws back), and about a note that names
// crypto: not only on the order's screen, where it is easy to leave. In
// the exam the reading is the learner's.
func (p *walletPage) mark(l alipay.Line) string {
	if p.c.exam || l.Direction != "in" || l.Kind != alipay.KindTransfer {
		return ""
	}
	for _, o := range p.sales {
		if o.Role != "seller" || l.At.Before(o.CreatedAt) || (o.ClosedAt != nil && l.At.After(o.ClosedAt.Add(time.Hour))) {
			continue
		}
		back := ""
		if refundOf(l, p.stmt) != nil {
			back = p.c.T("wallet.mark_refunded")
		}
		switch {
		case l.CounterpartyName != o.PayerName && l.Amount.Cmp(o.FiatTotal) == 0:
			return "⚠ " + p.c.T("wallet.mark_third_party", "ID", o.ID, "Buyer", o.PayerName) + back
		case l.CounterpartyName == o.PayerName && api.NoteNamesCrypto(l.Note):
			return "⚠ " + p.c.T("wallet.mark_note", "ID", o.ID) + back
		}
	}
	return ""
}

// prompts label the payment form's fields in the user's language.
func (p *walletPage) prompts() {
	for i, id := range []string{"wallet.to", "wallet.amount", "wallet.note", "wallet.password"} {
		if i < len(p.form) {
			p.form[i].Prompt = p.c.T(id)
		}
	}
}

func (p *walletPage) formView(w int) string {
	st := p.c.St
	var b strings.Builder
	c := p.c
	p.prompts()
	b.WriteString(st.Bold.Render(c.T("wallet.send_title")) + st.Muted.Render(c.T("wallet.send_why")) + "\n")
	for i, f := range p.form {
		// The cursor alone is easy to miss (and absent without colour):
		// mark the field that takes the keys.
		b.WriteString(focusMark(st, i == p.focus) + f.View())
		if i == 0 && p.payee != "" {
			b.WriteString(st.Warn.Render("  " + c.T("wallet.real_name", "Name", p.payee)))
		}
		warn := ""
		if o := p.order; o != nil && !c.exam {
			// What the form says against what the order says: the last
			// look before money leaves for good (not in the exam, where
			// the reading is the learner's).
			if i == 0 && strings.TrimSpace(f.Value()) != o.PayTo.Account {
				warn = c.T("wallet.not_order_account", "Account", o.PayTo.Account, "Name", o.PayTo.RealName)
			}
			if a, err := money.Parse(strings.TrimSpace(f.Value()), 2); i == 1 && (err != nil || a.Cmp(o.FiatTotal) != 0) {
				warn = c.T("wallet.not_order_total", "Total", fiat(o.FiatTotal))
			}
		}
		if i == 3 && p.c.AlipayPassword != "" {
			b.WriteString(st.Muted.Render("  " + c.T("wallet.practice_password", "Password", p.c.AlipayPassword)))
		}
		b.WriteString("\n")
		if warn != "" {
			b.WriteString("   " + st.Danger.Render("✗ "+warn) + "\n")
		}
	}
	b.WriteString(st.Muted.Render(c.T("wallet.send_hint")))
	return fitBox(st, w, b.String())
}

// railName is a statement line's counterparty as the rail names it,
// its own words ("Bank card 6222…", for a top-up) in the user's language.
func (c *Ctx) railName(name string) string {
	if rest, ok := strings.CutPrefix(name, "Bank card"); ok && c.zh() {
		return c.T("wallet.bank_card") + rest
	}
	return name
}
