package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
	"p2pdesk/client"
)

// ordersPage lists open orders and history, filtered by text (state,
// side, asset, counterparty), with CSV export of the history.
type ordersPage struct {
	c       *Ctx
	open    bool
	table   *Table[api.OrderView]
	filter  textinput.Model
	editing bool
	err     string
	version int
	// tableTop: the line the table starts on, as last drawn.
	tableTop int
}

type ordersMsg struct {
	version int
	orders  []api.OrderView
	err     error
}
type exportedMsg struct {
	path string
	n    int
	err  error
}

func newOrdersPage(c *Ctx) *ordersPage {
	f := c.input()
	f.Prompt = c.T("orders.filter_prompt")
	f.Placeholder = c.T("orders.filter_placeholder")
	p := &ordersPage{c: c, open: true, filter: f}
	p.table = NewTable(func(o api.OrderView) int64 { return o.ID },
		func(o api.OrderView, q string) bool {
			hay := strings.ToLower(fmt.Sprintf("%d %s %s %s %s %s", o.ID, o.State, o.Side, o.Asset, o.Counterparty.Name, o.Resolution))
			hay += " " + c.stateRes(&o) + " " + c.side(o.Side) // what the user reads can be typed too
			for _, w := range strings.Fields(q) {
				if !strings.Contains(hay, w) {
					return false
				}
			}
			return true
		},
		Column[api.OrderView]{Title: "col.order", Width: 7, Right: true, Cell: func(o api.OrderView) string { return fmt.Sprint(o.ID) }},
		Column[api.OrderView]{Title: "col.side", Width: 4, Cell: func(o api.OrderView) string { return c.side(o.Side) },
			Style: func(o api.OrderView) *lipgloss.Style {
				if o.Side == api.Buy {
					return &c.St.Buy
				}
				return &c.St.Sell
			}},
		Column[api.OrderView]{Title: "col.amount", Width: 16, Right: true, Cell: func(o api.OrderView) string { return crypto(o.Amount) + " " + string(o.Asset) }},
		Column[api.OrderView]{Title: "col.total", Width: 14, Right: true, Cell: func(o api.OrderView) string { return fiat(o.FiatTotal) + " " + string(o.Fiat) }},
		Column[api.OrderView]{Title: "col.price", Width: 12, Right: true, Drop: 3, Cell: func(o api.OrderView) string { return priceText(o.Price) }},
		Column[api.OrderView]{Title: "col.state", Width: 16, Cell: func(o api.OrderView) string { return c.stateRes(&o) }},
		Column[api.OrderView]{Title: "col.with", Width: 16, Cell: func(o api.OrderView) string { return o.Counterparty.Name }},
		Column[api.OrderView]{Title: "col.opened", Width: 12, Drop: 2, Cell: func(o api.OrderView) string { return c.shortStamp(o.CreatedAt) }},
	)
	p.table.Tr = c.Tr
	return p
}

func (p *ordersPage) Title() string   { return p.c.T("tab.orders") }
func (p *ordersPage) Capturing() bool { return p.editing }
func (p *ordersPage) Help() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Down, k.NextTab, k.Enter, k.Filter, k.Export, k.Refresh}
}

func (p *ordersPage) Init() tea.Cmd { return p.load() }

func (p *ordersPage) load() tea.Cmd {
	p.version++
	v, open, mc := p.version, p.open, p.c.Market
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		os, err := mc.Orders(ctx, client.OrderQuery{Open: &open, Limit: 200})
		return ordersMsg{v, os, err}
	})
}

func (p *ordersPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case ordersMsg:
		if msg.version != p.version {
			return p, nil
		}
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.err = ""
		p.table.SetRows(msg.orders)
	case exportedMsg:
		if msg.err != nil {
			return p, warn(p.c.T("orders.export_failed", "Err", p.c.errText(msg.err)))
		}
		return p, notify(p.c.N("orders.exported", msg.n, "Path", msg.path))
	case EventMsg:
		if msg.Event.Type == api.EventOrderCreated && !p.open {
			// A new order is open: show it, not the history it is not in.
			p.open = true
		}
		if msg.Event.Type.IsOrder() {
			return p, p.load()
		}
	case tea.KeyMsg:
		k := p.c.Keys
		if p.editing {
			switch msg.String() {
			case "enter", "esc":
				p.editing = false
				p.filter.Blur()
				if msg.String() == "esc" {
					p.filter.SetValue("")
					p.table.SetFilter("")
				}
				return p, nil
			}
			var cmd tea.Cmd
			p.filter, cmd = p.filter.Update(msg)
			p.table.SetFilter(p.filter.Value())
			return p, cmd
		}
		switch {
		case key.Matches(msg, k.Up):
			p.table.Move(-1)
		case key.Matches(msg, k.Down):
			p.table.Move(1)
		case key.Matches(msg, k.Top):
			p.table.Top()
		case key.Matches(msg, k.Bottom):
			p.table.Bottom()
		case key.Matches(msg, k.NextTab), key.Matches(msg, k.PrevTab):
			p.open = !p.open
			return p, p.load()
		case key.Matches(msg, k.Filter):
			p.editing = true
			return p, p.filter.Focus()
		case key.Matches(msg, k.Refresh):
			return p, p.load()
		case key.Matches(msg, k.Export):
			return p, p.export()
		case key.Matches(msg, k.Enter):
			if o, ok := p.table.Selected(); ok {
				return p, push(newOrderPage(p.c, o.ID))
			}
		}
	}
	return p, nil
}

// export writes the whole history (not just the page) as CSV.
func (p *ordersPage) export() tea.Cmd {
	mc, dir, now := p.c.Market, p.c.Export, p.c.Now()
	return request(exportTimeout, func(ctx context.Context) tea.Msg {
		var all []api.OrderView
		q := client.OrderQuery{Limit: 200}
		for {
			page, err := mc.Orders(ctx, q)
			if err != nil {
				return exportedMsg{err: err}
			}
			all = append(all, page...)
			if len(page) < q.Limit {
				break
			}
			q.BeforeID = page[len(page)-1].ID
		}
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, "p2pdesk-orders-"+now.UTC().Format("20060102-150405")+".csv")
		n, err := WriteOrdersCSV(path, all)
		return exportedMsg{path: path, n: n, err: err}
	})
}

// WriteOrdersCSV writes orders with amounts as exact decimal strings.
func WriteOrdersCSV(path string, orders []api.OrderView) (int, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"order", "opened", "closed", "side", "asset", "amount", "fiat", "total", "price", "state", "resolution", "counterparty"})
	for _, o := range orders {
		closed := ""
		if o.ClosedAt != nil {
			closed = o.ClosedAt.UTC().Format(time.RFC3339)
		}
		w.Write([]string{fmt.Sprint(o.ID), o.CreatedAt.UTC().Format(time.RFC3339), closed, string(o.Side), string(o.Asset), o.Amount.String(),
			string(o.Fiat), o.FiatTotal.FixedN(2), o.Price.FixedN(4), string(o.State), string(o.Resolution), o.Counterparty.Name})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return 0, err
	}
	return len(orders), f.Close()
}

func (p *ordersPage) View(w, h int) string {
	st := p.c.St
	open, hist := p.c.T("orders.open"), p.c.T("orders.history")
	p.filter.Prompt, p.filter.Placeholder = p.c.T("orders.filter_prompt"), p.c.T("orders.filter_placeholder")
	openTab, histTab := st.TabActive.Render(open), st.Tab.Render(hist)
	if !p.open {
		openTab, histTab = st.Tab.Render(open), st.TabActive.Render(hist)
	}
	lines := []string{openTab + histTab + st.Muted.Render("  "+p.c.N("count.orders", p.table.Len()))}
	if p.editing || p.filter.Value() != "" {
		lines = append(lines, p.filter.View())
	}
	if p.err != "" {
		lines = append(lines, st.Danger.Render("✗ "+p.err))
	}
	p.table.SetHeight(h - len(lines) - 2)
	p.tableTop = len(lines)
	lines = append(lines, p.table.View(st, w))
	return strings.Join(lines, "\n")
}

// Click selects an order; a second click on it opens it. A click on the
// open / history switch flips it.
func (p *ordersPage) Click(_, y int) (Page, tea.Cmd) {
	if p.editing {
		return p, nil
	}
	if y == 0 {
		return p.Update(keyMsgFor(p.c.Keys.NextTab))
	}
	if again, ok := p.table.Click(y - p.tableTop); ok && again {
		return p.Update(keyMsgFor(p.c.Keys.Enter))
	}
	return p, nil
}
