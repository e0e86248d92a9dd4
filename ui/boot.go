package ui

import (
	"github.com/charmbracelet/lipgloss"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/i18n"
)

// Boot is the screen shown while the app's dependencies are being made
// (the embedded marketplace, on a first start a whole simulated market):
// the terminal shows what is happening from the first frame instead of
// staying blank. When start returns, the app it made takes over, with the
// window size Boot has seen; if start fails, the program ends and Err
// tells why.
func Boot(theme Theme, say string, start func() (tea.Model, error)) tea.Model {
	return BootIn(nil, theme, say, start)
}

// BootIn is Boot in a language (nil: English).
func BootIn(tr *i18n.Tr, theme Theme, say string, start func() (tea.Model, error)) tea.Model {
	return &bootModel{tr: tr, st: NewStyles(theme), say: say, start: start}
}

type bootModel struct {
	tr    *i18n.Tr
	st    Styles
	say   string
	start func() (tea.Model, error)
	size  *tea.WindowSizeMsg
	err   error
}

type bootedMsg struct {
	app tea.Model
	err error
}

// BootErr is why a Boot screen ended without starting the app, or nil.
func BootErr(m tea.Model) error {
	if b, ok := m.(*bootModel); ok {
		return b.err
	}
	return nil
}

func (b *bootModel) Init() tea.Cmd {
	return func() tea.Msg {
		app, err := b.start()
		return bootedMsg{app, err}
	}
}

func (b *bootModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		b.size = &msg
	case tea.KeyMsg:
		// Quitting here stops the program; the caller cancels the start.
		if msg.String() == "ctrl+c" {
			return b, tea.Quit
		}
	case bootedMsg:
		if msg.err != nil {
			b.err = msg.err
			return b, tea.Quit
		}
		app := msg.app
		cmds := []tea.Cmd{app.Init()}
		if b.size != nil {
			var c tea.Cmd
			app, c = app.Update(*b.size)
			cmds = append(cmds, c)
		}
		return app, tea.Batch(cmds...)
	}
	return b, nil
}

func (b *bootModel) View() string {
	text := lipgloss.JoinVertical(lipgloss.Left, b.st.Title.Render("p2pdesk"), "", b.say, "", b.st.Muted.Render(b.tr.T("boot.quit")))
	if b.size == nil {
		return text
	}
	return lipgloss.Place(b.size.Width, b.size.Height, lipgloss.Center, lipgloss.Center, text)
}
