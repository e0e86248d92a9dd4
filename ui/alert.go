package ui

import (
	"io"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// counterpartyNotice says what the other side, support or the platform
// did to one of the user's orders, read from the event as the user sees
// it; ok is false for the user's own actions (and events of no order).
// bad marks what needs the user's attention rather than good news.
//
// Who acted follows from the data: an order event carries the reader's
// role and the maker, a chat event the writer's role and the reader's.
func counterpartyNotice(e api.Event, c *Ctx) (n news, ok bool) {
	text, bad, order, ok := counterpartyAct(e, c)
	return news{text: text, bad: bad, order: order, chat: e.Type == api.EventChatMessage}, ok
}

// news is one thing the other side did.
type news struct {
	text  string
	bad   bool
	order int64
	chat  bool
}

func counterpartyAct(e api.Event, c *Ctx) (text string, bad bool, order int64, ok bool) {
	who := func(role string) string { return c.T("role." + role) }
	if e.Type == api.EventChatMessage {
		ce, ok := e.Chat()
		if !ok || !ce.Theirs() {
			return "", false, 0, false
		}
		return c.T("notify.chat", "ID", ce.OrderID, "Who", c.T("notify.who."+ce.From)), false, ce.OrderID, true
	}
	o, ok := orderOfEvent(e)
	if !ok {
		return "", false, 0, false
	}
	other := "seller"
	if o.Role == "seller" {
		other = "buyer"
	}
	args := []any{"ID", o.ID, "Who", who(other), "Fiat", fiat(o.FiatTotal) + " " + string(o.Fiat), "Crypto", crypto(o.Amount) + " " + string(o.Asset)}
	switch e.Type {
	case api.EventOrderCreated:
		if o.Maker == o.Role {
			return c.T("notify.taken", args...), false, o.ID, true
		}
	case api.EventOrderPaid:
		if o.Role == "seller" {
			return c.T("notify.paid", args...), false, o.ID, true
		}
	case api.EventOrderCompleted:
		if o.Role == "buyer" {
			return c.T("notify.released", args...), false, o.ID, true
		}
	case api.EventOrderCancelled, api.EventOrderExpired:
		switch o.CancelledBy {
		case o.Role:
		case "system":
			return c.T("notify.expired", args...), true, o.ID, true
		default:
			return c.T("notify.cancelled", args...), true, o.ID, true
		}
	case api.EventOrderDisputed:
		switch o.DisputeBy {
		case o.Role:
		case "system":
			return c.T("notify.disputed_system", args...), true, o.ID, true
		default:
			return c.T("notify.disputed", args...), true, o.ID, true
		}
	case api.EventOrderResolved:
		id := "notify.resolved_refund"
		if o.Resolution == api.ResolveRelease {
			id = "notify.resolved_release"
		}
		// Support releases to the buyer on a payment it verified: for the
		// seller that is the normal end (the money is theirs), not bad
		// news. Only a buyer whose payment was not upheld has lost.
		return c.T(id, args...), o.Role == "buyer" && o.Resolution == api.ResolveRefund, o.ID, true
	}
	return "", false, 0, false
}

// orderOfEvent is the order an order.* event carries, as its reader (a
// buyer or a seller) sees it.
func orderOfEvent(e api.Event) (api.OrderView, bool) {
	if !e.Type.IsOrder() { // most events are ad changes: skip copying an empty order
		return api.OrderView{}, false
	}
	o, ok := e.Order()
	return o, ok && (o.Role == "buyer" || o.Role == "seller")
}

// alert rings the bell and sends the desktop notification the user
// chose, as one write to the terminal.
func alert(out io.Writer, bell bool, notify, text string) tea.Cmd {
	var b strings.Builder
	if bell {
		b.WriteByte('\a')
	}
	body := plain(text)
	switch notify {
	case "osc9":
		b.WriteString("\x1b]9;p2pdesk: " + body + "\x1b\\")
	case "osc777":
		b.WriteString("\x1b]777;notify;p2pdesk;" + strings.ReplaceAll(body, ";", ",") + "\x1b\\")
	}
	if b.Len() == 0 {
		return nil
	}
	if out == nil {
		out = os.Stdout
	}
	s := b.String()
	return func() tea.Msg { io.WriteString(out, s); return nil }
}
