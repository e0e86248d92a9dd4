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

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/market"
	"p2pdesk/money"
	"p2pdesk/sim/alipay"
)

// wizard walks "withdraw to Alipay" (sell crypto, get paid) or "deposit
// via Alipay" (buy crypto, pay the seller) step by step over the real
// operations. It remembers its order in Ctx, so leaving and pressing W
// (or D) again comes back to the same order.
type wizard struct {
	c      *Ctx
	side   market.Side // the user's side
	asset  int
	amount textinput.Model
	twofa  *api.TwoFactor
	ads    []market.AdView
	acct   *api.Account // the user's, to tell which ads they may take
	cursor int
	// loadingAds: the search is out; enter waits for its answer.
	loadingAds bool
	// loads counts order loads started; applied is the newest shown.
	loads, applied int64
	order          *market.OrderView
	sent           *alipay.Line // the user's payment for it, read from their statement
	err            string
	step           int // before an order: 1..3
	drill          int // the practice drill it plays, if any
}

type wizAdsMsg struct {
	ads  []market.AdView
	acct *api.Account // nil when it could not be read
	err  error
}
type wizPaidMsg struct {
	o   market.OrderView
	err error
}
type wiz2FAMsg struct {
	st  api.TwoFactor
	err error
}
type wizOrderMsg struct {
	o    market.OrderView
	sent *alipay.Line // the buyer's payment to the order's payee, if any
	seq  int64
	err  error
}

func newWizard(c *Ctx, side market.Side) *wizard {
	in := c.input()
	in.Prompt = "amount in CNY: "
	in.Placeholder = "e.g. 700"
	in.CharLimit = 12
	return &wizard{c: c, side: side, amount: in, step: 1}
}

func (w *wizard) Title() string {
	if w.side == market.Sell {
		return "Withdraw to Alipay"
	}
	return "Deposit via Alipay"
}

func (w *wizard) Capturing() bool { return w.step == 2 && w.order == nil }

func (w *wizard) Help() []key.Binding {
	return []key.Binding{w.c.Keys.Enter, w.c.Keys.Up, w.c.Keys.Down, w.c.Keys.Asset, w.c.Keys.Refresh,
		key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "pay the seller (deposit)")),
		key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "mark paid, once your statement shows the payment (deposit)")),
		key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "start a new trade")), w.c.Keys.Back}
}

func (w *wizard) Init() tea.Cmd {
	if id := w.c.wizardOrders[w.side]; id != 0 {
		return w.loadOrder(id)
	}
	mc := w.c.Market
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := mc.TwoFactor(ctx)
		return wiz2FAMsg{st, err}
	}
}

func (w *wizard) loadOrder(id int64) tea.Cmd {
	w.loads++
	mc, rail, seq := w.c.Market, w.c.Alipay, w.loads
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		o, err := mc.Order(ctx, id)
		m := wizOrderMsg{o: o, seq: seq, err: err}
		if err == nil && o.Role == "buyer" && rail != nil {
			// The guide follows the money as the user's own statement
			// shows it, not a promise: has it left for this order's payee?
			if stmt, serr := rail.Statement(ctx, 0); serr == nil {
				m.sent = paymentFor(o, stmt)
			}
		}
		return m
	}
}

func (w *wizard) loadAds() tea.Cmd {
	makerSide := market.Buy
	if w.side == market.Buy {
		makerSide = market.Sell
	}
	q := client.AdQuery{Side: makerSide, Asset: assets[w.asset], Fiat: market.CNY, Payment: market.Alipay, Amount: strings.TrimSpace(w.amount.Value()), Limit: 100}
	mc := w.c.Market
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		page, err := mc.Ads(ctx, q)
		if err != nil {
			return wizAdsMsg{err: err}
		}
		m := wizAdsMsg{ads: page.Ads}
		if a, err := mc.Account(ctx); err == nil {
			m.acct = &a
		}
		return m
	}
}

func (w *wizard) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case wiz2FAMsg:
		if msg.err != nil {
			w.err = msg.err.Error()
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
			w.err = msg.err.Error()
			return w, nil
		}
		// Rank by the reliability score; the excluded go last, still shown
		// with the reason, so the user sees what bait looks like; last of
		// all the ads this user may not take (a requirement they miss).
		w.acct = msg.acct
		sort.SliceStable(msg.ads, func(i, j int) bool {
			bi, bj := takeBlock(w.acct, msg.ads[i]), takeBlock(w.acct, msg.ads[j])
			if (bi == "") != (bj == "") {
				return bi == ""
			}
			si, sj := market.Reliability(msg.ads[i]), market.Reliability(msg.ads[j])
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
			w.err = msg.err.Error()
			return w, nil
		}
		w.order, w.sent = &msg.o, msg.sent
	case wizPaidMsg:
		if msg.err != nil {
			w.err = msg.err.Error()
			return w, nil
		}
		w.err = ""
		return w, tea.Batch(notify("marked paid: the seller checks their statement and releases"), w.loadOrder(msg.o.ID))
	case sentMsg:
		// A payment just went out (from the form this guide opened):
		// look again at the order and the statement.
		if msg.err == nil && w.order != nil {
			return w, w.loadOrder(w.order.ID)
		}
	case EventMsg:
		if id := w.c.wizardOrders[w.side]; id != 0 && (eventOrderID(msg.Event) == id || w.order == nil) {
			return w, w.loadOrder(id)
		}
	case tea.KeyMsg:
		return w.key(msg)
	}
	return w, nil
}

func (w *wizard) key(msg tea.KeyMsg) (Page, tea.Cmd) {
	k := w.c.Keys
	if w.order != nil {
		switch {
		case key.Matches(msg, k.Enter):
			return w, push(newOrderPage(w.c, w.order.ID))
		case key.Matches(msg, k.Refresh):
			return w, w.loadOrder(w.order.ID)
		case msg.String() == "a" && w.order.Role == "buyer" && w.order.State == market.StateCreated && w.c.Alipay != nil:
			wp := newWalletPage(w.c)
			wp.openForm(w.order.PayTo.Account, fiat(w.order.FiatTotal), "")
			wp.focus, wp.backAfterSend = 3, true
			return w, tea.Batch(push(wp), wp.form[3].Focus(), wp.lookup())
		case msg.String() == "p" && w.order.Role == "buyer" && w.order.State == market.StateCreated && w.sent != nil && w.sent.Amount.Cmp(w.order.FiatTotal) == 0:
			mc, id := w.c.Market, w.order.ID
			return w, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				o, err := mc.MarkPaid(ctx, id, market.StateCreated)
				return wizPaidMsg{o, err}
			}
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
				w.err = "amount: a positive CNY amount with at most 2 decimals, like 700 or 725.50"
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
			t.onPlaced = func(o market.OrderView) tea.Cmd {
				w.c.wizardOrders[side] = o.ID
				return nil
			}
			return w, push(t)
		}
	}
	return w, nil
}

// steps of the two flows, each with what to check and why.
var withdrawSteps = []struct{ title, why string }{
	{"Signed in, 2FA on", "Releasing crypto needs a one-time code: nobody with your password alone can empty your account."},
	{"Asset and amount", "Choose what to sell and how much CNY you want in your Alipay."},
	{"Choose a buyer", "Ranked by reliability. Beyond ±2% of the index is how bait looks; a new account has nothing to lose."},
	{"Escrow locks", "Your crypto is locked by the platform, not sent: the buyer cannot take it, and you cannot lose it by waiting."},
	{"Your Alipay and real name", "The buyer pays this account; the payment must come from an account in the buyer's own name."},
	{"Wait for the payment", "Watch the countdown. A chat message or 'paid' status is a claim, not money."},
	{"Verify, then release", "Only your own Alipay statement counts: the exact amount, from the buyer's name, in the window. Then the checklist, the typed amount and the 2FA code."},
	{"Done", "Check the summary and rate the buyer; if something went wrong, dispute with the transaction ids as evidence."},
}

var depositSteps = []struct{ title, why string }{
	{"Signed in, 2FA on", "Your account and its codes protect what you buy."},
	{"Asset and amount", "Choose what to buy and how much CNY to spend."},
	{"Choose a seller", "Ranked by reliability. A price far under the index, from a new account, is bait."},
	{"Escrow locks", "The seller's crypto is locked by the platform for your order before you pay anything."},
	{"Pay the seller's Alipay", "Exactly the total, from your own account, to the account the order shows — never to a 'friend' or another app."},
	{"Mark paid", "Only after the money has left your account. Marking paid without paying is fraud."},
	{"Wait for the release", "If the seller does not release in the window, dispute: your Alipay transaction id is the proof."},
	{"Done", "The crypto is in your balance. Rate the seller."},
}

// paymentFor is the buyer's transfer to the order's payee since it opened,
// the newest if there are several.
func paymentFor(o market.OrderView, stmt []alipay.Line) *alipay.Line {
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

// orderStep maps the order's state onto the eight steps (1-based).
func (w *wizard) orderStep() int {
	o := w.order
	switch o.State {
	case market.StateCreated:
		if w.side == market.Sell || w.sent != nil {
			return 6
		}
		return 5
	case market.StatePaid:
		return 7
	case market.StateDisputed:
		return 7
	}
	return 8
}

// stepDone says whether step n (1-based) of an order really happened: a
// cancelled or expired order never had its payment steps done.
func (w *wizard) stepDone(n int) bool {
	o := w.order
	paid := o.PaidAt != nil
	released := o.State == market.StateCompleted || (o.State == market.StateResolved && o.Resolution == market.ResolveRelease)
	switch {
	case n <= 4:
		return true
	case w.side == market.Sell && n == 5:
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
	seller := w.side == market.Sell
	switch {
	case o.State == market.StateCompleted && seller:
		return "Done: released", fmt.Sprintf("You released %s to %s. Check that %s CNY is in your own Alipay statement, then rate the buyer.", amt, plain(o.Counterparty.Name), fiat(o.FiatTotal))
	case o.State == market.StateCompleted:
		return "Done: the crypto is yours", fmt.Sprintf("The seller released %s into your balance. Rate the seller.", amt)
	case o.State == market.StateCancelled && seller:
		return "Cancelled", fmt.Sprintf("The buyer cancelled: your %s came back from escrow. Money that arrives for it anyway goes back to the payer.", amt)
	case o.State == market.StateCancelled:
		return "Cancelled", fmt.Sprintf("You cancelled: no crypto changed hands and the seller's %s went back. If you had paid, a cancelled order cannot be disputed: ask the seller to return it.", amt)
	case o.State == market.StateExpired && seller:
		return "Expired", fmt.Sprintf("The payment window ended unpaid: your %s came back from escrow. Money that arrives late goes back to the payer, never crypto outside an order.", amt)
	case o.State == market.StateExpired:
		return "Expired", fmt.Sprintf("The payment window ended before the order was marked paid: no crypto for you; the seller's %s went back.", amt)
	case o.State == market.StateResolved && o.Resolution == market.ResolveRelease && seller:
		return "Resolved: released to the buyer", fmt.Sprintf("Support released your %s to the buyer after the dispute.", amt)
	case o.State == market.StateResolved && o.Resolution == market.ResolveRelease:
		return "Resolved: the crypto is yours", fmt.Sprintf("Support verified your payment and released %s into your balance.", amt)
	case o.State == market.StateResolved && seller:
		return "Resolved: returned to you", fmt.Sprintf("Support returned your %s from escrow. Refund any money that arrived for this order to its payer.", amt)
	case o.State == market.StateResolved:
		return "Resolved: returned to the seller", fmt.Sprintf("Support found no payment it could verify and returned the %s to the seller. If you paid, your Alipay transaction id was the proof.", amt)
	}
	return "Done", ""
}

func (w *wizard) View(width, h int) string {
	st := w.c.St
	steps := withdrawSteps
	if w.side == market.Buy {
		steps = depositSteps
	}
	cur := w.step
	if w.order != nil {
		cur = w.orderStep()
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(w.Title()) + st.Muted.Render(" — a guided trade over real orders; esc leaves, W/D comes back") + "\n\n")
	ended := w.order != nil && w.order.State.Terminal()
	for i, s := range steps {
		n := i + 1
		title, why := s.title, s.why
		if ended && n == len(steps) {
			title, why = w.outcome()
		}
		switch {
		case n < cur && ended && !w.stepDone(n):
			b.WriteString(st.Muted.Render(fmt.Sprintf(" – %d %s (not done)", n, title)) + "\n")
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
			b.WriteString("checking your account…")
		} else {
			b.WriteString(st.Warn.Render("2FA is off. ") + "enter: enrol now (a QR code for your authenticator app)")
		}
	case 2:
		b.WriteString(fmt.Sprintf("asset: %s %s\n", st.Bold.Render(string(assets[w.asset])), st.Muted.Render("(tab changes)")))
		b.WriteString(w.amount.View() + "\n" + st.Muted.Render("enter: find "+map[market.Side]string{market.Sell: "buyers", market.Buy: "sellers"}[w.side]+" that take Alipay for this amount"))
	case 3:
		b.WriteString(st.Muted.Render("score = completion (40) + orders in 30 days (20) + release speed (20) + verified badge (10) + price within 1% of the index (10)") + "\n")
		rows := max(3, h-strings.Count(b.String(), "\n")-2)
		for i, a := range w.ads {
			if i >= rows {
				break
			}
			s := market.Reliability(a)
			dev := "—"
			if a.DevBP != nil {
				dev = pct(*a.DevBP)
			}
			name := truncate(plain(a.Maker.Name), 18)
			if a.Maker.Verified {
				name += " ✓" // the badge's points are in the parts below
			}
			line := fmt.Sprintf("%3d  %-20s %10s %8s  %s", s.Score, name, a.Price.FixedN(4), dev, strings.Join(s.Parts, " · "))
			blocked := takeBlock(w.acct, a)
			switch {
			case blocked != "":
				line = fmt.Sprintf("  ✗  %-20s %10s %8s  %s", truncate(plain(a.Maker.Name), 18), a.Price.FixedN(4), dev, "you cannot take it: "+blocked)
			case s.Excluded != "":
				line = fmt.Sprintf("  ⚠  %-20s %10s %8s  %s", truncate(plain(a.Maker.Name), 18), a.Price.FixedN(4), dev, "not recommended: "+s.Excluded)
			}
			if i == w.cursor {
				b.WriteString(st.Selected.Render("▸ "+line) + "\n")
			} else if blocked != "" {
				b.WriteString("  " + st.Muted.Render(line) + "\n")
			} else if s.Excluded != "" {
				b.WriteString("  " + st.Danger.Render(line) + "\n")
			} else {
				b.WriteString("  " + line + "\n")
			}
		}
		if w.loadingAds {
			b.WriteString(st.Muted.Render("looking for ads that fit…") + "\n")
		} else if len(w.ads) == 0 {
			b.WriteString(st.Muted.Render("no ad fits this amount with Alipay; b changes the amount, r looks again") + "\n")
		}
		b.WriteString(st.Muted.Render("enter: open the order ticket · b: change the amount"))
	}
	return b.String()
}

func (w *wizard) orderView() string {
	st := w.c.St
	o := w.order
	var b strings.Builder
	b.WriteString(fmt.Sprintf("Order %d: %s %s %s for %s CNY · %s\n", o.ID, sideLabel(o.Side), o.Amount, o.Asset, fiat(o.FiatTotal),
		st.Title.Render(strings.ToUpper(string(o.State))+resolution(o))))
	if o.State == market.StateCreated || o.State == market.StatePaid {
		var to time.Time
		if o.State == market.StateCreated {
			to = o.PayDeadline
		} else if o.ReleaseDeadline != nil {
			to = *o.ReleaseDeadline
		}
		b.WriteString(fmt.Sprintf("time left: %s\n", humanDur(to.Sub(w.c.MarketNow()))))
	}
	switch {
	case o.Role == "seller" && o.State == market.StateCreated:
		b.WriteString(fmt.Sprintf("The buyer %s pays %s CNY to your Alipay %s. Wait; do not release on a chat message.\n", o.PayerName, fiat(o.FiatTotal), o.PayTo.Account))
	case o.Role == "seller" && o.State == market.StatePaid:
		b.WriteString("The buyer says they paid. Open the order: it checks your own Alipay statement and shows the matching transfer, or says there is none.\n")
	case o.Role == "buyer" && o.State == market.StateCreated && w.sent != nil:
		l := w.sent
		b.WriteString(fmt.Sprintf("Your statement: %s CNY to %s (%s) at %s, transaction %s.\n", fiat(l.Amount), l.CounterpartyLogin, l.CounterpartyName,
			l.At.Format(time.TimeOnly), l.TxID))
		if l.Amount.Cmp(o.FiatTotal) != 0 {
			b.WriteString(st.Danger.Render(fmt.Sprintf("That is not the order's total of %s CNY. Do not mark paid: ask the seller in chat to return it, then pay the exact total.", fiat(o.FiatTotal))) + "\n")
		} else {
			b.WriteString(st.Key.Render("p") + " mark the order paid: the seller then checks their statement and releases.\n")
		}
	case o.Role == "buyer" && o.State == market.StateCreated:
		b.WriteString(fmt.Sprintf("Pay exactly %s CNY to Alipay %s (%s): %s opens the payment with these filled in.\n", fiat(o.FiatTotal), o.PayTo.Account, o.PayTo.RealName, st.Key.Render("a")))
	case o.Role == "buyer" && o.State == market.StatePaid:
		b.WriteString("Waiting for the seller to release. If the window ends, the platform opens a dispute; add your transaction id as evidence.\n")
	case o.State == market.StateDisputed && o.Role == "seller":
		b.WriteString("In dispute: support decides from payment records. Open the order and press " + st.Key.Render("d") +
			" to attach the statement line of any money that arrived (and of any refund you sent); do not release now.\n")
	case o.State == market.StateDisputed:
		b.WriteString("In dispute: support decides from payment records. Open the order and press " + st.Key.Render("d") +
			" to attach your payment's line from your Alipay statement: it is your proof.\n")
	case o.State.Terminal():
		b.WriteString("N starts a new trade.\n")
	}
	b.WriteString(st.Key.Render("enter") + " open the order (chat, release, dispute, rate)")
	return b.String()
}
