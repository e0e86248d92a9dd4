package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestTabBarHintFollowsTheKeys: the tab bar's hint names the keys as
// bound: after a remap it says the new ones.
func TestTabBarHintFollowsTheKeys(t *testing.T) {
	k := DefaultKeys()
	if err := k.Remap(map[string]string{"withdraw": "ctrl+w", "help": "f1"}); err != nil {
		t.Fatal(err)
	}
	m := New(Deps{Theme: DefaultTheme(), Keys: k})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	v := m.View()
	if !strings.Contains(v, "ctrl+w withdraw") || !strings.Contains(v, "f1 keys") || strings.Contains(v, "W withdraw") {
		t.Fatalf("the tab bar does not follow the remap:\n%s", v)
	}
}

// TestConfigWarningsShowOnScreen: a warning of the configuration is on
// the notice line at start, where the terminal's own lines are hidden.
func TestConfigWarningsShowOnScreen(t *testing.T) {
	w := `config.yaml: unknown setting "embeded.speed" (did you mean "embedded.speed"?)`
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Warnings: []string{w}})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	if !strings.Contains(m.View(), w) {
		t.Fatalf("the warning is not on screen:\n%s", m.View())
	}
}
