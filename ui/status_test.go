package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// merchantsOnly is a Practice whose only answer is the merchants' state.
type merchantsOnly struct {
	Practice
	state string
}

func (p *merchantsOnly) Merchants() string         { return p.state }
func (p *merchantsOnly) Scenarios() []ScenarioInfo { return nil }

// The status bar says when the simulated merchants are not trading, and
// says nothing about them once they are.
func TestStatusBarSaysWhenMerchantsAreNotTrading(t *testing.T) {
	p := &merchantsOnly{state: "merchants coming back"}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Embedded: true, Practice: p})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.stream = "live"
	if bar := m.statusBar(); !strings.Contains(bar, "live, merchants coming back") {
		t.Fatalf("status bar: %q", bar)
	}
	p.state = "merchants stopped, see the log"
	if bar := m.statusBar(); !strings.Contains(bar, "merchants stopped, see the log") {
		t.Fatalf("status bar: %q", bar)
	}
	p.state = ""
	if bar := m.statusBar(); strings.Contains(bar, "merchants") {
		t.Fatalf("status bar still speaks of the merchants: %q", bar)
	}
}
