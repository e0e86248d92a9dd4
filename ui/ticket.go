package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
	"p2pdesk/money"
)

// ticketPage is the order ticket: type a crypto or a fiat amount, see the
// other computed with the rounding shown, the checks and the warnings, and
// confirm with a second key.
type ticketPage struct {
	c        *Ctx
	ad       api.AdView
	userSide api.Side
	input    textinput.Model
	fiatMode bool
	acct     *api.Account
	bals     []api.BalanceView
	calc     ticketCalc
	confirm  bool
	placing  bool
	err      string
	idem     string
	drill    int // the practice drill it is part of, if any
	// onPlaced: the guide that opened the ticket takes the new order;
	// the ticket then returns to it instead of opening the order page.
	onPlaced func(api.OrderView) tea.Cmd
}

type ticketCalc struct {
	amount, total money.Amount
	rounding      string
	problems      []string // block the order, each next to the field
	warnings      []string
	ok            bool
}

type ticketDataMsg struct {
	acct api.Account
	bals []api.BalanceView
	err  error
}
type adRefreshMsg struct {
	ad  api.AdView
	err error
}
type placedMsg struct {
	order api.OrderView
	err   error
}

func newTicketPage(c *Ctx, ad api.AdView, fiatAmount string, drill int) *ticketPage {
	in := c.input()
	in.CharLimit = 24
	in.Focus()
	t := &ticketPage{c: c, ad: ad, input: in, userSide: ad.Side.Opposite(), drill: drill,
		idem: fmt.Sprintf("take-%d-%d", ad.ID, c.Now().UnixNano())}
	if fiatAmount != "" {
		t.fiatMode = true
		in.SetValue(fiatAmount)
		t.input = in
	}
	t.prompt()
	return t
}

func (t *ticketPage) prompt() {
	if t.fiatMode {
		t.input.Prompt = t.c.T("ticket.amount_in", "Unit", t.ad.Fiat)
	} else {
		t.input.Prompt = t.c.T("ticket.amount_in", "Unit", t.ad.Asset)
	}
}

func (t *ticketPage) Title() string {
	// You buy from a seller, and sell to a buyer.
	if t.userSide == api.Sell {
		return t.c.T("ticket.title_sell", "Asset", t.ad.Asset, "Name", t.ad.Maker.Name)
	}
	return t.c.T("ticket.title_buy", "Asset", t.ad.Asset, "Name", plain(t.ad.Maker.Name))
}

func (t *ticketPage) Capturing() bool { return !t.confirm }

func (t *ticketPage) Help() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "ticket.key_tab")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ticket.key_review")),
		key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "ticket.key_place")),
		t.c.Keys.Back,
	}
}

func (t *ticketPage) Init() tea.Cmd {
	mc := t.c.Market
	var blink tea.Cmd
	if !t.c.SteadyCursor {
		blink = textinput.Blink
	}
	return tea.Batch(blink, request(actTimeout, func(ctx context.Context) tea.Msg {
		a, err := mc.Account(ctx)
		if err != nil {
			return ticketDataMsg{err: err}
		}
		b, err := mc.Balances(ctx)
		return ticketDataMsg{acct: a, bals: b, err: err}
	}))
}

func (t *ticketPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case ticketDataMsg:
		if msg.err != nil {
			t.err = t.c.errText(msg.err)
			return t, nil
		}
		t.acct, t.bals = &msg.acct, msg.bals
		if t.err == t.c.T("ticket.still_loading") {
			t.err = ""
		}
		t.recalc()
	case adRefreshMsg:
		if msg.err == nil && msg.ad.ID == t.ad.ID {
			t.ad = msg.ad
			t.recalc()
		}
	case placedMsg:
		t.placing = false
		if msg.err != nil {
			t.confirm = false
			t.err = t.c.errText(msg.err)
			if t.drill != 0 && api.CodeOf(msg.err) == api.CodeNotFound {
				// A drill's ad comes down after an hour nobody took it
				// (at ×60, a minute away from the keyboard).
				t.err = t.c.T("ticket.drill_gone")
			}
			if api.CodeOf(msg.err) == api.CodePriceChanged {
				mc, id := t.c.Market, t.ad.ID
				return t, request(actTimeout, func(ctx context.Context) tea.Msg {
					ad, err := mc.Ad(ctx, id)
					return adRefreshMsg{ad, err}
				})
			}
			return t, nil
		}
		if t.c.Practice != nil { // before the order page asks
			if t.drill != 0 {
				t.c.Practice.Link(t.drill, msg.order.ID)
			} else {
				t.c.Practice.LinkAd(msg.order.AdID, msg.order.ID)
			}
		}
		opened := notify(t.c.T("ticket.opened", "ID", msg.order.ID, "Side", t.c.side(t.userSide), "Amount", crypto(msg.order.Amount),
			"Asset", msg.order.Asset, "Total", t.c.money(msg.order.FiatTotal, msg.order.Fiat)))
		cmds := []tea.Cmd{replace(newOrderPage(t.c, msg.order.ID)), opened}
		if t.onPlaced != nil {
			// A guide opened this ticket: back to it, it leads on from here.
			cmds = []tea.Cmd{pop(), opened, t.onPlaced(msg.order)}
		}
		return t, tea.Sequence(cmds...)
	case EventMsg:
		// Follow this ad's price and stock live; the server still refuses
		// with PRICE_CHANGED if it moves between review and y.
		if ch, ok := msg.Event.AdState(); ok {
			if ch.ID == t.ad.ID && !ch.Price.IsZero() {
				if ch.Price.Cmp(t.ad.Price) != 0 && t.confirm {
					t.confirm = false
					t.err = t.c.T("ticket.price_moved", "Price", priceText(ch.Price))
				}
				t.ad.Price, t.ad.Remaining, t.ad.Status = ch.Price, ch.Remaining, ch.Status
				t.recalc()
			}
		}
	case tea.KeyMsg:
		if t.placing {
			return t, nil
		}
		if t.confirm {
			switch msg.String() {
			case "y", "Y":
				t.placing = true
				return t, t.place()
			default:
				t.confirm = false
				return t, nil
			}
		}
		switch msg.String() {
		case "esc":
			return t, pop()
		case "tab":
			t.fiatMode = !t.fiatMode
			t.prompt()
			// The number follows the unit: 600 CNY becomes its crypto,
			// even outside the ad's limits. What does not convert goes:
			// 600 under the other unit's label is another order.
			switch {
			case t.calc.amount.IsPositive() && t.calc.total.IsPositive() && t.fiatMode:
				t.input.SetValue(t.calc.total.FixedN(2))
			case t.calc.amount.IsPositive() && t.calc.total.IsPositive():
				t.input.SetValue(t.calc.amount.String())
			default:
				t.input.SetValue("")
			}
			t.input.CursorEnd()
			t.recalc()
			return t, nil
		case "enter":
			if t.acct == nil {
				// The limit and balance checks need the account; a review
				// without them would promise what the server may refuse.
				t.err = t.c.T("ticket.still_loading")
				return t, nil
			}
			t.recalc()
			if t.calc.ok {
				t.confirm, t.err = true, ""
			}
			return t, nil
		}
		var cmd tea.Cmd
		t.input, cmd = t.input.Update(msg)
		t.recalc()
		return t, cmd
	}
	return t, nil
}

func (t *ticketPage) place() tea.Cmd {
	mc := t.c.Market
	req := api.TakeRequest{AdID: t.ad.ID, Amount: t.calc.amount.String(), Payment: string(api.Alipay)}
	if t.fiatMode && t.ad.PriceType == "floating" {
		// The fiat total is what the user typed; the crypto follows the
		// price at the moment the order opens.
		req.Amount, req.FiatAmount = "", strings.TrimSpace(t.input.Value())
	}
	if t.ad.PriceType != "floating" {
		// A fixed price must be the one reviewed. A floating price follows
		// the index and is fixed when the order opens, as on real desks.
		req.ExpectPrice = t.ad.Price.String()
	}
	if !hasMethod(t.ad.Payments, api.Alipay) && len(t.ad.Payments) > 0 {
		req.Payment = string(t.ad.Payments[0])
	}
	idem := t.idem
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		o, err := mc.TakeAd(ctx, req, idem)
		return placedMsg{o, err}
	})
}

func hasMethod(ps []api.PaymentMethod, m api.PaymentMethod) bool {
	for _, p := range ps {
		if p == m {
			return true
		}
	}
	return false
}

// recalc computes the other amount and every check, with the rounding rule
// stated: fiat = amount × price rounded half up to 2 decimals; a fiat
// amount typed is turned into crypto rounding down, so you never pay more
// than you typed.
func (t *ticketPage) recalc() {
	c := ticketCalc{}
	defer func() { t.calc = c }()
	raw := strings.TrimSpace(t.input.Value())
	if raw == "" {
		return
	}
	scale := t.ad.Asset.Scale()
	tr := t.c
	var err error
	if t.fiatMode {
		fiatScale := t.ad.Fiat.Scale()
		typed, perr := money.Parse(raw, fiatScale)
		if perr != nil {
			c.problems = append(c.problems, tr.T("ticket.p_decimals", "N", fiatScale))
			return
		}
		// The market's own rules: the quantity a fiat sum buys (rounded
		// down) and the fiat total of a quantity (rounded half up).
		if c.amount, err = api.QuantityForFiat(typed, t.ad.Price, t.ad.Asset); err != nil {
			c.problems = append(c.problems, tr.T("ticket.p_too_large"))
			return
		}
		c.total, _ = api.FiatTotal(t.ad.Price, c.amount, t.ad.Fiat)
		if c.total.Cmp(typed) != 0 {
			c.rounding = tr.T("ticket.rounding_fiat", "Typed", typed.FixedN(2), "Fiat", t.ad.Fiat, "Amount", c.amount, "Asset", t.ad.Asset,
				"Price", priceText(t.ad.Price), "Total", c.total.FixedN(2), "Scale", scale)
		}
	} else {
		if c.amount, err = money.Parse(raw, scale); err != nil {
			c.problems = append(c.problems, tr.T("ticket.p_decimals", "N", scale))
			return
		}
		c.total, _ = api.FiatTotal(t.ad.Price, c.amount, t.ad.Fiat)
		c.rounding = tr.T("ticket.rounding_crypto", "Amount", c.amount, "Price", priceText(t.ad.Price), "Total", c.total.FixedN(2), "Fiat", t.ad.Fiat)
	}
	if !c.amount.IsPositive() {
		c.problems = append(c.problems, tr.T("ticket.p_positive"))
		return
	}
	if c.total.Cmp(t.ad.MinFiat) < 0 || c.total.Cmp(t.ad.MaxFiat) > 0 {
		c.problems = append(c.problems, tr.T("ticket.p_limits", "Min", t.ad.MinFiat.FixedN(2), "Max", t.ad.MaxFiat.FixedN(2), "Fiat", t.ad.Fiat))
	}
	if c.amount.Cmp(t.ad.Remaining) > 0 {
		c.problems = append(c.problems, tr.T("ticket.p_remaining", "Left", t.ad.Remaining, "Asset", t.ad.Asset))
	}
	if t.acct != nil {
		for _, l := range t.acct.Limits {
			if l.Fiat == t.ad.Fiat && c.total.Cmp(l.Remaining) > 0 {
				c.problems = append(c.problems, tr.T("ticket.p_daily", "Level", t.acct.User.KYCLevel, "Left", l.Remaining.FixedN(2), "Fiat", l.Fiat))
				c.problems = append(c.problems, tr.limitWays(&t.acct.AccountView, l.Fiat))
			}
		}
		if why := tr.takeBlock(t.acct, t.ad); why != "" {
			c.problems = append(c.problems, why)
		}
	}
	if t.userSide == api.Sell {
		for _, b := range t.bals {
			if b.Asset == t.ad.Asset && c.amount.Cmp(b.Available) > 0 {
				c.problems = append(c.problems, tr.T("ticket.p_balance", "Available", b.Available, "Asset", b.Asset))
			}
		}
	}
	if d := t.ad.DevBP; d != nil && abs64(*d) > 200 {
		c.warnings = append(c.warnings, tr.T("ticket.w_bait", "Pct", pct(*d)))
	}
	r := t.ad.Maker.Record
	if r.CompletionBP != nil && *r.CompletionBP < 9000 {
		c.warnings = append(c.warnings, tr.T("ticket.w_completion", "Pct", optPct(r.CompletionBP)))
	}
	if r.Orders30d < 10 {
		c.warnings = append(c.warnings, tr.N("ticket.w_new", int(r.Orders30d)))
	}
	c.ok = len(c.problems) == 0
}

func (t *ticketPage) View(w, h int) string {
	st := t.c.St
	ad := t.ad
	var b strings.Builder
	c := t.c
	t.prompt()
	side := st.Buy.Render(c.side(api.Buy))
	if t.userSide == api.Sell {
		side = st.Sell.Render(c.side(api.Sell))
	}
	b.WriteString(c.T("ticket.head", "Side", side, "Asset", ad.Asset, "Name", plain(ad.Maker.Name)+c.verifiedWord(ad.Maker.Verified), "Price", priceText(ad.Price), "Fiat", ad.Fiat))
	if ad.DevBP != nil {
		b.WriteString("  " + c.T("ticket.vs_index", "Pct", pct(*ad.DevBP)))
	}
	b.WriteString("\n" + st.Muted.Render(c.T("ticket.terms", "Min", ad.MinFiat.FixedN(2), "Max", ad.MaxFiat.FixedN(2), "Fiat", ad.Fiat, "Left", ad.Remaining,
		"Asset", ad.Asset, "Window", ad.WindowMin, "Pays", c.payments(ad.Payments))) + "\n\n")
	b.WriteString(t.input.View() + st.Muted.Render("   "+c.T("ticket.tab_types", "Unit", map[bool]string{true: string(ad.Asset), false: string(ad.Fiat)}[t.fiatMode])) + "\n")
	for _, p := range t.calc.problems {
		b.WriteString("  " + st.Danger.Render("✗ "+p) + "\n")
	}
	if t.calc.ok || (t.calc.amount.IsPositive() && len(t.calc.problems) > 0) {
		you := c.T("ticket.you_buy")
		if t.userSide == api.Sell {
			you = c.T("ticket.you_sell")
		}
		b.WriteString("\n" + kv(st, you, t.calc.amount.String()+" "+string(ad.Asset)) + "\n")
		b.WriteString(kv(st, c.T("ticket.total"), st.Bold.Render(c.money(t.calc.total, ad.Fiat))) + "\n")
		if t.calc.rounding != "" {
			b.WriteString(kvWrap(st, c.T("ticket.rounding"), st.Muted.Render(t.calc.rounding), w) + "\n")
		}
	}
	for _, wn := range t.calc.warnings {
		if c.exam {
			break // the exam shows no labels
		}
		b.WriteString(st.Warn.Render("⚠ "+wn) + "\n")
	}
	b.WriteString("\n" + t.paymentLine(w) + "\n")
	if t.err != "" {
		b.WriteString("\n" + st.Danger.Render("✗ "+t.err) + "\n")
	}
	switch {
	case t.placing:
		b.WriteString("\n" + c.T("ticket.placing"))
	case t.confirm:
		what := c.T("ticket.confirm_buy", "Total", c.money(t.calc.total, ad.Fiat), "Window", ad.WindowMin)
		if t.userSide == api.Sell {
			what = c.T("ticket.confirm_sell", "Amount", t.calc.amount.String(), "Asset", ad.Asset)
		}
		if t.ad.PriceType == "floating" {
			what += "\n" + c.T("ticket.floating", "Margin", pct(t.ad.MarginBP))
		}
		b.WriteString("\n" + fitBox(st, w, st.Bold.Render(c.T("ticket.confirm_q"))+"\n"+what+"\n\n"+st.Key.Render("y")+" "+c.T("ticket.place")+"   "+
			st.Key.Render(c.T("common.any_other_key"))+" "+c.T("ticket.edit")))
	default:
		b.WriteString("\n" + st.Muted.Render(c.T("ticket.enter_review")))
	}
	return wrapLong(b.String(), w)
}

func (t *ticketPage) paymentLine(w int) string {
	st := t.c.St
	if t.acct == nil {
		return st.Muted.Render(t.c.T("ticket.loading_account"))
	}
	for _, p := range t.acct.Payments {
		if p.Method == api.Alipay {
			if t.userSide == api.Sell {
				return kvWrap(t.c.St, t.c.T("ticket.paid_to"), t.c.T("ticket.paid_to_text", "Account", p.Account, "Name", p.RealName), w)
			}
			return kvWrap(t.c.St, t.c.T("ticket.pay_from"), t.c.T("ticket.pay_from_text", "Account", p.Account, "Name", p.RealName), w)
		}
	}
	return st.Warn.Render("⚠ " + t.c.T("ticket.no_alipay"))
}

// takeBlock says which of an ad's requirements the user misses, as the
// marketplace checks them at the take ("" when none, or when the account
// is unknown): a KYC level, a completion rate (a trader with no finished
// order yet has no rate to hold against them).
func (tr *Ctx) takeBlock(acct *api.Account, ad api.AdView) string {
	if acct == nil {
		return ""
	}
	if acct.User.KYCLevel < ad.MinKYC {
		return tr.T("ticket.block_kyc", "Need", ad.MinKYC, "Have", acct.User.KYCLevel)
	}
	if c := acct.Record.CompletionBP; ad.MinCompBP > 0 && c != nil && *c < ad.MinCompBP {
		return tr.T("ticket.block_completion", "Need", money.New(ad.MinCompBP, 2).FixedN(0), "Have", money.New(*c, 2).FixedN(0))
	}
	return ""
}
