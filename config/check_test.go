package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUnknownSettingsAreNamedWithTheNearest: a misspelt key does nothing,
// so it is said, with the file and the key it probably meant; the map
// settings (theme roles, key actions) are left to the app to check.
func TestUnknownSettingsAreNamedWithTheNearest(t *testing.T) {
	p := writeConfig(t, "embeded:\n  speed: 60\nui:\n  mouse: true\n  theme:\n    buy: \"2\"\n  keys:\n    release: ctrl+r\nlog:\n  levle: debug\nwhatever: 1\n")
	c, _, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Warnings, "\n")
	for _, want := range []string{
		p + `: unknown setting "embeded.speed" (did you mean "embedded.speed"?)`,
		p + `: unknown setting "log.levle" (did you mean "log.level"?)`,
		p + `: unknown setting "whatever"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %q lack %q", got, want)
		}
	}
	if len(c.Warnings) != 3 || strings.Contains(got, "did you mean \"\"") {
		t.Fatalf("warnings: %q", got)
	}
	if !c.UI.Mouse || c.UI.Keys["release"] != "ctrl+r" {
		t.Fatalf("the known settings were not read: %+v", c.UI)
	}
}

// TestWrongTypesNameTheKeyAndTheFile: a value of the wrong type is an
// error that names the key, the value, what it must be, and the file.
func TestWrongTypesNameTheKeyAndTheFile(t *testing.T) {
	for body, want := range map[string]string{
		"ui:\n  mouse: yes please\n":  `ui.mouse is "yes please": it must be true or false`,
		"embedded:\n  speed: fast\n":  `embedded.speed is "fast": it must be a number`,
		"keyring:\n  timeout: soon\n": `keyring.timeout is "soon": it must be a duration such as 5s or 2m`,
	} {
		p := writeConfig(t, body)
		_, _, err := Load(p, nil)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%q: %v, want %q naming %s", body, err, want, p)
		}
	}
}

// TestThemeAndKeysFromTheEnvironment: P2PDESK_UI_THEME_<ROLE> and
// P2PDESK_UI_KEYS_<ACTION> set one entry each, over the file.
func TestThemeAndKeysFromTheEnvironment(t *testing.T) {
	p := writeConfig(t, "ui:\n  theme:\n    buy: \"2\"\n    sell: \"1\"\n")
	t.Setenv("P2PDESK_UI_THEME_BUY", "#00af5f")
	t.Setenv("P2PDESK_UI_KEYS_RELEASE", "ctrl+r")
	c, _, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.UI.Theme["buy"] != "#00af5f" || c.UI.Theme["sell"] != "1" || c.UI.Keys["release"] != "ctrl+r" {
		t.Fatalf("theme %v keys %v", c.UI.Theme, c.UI.Keys)
	}
}

// TestTheLogRotates: past its cap the log moves to .1, the older ones
// shift, and no more than the kept number stay.
func TestTheLogRotates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p2pdesk.log")
	w, err := openRotating(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 99) + "\n"
	for i := 0; i < 50; i++ {
		if _, err := fmt.Fprint(w, line); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	for _, f := range []string{path, path + ".1", path + ".2"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if st.Size() > 1000 {
			t.Fatalf("%s is %d bytes, past the cap", f, st.Size())
		}
	}
	if _, err := os.Stat(path + ".3"); err == nil {
		t.Fatal("more old logs than kept")
	}
	// A log already past the cap is moved aside when opened.
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 20)), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err = openRotating(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Fatalf("an over-size log was not moved aside at open: %d bytes", st.Size())
	}
}

func TestNearest(t *testing.T) {
	for in, want := range map[string]string{"relase": "release", "pagedown": "page_down", "zzzzzz": "", "Release": "release"} {
		if got := Nearest(in, []string{"release", "page_down", "rate"}); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
