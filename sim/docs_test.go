package sim

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated files")

// TestScenarioDocs keeps docs/SCENARIOS.md equal to what the scenarios say.
func TestScenarioDocs(t *testing.T) {
	var b bytes.Buffer
	WriteScenarioDocs(&b)
	const path = "../docs/SCENARIOS.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/SCENARIOS.md is out of date: go test ./sim -run TestScenarioDocs -update")
	}
}
