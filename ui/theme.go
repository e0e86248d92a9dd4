package ui

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme is the semantic palette. Colour is never the only signal: every
// coloured thing also carries a word or a symbol (BUY/SELL, ▲▼, ✓✗, ⚠).
type Theme struct {
	Buy, Sell, Warn, Danger, OK, Muted, Accent, Border, Title, Selected string
	// NoColor keeps the emphasis (bold, underline, reverse) and drops the
	// colours.
	NoColor bool
}

// DefaultTheme works on dark and light terminals.
func DefaultTheme() Theme {
	return Theme{Buy: "2", Sell: "1", Warn: "3", Danger: "9", OK: "10", Muted: "8", Accent: "6", Border: "8", Title: "14", Selected: "4"}
}

// ThemeRoles are the names ui.theme sets colours by.
var ThemeRoles = []string{"buy", "sell", "warn", "danger", "ok", "muted", "accent", "border", "title", "selected"}

// colourRE is what a terminal colour can be: an ANSI number or #rgb/#rrggbb.
var colourRE = regexp.MustCompile(`^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$`)

// SettingError is a setting the app cannot use: Name is the role or action
// at fault, Known the names it could have been.
type SettingError struct {
	Name, Value, Problem string
	Known                []string
}

func (e *SettingError) Error() string { return fmt.Sprintf("%s: %s", e.Name, e.Problem) }

// WithOverrides applies config's ui.theme (role -> colour). An unknown
// role or a colour that is no ANSI number or #rrggbb is refused.
func (t Theme) WithOverrides(m map[string]string) (Theme, error) {
	set := map[string]*string{"buy": &t.Buy, "sell": &t.Sell, "warn": &t.Warn, "danger": &t.Danger, "ok": &t.OK,
		"muted": &t.Muted, "accent": &t.Accent, "border": &t.Border, "title": &t.Title, "selected": &t.Selected}
	var errs []error
	for _, k := range sortedKeys(m) {
		v := strings.TrimSpace(m[k])
		p, ok := set[strings.ToLower(k)]
		switch {
		case !ok:
			errs = append(errs, &SettingError{Name: k, Value: v, Problem: "no such colour role", Known: ThemeRoles})
		case !colourRE.MatchString(v):
			errs = append(errs, &SettingError{Name: k, Value: v, Problem: fmt.Sprintf("%q is no colour: give an ANSI number (0-255) or #rrggbb", v)})
		default:
			*p = v
		}
	}
	return t, errors.Join(errs...)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Styles are the lipgloss styles built from a theme.
type Styles struct {
	Buy, Sell, Warn, Danger, OK, Muted, Accent, Title, Bold, Selected, Header, Box, Status, Tab, TabActive, Key lipgloss.Style
}

// NewStyles builds the styles of a theme.
func NewStyles(t Theme) Styles {
	c := func(s string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(s)) }
	border := lipgloss.Color(t.Border)
	if t.NoColor {
		c = func(string) lipgloss.Style { return lipgloss.NewStyle() }
		border = lipgloss.Color("")
	}
	// Without colour the side and the warnings still stand out: in bold.
	emph := func(st lipgloss.Style) lipgloss.Style { return st.Bold(t.NoColor) }
	return Styles{
		Buy: emph(c(t.Buy)), Sell: emph(c(t.Sell)), Warn: emph(c(t.Warn)), Danger: c(t.Danger).Bold(true), OK: c(t.OK), Muted: c(t.Muted),
		Accent: c(t.Accent), Title: c(t.Title).Bold(true), Bold: lipgloss.NewStyle().Bold(true),
		Selected:  lipgloss.NewStyle().Reverse(true),
		Header:    c(t.Muted).Bold(true),
		Box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1),
		Status:    lipgloss.NewStyle().Reverse(true),
		Tab:       c(t.Muted).Padding(0, 1),
		TabActive: lipgloss.NewStyle().Bold(true).Underline(true).Padding(0, 1),
		Key:       c(t.Accent).Bold(true),
	}
}

// RespectNoColor honours NO_COLOR (no-color.org), which asks for no
// colour, not for no emphasis: the theme drops its colours and the active
// tab, the BUY/SELL side and the selected row keep their bold, underline
// and reverse. (termenv alone would turn NO_COLOR into no styling at all.)
func RespectNoColor(t Theme, getenv func(string) string) Theme {
	if getenv("NO_COLOR") != "" {
		t.NoColor = true
		lipgloss.SetColorProfile(termenv.ANSI)
	}
	return t
}
