package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/charmbracelet/bubbles/key"
)

// With ui.mouse on: the wheel moves the cursor as up and down do, a click
// on a tab opens it, and a click on a row of a list selects it (a second
// click on the selected row opens it, as enter does).

// clicker is a page that takes a left click at (x, y) of its body.
type clicker interface {
	Click(x, y int) (Page, tea.Cmd)
}

// mouse turns a mouse event into what the keys would do.
func (m *Model) mouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.help || m.quitting || msg.Action != tea.MouseActionPress {
		return m, nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.Update(keyMsgFor(m.c.Keys.Up))
	case tea.MouseButtonWheelDown:
		return m.Update(keyMsgFor(m.c.Keys.Down))
	case tea.MouseButtonLeft:
	default:
		return m, nil
	}
	if msg.Y == 0 {
		for i, s := range m.tabSpans {
			if msg.X >= s[0] && msg.X < s[1] {
				return m.Update(keyMsgFor(m.tabKeys()[i]))
			}
		}
		return m, nil
	}
	if c, ok := m.current().(clicker); ok && msg.Y <= m.h-3 {
		p, cmd := c.Click(msg.X, msg.Y-1)
		m.setCurrent(p)
		return m, cmd
	}
	return m, nil
}

func (m *Model) tabKeys() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Market, k.Orders, k.Wallet, k.MyAds, k.Account, k.Practice}
}

// keyMsgFor is the key press of a binding's first key.
func keyMsgFor(b key.Binding) tea.KeyMsg {
	ks := b.Keys()
	if len(ks) == 0 {
		return tea.KeyMsg{}
	}
	s := ks[0]
	alt := strings.HasPrefix(s, "alt+")
	s = strings.TrimPrefix(s, "alt+")
	if t, ok := keyTypes[s]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Alt: alt}
}

// keyTypes maps the names bubbletea gives the keys that are not a
// character (ctrl+r, pgdown, f5, ...) back to their types: what a
// remapped key may name, and what a binding's key is pressed as.
var keyTypes = func() map[string]tea.KeyType {
	out := map[string]tea.KeyType{}
	for i := -512; i < 512; i++ {
		if s := tea.KeyType(i).String(); s != "" && s != "runes" {
			if _, seen := out[s]; !seen {
				out[s] = tea.KeyType(i)
			}
		}
	}
	return out
}()

// spans are the cells each part takes, laid side by side from x = 0.
func spans(parts []string) [][2]int {
	out := make([][2]int, len(parts))
	x := 0
	for i, p := range parts {
		w := lipgloss.Width(p)
		out[i] = [2]int{x, x + w}
		x += w
	}
	return out
}
