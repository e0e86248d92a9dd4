package ui

import (
	"regexp"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// TestNoColorKeepsEmphasis: NO_COLOR drops every colour and keeps bold,
// underline and reverse, so the active tab, the side of a trade and the
// selected row still stand out (no-color.org asks only for no colour).
func TestNoColorKeepsEmphasis(t *testing.T) {
	before := lipgloss.ColorProfile()
	t.Cleanup(func() { lipgloss.SetColorProfile(before) })
	th := RespectNoColor(DefaultTheme(), func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	})
	if !th.NoColor {
		t.Fatal("NO_COLOR was not read")
	}
	st := NewStyles(th)
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m|38;|48;`)
	for name, c := range map[string]struct {
		s    lipgloss.Style
		want string
	}{
		"active tab": {st.TabActive, "\x1b[1;4"}, "buy": {st.Buy, "\x1b[1m"}, "sell": {st.Sell, "\x1b[1m"},
		"selected": {st.Selected, "\x1b[7m"}, "danger": {st.Danger, "\x1b[1m"},
	} {
		out := c.s.Render("X")
		if colour.MatchString(out) {
			t.Errorf("%s carries a colour under NO_COLOR: %q", name, out)
		}
		if !regexp.MustCompile(regexp.QuoteMeta(c.want)).MatchString(out) {
			t.Errorf("%s lost its emphasis under NO_COLOR: %q, want %q", name, out, c.want)
		}
	}
	// Without NO_COLOR the theme keeps its colours.
	if RespectNoColor(DefaultTheme(), func(string) string { return "" }).NoColor {
		t.Fatal("colour dropped without NO_COLOR")
	}
}
