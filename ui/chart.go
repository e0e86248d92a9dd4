package ui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	tsc "github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"p2pdesk/api"
	"p2pdesk/money"
)

// chartRange is a span the chart shows, with the step the server sums
// its points to (about 360 of them; 0: every tick).
type chartRange struct {
	span, step time.Duration
	label      string
}

var chartRanges = []chartRange{
	{time.Hour, 0, "1h"}, {6 * time.Hour, time.Minute, "6h"}, {24 * time.Hour, 4 * time.Minute, "24h"},
	{7 * 24 * time.Hour, 30 * time.Minute, "7d"}, {30 * 24 * time.Hour, 2 * time.Hour, "30d"},
}

// pricePoint is a price seen at a time: the best ad's, as the market
// page watched it.
type pricePoint struct {
	at    time.Time
	price money.Amount
}

// chartPage is the price chart of one market: the index as a line, the
// best ad price seen as dots, a price axis with values, a time axis, the
// current value marked, and ranges from an hour to thirty days on a key.
// Lines and dots differ in shape, so it reads without colour.
//
// The chart places points on the screen with floats (ntcharts' geometry);
// every price written as a number comes from the exact amounts.
type chartPage struct {
	c        *Ctx
	asset    api.Asset
	fiat     api.Fiat
	rng      int
	best     []pricePoint
	points   []api.IndexPoint
	version  int
	loading  bool
	err      string
	rangeKey key.Binding
}

type chartMsg struct {
	version int
	points  []api.IndexPoint
	err     error
}

func newChartPage(c *Ctx, asset api.Asset, fiat api.Fiat, best []pricePoint) *chartPage {
	return &chartPage{c: c, asset: asset, fiat: fiat, rng: 1, best: best,
		rangeKey: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "chart.key_range"))}
}

func (p *chartPage) Title() string {
	return p.c.T("chart.page_title", "Pair", fmt.Sprintf("%s/%s", p.asset, p.fiat))
}

func (p *chartPage) Capturing() bool { return false }

func (p *chartPage) Help() []key.Binding {
	k := p.c.Keys
	return []key.Binding{p.rangeKey, k.Asset, k.Fiat, k.Refresh, k.Back}
}

func (p *chartPage) Init() tea.Cmd { return p.load() }

func (p *chartPage) load() tea.Cmd {
	p.version++
	p.loading = true
	v, mc, r := p.version, p.c.Market, chartRanges[p.rng]
	asset, fiat := p.asset, p.fiat
	since := p.c.MarketNow().Add(-r.span)
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		pts, err := mc.IndexHistory(ctx, asset, fiat, since, r.step, 1000)
		return chartMsg{version: v, points: pts, err: err}
	})
}

func (p *chartPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case chartMsg:
		if msg.version != p.version {
			return p, nil
		}
		p.loading = false
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.err, p.points = "", msg.points
	case EventMsg:
		// A new index price joins the line as it comes.
		if t, ok := msg.Event.Tick(); ok && t.Asset == p.asset && t.Fiat == p.fiat && !p.loading {
			if r := chartRanges[p.rng]; r.step == 0 || len(p.points) == 0 || t.At.Sub(p.points[len(p.points)-1].At) >= r.step {
				p.points = append(p.points, t)
			} else {
				p.points[len(p.points)-1] = t // the bucket's last point is the newest
			}
		}
	case tea.KeyMsg:
		k := p.c.Keys
		switch {
		case key.Matches(msg, p.rangeKey):
			p.rng = (p.rng + 1) % len(chartRanges)
			return p, p.load()
		case key.Matches(msg, k.Asset):
			p.asset, p.best = nextOf(api.Assets, p.asset), nil
			return p, p.load()
		case key.Matches(msg, k.Fiat):
			p.fiat, p.best = nextOf(api.Fiats, p.fiat), nil
			return p, p.load()
		case key.Matches(msg, k.Refresh):
			return p, p.load()
		}
	}
	return p, nil
}

func nextOf[T comparable](all []T, cur T) T {
	for i, x := range all {
		if x == cur {
			return all[(i+1)%len(all)]
		}
	}
	return all[0]
}

func (p *chartPage) View(w, h int) string {
	c, st := p.c, p.c.St
	var ranges []string
	for i, r := range chartRanges {
		if i == p.rng {
			ranges = append(ranges, st.TabActive.Render(c.T("chart.range."+r.label)))
		} else {
			ranges = append(ranges, st.Tab.Render(c.T("chart.range."+r.label)))
		}
	}
	head := st.Title.Render(fmt.Sprintf("%s/%s", p.asset, p.fiat)) + "  " + strings.Join(ranges, "") + "  " +
		st.Muted.Render(c.T("chart.range_hint", "Key", p.rangeKey.Help().Key, "A", c.Keys.Asset.Help().Key, "F", c.Keys.Fiat.Help().Key, "Back", c.Keys.Back.Help().Key))
	legend := st.Accent.Render("─ "+c.T("chart.legend_index")) + "   " + st.Warn.Render("• "+c.T("chart.legend_best"))
	lines := []string{truncate(head, w), truncate(legend, w)}
	if p.err != "" {
		lines = append(lines, st.Danger.Render(p.err))
	}
	summary := wrapText(p.summary(), w)
	chartH := h - len(lines) - strings.Count(summary, "\n") - 2
	switch {
	case len(p.points) < 2 && p.loading:
		lines = append(lines, st.Muted.Render(c.T("order.loading")))
	case len(p.points) < 2:
		lines = append(lines, st.Muted.Render(c.T("chart.no_history")))
	case chartH < 5 || w < 30:
		lines = append(lines, st.Muted.Render(c.T("chart.too_small")))
	default:
		lines = append(lines, p.plot(w, chartH))
	}
	lines = append(lines, summary)
	return strings.Join(lines, "\n")
}

// plot draws the index line and the best prices on axes of w x h cells.
func (p *chartPage) plot(w, h int) string {
	st := p.c.St
	r := chartRanges[p.rng]
	to := p.points[len(p.points)-1].At
	from := to.Add(-r.span)
	if first := p.points[0].At; first.After(from) {
		from = first
	}
	lo, hi := p.points[0].Price, p.points[0].Price
	for _, pt := range p.points {
		lo, hi = minAmount(lo, pt.Price), maxAmount(hi, pt.Price)
	}
	var best []pricePoint
	for _, b := range p.best {
		if !b.at.Before(from) {
			best = append(best, b)
			lo, hi = minAmount(lo, b.price), maxAmount(hi, b.price)
		}
	}
	loF, hiF := units(lo), units(hi)
	pad := math.Max((hiF-loF)*0.08, 1)
	// Times of day within a day; the date too where a day boundary can
	// fall inside; dates alone beyond.
	xFmt, labelW := "15:04", 8
	switch {
	case r.span > 24*time.Hour:
		xFmt = "01-02"
	case r.span >= 24*time.Hour:
		xFmt, labelW = "01-02 15:04", 14
	}
	m := tsc.New(w, h,
		tsc.WithTimeRange(from, to),
		tsc.WithYRange(loF-pad, hiF+pad),
		tsc.WithXYSteps(max(1, w/(labelW+6)), max(1, h/4)),
		tsc.WithAxesStyles(st.Muted, st.Muted),
		tsc.WithLineStyle(runes.ThinLineStyle),
		tsc.WithStyle(st.Accent),
		tsc.WithXLabelFormatter(func(_ int, v float64) string { return time.Unix(int64(v), 0).UTC().Format(xFmt) }),
		tsc.WithYLabelFormatter(func(_ int, v float64) string { return priceLabel(money.New(int64(math.Round(v)), api.PriceScale)) }),
	)
	for _, pt := range p.points {
		m.Push(tsc.TimePoint{Time: pt.At, Value: units(pt.Price)})
	}
	m.Draw()
	for _, b := range best {
		m.DrawRuneWithStyle(canvas.Float64Point{X: float64(b.at.Unix()), Y: units(b.price)}, '•', st.Warn)
	}
	last := p.points[len(p.points)-1]
	// The current value, marked ◆ at the line's end.
	m.DrawRuneWithStyle(canvas.Float64Point{X: float64(last.At.Unix()), Y: units(last.Price)}, '◆', st.Bold)
	return lipgloss.NewStyle().MaxWidth(w).Render(m.View())
}

// summary: the current value, the change over the range, the high and low.
func (p *chartPage) summary() string {
	c, st := p.c, p.c.St
	if len(p.points) == 0 {
		return ""
	}
	first, last := p.points[0], p.points[len(p.points)-1]
	lo, hi := first, first
	for _, pt := range p.points {
		if pt.Price.Cmp(lo.Price) < 0 {
			lo = pt
		}
		if pt.Price.Cmp(hi.Price) > 0 {
			hi = pt
		}
	}
	change := int64(0)
	if f, err := first.Price.UnitsAt(api.PriceScale); err == nil && f > 0 {
		if l, err := last.Price.UnitsAt(api.PriceScale); err == nil {
			change = (l - f) * 10000 / f
		}
	}
	arrow, sty := "▲", st.Buy
	switch {
	case change < 0:
		arrow, sty = "▼", st.Sell
	case change == 0:
		arrow, sty = "·", st.Muted
	}
	at := func(t time.Time) string { return t.UTC().Format("01-02 15:04") }
	s := st.Bold.Render("◆ "+c.T("chart.now", "Price", priceLabel(last.Price), "Fiat", p.fiat)) + "  " +
		sty.Render(c.T("chart.change", "Arrow", arrow, "Pct", pct(change), "Range", c.T("chart.range."+chartRanges[p.rng].label))) + "  " +
		st.Muted.Render(c.T("chart.high_low", "High", priceLabel(hi.Price), "HighAt", at(hi.At), "Low", priceLabel(lo.Price), "LowAt", at(lo.At)))
	if n := len(p.best); n > 0 {
		s += "  " + st.Warn.Render(c.T("chart.best_now", "Price", priceLabel(p.best[n-1].price)))
	}
	return s
}

// priceLabel writes a price as a person reads it: four decimals under a
// thousand (7.2315), whole units with separators above (702,145).
func priceLabel(a money.Amount) string {
	if a.Cmp(money.New(1000_0000, api.PriceScale)) < 0 {
		return a.FixedN(4)
	}
	s := a.FixedN(0)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// units is a price at the price scale as the chart's geometry takes it.
func units(a money.Amount) float64 {
	u, err := a.UnitsAt(api.PriceScale)
	if err != nil {
		return 0
	}
	return float64(u)
}

func minAmount(a, b money.Amount) money.Amount {
	if b.Cmp(a) < 0 {
		return b
	}
	return a
}

func maxAmount(a, b money.Amount) money.Amount {
	if b.Cmp(a) > 0 {
		return b
	}
	return a
}
