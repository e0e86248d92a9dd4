package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// myAdsPage: the user's own ads: post, edit the price, pause, resume,
// delete.
type myAdsPage struct {
	c       *Ctx
	table   *Table[api.AdView]
	err     string
	form    []textinput.Model
	formFor int64 // 0: new ad; else the ad being edited
	focus   int
	confirm bool
}

type myAdsMsg struct {
	ads []api.AdView
	err error
}
type adDoneMsg struct {
	what string
	err  error
}

// adFields label the ad form's fields: message IDs of the catalogue.
var adFields = []string{"myads.f.side", "myads.f.asset", "myads.f.price", "myads.f.total", "myads.f.min",
	"myads.f.max", "myads.f.window", "myads.f.payments", "myads.f.terms"}

func newMyAdsPage(c *Ctx) *myAdsPage {
	p := &myAdsPage{c: c}
	p.table = NewTable(func(a api.AdView) int64 { return a.ID }, nil,
		Column[api.AdView]{Title: "col.ad", Width: 6, Right: true, Cell: func(a api.AdView) string { return fmt.Sprint(a.ID) }},
		Column[api.AdView]{Title: "col.side", Width: 4, Cell: func(a api.AdView) string { return c.adSide(a.Side) }},
		Column[api.AdView]{Title: "col.asset", Width: 9, Cell: func(a api.AdView) string { return string(a.Asset) + "/" + string(a.Fiat) }},
		Column[api.AdView]{Title: "col.price", Width: 16, Right: true, Cell: func(a api.AdView) string {
			if a.PriceType == "floating" {
				return priceText(a.Price) + " (" + pct(a.MarginBP) + ")"
			}
			return priceText(a.Price)
		}},
		Column[api.AdView]{Title: "col.left_total", Width: 20, Right: true, Cell: func(a api.AdView) string { return crypto(a.Remaining) + "/" + crypto(a.Total) }},
		Column[api.AdView]{Title: "col.limits", Width: 15, Right: true, Cell: func(a api.AdView) string { return a.MinFiat.FixedN(0) + "–" + a.MaxFiat.FixedN(0) }},
		Column[api.AdView]{Title: "col.status", Width: 10, Cell: func(a api.AdView) string { return c.T("adstatus." + string(a.Status)) }},
	)
	p.table.Tr = c.Tr
	return p
}

func (p *myAdsPage) Title() string   { return p.c.T("tab.myads") }
func (p *myAdsPage) Capturing() bool { return p.form != nil }
func (p *myAdsPage) Help() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Down, k.New, k.Edit, k.Pause, k.Delete, k.Refresh}
}

func (p *myAdsPage) Init() tea.Cmd { return p.load() }

func (p *myAdsPage) load() tea.Cmd {
	mc := p.c.Market
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		ads, err := mc.MyAds(ctx)
		return myAdsMsg{ads, err}
	})
}

// touchesMine: whether an ad event is about one of the user's ads. Every
// take anywhere in the market is an ad.changed event; reloading the page
// for each would be a request per take from every open client.
func (p *myAdsPage) touchesMine(e api.Event) bool {
	var id int64
	switch e.Type {
	case api.EventAdChanged:
		if len(p.table.Rows()) == 0 {
			return false // no ad of the user's to change; not worth decoding
		}
		ch, ok := e.Change()
		if !ok {
			return false
		}
		id = ch.ID
	case api.EventAdUpdated:
		ad, ok := e.Ad()
		if !ok {
			return false
		}
		rows := p.table.Rows()
		// A new ad is the user's when its maker is; with no ad yet the
		// page does not know who that is, and reloads to find out.
		if len(rows) == 0 || ad.Maker.ID == rows[0].Maker.ID {
			return true
		}
		id = ad.ID
	default:
		return false
	}
	for _, a := range p.table.Rows() {
		if a.ID == id {
			return true
		}
	}
	return false
}

func (p *myAdsPage) do(what string, f func(ctx context.Context) error) tea.Cmd {
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		return adDoneMsg{what, f(ctx)}
	})
}

func (p *myAdsPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	mc := p.c.Market
	switch msg := msg.(type) {
	case myAdsMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.err = ""
		p.table.SetRows(msg.ads)
	case adDoneMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err) // the form stays open, the message next to it
			return p, nil
		}
		p.form, p.err = nil, ""
		return p, tea.Batch(p.load(), notify(msg.what))
	case EventMsg:
		if p.touchesMine(msg.Event) {
			return p, p.load()
		}
	case tea.KeyMsg:
		if p.form != nil {
			return p.formKey(msg)
		}
		ad, has := p.table.Selected()
		if p.confirm {
			p.confirm = false
			if msg.String() == "y" && has {
				return p, p.do(p.c.T("myads.deleted"), func(ctx context.Context) error { _, err := mc.SetAdStatus(ctx, ad.ID, "delete"); return err })
			}
			return p, nil
		}
		k := p.c.Keys
		switch {
		case key.Matches(msg, k.Up):
			p.table.Move(-1)
		case key.Matches(msg, k.Down):
			p.table.Move(1)
		case key.Matches(msg, k.Refresh):
			return p, p.load()
		case key.Matches(msg, k.New):
			p.openForm(nil)
			return p, p.form[0].Focus()
		case key.Matches(msg, k.Edit) && has:
			p.openForm(&ad)
			return p, p.form[2].Focus()
		case key.Matches(msg, k.Pause) && has:
			action := "pause"
			if ad.Status == api.AdPaused {
				action = "resume"
			}
			return p, p.do(p.c.T("myads."+action+"d"), func(ctx context.Context) error { _, err := mc.SetAdStatus(ctx, ad.ID, action); return err })
		case key.Matches(msg, k.Delete) && has:
			p.confirm = true
		}
	}
	return p, nil
}

func (p *myAdsPage) openForm(ad *api.AdView) {
	p.form = make([]textinput.Model, len(adFields))
	vals := []string{"sell", "USDT", "+0.3%", "500", "100", "5000", "15", "alipay", p.c.T("myads.default_terms")}
	p.formFor, p.focus = 0, 0
	if ad != nil {
		price := priceText(ad.Price)
		if ad.PriceType == "floating" {
			price = pct(ad.MarginBP)
		}
		vals = []string{string(ad.Side), string(ad.Asset), price, ad.Total.String(), ad.MinFiat.FixedN(2), ad.MaxFiat.FixedN(2),
			fmt.Sprint(ad.WindowMin), payments(ad.Payments), ad.Terms}
		p.formFor, p.focus = ad.ID, 2
	}
	for i := range p.form {
		t := p.c.input()
		t.Prompt = padRight(p.c.T(adFields[i]), 38)
		t.SetValue(vals[i])
		t.CharLimit = 300
		p.form[i] = t
	}
}

func (p *myAdsPage) formKey(msg tea.KeyMsg) (Page, tea.Cmd) {
	switch msg.String() {
	case "esc":
		p.form, p.err = nil, ""
		return p, nil
	case "tab", "down":
		p.form[p.focus].Blur()
		p.focus = (p.focus + 1) % len(p.form)
		if p.formFor != 0 && p.focus < 2 {
			p.focus = 2 // side and asset of a posted ad do not change
		}
		return p, p.form[p.focus].Focus()
	case "shift+tab", "up":
		p.form[p.focus].Blur()
		p.focus = (p.focus + len(p.form) - 1) % len(p.form)
		if p.formFor != 0 && p.focus < 2 {
			p.focus = len(p.form) - 1
		}
		return p, p.form[p.focus].Focus()
	case "enter":
		return p, p.submit()
	}
	var cmd tea.Cmd
	p.form[p.focus], cmd = p.form[p.focus].Update(msg)
	return p, cmd
}

// submit sends the form; the server validates and its message, with the
// field it names, is shown next to the form.
func (p *myAdsPage) submit() tea.Cmd {
	v := func(i int) string { return strings.TrimSpace(p.form[i].Value()) }
	priceType, price, margin := "fixed", v(2), int64(0)
	if strings.HasSuffix(price, "%") {
		bp, err := percentToBP(strings.TrimSuffix(price, "%"))
		if err != nil {
			p.err = p.c.T("myads.bad_margin")
			return nil
		}
		priceType, price, margin = "floating", "", bp
	}
	window, err := strconv.Atoi(v(6))
	if err != nil {
		p.err = p.c.T("myads.bad_window")
		return nil
	}
	pays := strings.Split(v(7), ",")
	for i := range pays {
		pays[i] = strings.TrimSpace(pays[i])
	}
	mc, id := p.c.Market, p.formFor
	if id == 0 {
		req := api.AdRequest{Side: v(0), Asset: strings.ToUpper(v(1)), Fiat: "CNY", PriceType: priceType, Price: price, MarginBP: margin,
			Total: v(3), MinFiat: v(4), MaxFiat: v(5), Payments: pays, WindowMin: window, Terms: v(8)}
		return p.do(p.c.T("myads.posted"), func(ctx context.Context) error { _, err := mc.PostAd(ctx, req); return err })
	}
	patch := api.AdPatch{PriceType: &priceType, Total: ptr(v(3)), MinFiat: ptr(v(4)), MaxFiat: ptr(v(5)), Payments: &pays, WindowMin: &window, Terms: ptr(v(8))}
	if priceType == "fixed" {
		patch.Price = &price
	} else {
		patch.MarginBP = &margin
	}
	return p.do(p.c.T("myads.updated"), func(ctx context.Context) error { _, err := mc.EditAd(ctx, id, patch); return err })
}

func ptr[T any](v T) *T { return &v }

// percentToBP turns "+0.3" into 30 basis points, exactly.
func percentToBP(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, fmt.Errorf("at most two decimals")
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		n = -n
	}
	return n, nil
}

func (p *myAdsPage) View(w, h int) string {
	st := p.c.St
	var lines []string
	if p.err != "" {
		lines = append(lines, st.Danger.Render("✗ "+p.err))
	}
	if p.confirm {
		lines = append(lines, st.Warn.Render(p.c.T("myads.delete_q")))
	}
	if p.form != nil {
		title := p.c.T("myads.new")
		if p.formFor != 0 {
			title = p.c.T("myads.edit", "ID", p.formFor)
		}
		var b strings.Builder
		b.WriteString(st.Bold.Render(title) + "\n")
		for i, f := range p.form {
			f.Prompt = padRight(p.c.T(adFields[i]), 38)
			b.WriteString(f.View() + "\n")
		}
		b.WriteString(st.Muted.Render(p.c.T("myads.form_hint")))
		lines = append(lines, st.Box.Render(b.String()))
	}
	p.table.SetHeight(max(3, h-strings.Count(strings.Join(lines, "\n"), "\n")-3))
	lines = append(lines, p.table.View(st, w))
	return strings.Join(lines, "\n")
}
