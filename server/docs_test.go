package server_test

import (
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"p2pdesk/api"
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
	for _, r := range api.Routes {
		if !served[r.Pattern()] {
			t.Errorf("api.Routes names %s; the server does not serve it", r.Pattern())
		}
	}
	if len(served) != len(api.Routes) {
		t.Errorf("the server serves %d routes, api.Routes lists %d", len(served), len(api.Routes))
	}
	// Every code the contract defines has its status: none falls through
	// to a default.
	src, err := os.ReadFile("../api/errors.go")
	if err != nil {
		t.Fatal(err)
	}
	table := server.StatusTable()
	defined := regexp.MustCompile(`(?m)^\s+Code\w+\s+Code = "([A-Z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(defined) < 50 {
		t.Fatalf("only %d codes read from api/errors.go", len(defined))
	}
	for _, m := range defined {
		if _, ok := table[m[1]]; !ok {
			t.Errorf("api defines %s, which has no HTTP status in the server's table", m[1])
		}
	}
	for code, status := range table {
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
