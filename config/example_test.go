package config

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestExampleDocumentsEveryKey loads config.example.yaml and checks it
// holds every key the program knows, and nothing it does not.
func TestExampleDocumentsEveryKey(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, v, err := Load("../config.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, k := range v.AllKeys() {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !strings.Contains(string(raw), leaf+":") {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("config.example.yaml does not document: %v", missing)
	}
	if len(v.AllKeys()) < 20 {
		t.Fatalf("only %d keys: the example was not read", len(v.AllKeys()))
	}
}

// TestEnvironmentTurnsOffTheBlinkingCursor: a P2PDESK_ variable reaches a
// nested key, over the default.
func TestEnvironmentTurnsOffTheBlinkingCursor(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, _, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.UI.CursorBlink {
		t.Fatal("the cursor should blink by default")
	}
	t.Setenv("P2PDESK_UI_CURSOR_BLINK", "false")
	c, _, err = Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.UI.CursorBlink {
		t.Fatal("P2PDESK_UI_CURSOR_BLINK=false left the cursor blinking")
	}
}
