package ui

import (
	"context"
	"fmt"
	"github.com/charmbracelet/lipgloss"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"rsc.io/qr"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// accountPage: KYC level and today's limits, the trader record, payment
// methods, 2FA, the anti-phishing code and where secrets are kept.
type accountPage struct {
	c       *Ctx
	acct    *api.Account
	err     string
	editing bool
	// payee: the field edits the Alipay account buyers pay (else the
	// anti-phishing code).
	payee bool
	input textinput.Model
}

type phishSetMsg adDoneMsg

type accountMsg struct {
	acct api.Account
	err  error
}

func newAccountPage(c *Ctx) *accountPage {
	in := c.input()
	in.Prompt = "anti-phishing code: "
	in.CharLimit = 32
	return &accountPage{c: c, input: in}
}

func (p *accountPage) Title() string   { return "Account" }
func (p *accountPage) Capturing() bool { return p.editing }
func (p *accountPage) Help() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "enrol 2FA")),
		key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "set the anti-phishing code")),
		key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "set the Alipay account buyers pay you at")),
		p.c.Keys.Refresh,
	}
}

func (p *accountPage) Init() tea.Cmd { return p.load() }

func (p *accountPage) load() tea.Cmd {
	mc := p.c.Market
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		a, err := mc.Account(ctx)
		return accountMsg{a, err}
	}
}

func (p *accountPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case accountMsg:
		if msg.err != nil {
			p.err = msg.err.Error()
			return p, nil
		}
		p.acct, p.err = &msg.acct, ""
	case phishSetMsg:
		if msg.err != nil {
			p.err = msg.err.Error()
			return p, nil
		}
		p.editing = false
		return p, tea.Batch(p.load(), notify(msg.what))
	case EventMsg:
		if strings.HasPrefix(msg.Event.Type, "order.") {
			return p, p.load() // limits and record move with orders
		}
	case tea.KeyMsg:
		if p.editing {
			switch msg.String() {
			case "esc":
				p.editing = false
				return p, nil
			case "enter":
				code, mc := strings.TrimSpace(p.input.Value()), p.c.Market
				if p.payee {
					return p, func() tea.Msg {
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						defer cancel()
						_, err := mc.SetPaymentAccount(ctx, market.Alipay, code, "")
						return phishSetMsg{"Alipay account set: buyers of your ads pay " + code, err}
					}
				}
				return p, func() tea.Msg {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					return phishSetMsg{"anti-phishing code set", mc.SetAntiPhishing(ctx, code)}
				}
			}
			var cmd tea.Cmd
			p.input, cmd = p.input.Update(msg)
			return p, cmd
		}
		switch msg.String() {
		case "r":
			return p, p.load()
		case "e":
			return p, push(newEnrollPage(p.c, false))
		case "a", "p":
			p.editing, p.payee = true, msg.String() == "p"
			p.input.Prompt, p.input.CharLimit = "anti-phishing code: ", 32
			p.input.SetValue("")
			if p.payee && p.acct != nil {
				p.input.Prompt, p.input.CharLimit = "Alipay account (phone or email) buyers pay: ", 64
				for _, pm := range p.acct.Payments {
					if pm.Method == market.Alipay {
						p.input.SetValue(pm.Account)
					}
				}
			}
			return p, p.input.Focus()
		}
	}
	return p, nil
}

func (p *accountPage) View(w, h int) string {
	st := p.c.St
	if p.acct == nil {
		if p.err != "" {
			return st.Danger.Render("✗ " + p.err)
		}
		return "loading account…"
	}
	a := p.acct
	var b strings.Builder
	b.WriteString(st.Title.Render(plain(a.User.Name)) + st.Muted.Render(fmt.Sprintf("  id %d · real name %s", a.User.ID, plain(a.User.RealName))) + "\n\n")
	b.WriteString(kv(st, "KYC level", fmt.Sprint(a.User.KYCLevel)) + "\n")
	for _, l := range a.Limits {
		used := 0.0
		if l.Limit.IsPositive() {
			u, _ := l.Used.UnitsAt(2)
			t, _ := l.Limit.UnitsAt(2)
			used = float64(u) / float64(t) // display only: a bar's length
		}
		b.WriteString(kv(st, "limit "+string(l.Fiat), fmt.Sprintf("%s used of %s today %s %s left · resets %s", fiat(l.Used), fiat(l.Limit),
			bar(used, 20), fiat(l.Remaining), a.DayResets.UTC().Format("15:04 UTC"))) + "\n")
	}
	r := a.Record
	b.WriteString(kv(st, "record", fmt.Sprintf("%d orders in 30 days · completion %s · release %s · pay %s · positive %s of %d",
		r.Orders30d, optPct(r.CompletionBP), optDur(r.AvgReleaseS), optDur(r.AvgPayS), optPct(r.PositiveBP), r.Ratings)) + "\n")
	for _, pm := range a.Payments {
		b.WriteString(kv(st, "pay method", fmt.Sprintf("%s %s (%s)", pm.Method, pm.Account, pm.RealName)) + "\n")
	}
	if len(a.Payments) == 0 {
		b.WriteString(kv(st, "pay method", st.Warn.Render("none")+st.Muted.Render(" — press p: your sell ads need the Alipay account buyers pay")) + "\n")
	}
	tfa := st.Danger.Render("✗ off") + st.Muted.Render(" — press e to enrol; releasing crypto needs it")
	if a.TwoFactor.Enabled {
		tfa = st.OK.Render("✓ on")
		if p.c.TOTP != nil {
			if _, ok := p.c.TOTP(p.c.Now()); ok {
				tfa += st.Warn.Render(" (p2pdesk holds the seed: practice authenticator)")
			}
		}
	}
	if a.TwoFactor.Locked {
		tfa += st.Danger.Render(" — locked after wrong codes")
	}
	b.WriteString(kv(st, "2FA", tfa) + "\n")
	ap := st.Warn.Render("not set") + st.Muted.Render(" — press a: genuine platform messages will show it")
	if a.AntiPhishing != "" {
		ap = st.OK.Render("«"+plain(a.AntiPhishing)+"»") + st.Muted.Render(" — a 'platform' message without it is fake")
	}
	b.WriteString(kv(st, "anti-phishing", ap) + "\n")
	b.WriteString(kv(st, "secrets", p.c.KeyringState) + "\n")
	b.WriteString(kv(st, "server", p.c.Server+" · profile "+p.c.Profile) + "\n")
	if p.editing {
		b.WriteString("\n" + p.input.View() + st.Muted.Render("  enter save · esc cancel") + "\n")
	}
	if p.err != "" {
		b.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	return b.String()
}

// enrollPage enrols 2FA: the otpauth URI as a QR code with the base32 key,
// and one valid code before it is on. In practice the user may let
// p2pdesk hold the seed and act as the authenticator.
type enrollPage struct {
	c        *Ctx
	first    bool
	enr      *api.Enrollment
	input    textinput.Model
	err      string
	done     bool
	practice bool
}

type enrolledMsg struct {
	enr api.Enrollment
	err error
}
type confirmedMsg struct{ err error }

func newEnrollPage(c *Ctx, first bool) *enrollPage {
	in := c.input()
	in.Prompt = "code from your authenticator: "
	in.CharLimit = 6
	return &enrollPage{c: c, first: first, input: in}
}

func (p *enrollPage) Title() string   { return "Two-factor authentication" }
func (p *enrollPage) Capturing() bool { return !p.done }
func (p *enrollPage) Help() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "let p2pdesk be the authenticator (practice)")), p.c.Keys.Back}
}

func (p *enrollPage) Init() tea.Cmd {
	mc := p.c.Market
	return tea.Batch(p.input.Focus(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := mc.TwoFactor(ctx)
		if err == nil && st.Enabled {
			return enrolledMsg{err: fmt.Errorf("two-factor authentication is already on")}
		}
		e, err := mc.Enroll2FA(ctx)
		return enrolledMsg{e, err}
	})
}

func (p *enrollPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case enrolledMsg:
		if msg.err != nil {
			p.err, p.done = msg.err.Error(), true
			return p, nil
		}
		p.enr = &msg.enr
	case confirmedMsg:
		if msg.err != nil {
			p.err = msg.err.Error()
			p.input.SetValue("")
			return p, nil
		}
		p.done = true
		if p.practice && p.c.HoldTOTP != nil {
			if err := p.c.HoldTOTP(p.enr.Secret); err != nil {
				return p, tea.Batch(pop(), warn("2FA is on, but the seed could not be kept: "+err.Error()))
			}
		}
		return p, tea.Batch(pop(), notify("two-factor authentication is on"))
	case tea.KeyMsg:
		switch msg.String() {
		case "esc":
			return p, pop()
		case "ctrl+p":
			if p.enr != nil && p.c.Embedded {
				p.practice = true
				code, _ := auth.Code(p.enr.Secret, p.c.Now())
				p.input.SetValue(code)
			}
			return p, nil
		case "enter":
			if p.done || p.enr == nil {
				return p, pop()
			}
			code, mc := strings.TrimSpace(p.input.Value()), p.c.Market
			return p, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err := mc.Confirm2FA(ctx, code)
				return confirmedMsg{err}
			}
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return p, cmd
	}
	return p, nil
}

func (p *enrollPage) View(w, h int) string {
	st := p.c.St
	var b strings.Builder
	if p.first {
		b.WriteString(st.Title.Render("Welcome to p2pdesk.") + " Your practice account is ready, with crypto and a simulated Alipay account.\n" +
			"First, turn on two-factor authentication: releasing crypto always needs a code.\n\n")
	}
	if p.enr == nil {
		if p.err != "" {
			return b.String() + st.Warn.Render(p.err) + "\n" + st.Muted.Render("esc to go on")
		}
		return b.String() + "asking the server for a new seed…"
	}
	// What must be seen (the key, the code field, the keys) comes whole;
	// the QR code only where the window has room for it.
	var rest strings.Builder
	rest.WriteString(kv(st, "key", st.Bold.Render(groups(p.enr.Secret))) + "\n\n")
	rest.WriteString(p.input.View() + "\n")
	if p.c.Embedded {
		rest.WriteString(st.Muted.Render("Practice only: ctrl+p lets p2pdesk hold the seed and show codes itself. Against a real server, use your own app.") + "\n")
	}
	if p.err != "" {
		rest.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	rest.WriteString(st.Muted.Render("enter confirm · esc later"))
	head := ""
	if b.Len() > 0 {
		head = wrapTo(strings.TrimRight(b.String(), "\n"), w) + "\n\n"
	}
	tail := wrapTo(rest.String(), w)
	qrText := qrBlock(p.enr.URI)
	used := lines(head) + lines(tail) + 1
	if used+lines(qrText) <= h && lipgloss.Width(qrText) <= w {
		return head + "Scan this with your authenticator app, or type the key:\n" + qrText + "\n" + tail
	}
	return head + wrapTo(st.Muted.Render(fmt.Sprintf("Type the key into your authenticator app (the QR code needs a window of %d×%d).",
		lipgloss.Width(qrText), used+lines(qrText))), w) + "\n" + tail
}

// wrapTo wraps text to a width by display cells, keeping its lines (a
// trailing newline becomes a blank last line without one).
func wrapTo(s string, w int) string {
	if w <= 0 {
		return s
	}
	return lipgloss.NewStyle().Width(w).Render(s)
}

// lines counts the rows a block takes.
func lines(s string) int { return strings.Count(s, "\n") + 1 }

func groups(s string) string {
	var parts []string
	for i := 0; i < len(s); i += 4 {
		parts = append(parts, s[i:min(i+4, len(s))])
	}
	return strings.Join(parts, " ")
}

// qrBlock draws a QR code with half blocks: two modules per character
// row, with the quiet zone scanners need.
func qrBlock(text string) string {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return "(QR code unavailable: " + err.Error() + ")"
	}
	const quiet = 2
	n := code.Size
	black := func(x, y int) bool {
		if x < 0 || y < 0 || x >= n || y >= n {
			return false
		}
		return code.Black(x, y)
	}
	var b strings.Builder
	for y := -quiet; y < n+quiet; y += 2 {
		for x := -quiet; x < n+quiet; x++ {
			top, bot := black(x, y), black(x, y+1)
			// Light modules are drawn, so the code reads on dark terminals.
			switch {
			case !top && !bot:
				b.WriteRune('█')
			case !top && bot:
				b.WriteRune('▀')
			case top && !bot:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
