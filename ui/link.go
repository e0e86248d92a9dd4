package ui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// chatLinkRE finds an address in a chat line.
var chatLinkRE = regexp.MustCompile(`https?://[^\s"'“”()]+`)

// lastLink is the newest address the counterparty wrote in the chat.
func lastLink(log []api.OrderLogEntry, role string) string {
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		if e.Kind == api.LogChat && e.From != role {
			if m := chatLinkRE.FindAllString(e.Text, -1); len(m) > 0 {
				return strings.TrimRight(m[len(m)-1], ".,;:!?")
			}
		}
	}
	return ""
}

// linkPage is what opening a chat link shows. p2pdesk never browses: out
// of practice it shows the address and says so. In the practice market
// the address is a drill's, and the page it opens is the one a scammer
// would show, a look-alike login; what is typed there goes to the drill,
// as it would go to the scammer.
type linkPage struct {
	c       *Ctx
	order   int64
	url     string
	account textinput.Model
	code    textinput.Model
	focus   int
	sent    bool
	err     string
}

type linkSentMsg struct{ err error }

func newLinkPage(c *Ctx, order int64, url string) *linkPage {
	p := &linkPage{c: c, order: order, url: url, account: c.input(), code: c.input()}
	p.account.Placeholder = c.T("link.account_hint")
	p.code.Placeholder = "000000"
	p.code.CharLimit = 6
	return p
}

func (p *linkPage) practice() bool { return p.c.Practice != nil }

func (p *linkPage) Title() string   { return p.c.T("link.title") }
func (p *linkPage) Capturing() bool { return p.practice() && !p.sent }
func (p *linkPage) Help() []key.Binding {
	return []key.Binding{p.c.Keys.Back}
}

func (p *linkPage) Init() tea.Cmd {
	if p.practice() {
		return p.account.Focus()
	}
	return nil
}

func (p *linkPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case linkSentMsg:
		p.sent = msg.err == nil
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
		}
		return p, nil
	case tea.KeyMsg:
		switch msg.String() {
		case "esc":
			return p, pop()
		case "tab", "shift+tab", "down", "up":
			if !p.Capturing() {
				return p, nil
			}
			p.focus = 1 - p.focus
			p.account.Blur()
			p.code.Blur()
			if p.focus == 0 {
				return p, p.account.Focus()
			}
			return p, p.code.Focus()
		case "enter":
			if !p.Capturing() {
				return p, nil
			}
			if p.focus == 0 {
				p.focus = 1
				p.account.Blur()
				return p, p.code.Focus()
			}
			pr, order, url, code := p.c.Practice, p.order, p.url, strings.TrimSpace(p.code.Value())
			return p, func() tea.Msg { return linkSentMsg{pr.EnterOnLink(order, url, code)} }
		}
		if !p.Capturing() {
			return p, nil
		}
		var cmd tea.Cmd
		if p.focus == 0 {
			p.account, cmd = p.account.Update(msg)
		} else {
			p.code, cmd = p.code.Update(msg)
		}
		return p, cmd
	}
	return p, nil
}

func (p *linkPage) View(w, h int) string {
	st, c := p.c.St, p.c
	var b strings.Builder
	b.WriteString(fitBox(st, w, plain(p.url)) + "\n")
	if !p.practice() {
		b.WriteString(wrapTo(c.T("link.not_opened"), w) + "\n")
		return b.String()
	}
	if !c.exam {
		b.WriteString(wrapTo(st.Danger.Render("⚠ "+c.T("link.warn")), w) + "\n")
	}
	b.WriteString("\n" + st.Title.Render("p2pdesk") + "  " + st.Bold.Render(c.T("link.page_head")) + "\n")
	b.WriteString(wrapTo(c.T("link.page_text"), w) + "\n\n")
	if p.sent {
		b.WriteString(st.OK.Render(c.T("link.sent")) + "\n")
		return b.String()
	}
	b.WriteString(padRight(c.T("link.account"), 16) + p.account.View() + "\n")
	b.WriteString(padRight(c.T("link.code"), 16) + p.code.View() + "\n\n")
	if p.err != "" {
		b.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	b.WriteString(st.Muted.Render(c.T("link.hint")))
	return b.String()
}
