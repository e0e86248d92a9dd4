package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// merchantsOnly is a Practice whose only answer is the merchants' state.
type merchantsOnly struct {
	Practice
	state string
}

func (p *merchantsOnly) Merchants() string               { return p.state }
func (p *merchantsOnly) Scenarios() []ScenarioInfo       { return nil }
func (p *merchantsOnly) Course() (string, string, error) { return "", "", nil }

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

// A window that joined another p2pdesk's practice marketplace says so,
// and when that one stops answering, says what to do.
func TestJoinedWindowSaysWhenItsMarketplaceIsGone(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Embedded: true, JoinedPID: 4242, Tick: func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if bar := m.statusBar(); !strings.Contains(bar, "(embedded in pid 4242)") {
		t.Fatalf("status bar: %q", bar)
	}
	m.Update(healthMsg{err: errors.New("connection refused")})
	v := m.View()
	if !strings.Contains(v, "pid 4242 ran the practice marketplace and no longer answers: quit, then start p2pdesk again.") {
		t.Fatalf("no word of what to do:\n%s", v)
	}
	if !strings.Contains(m.statusBar(), "unreachable") {
		t.Fatalf("status bar: %q", m.statusBar())
	}
}
