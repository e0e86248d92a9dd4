package ui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// sizedApp stands in for the app: it records what Boot hands over.
type sizedApp struct {
	inited bool
	size   tea.WindowSizeMsg
}

type sizedInit struct{}

func (s *sizedApp) Init() tea.Cmd { s.inited = true; return func() tea.Msg { return sizedInit{} } }
func (s *sizedApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(tea.WindowSizeMsg); ok {
		s.size = m
	}
	return s, nil
}
func (s *sizedApp) View() string { return "the app" }

func TestBootShowsProgressThenHandsOver(t *testing.T) {
	release := make(chan struct{})
	app := &sizedApp{}
	var m tea.Model = Boot(DefaultTheme(), "Creating the practice marketplace", func() (tea.Model, error) {
		<-release
		return app, nil
	})
	start := m.Init()
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := m.View(); !strings.Contains(v, "Creating the practice marketplace") || !strings.Contains(v, "ctrl+c quits") {
		t.Fatalf("the boot screen says:\n%s", v)
	}
	if lines := strings.Count(m.View(), "\n") + 1; lines != 30 {
		t.Fatalf("the boot screen is %d lines tall on a 30-line terminal", lines)
	}
	close(release)
	m, cmd := m.Update(start())
	if m != app || !app.inited || app.size.Width != 100 || app.size.Height != 30 {
		t.Fatalf("after the start: model %T, app inited %v, size %+v", m, app.inited, app.size)
	}
	if cmd == nil {
		t.Fatal("the app's Init command was dropped")
	}
	if BootErr(m) != nil {
		t.Fatal("an app that started reports a boot error")
	}
}

func TestBootFailureEndsTheProgramWithItsReason(t *testing.T) {
	bad := errors.New("market.db is locked by another p2pdesk")
	var m tea.Model = Boot(DefaultTheme(), "Starting", func() (tea.Model, error) { return nil, bad })
	m, cmd := m.Update(m.Init()())
	if cmd == nil {
		t.Fatal("a failed start does not end the program")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("a failed start does not quit")
	}
	if !errors.Is(BootErr(m), bad) {
		t.Fatalf("BootErr = %v", BootErr(m))
	}
}
