package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"rsc.io/qr"

	"p2pdesk/api"
	"p2pdesk/authenticator"
	"p2pdesk/i18n"
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
	// kycAt: in practice, when the applied-for tier is approved.
	kycAt time.Time
}

// kycAppliedMsg: a practice KYC application went in (or not).
type kycAppliedMsg struct {
	at  time.Time
	err error
}

type phishSetMsg adDoneMsg

// langSavedMsg: the language chosen at run time was kept (or not).
type langSavedMsg struct {
	lang i18n.Lang
	err  error
}

type accountMsg struct {
	acct api.Account
	err  error
}

func newAccountPage(c *Ctx) *accountPage {
	in := c.input()
	in.Prompt = c.T("account.phish_prompt")
	in.CharLimit = 32
	return &accountPage{c: c, input: in}
}

func (p *accountPage) Title() string   { return p.c.T("tab.account") }
func (p *accountPage) Capturing() bool { return p.editing }
func (p *accountPage) Help() []key.Binding {
	keys := []key.Binding{
		key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "account.key_enrol")),
		key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "account.key_phish")),
		key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "account.key_payee")),
		p.c.Keys.Lang,
		p.c.Keys.Refresh,
	}
	if p.c.Practice != nil {
		keys = append(keys, key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "account.key_kyc")))
	}
	return keys
}

func (p *accountPage) Init() tea.Cmd { return p.load() }

func (p *accountPage) load() tea.Cmd {
	mc := p.c.Market
	return request(loadTimeout, func(ctx context.Context) tea.Msg {
		a, err := mc.Account(ctx)
		return accountMsg{a, err}
	})
}

func (p *accountPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case accountMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		if p.acct != nil && msg.acct.User.KYCLevel > p.acct.User.KYCLevel {
			p.kycAt = time.Time{} // the application came through
		}
		p.acct, p.err = &msg.acct, ""
	case kycAppliedMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.kycAt = msg.at
		return p, nil
	case langSavedMsg:
		if msg.err != nil {
			return p, warn(p.c.T("account.lang_not_kept", "Err", msg.err.Error()))
		}
		return p, notify(p.c.T("account.lang_set", "Lang", msg.lang.Name()))
	case phishSetMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.editing = false
		return p, tea.Batch(p.load(), notify(msg.what))
	case EventMsg:
		if msg.Event.Type.IsOrder() {
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
					return p, request(actTimeout, func(ctx context.Context) tea.Msg {
						_, err := mc.SetPaymentAccount(ctx, api.Alipay, code, "")
						return phishSetMsg{p.c.T("account.payee_set", "Account", code), err}
					})
				}
				return p, request(actTimeout, func(ctx context.Context) tea.Msg {
					return phishSetMsg{p.c.T("account.phish_set"), mc.SetAntiPhishing(ctx, code)}
				})
			}
			var cmd tea.Cmd
			p.input, cmd = p.input.Update(msg)
			return p, cmd
		}
		if key.Matches(msg, p.c.Keys.Lang) {
			return p, p.switchLang()
		}
		switch msg.String() {
		case "r":
			return p, p.load()
		case "K":
			if pr := p.c.Practice; pr != nil && p.acct != nil && hasNextTier(&p.acct.AccountView) && p.kycAt.IsZero() {
				return p, func() tea.Msg { at, err := pr.ApplyKYC(); return kycAppliedMsg{at, err} }
			}
		case "e":
			return p, push(newEnrollPage(p.c, false))
		case "a", "p":
			p.editing, p.payee = true, msg.String() == "p"
			p.input.Prompt, p.input.CharLimit = p.c.T("account.phish_prompt"), 32
			p.input.SetValue("")
			if p.payee && p.acct != nil {
				p.input.Prompt, p.input.CharLimit = p.c.T("account.payee_prompt"), 64
				for _, pm := range p.acct.Payments {
					if pm.Method == api.Alipay {
						p.input.SetValue(pm.Account)
					}
				}
			}
			return p, p.input.Focus()
		}
	}
	return p, nil
}

// switchLang speaks the next language from now on, on every screen, and
// keeps the choice (ui.lang) where the app was given a way to.
func (p *accountPage) switchLang() tea.Cmd {
	next := p.c.Tr.Lang().Next()
	p.c.Tr.Set(next)
	save := p.c.SaveLang
	return func() tea.Msg {
		if save == nil {
			return langSavedMsg{lang: next}
		}
		return langSavedMsg{lang: next, err: save(next)}
	}
}

func (p *accountPage) View(w, h int) string {
	st := p.c.St
	c := p.c
	if p.acct == nil {
		if p.err != "" {
			return st.Danger.Render("✗ " + p.err)
		}
		return c.T("account.loading")
	}
	a := p.acct
	kvw := func(k, v string) string { return kvWrap(st, k, v, w) }
	var b strings.Builder
	b.WriteString(st.Title.Render(plain(a.User.Name)) + st.Muted.Render("  "+c.T("account.id_line", "ID", a.User.ID, "Name", plain(a.User.RealName))) + "\n\n")
	kyc := fmt.Sprint(a.User.KYCLevel) + st.Muted.Render(c.kycNext(&a.AccountView))
	switch {
	case c.Practice == nil || !hasNextTier(&a.AccountView):
	case !p.kycAt.IsZero():
		kyc += st.Warn.Render(" · " + c.T("account.kyc_pending", "At", p.kycAt.UTC().Format("15:04 UTC")))
	default:
		kyc += st.Muted.Render(" · " + c.T("account.kyc_apply", "Key", st.Key.Render("K")))
	}
	b.WriteString(kvw(c.T("account.kyc"), kyc) + "\n")
	for _, l := range a.Limits {
		used := 0.0
		if l.Limit.IsPositive() {
			u, _ := l.Used.UnitsAt(2)
			t, _ := l.Limit.UnitsAt(2)
			used = float64(u) / float64(t) // display only: a bar's length
		}
		b.WriteString(kvw(c.T("account.limit", "Fiat", l.Fiat), c.T("account.limit_line", "Used", fiat(l.Used), "Limit", fiat(l.Limit),
			"Bar", bar(used, 20), "Left", fiat(l.Remaining), "Resets", a.DayResets.UTC().Format("15:04 UTC"))) + "\n")
	}
	r := a.Record
	b.WriteString(kvw(c.T("account.record"), c.T("account.record_line", "Orders", r.Orders30d, "Completion", optPct(r.CompletionBP), "Release", c.dur(r.AvgReleaseS),
		"Pay", c.dur(r.AvgPayS), "Positive", optPct(r.PositiveBP), "Ratings", r.Ratings)) + "\n")
	for _, pm := range a.Payments {
		b.WriteString(kvw(c.T("account.pay_method"), fmt.Sprintf("%s %s (%s)", c.method(pm.Method), pm.Account, pm.RealName)) + "\n")
	}
	if len(a.Payments) == 0 {
		b.WriteString(kvw(c.T("account.pay_method"), st.Warn.Render(c.T("account.none"))+st.Muted.Render(c.T("account.none_why"))) + "\n")
	}
	tfa := st.Danger.Render(c.T("account.2fa_off")) + st.Muted.Render(c.T("account.2fa_off_why"))
	if a.TwoFactor.Enabled {
		tfa = st.OK.Render(c.T("account.2fa_on"))
		if p.c.TOTP != nil {
			if _, ok := p.c.TOTP(p.c.Now()); ok {
				tfa += st.Warn.Render(c.T("account.2fa_practice"))
			}
		}
	}
	if a.TwoFactor.Locked {
		tfa += st.Danger.Render(c.T("account.2fa_locked"))
	}
	b.WriteString(kvw(c.T("account.2fa"), tfa) + "\n")
	ap := st.Warn.Render(c.T("account.phish_unset")) + st.Muted.Render(c.T("account.phish_unset_why"))
	if a.AntiPhishing != "" {
		ap = st.OK.Render("«"+plain(a.AntiPhishing)+"»") + st.Muted.Render(c.T("account.phish_why"))
	}
	b.WriteString(kvw(c.T("account.phish"), ap) + "\n")
	b.WriteString(kvw(c.T("account.secrets"), c.keyringState(p.c.KeyringState)) + "\n")
	b.WriteString(kvw(c.T("account.server"), c.T("account.server_line", "Server", p.c.Server, "Profile", p.c.Profile)) + "\n")
	b.WriteString(kvw(c.T("account.lang"), c.Tr.Lang().Name()+st.Muted.Render(c.T("account.lang_why", "Key", p.c.Keys.Lang.Help().Key))) + "\n")
	if p.editing {
		b.WriteString("\n" + p.input.View() + st.Muted.Render("  "+c.T("account.edit_hint")) + "\n")
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
	// qrInverted draws dark modules instead of light ones (no colour, a
	// light terminal).
	qrInverted bool
}

type enrolledMsg struct {
	enr api.Enrollment
	err error
}
type confirmedMsg struct{ err error }

func newEnrollPage(c *Ctx, first bool) *enrollPage {
	in := c.input()
	in.Prompt = c.T("enrol.prompt")
	in.CharLimit = 6
	return &enrollPage{c: c, first: first, input: in}
}

func (p *enrollPage) Title() string   { return p.c.T("enrol.title") }
func (p *enrollPage) Capturing() bool { return !p.done }
func (p *enrollPage) Help() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "enrol.key_practice")), p.c.Keys.Back}
}

func (p *enrollPage) Init() tea.Cmd {
	mc := p.c.Market
	return tea.Batch(p.input.Focus(), request(actTimeout, func(ctx context.Context) tea.Msg {
		st, err := mc.TwoFactor(ctx)
		if err == nil && st.Enabled {
			return enrolledMsg{err: fmt.Errorf("%s", p.c.T("enrol.already_on"))}
		}
		e, err := mc.Enroll2FA(ctx)
		return enrolledMsg{e, err}
	}))
}

func (p *enrollPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case enrolledMsg:
		if msg.err != nil {
			p.err, p.done = p.c.errText(msg.err), true
			return p, nil
		}
		p.enr = &msg.enr
	case confirmedMsg:
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			p.input.SetValue("")
			return p, nil
		}
		p.done = true
		if p.practice && p.c.HoldTOTP != nil {
			if err := p.c.HoldTOTP(p.enr.Secret); err != nil {
				return p, tea.Batch(pop(), warn(p.c.T("enrol.seed_not_kept", "Err", err.Error())))
			}
		}
		return p, tea.Batch(pop(), notify(p.c.T("enrol.on")))
	case tea.KeyMsg:
		switch msg.String() {
		case "esc":
			return p, pop()
		case "i":
			if p.c.Theme.NoColor {
				p.qrInverted = !p.qrInverted
			}
			return p, nil
		case "ctrl+p":
			if p.enr != nil && p.c.Embedded {
				p.practice = true
				code, _ := authenticator.Code(p.enr.Secret, p.c.Now())
				p.input.SetValue(code)
			}
			return p, nil
		case "enter":
			if p.done || p.enr == nil {
				return p, pop()
			}
			code, mc := strings.TrimSpace(p.input.Value()), p.c.Market
			return p, request(actTimeout, func(ctx context.Context) tea.Msg {
				_, err := mc.Confirm2FA(ctx, code)
				return confirmedMsg{err}
			})
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return p, cmd
	}
	return p, nil
}

// qr is the QR code as it scans here: with colour, white light modules on
// black, so it reads the same on a light terminal as on a dark one;
// without colour (NO_COLOR) in the terminal's own colours, right on a dark
// background, and turned round by i for a light one.
func (p *enrollPage) qr(uri string) string {
	q := qrBlock(uri, p.qrInverted)
	if p.c.Theme.NoColor {
		return q
	}
	sty := lipgloss.NewStyle().Foreground(lipgloss.Color("15")).Background(lipgloss.Color("0"))
	ls := strings.Split(strings.TrimSuffix(q, "\n"), "\n")
	for i, l := range ls {
		ls[i] = sty.Render(l)
	}
	return strings.Join(ls, "\n") + "\n"
}

func (p *enrollPage) View(w, h int) string {
	st := p.c.St
	c := p.c
	p.input.Prompt = c.T("enrol.prompt")
	var b strings.Builder
	if p.first {
		b.WriteString(st.Title.Render(c.T("enrol.welcome")) + c.T("enrol.welcome_text") + "\n\n")
	}
	if p.enr == nil {
		if p.err != "" {
			return b.String() + st.Warn.Render(p.err) + "\n" + st.Muted.Render(c.T("enrol.esc_go_on"))
		}
		return b.String() + c.T("enrol.asking")
	}
	// What must be seen (the key, the code field, the keys) comes whole;
	// the QR code only where the window has room for it.
	var rest strings.Builder
	rest.WriteString(c.kv(c.T("enrol.key"), st.Bold.Render(groups(p.enr.Secret))) + "\n\n")
	rest.WriteString(p.input.View() + "\n")
	if p.c.Embedded {
		rest.WriteString(st.Muted.Render(c.T("enrol.practice_only")) + "\n")
	}
	if p.err != "" {
		rest.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	rest.WriteString(st.Muted.Render(c.T("enrol.hint")))
	head := ""
	if b.Len() > 0 {
		head = wrapTo(strings.TrimRight(b.String(), "\n"), w) + "\n\n"
	}
	tail := wrapTo(rest.String(), w)
	qrText := p.qr(p.enr.URI)
	used := lines(head) + lines(tail) + 1
	if used+lines(qrText) <= h && lipgloss.Width(qrText) <= w {
		scan := c.T("enrol.scan")
		if c.Theme.NoColor {
			scan += " " + st.Muted.Render(c.T("enrol.invert"))
		}
		return head + scan + "\n" + qrText + "\n" + tail
	}
	return head + wrapTo(st.Muted.Render(c.T("enrol.type_key", "W", lipgloss.Width(qrText), "H", used+lines(qrText))), w) + "\n" + tail
}

// wrapTo wraps text to a width by display cells, keeping its lines (a
// trailing newline becomes a blank last line without one).
func wrapTo(s string, w int) string { return wrapCells(s, w) }

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
// row, with the quiet zone scanners need. The light modules (and the
// quiet zone) are the drawn ones; dark is left empty, or, inverted, the
// other way round.
func qrBlock(text string, inverted bool) string {
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
			top, bot := black(x, y) != inverted, black(x, y+1) != inverted
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

// limitWays says the two ways past a daily limit: the day's end, and
// the next tier (on the Account tab), never a way off the platform.
func (c *Ctx) limitWays(a *api.AccountView, f api.Fiat) string {
	at := a.DayResets.UTC().Format("15:04 UTC")
	for _, t := range a.Tiers {
		if t.Level != a.User.KYCLevel+1 {
			continue
		}
		for _, l := range t.Limits {
			if l.Fiat == f {
				return c.T("ticket.p_daily_ways", "At", at, "Level", t.Level, "Limit", c.money(l.Limit, f))
			}
		}
	}
	return c.T("ticket.p_daily_resets", "At", at)
}

// hasNextTier: there is a KYC tier above the account's.
func hasNextTier(a *api.AccountView) bool {
	for _, t := range a.Tiers {
		if t.Level == a.User.KYCLevel+1 {
			return true
		}
	}
	return false
}

// kycNext says what the next KYC tier gives and needs, or that this is
// the highest: a new user starts low and meets the limit.
func (c *Ctx) kycNext(a *api.AccountView) string {
	for _, t := range a.Tiers {
		if t.Level != a.User.KYCLevel+1 {
			continue
		}
		for _, l := range t.Limits {
			if l.Fiat == api.CNY {
				return c.T("account.kyc_next", "Level", t.Level, "Limit", c.money(l.Limit, l.Fiat))
			}
		}
	}
	if len(a.Tiers) > 0 && a.User.KYCLevel >= a.Tiers[len(a.Tiers)-1].Level {
		return c.T("account.kyc_top")
	}
	return ""
}
