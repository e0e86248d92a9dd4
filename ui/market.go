package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/i18n"
	"p2pdesk/money"
)

var (
	assets   = []api.Asset{api.USDT, api.BTC, api.ETH}
	fiats    = []api.Fiat{api.CNY, api.USD, api.EUR}
	methods  = []api.PaymentMethod{"", api.Alipay, api.WeChat, api.Bank}
	sorts    = []string{"price", "completion", "release"}
	sortName = map[string]string{"price": "market.sort.price", "completion": "market.sort.completion", "release": "market.sort.release"}
)

// marketPage lists ads. The Buy tab shows sell ads (you buy from them),
// the Sell tab buy ads (you sell to them).
type marketPage struct {
	// newQuery: the search changed; navAt: the last cursor key.
	newQuery bool
	navAt    time.Time
	c        *Ctx
	userSide api.Side
	asset    int
	fiat     int
	method   int
	sort     int
	verified bool
	amount   string
	input    textinput.Model
	editing  bool
	table    *Table[api.AdView]
	index    *money.Amount
	history  []int64
	best     []pricePoint // the best ad's price, as seen
	tableTop int          // the line the table starts on, as last drawn
	version  int          // drops stale answers
	err      string
	dirty    bool // an ad changed; refetch at the next debounce
	// chart is the small chart's box as last drawn, for chartKey;
	// chartGen counts the changes of the history and the best prices.
	chart    string
	chartKey chartKey
	chartGen int
	loading  bool
}

type adsMsg struct {
	version int
	page    api.AdPage
	hist    []api.IndexPoint
	err     error
}
type adsDebounce struct{}

func newMarketPage(c *Ctx) *marketPage {
	in := c.input()
	in.Placeholder = c.T("market.amount_placeholder")
	in.Prompt = c.T("market.amount_prompt")
	in.CharLimit = 16
	p := &marketPage{c: c, userSide: api.Buy, input: in, method: 1}
	p.table = NewTable(func(a api.AdView) int64 { return a.ID },
		func(a api.AdView, f string) bool {
			return strings.Contains(strings.ToLower(a.Maker.Name+" "+a.Terms+" "+payments(a.Payments)), f)
		},
		Column[api.AdView]{Title: "col.merchant", Width: 18, Cell: func(a api.AdView) string {
			badge := ""
			if a.Maker.Verified {
				badge = " ✓"
			}
			return a.Maker.Name + badge
		}},
		Column[api.AdView]{Title: "col.orders30d", Width: 6, Right: true, Drop: 3, Cell: func(a api.AdView) string { return fmt.Sprint(a.Maker.Record.Orders30d) }},
		Column[api.AdView]{Title: "col.completion", Width: 6, Right: true, Cell: func(a api.AdView) string { return optPct(a.Maker.Record.CompletionBP) },
			Style: func(a api.AdView) *lipgloss.Style {
				if r := a.Maker.Record.CompletionBP; r != nil && *r < 9000 {
					return &c.St.Warn
				}
				return nil
			}},
		Column[api.AdView]{Title: "col.release", Width: 7, Right: true, Cell: func(a api.AdView) string { return c.dur(a.Maker.Record.AvgReleaseS) }},
		// A price far from the index is marked on the price itself, so the
		// warning stays where a narrow window drops the vs-index column.
		Column[api.AdView]{Title: "col.price", Width: 13, Right: true, Cell: func(a api.AdView) string {
			if c.farFromIndex(a) {
				return "⚠" + priceText(a.Price)
			}
			return priceText(a.Price)
		}, Style: func(a api.AdView) *lipgloss.Style {
			if c.farFromIndex(a) {
				return &c.St.Danger
			}
			return nil
		}},
		Column[api.AdView]{Title: "col.vs_index", Width: 8, Right: true, Drop: 4, Cell: func(a api.AdView) string {
			if a.DevBP == nil {
				return "—"
			}
			mark := ""
			if c.farFromIndex(a) {
				mark = "⚠"
			}
			return mark + pct(*a.DevBP)
		}, Style: func(a api.AdView) *lipgloss.Style {
			if c.farFromIndex(a) {
				return &c.St.Danger
			}
			return nil
		}},
		Column[api.AdView]{Title: "col.available", Width: 12, Right: true, Drop: 1, Cell: func(a api.AdView) string { return cryptoShown(a.Remaining, a.Asset) }},
		Column[api.AdView]{Title: "col.limits", Width: 13, Right: true, Cell: func(a api.AdView) string {
			return a.MinFiat.FixedN(0) + "–" + a.MaxFiat.FixedN(0)
		}},
		Column[api.AdView]{Title: "col.pay", Width: 17, Drop: 5, Cell: func(a api.AdView) string { return c.payments(a.Payments) }},
		Column[api.AdView]{Title: "col.window", Width: 4, Right: true, Drop: 2, Cell: func(a api.AdView) string { return c.T("market.window_min", "N", a.WindowMin) }},
	)
	p.table.Tr = c.Tr
	// The market's cells read the ad, the language and exam mode only.
	p.table.Salt = func() any { return c.exam }
	return p
}

// farFromIndex: the ad's price is marked too good to be true (never in
// the practice exam, which shows no labels).
func (c *Ctx) farFromIndex(a api.AdView) bool {
	return !c.exam && a.DevBP != nil && abs64(*a.DevBP) > 200
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (p *marketPage) Title() string { return p.c.T("tab.market") }

func (p *marketPage) Capturing() bool { return p.editing }

// HelpNote says what each sort means, under the keys in the help.
func (p *marketPage) HelpNote() string { return p.c.T("market.sort.help") }

func (p *marketPage) Help() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Down, k.NextTab, k.Enter, k.Chart, k.Asset, k.Fiat, k.Payment, k.Verified, k.Sort,
		key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "market.key_amount")), k.Refresh}
}

func (p *marketPage) Init() tea.Cmd { return p.load() }

// navHold is how long the list stays still after a cursor key: live
// price moves reorder it, and a person aims by what they see.
const navHold = 2 * time.Second

// requery loads another search: its answer puts the cursor on top.
func (p *marketPage) requery() tea.Cmd {
	p.newQuery = true
	return p.load()
}

func (p *marketPage) query() client.AdQuery {
	return client.AdQuery{Side: p.userSide.Opposite(), Asset: assets[p.asset], Fiat: fiats[p.fiat], Payment: methods[p.method],
		Amount: p.amount, VerifiedOnly: p.verified, Sort: sorts[p.sort], Limit: 100}
}

func (p *marketPage) load() tea.Cmd {
	p.version++
	p.loading, p.dirty = true, false
	v, q := p.version, p.query()
	mc := p.c.Market
	since := p.c.MarketNow().Add(-6 * time.Hour)
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		page, err := mc.Ads(ctx, q)
		if err != nil {
			return adsMsg{version: v, err: err}
		}
		hist, err := mc.IndexHistory(ctx, q.Asset, q.Fiat, since, 0, 500)
		return adsMsg{version: v, page: page, hist: hist, err: err}
	})
}

func (p *marketPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case adsMsg:
		if msg.version != p.version {
			return p, nil // a newer query is on its way
		}
		p.loading = false
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.err = ""
		p.table.SetRows(msg.page.Ads)
		if p.newQuery || p.navAt.IsZero() {
			// Another search, or a cursor the user never moved: the best
			// ad, not the row number the old list had under the cursor.
			p.table.Top()
			p.newQuery = false
		}
		p.index = msg.page.Index
		p.chartGen++
		p.history = p.history[:0]
		for _, h := range msg.hist {
			if u, err := h.Price.UnitsAt(api.PriceScale); err == nil {
				p.history = append(p.history, u)
			}
		}
		if len(msg.page.Ads) > 0 {
			if p.sort == 0 {
				p.best = append(p.best, pricePoint{at: p.c.MarketNow(), price: msg.page.Ads[0].Price})
				if len(p.best) > 2000 {
					p.best = p.best[len(p.best)-2000:]
				}
			}
		}
		return p, nil
	case EventMsg:
		switch msg.Event.Type {
		case api.EventAdChanged, api.EventAdUpdated, api.EventIndexTick:
			// Many ads change at once: fetch once a second at most.
			if !p.dirty && !p.loading {
				p.dirty = true
				return p, p.c.Tick(time.Second, func(time.Time) tea.Msg { return adsDebounce{} })
			}
		}
		return p, nil
	case adsDebounce:
		if wait := navHold - p.c.Now().Sub(p.navAt); wait > 0 {
			// The user is moving the cursor: rows that reorder under it
			// send enter to another ad than the one they aimed at.
			return p, p.c.Tick(wait, func(time.Time) tea.Msg { return adsDebounce{} })
		}
		return p, p.load()
	case tea.KeyMsg:
		return p.key(msg)
	}
	return p, nil
}

func (p *marketPage) key(msg tea.KeyMsg) (Page, tea.Cmd) {
	k := p.c.Keys
	if p.editing {
		switch msg.String() {
		case "enter":
			v := strings.TrimSpace(p.input.Value())
			if v != "" {
				if _, err := money.Parse(v, 2); err != nil {
					p.err = p.c.T("market.amount_bad")
					return p, nil
				}
			}
			p.amount, p.editing, p.err = v, false, ""
			p.input.Blur()
			return p, p.requery()
		case "esc":
			p.editing = false
			p.input.Blur()
			return p, nil
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return p, cmd
	}
	switch {
	case key.Matches(msg, k.Up), key.Matches(msg, k.Down), key.Matches(msg, k.PageUp), key.Matches(msg, k.PageDown),
		key.Matches(msg, k.Top), key.Matches(msg, k.Bottom):
		p.navAt = p.c.Now()
	}
	switch {
	case key.Matches(msg, k.Up):
		p.table.Move(-1)
	case key.Matches(msg, k.Down):
		p.table.Move(1)
	case key.Matches(msg, k.PageUp):
		p.table.Move(-p.table.Height())
	case key.Matches(msg, k.PageDown):
		p.table.Move(p.table.Height())
	case key.Matches(msg, k.Top):
		p.table.Top()
	case key.Matches(msg, k.Bottom):
		p.table.Bottom()
	case key.Matches(msg, k.NextTab), key.Matches(msg, k.PrevTab):
		p.userSide = p.userSide.Opposite()
		p.best, p.chartGen = nil, p.chartGen+1
		return p, p.requery()
	case key.Matches(msg, k.Asset):
		p.asset = (p.asset + 1) % len(assets)
		p.best, p.chartGen = nil, p.chartGen+1
		return p, p.requery()
	case key.Matches(msg, k.Fiat):
		p.fiat = (p.fiat + 1) % len(fiats)
		p.best, p.chartGen = nil, p.chartGen+1
		return p, p.requery()
	case key.Matches(msg, k.Payment):
		p.method = (p.method + 1) % len(methods)
		return p, p.requery()
	case key.Matches(msg, k.Verified):
		p.verified = !p.verified
		return p, p.requery()
	case key.Matches(msg, k.Sort):
		p.sort = (p.sort + 1) % len(sorts)
		return p, p.requery()
	case key.Matches(msg, k.Refresh):
		return p, p.load()
	case msg.String() == "/":
		p.editing = true
		p.input.SetValue(p.amount)
		p.input.CursorEnd()
		return p, p.input.Focus()
	case key.Matches(msg, k.Enter):
		if ad, ok := p.table.Selected(); ok {
			return p, push(newTicketPage(p.c, ad, p.amount, 0))
		}
	case key.Matches(msg, k.Chart):
		return p, push(newChartPage(p.c, assets[p.asset], fiats[p.fiat], p.best))
	}
	return p, nil
}

func (p *marketPage) View(w, h int) string {
	st := p.c.St
	tab := func(s api.Side, label string) string {
		if p.userSide == s {
			return st.TabActive.Render(label)
		}
		return st.Tab.Render(label)
	}
	c := p.c
	p.input.Prompt, p.input.Placeholder = c.T("market.amount_prompt"), c.T("market.amount_placeholder")
	method := c.T("market.any_method")
	if m := methods[p.method]; m != "" {
		method = c.method(m)
	}
	amount := c.T("market.any_amount")
	if p.amount != "" {
		amount = p.amount + " " + string(fiats[p.fiat])
	}
	ver := ""
	if p.verified {
		ver = c.T("market.verified_only")
	}
	idx := c.T("market.index_none")
	if p.index != nil {
		idx = c.T("market.index", "Index", priceText(*p.index))
	}
	head := tab(api.Buy, c.T("market.tab_buy", "Asset", assets[p.asset])) + tab(api.Sell, c.T("market.tab_sell", "Asset", assets[p.asset])) + "  " +
		st.Muted.Render(c.T("market.head", "Pair", fmt.Sprintf("%s/%s", assets[p.asset], fiats[p.fiat]), "Method", method, "Amount", amount,
			"Sort", c.T(sortName[sorts[p.sort]]), "Verified", ver, "Index", idx))
	lines := []string{truncateStyled(head, w)}
	if p.editing {
		lines = append(lines, p.input.View()+st.Muted.Render("  "+c.T("market.amount_hint")))
	}
	if p.err != "" {
		lines = append(lines, st.Danger.Render("✗ "+p.err))
	}
	detailH := 9
	tableH := h - len(lines) - detailH - 2
	p.table.SetHeight(max(3, tableH))
	p.tableTop = len(lines)
	lines = append(lines, p.table.View(st, w))
	lines = append(lines, p.detail(w))
	return strings.Join(lines, "\n")
}

// detail: the selected ad's terms, requirements and the record behind the
// numbers, beside a chart of the index and the best price.
func (p *marketPage) detail(w int) string {
	st := p.c.St
	ad, ok := p.table.Selected()
	if !ok {
		return st.Muted.Render(p.c.T("market.no_ads"))
	}
	c := p.c
	r := ad.Maker.Record
	left := []string{
		st.Bold.Render(plain(ad.Maker.Name)) + c.verifiedWord(ad.Maker.Verified) + st.Muted.Render(fmt.Sprintf("  KYC %d", ad.Maker.KYCLevel)),
		kv(st, c.T("ad.orders30d"), c.T("ad.record", "Orders", r.Orders30d, "Completion", optPct(r.CompletionBP), "Positive", optPct(r.PositiveBP), "Ratings", r.Ratings)),
		kv(st, c.T("ad.avg_release"), c.T("ad.times", "Release", c.dur(r.AvgReleaseS), "Pay", c.dur(r.AvgPayS))),
		kv(st, c.T("ad.requires"), c.requirements(ad)),
		kv(st, c.T("ad.terms"), truncate(plain(ad.Terms), w/2)),
	}
	lw := max(10, w/2+8-2) + 2
	return joinBoxes(box(st, c.T("ad.title", "ID", ad.ID), strings.Join(left, "\n"), w/2+8), lw, p.chartBox(w))
}

type chartKey struct {
	gen, w int
	lang   i18n.Lang
}

// chartBox is the small chart beside the ad: the same for every ad, so
// drawn again only when the history, the best price or the width change.
func (p *marketPage) chartBox(w int) string {
	st, c := p.c.St, p.c
	key := chartKey{gen: p.chartGen, w: w, lang: c.Tr.Lang()}
	if key == p.chartKey {
		return p.chart
	}
	chartW := max(10, w/2-16)
	right := []string{st.Muted.Render(c.T("chart.index6h")+" ") + st.Accent.Render(spark(p.history, chartW))}
	if len(p.best) > 1 {
		best := make([]int64, 0, len(p.best))
		for _, b := range p.best[max(0, len(p.best)-200):] {
			best = append(best, int64(units(b.price)))
		}
		right = append(right, st.Muted.Render(c.T("chart.best")+" ")+st.Accent.Render(spark(best, chartW)))
	}
	if len(p.history) > 1 {
		first, last := p.history[0], p.history[len(p.history)-1]
		arrow := "▲"
		sty := st.Buy
		if last < first {
			arrow, sty = "▼", st.Sell
		}
		right = append(right, sty.Render(c.T("chart.change6h", "Arrow", arrow, "Pct", pct((last-first)*10000/max(first, 1)))))
	}
	right = append(right, st.Muted.Render(c.T("chart.open_hint", "Key", c.Keys.Chart.Help().Key)))
	p.chartKey, p.chart = key, box(st, c.T("chart.title"), strings.Join(right, "\n"), w-w/2-8)
	return p.chart
}

func (c *Ctx) verifiedWord(v bool) string {
	if v {
		return " " + c.T("ad.verified")
	}
	return ""
}

// requirements are what an ad asks of a taker, in words.
func (c *Ctx) requirements(ad api.AdView) string {
	var r []string
	if ad.MinKYC > 0 {
		r = append(r, c.T("ad.req_kyc", "Level", ad.MinKYC))
	}
	if ad.MinCompBP > 0 {
		r = append(r, c.T("ad.req_completion", "Pct", money.New(ad.MinCompBP, 2).FixedN(0)))
	}
	if len(r) == 0 {
		return c.T("ad.req_none")
	}
	return strings.Join(r, c.T("common.list_sep"))
}

// Click selects an ad; a second click on it opens its ticket.
func (p *marketPage) Click(_, y int) (Page, tea.Cmd) {
	if p.editing {
		return p, nil
	}
	if again, ok := p.table.Click(y - p.tableTop); ok {
		p.navAt = p.c.Now()
		if again {
			return p.key(keyMsgFor(p.c.Keys.Enter))
		}
	}
	return p, nil
}
