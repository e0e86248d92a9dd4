package server_test

import (
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"p2pdesk/server"
)

// TestAPIDocsMatchRoutes: every route the server serves is documented in
// docs/API.md, every documented route is served, and every error code the
// server can answer is in the table with its status.
func TestAPIDocsMatchRoutes(t *testing.T) {
	doc, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	e := start(t)
	served := map[string]bool{}
	for _, r := range e.m.Server.Routes() {
		served[r] = true
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^### ([A-Z]+ /api/v1/\S+)$`).FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	var missing, stale []string
	for r := range served {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !served[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes served but not documented in docs/API.md:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("routes documented but not served:\n  %s", strings.Join(stale, "\n  "))
	}
	if len(served) < 40 {
		t.Fatalf("only %d routes served: the route list is not being read", len(served))
	}
	for code, status := range server.StatusTable() {
		row := regexp.MustCompile(`(?m)^\| (\d{3}) \| ` + "`" + regexp.QuoteMeta(code) + "`" + ` \|`).FindStringSubmatch(string(doc))
		if row == nil {
			t.Errorf("error code %s is not in the table of docs/API.md", code)
			continue
		}
		if row[1] != strconv.Itoa(status) {
			t.Errorf("docs/API.md gives %s status %s; the server answers %d", code, row[1], status)
		}
	}
}
