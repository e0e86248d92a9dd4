package ui

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme is the semantic palette. Colour is never the only signal: every
// coloured thing also carries a word or a symbol (BUY/SELL, ▲▼, ✓✗, ⚠).
type Theme struct {
	Buy, Sell, Warn, Danger, OK, Muted, Accent, Border, Title, Selected string
}

// DefaultTheme works on dark and light terminals.
func DefaultTheme() Theme {
	return Theme{Buy: "2", Sell: "1", Warn: "3", Danger: "9", OK: "10", Muted: "8", Accent: "6", Border: "8", Title: "14", Selected: "4"}
}

// WithOverrides applies config's ui.theme (name -> colour).
func (t Theme) WithOverrides(m map[string]string) Theme {
	set := map[string]*string{"buy": &t.Buy, "sell": &t.Sell, "warn": &t.Warn, "danger": &t.Danger, "ok": &t.OK,
		"muted": &t.Muted, "accent": &t.Accent, "border": &t.Border, "title": &t.Title, "selected": &t.Selected}
	for k, v := range m {
		if p, ok := set[k]; ok && v != "" {
			*p = v
		}
	}
	return t
}

// Styles are the lipgloss styles built from a theme.
type Styles struct {
	Buy, Sell, Warn, Danger, OK, Muted, Accent, Title, Bold, Selected, Header, Box, Status, Tab, TabActive, Key lipgloss.Style
}

// NewStyles builds the styles of a theme.
func NewStyles(t Theme) Styles {
	c := func(s string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(s)) }
	return Styles{
		Buy: c(t.Buy), Sell: c(t.Sell), Warn: c(t.Warn), Danger: c(t.Danger).Bold(true), OK: c(t.OK), Muted: c(t.Muted),
		Accent: c(t.Accent), Title: c(t.Title).Bold(true), Bold: lipgloss.NewStyle().Bold(true),
		Selected:  lipgloss.NewStyle().Reverse(true),
		Header:    c(t.Muted).Bold(true),
		Box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color(t.Border)).Padding(0, 1),
		Status:    lipgloss.NewStyle().Reverse(true),
		Tab:       c(t.Muted).Padding(0, 1),
		TabActive: lipgloss.NewStyle().Bold(true).Underline(true).Padding(0, 1),
		Key:       c(t.Accent).Bold(true),
	}
}

// RespectNoColor turns colour off when NO_COLOR is set (no-color.org).
func RespectNoColor() {
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}
