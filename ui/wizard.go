package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
	"p2pdesk/reliability"
)

// wizard walks "withdraw to Alipay" (sell crypto, get paid) or "deposit
// via Alipay" (buy crypto, pay the seller) step by step over the real
// operations. It remembers its order in Ctx, so leaving and pressing W
// (or D) again comes back to the same order.
type wizard struct {
	c      *Ctx
	side   api.Side // the user's side
	asset  int
	amount textinput.Model
	twofa  *api.TwoFactor
	ads    []api.AdView
	acct   *api.Account // the user's, to tell which ads they may take
	cursor int
	top    int // the first ad the list shows
	// loadingAds: the search is out; enter waits for its answer.
	loadingAds bool
	// loads counts order loads started; applied is the newest shown.
	loads, applied int64
	order          *api.OrderView
	sent           *alipay.Line // the user's payment for it, read from their statement
	astray         *alipay.Line // a payment since it opened to another account
	said           []api.OrderLogEntry
	err            string
	step           int // before an order: 1..3
	drill          int // the practice drill it plays, if any
}

// The wizards' answers name the wizard's side: the Withdraw and the
// Deposit guide are both alive, every page gets every answer, and the
// Deposit guide showed the Withdraw guide's order as its own ("the
// seller released 97.6 USDT" for a buy not yet paid; found playing).
type wizAdsMsg struct {
	side api.Side
	ads  []api.AdView
	acct *api.Account // nil when it could not be read
	err  error
}
type wizPaidMsg struct {
	side api.Side
	o    api.OrderView
	err  error
}
type wiz2FAMsg struct {
	side api.Side
	st   api.TwoFactor
	err  error
}
type wizOrderMsg struct {
	side api.Side
	o    api.OrderView
	sent *alipay.Line // the buyer's payment to the order's payee, if any
	// astray: a payment since the order opened to another account.
	astray *alipay.Line
	// said: the counterparty's latest chat lines, with their warnings.
	said []api.OrderLogEntry
	seq  int64
	err  error
}

func newWizard(c *Ctx, side api.Side) *wizard {
	in := c.input()
	in.Prompt = c.T("wizard.amount_prompt")
	in.Placeholder = c.T("wizard.amount_placeholder")
	in.CharLimit = 12
	return &wizard{c: c, side: side, amount: in, step: 1}
}

func (w *wizard) Title() string {
	if w.side == api.Sell {
		return w.c.T("wizard.withdraw")
	}
	return w.c.T("wizard.deposit")
}

func (w *wizard) Capturing() bool { return w.step == 2 && w.order == nil }

func (w *wizard) Help() []key.Binding {
	return []key.Binding{w.c.Keys.Enter, w.c.Keys.Up, w.c.Keys.Down, w.c.Keys.Asset, w.c.Keys.Refresh,
		key.NewBinding(key.WithKeys(w.c.Keys.Pay.Keys()...), key.WithHelp(w.c.Keys.Pay.Help().Key, "wizard.key_pay")),
		key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "wizard.key_paid")),
		key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "wizard.key_new")), w.c.Keys.Back}
}

func (w *wizard) Init() tea.Cmd {
	if id := w.c.wizardOrders[w.side]; id != 0 {
		return w.loadOrder(id)
	}
	mc, side := w.c.Market, w.side
	return request(actTimeout, func(ctx context.Context) tea.Msg {
		st, err := mc.TwoFactor(ctx)
		return wiz2FAMsg{side, st, err}
	})
}

func (w *wizard) loadOrder(id int64) tea.Cmd {
	w.loads++
	mc, rail, seq, side := w.c.Market, w.c.Alipay, w.loads, w.side
	return request(actTimeout, func(ctx context.Context) tea.Msg {
		o, err := mc.Order(ctx, id)
		m := wizOrderMsg{side: side, o: o, seq: seq, err: err}
		if err == nil {
			// What the counterparty says reaches the guide too: a lure or
			// a threat must be seen before paying, not after (found
			// playing: the deposit guide showed no chat).
			if log, lerr := mc.Messages(ctx, id, 0); lerr == nil {
				m.said = theirLatest(log, o.Role, 2)
			}
		}
		if err == nil && o.Role == "buyer" && rail != nil {
			// The guide follows the money as the user's own statement
			// shows it, not a promise: has it left for this order's payee?
			if stmt, serr := rail.Statement(ctx, 0); serr == nil {
				m.sent, m.astray = paymentFor(o, stmt), misdirected(o, stmt)
			}
		}
		return m
	})
}

func (w *wizard) loadAds() tea.Cmd {
	q := client.AdQuery{Side: w.side.Opposite(), Asset: assets[w.asset], Fiat: api.CNY, Payment: api.Alipay, Amount: strings.TrimSpace(w.amount.Value()), Limit: 100}
	mc, side := w.c.Market, w.side
	return request(actTimeout, func(ctx context.Context) tea.Msg {
		page, err := mc.Ads(ctx, q)
		if err != nil {
			return wizAdsMsg{side: side, err: err}
		}
		m := wizAdsMsg{side: side, ads: page.Ads}
		if a, err := mc.Account(ctx); err == nil {
			m.acct = &a
		}
		return m
	})
}

func (w *wizard) Update(msg tea.Msg) (Page, tea.Cmd) {
	if !w.mine(msg) {
		return w, nil
	}
	switch msg := msg.(type) {
	case wiz2FAMsg:
		if msg.err != nil {
			w.err = w.c.errText(msg.err)
			return w, nil
		}
		w.twofa = &msg.st
		if msg.st.Enabled && w.step < 2 {
			w.step = 2
			return w, w.amount.Focus()
		}
	case wizAdsMsg:
		w.loadingAds = false
		if msg.err != nil {
			w.err = w.c.errText(msg.err)
			return w, nil
		}
		// Rank by the reliability score; the excluded go last, still shown
		// with the reason, so the user sees what bait looks like; last of
		// all the ads this user may not take (a requirement they miss).
		w.acct = msg.acct
		sort.SliceStable(msg.ads, func(i, j int) bool {
			if w.c.exam {
				// No ranking in the exam: the market's order, best price first.
				return betterPrice(msg.ads[i], msg.ads[j])
			}
			bi, bj := w.c.takeBlock(w.acct, msg.ads[i]), w.c.takeBlock(w.acct, msg.ads[j])
			if (bi == "") != (bj == "") {
				return bi == ""
			}
			si, sj := reliability.Of(msg.ads[i]), reliability.Of(msg.ads[j])
			if (si.Excluded == "") != (sj.Excluded == "") {
				return si.Excluded == ""
			}
			return si.Score > sj.Score
		})
		w.ads, w.cursor, w.err = msg.ads, 0, ""
	case placedMsg:
		// The ticket this wizard opened placed its order (answers reach
		// every page; the stream's event may have come first).
		if msg.err == nil && w.order == nil && w.step == 3 {
			for _, a := range w.ads {
				if a.ID == msg.order.AdID {
					w.c.wizardOrders[w.side] = msg.order.ID
					o := msg.order
					w.order = &o
				}
			}
		}
	case wizOrderMsg:
		if msg.seq < w.applied {
			return w, nil // an older snapshot than the one shown
		}
		w.applied = msg.seq
		if msg.err != nil {
			w.err = w.c.errText(msg.err)
			return w, nil
		}
		w.order, w.sent, w.said, w.astray = &msg.o, msg.sent, msg.said, msg.astray
	case wizPaidMsg:
		if msg.err != nil {
			w.err = w.c.errText(msg.err)
			return w, nil
		}
		w.err = ""
		return w, tea.Batch(notify(w.c.T("wizard.marked_paid")), w.loadOrder(msg.o.ID))
	case friendMsg:
		if msg.err != nil {
			w.err = w.c.errText(msg.err)
		}
		if w.order != nil {
			return w, w.loadOrder(w.order.ID)
		}
	case sentMsg:
		// A payment just went out (from the form this guide opened):
		// look again at the order and the statement.
		if msg.err == nil && w.order != nil {
			return w, w.loadOrder(w.order.ID)
		}
	case EventMsg:
		if id := w.c.wizardOrders[w.side]; id != 0 && (msg.Event.OrderID() == id || w.order == nil) {
			return w, w.loadOrder(id)
		}
	case tea.KeyMsg:
		return w.key(msg)
	}
	return w, nil
}

// mine: msg is not another wizard's answer.
func (w *wizard) mine(msg tea.Msg) bool {
	switch m := msg.(type) {
	case wizAdsMsg:
		return m.side == w.side
	case wizPaidMsg:
		return m.side == w.side
	case wiz2FAMsg:
		return m.side == w.side
	case wizOrderMsg:
		return m.side == w.side
	}
	return true
}

func (w *wizard) key(msg tea.KeyMsg) (Page, tea.Cmd) {
	k := w.c.Keys
	if w.order != nil {
		switch {
		case key.Matches(msg, k.Enter):
			return w, push(newOrderPage(w.c, w.order.ID))
		case key.Matches(msg, k.Refresh):
			return w, w.loadOrder(w.order.ID)
		case key.Matches(msg, k.Pay) && w.order.Role == "buyer" && w.order.State == api.StateCreated && w.c.Alipay != nil:
			return w, payFromAlipay(w.c, *w.order)
		case msg.String() == "f" && w.order.Role == "buyer" && w.order.State == api.StateCreated && w.sent == nil && friendOffered(w.c, w.order):
			return w, friendPays(w.c, w.order.ID)
		case msg.String() == "p" && w.order.Role == "buyer" && w.order.State == api.StateCreated &&
			((w.sent != nil && w.sent.Amount.Cmp(w.order.FiatTotal) == 0) || (w.sent == nil && friendPaid(w.c, w.order))):
			mc, id, side := w.c.Market, w.order.ID, w.side
			return w, request(actTimeout, func(ctx context.Context) tea.Msg {
				o, err := mc.MarkPaid(ctx, id, api.StateCreated)
				return wizPaidMsg{side, o, err}
			})
		case msg.String() == "N" && w.order.State.Terminal():
			delete(w.c.wizardOrders, w.side)
			nw := newWizard(w.c, w.side)
			return nw, nw.Init()
		}
		return w, nil
	}
	if key.Matches(msg, k.Back) {
		// esc leaves from every step, the amount field included.
		return w, pop()
	}
	switch w.step {
	case 1:
		if key.Matches(msg, k.Enter) {
			return w, push(newEnrollPage(w.c, false))
		}
		if key.Matches(msg, k.Refresh) {
			return w, w.Init()
		}
	case 2:
		switch msg.String() {
		case "enter":
			v := strings.TrimSpace(w.amount.Value())
			if a, err := money.Parse(v, 2); err != nil || !a.IsPositive() {
				w.err = w.c.T("wizard.amount_bad")
				return w, nil
			}
			w.err, w.step = "", 3
			w.amount.Blur()
			w.ads, w.loadingAds = nil, true
			return w, w.loadAds()
		case "tab":
			w.asset = (w.asset + 1) % len(assets)
			return w, nil
		}
		if !amountKey(msg) {
			return w, nil // an amount is digits and a point: nothing else types here
		}
		var cmd tea.Cmd
		w.amount, cmd = w.amount.Update(msg)
		return w, cmd
	case 3:
		switch {
		case key.Matches(msg, k.Up):
			w.cursor = max(0, w.cursor-1)
		case key.Matches(msg, k.Down):
			w.cursor = min(len(w.ads)-1, w.cursor+1)
		case key.Matches(msg, k.Refresh):
			w.loadingAds = true
			return w, w.loadAds()
		case msg.String() == "b":
			w.step = 2
			return w, w.amount.Focus()
		case key.Matches(msg, k.Enter) && w.cursor < len(w.ads):
			t := newTicketPage(w.c, w.ads[w.cursor], strings.TrimSpace(w.amount.Value()), w.drill)
			side := w.side
			t.onPlaced = func(o api.OrderView) tea.Cmd {
				w.c.wizardOrders[side] = o.ID
				return nil
			}
			return w, push(t)
		}
	}
	return w, nil
}

// steps of the two flows, each with what to check and why: the
// catalogue holds wizard.<flow>.<n>.title and .why, n = 1..8.
const wizardSteps = 8

func (w *wizard) steps() []struct{ title, why string } {
	flow := "withdraw"
	if w.side == api.Buy {
		flow = "deposit"
	}
	out := make([]struct{ title, why string }, wizardSteps)
	for i := range out {
		id := fmt.Sprintf("wizard.%s.%d.", flow, i+1)
		out[i].title, out[i].why = w.c.T(id+"title"), w.c.T(id+"why")
		if w.c.exam && i == 2 {
			// The choice without the app's advice on it.
			out[i].why = w.c.T("wizard.exam_choose")
		}
	}
	return out
}

// paymentFor is the buyer's transfer to the order's payee since it opened,
// the newest if there are several.
func paymentFor(o api.OrderView, stmt []alipay.Line) *alipay.Line {
	var found *alipay.Line
	for i, l := range stmt {
		if l.Direction == "out" && l.Kind == alipay.KindTransfer && l.CounterpartyLogin == o.PayTo.Account && !l.At.Before(o.CreatedAt) {
			if found == nil || l.At.After(found.At) {
				found = &stmt[i]
			}
		}
	}
	return found
}

// misdirected is the user's newest transfer since the order opened to an
// account that is not its payee: money that did not reach the seller.
func misdirected(o api.OrderView, stmt []alipay.Line) *alipay.Line {
	var found *alipay.Line
	for i, l := range stmt {
		if l.Direction == "out" && l.Kind == alipay.KindTransfer && l.CounterpartyLogin != o.PayTo.Account && !l.At.Before(o.CreatedAt) {
			if found == nil || l.At.After(found.At) {
				found = &stmt[i]
			}
		}
	}
	return found
}

// astrayLine says what became of a payment that went to another account,
// what it means and what to do now that it is gone (not in the exam).
func astrayLine(c *Ctx, l *alipay.Line) string {
	if l == nil || c.exam {
		return "" // in the exam, reading the statement is the learner's part
	}
	fact := c.T("wizard.astray", "Amount", c.money(l.Amount, api.CNY), "Account", plain(l.CounterpartyLogin), "Name", plain(l.CounterpartyName), "Tx", l.TxID)
	return c.St.Danger.Render("✗ "+fact) + "\n" + c.T("wizard.astray_next")
}

// orderStep maps the order's state onto the eight steps (1-based).
func (w *wizard) orderStep() int {
	o := w.order
	switch o.State {
	case api.StateCreated:
		if w.side == api.Sell || w.sent != nil {
			return 6
		}
		return 5
	case api.StatePaid:
		return 7
	case api.StateDisputed:
		return 7
	}
	return 8
}

// stepDone says whether step n (1-based) of an order really happened: a
// cancelled or expired order never had its payment steps done.
func (w *wizard) stepDone(n int) bool {
	o := w.order
	paid := o.PaidAt != nil
	released := o.State == api.StateCompleted || (o.State == api.StateResolved && o.Resolution == api.ResolveRelease)
	switch {
	case n <= 4:
		return true
	case w.side == api.Sell && n == 5:
		return true
	case n == 5:
		return paid || w.sent != nil
	case n == 6:
		return paid
	case n == 7:
		return released
	}
	return false
}

// outcome is the last step's title and explanation for an order that
// ended: what happened to the crypto and the money, in words.
func (w *wizard) outcome() (string, string) {
	o := w.order
	amt := crypto(o.Amount) + " " + string(o.Asset)
	seller := w.side == api.Sell
	out := func(id string) (string, string) {
		return w.c.T("outcome." + id + ".title"), w.c.T("outcome."+id+".why", "Amount", amt, "Name", o.Counterparty.Name, "Total", w.c.money(o.FiatTotal, api.CNY))
	}
	switch {
	case o.State == api.StateCompleted && seller:
		return out("completed_seller")
	case o.State == api.StateCompleted:
		return out("completed_buyer")
	case o.State == api.StateCancelled && seller:
		return out("cancelled_seller")
	case o.State == api.StateCancelled:
		return out("cancelled_buyer")
	case o.State == api.StateExpired && seller:
		return out("expired_seller")
	case o.State == api.StateExpired:
		return out("expired_buyer")
	case o.State == api.StateResolved && o.Resolution == api.ResolveRelease && seller:
		return out("released_seller")
	case o.State == api.StateResolved && o.Resolution == api.ResolveRelease:
		return out("released_buyer")
	case o.State == api.StateResolved && seller:
		return out("refunded_seller")
	case o.State == api.StateResolved:
		return out("refunded_buyer")
	}
	return w.c.T("outcome.done"), ""
}

func (w *wizard) View(width, h int) string {
	st := w.c.St
	c := w.c
	steps := w.steps()
	w.amount.Prompt, w.amount.Placeholder = c.T("wizard.amount_prompt"), c.T("wizard.amount_placeholder")
	cur := w.step
	if w.order != nil {
		cur = w.orderStep()
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(w.Title()) + st.Muted.Render(c.T("wizard.subtitle")) + "\n\n")
	ended := w.order != nil && w.order.State.Terminal()
	for i, s := range steps {
		n := i + 1
		title, why := s.title, s.why
		if ended && n == len(steps) {
			title, why = w.outcome()
		}
		switch {
		case n < cur && ended && !w.stepDone(n):
			b.WriteString(st.Muted.Render(fmt.Sprintf(" – %d %s", n, c.T("wizard.not_done", "Title", title))) + "\n")
		case n < cur:
			b.WriteString(st.OK.Render(fmt.Sprintf(" ✓ %d %s", n, title)) + "\n")
		case n == cur:
			b.WriteString(st.Bold.Render(fmt.Sprintf(" ▸ %d %s", n, title)) + "\n" + st.Muted.Render(indent(wrapText(why, width-4), 3)) + "\n")
		default:
			b.WriteString(st.Muted.Render(fmt.Sprintf("   %d %s", n, title)) + "\n")
		}
	}
	b.WriteString("\n")
	if w.err != "" {
		b.WriteString(wrapTo(st.Danger.Render("✗ "+w.err), width) + "\n")
	}
	if w.order != nil {
		// Sentences a person must read to the end: wrapped, not cut.
		b.WriteString(wrapTo(w.orderView(), width))
		return b.String()
	}
	switch w.step {
	case 1:
		if w.twofa == nil {
			b.WriteString(c.T("wizard.checking"))
		} else {
			b.WriteString(st.Warn.Render(c.T("wizard.2fa_off")) + c.T("wizard.enrol_now"))
		}
	case 2:
		b.WriteString(c.T("wizard.asset", "Asset", st.Bold.Render(string(assets[w.asset])), "Tab", st.Muted.Render(c.T("wizard.tab_changes"))) + "\n")
		find := c.T("wizard.find_buyers")
		if w.side == api.Buy {
			find = c.T("wizard.find_sellers")
		}
		b.WriteString(w.amount.View() + "\n" + st.Muted.Render(find))
	case 3:
		if !c.exam {
			b.WriteString(wrapTo(st.Muted.Render(c.T("wizard.score")), width) + "\n")
		}
		rows := max(3, h-strings.Count(b.String(), "\n")-3) // a line for the range
		// Each ad is rendered first: a long reason wraps onto more than
		// one row, and the window is chosen so the cursor's ad is seen.
		items := make([]string, len(w.ads))
		for i, a := range w.ads {
			s := reliability.Of(a)
			dev := "—"
			if a.DevBP != nil {
				dev = pct(*a.DevBP)
			}
			name := truncate(plain(a.Maker.Name), 18)
			if a.Maker.Verified {
				name += " ✓" // the badge's points are in the parts below
			}
			head := fmt.Sprintf("%3d  %s %10s %8s  ", s.Score, padRight(name, 20), priceText(a.Price), dev)
			// Each part ("price 10/10") wraps whole: no-break spaces
			// inside it, breaks only between parts.
			parts := c.scoreParts(s.Parts)
			for i := range parts {
				parts[i] = strings.Join(strings.Fields(parts[i]), "\u00a0")
			}
			tail := strings.Join(parts, "\u00a0· ")
			blocked := c.takeBlock(w.acct, a)
			if c.exam {
				// The record as it is, without a score or a verdict.
				r := a.Maker.Record
				head = fmt.Sprintf("     %s %10s %8s  ", padRight(name, 20), priceText(a.Price), dev)
				tail = c.T("wizard.record", "Orders", r.Orders30d, "Completion", optPct(r.CompletionBP), "Release", c.dur(r.AvgReleaseS), "Pay", c.dur(r.AvgPayS))
				s.Excluded = ""
			}
			switch {
			case blocked != "":
				head = fmt.Sprintf("  ✗  %s %10s %8s  ", padRight(truncate(plain(a.Maker.Name), 18), 20), priceText(a.Price), dev)
				tail = c.T("wizard.blocked", "Why", blocked)
			case s.Excluded != "":
				head = fmt.Sprintf("  ⚠  %s %10s %8s  ", padRight(truncate(plain(a.Maker.Name), 18), 20), priceText(a.Price), dev)
				tail = c.T("wizard.excluded", "Why", c.excluded(a, s.Excluded))
			}
			var line string
			if blocked == "" && s.Excluded == "" && !c.exam {
				line = strings.ReplaceAll(scoreLine(head, parts, width-2), "\n", "\n  ")
			} else {
				line = strings.ReplaceAll(hang(head, tail, width-2), "\n", "\n  ")
			}
			switch {
			case i == w.cursor:
				items[i] = st.Selected.Render("▸ " + line)
			case blocked != "":
				items[i] = "  " + st.Muted.Render(line)
			case s.Excluded != "":
				items[i] = "  " + st.Danger.Render(line)
			default:
				items[i] = "  " + line
			}
		}
		from, to := w.window(items, rows)
		for _, it := range items[from:to] {
			b.WriteString(it + "\n")
		}
		if from > 0 || to < len(items) {
			b.WriteString(st.Muted.Render(c.T("practice.more", "From", from+1, "To", to, "N", len(items))) + "\n")
		}
		if w.loadingAds {
			b.WriteString(st.Muted.Render(c.T("wizard.looking")) + "\n")
		} else if len(w.ads) == 0 {
			b.WriteString(st.Muted.Render(c.T("wizard.no_ads")) + "\n")
		}
		b.WriteString(st.Muted.Render(c.T("wizard.choose_hint")))
	}
	return b.String()
}

// scoreLine lays out an ad's head and its score's parts in w columns,
// each part whole (never "放" on one line and "币 18/20" on the next):
// beside the head where they fit, else under it, whichever takes fewer
// lines.
func scoreLine(head string, parts []string, w int) string {
	const sep = "\u00a0· "
	hw := lipgloss.Width(head)
	if one := strings.Join(parts, sep); hw+lipgloss.Width(one) <= w {
		return head + one
	}
	pack := func(width int) []string {
		var out []string
		cur := ""
		for _, p := range parts {
			switch {
			case cur == "":
				cur = p
			case lipgloss.Width(cur+sep+p) <= width:
				cur += sep + p
			default:
				out = append(out, cur)
				cur = p
			}
		}
		return append(out, cur)
	}
	const indent = 4
	beside, under := pack(w-hw), pack(w-indent)
	if w-hw >= 16 && len(beside) <= 1+len(under) {
		return head + strings.Join(beside, "\n"+strings.Repeat(" ", hw))
	}
	return strings.TrimRight(head, " ") + "\n" + strings.Repeat(" ", indent) + strings.Join(under, "\n"+strings.Repeat(" ", indent))
}

// window is the run of items [from, to) shown in rows lines: it moves
// only as far as it must for the cursor's item to be seen whole, as a
// list that scrolls does.
func (w *wizard) window(items []string, rows int) (from, to int) {
	if len(items) == 0 {
		return 0, 0
	}
	cur := min(max(w.cursor, 0), len(items)-1)
	w.top = min(max(w.top, 0), cur)
	fits := func(from int) int { // the end of the window starting at from
		used, to := 0, from
		for to < len(items) && (to == from || used+lines(items[to]) <= rows) {
			used += lines(items[to])
			to++
		}
		return to
	}
	for fits(w.top) <= cur {
		w.top++
	}
	return w.top, fits(w.top)
}

func (w *wizard) orderView() string {
	st := w.c.St
	c := w.c
	o := w.order
	cny := func(a money.Amount) string { return c.money(a, api.CNY) }
	var b strings.Builder
	b.WriteString(c.T("wizard.order_head", "ID", o.ID, "Side", c.side(o.Side), "Amount", o.Amount, "Asset", o.Asset, "Total", cny(o.FiatTotal),
		"State", st.Title.Render(c.bigState(o))) + "\n")
	if o.State == api.StateCreated || o.State == api.StatePaid {
		var to time.Time
		if o.State == api.StateCreated {
			to = o.PayDeadline
		} else if o.ReleaseDeadline != nil {
			to = *o.ReleaseDeadline
		}
		b.WriteString(c.T("wizard.time_left", "Left", c.duration(to.Sub(w.c.MarketNow()))) + "\n")
	}
	switch {
	case o.Role == "seller" && o.State == api.StateCreated:
		b.WriteString(c.T("wizard.seller_wait", "Name", o.PayerName, "Total", cny(o.FiatTotal), "Account", o.PayTo.Account) + "\n")
	case o.Role == "seller" && o.State == api.StatePaid:
		b.WriteString(c.T("wizard.seller_paid") + "\n")
	case o.Role == "buyer" && o.State == api.StateCreated && w.sent != nil:
		l := w.sent
		b.WriteString(c.T("wizard.your_statement", "Amount", cny(l.Amount), "Account", l.CounterpartyLogin, "Name", l.CounterpartyName,
			"At", l.At.Format(time.TimeOnly), "Tx", l.TxID) + "\n")
		if l.Amount.Cmp(o.FiatTotal) != 0 {
			b.WriteString(st.Danger.Render(c.T("wizard.wrong_amount", "Total", cny(o.FiatTotal))) + "\n")
		} else {
			b.WriteString(st.Key.Render("p") + " " + c.T("wizard.mark_paid_now") + "\n")
		}
	case o.Role == "buyer" && o.State == api.StateCreated:
		if a := astrayLine(c, w.astray); a != "" {
			b.WriteString(a + "\n")
		}
		b.WriteString(c.T("wizard.pay_exactly", "Total", cny(o.FiatTotal), "Account", o.PayTo.Account, "Name", o.PayTo.RealName, "Key", st.Key.Render(c.Keys.Pay.Help().Key)) + "\n")
		if f := friendLine(c, o, false); f != "" {
			b.WriteString(f + "\n")
		}
	case o.Role == "buyer" && o.State == api.StatePaid:
		b.WriteString(c.T("wizard.buyer_wait") + "\n")
	case o.State == api.StateDisputed && o.Role == "seller":
		b.WriteString(c.T("wizard.dispute_seller", "Key", st.Key.Render("d")) + "\n")
	case o.State == api.StateDisputed:
		b.WriteString(c.T("wizard.dispute_buyer", "Key", st.Key.Render("d")) + "\n")
	case o.State.Terminal():
		b.WriteString(c.T("wizard.new_trade") + "\n")
	}
	b.WriteString(st.Key.Render("enter") + " " + c.T("wizard.open_order"))
	if len(w.said) > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	for _, e := range w.said {
		line := c.T("wizard.they_said", "Who", c.T("role."+e.From), "Text", plain(e.Text))
		for _, wn := range e.Warnings {
			if !c.exam {
				line += "  " + st.Danger.Render("⚠ "+c.warningText(wn))
			}
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// theirLatest are the last n chat lines the counterparty wrote.
func theirLatest(log []api.OrderLogEntry, role string, n int) []api.OrderLogEntry {
	var out []api.OrderLogEntry
	for i := len(log) - 1; i >= 0 && len(out) < n; i-- {
		if e := log[i]; e.Kind == api.LogChat && (e.From == "buyer" || e.From == "seller") && e.From != role {
			out = append([]api.OrderLogEntry{e}, out...)
		}
	}
	return out
}

// betterPrice: a's price is better for the taker than b's (a lower
// price to buy from a seller, a higher one to sell to a buyer).
func betterPrice(a, b api.AdView) bool {
	if a.Side == api.Sell {
		return a.Price.Cmp(b.Price) < 0
	}
	return a.Price.Cmp(b.Price) > 0
}
