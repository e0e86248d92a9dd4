package api_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/API.md")

const (
	docPath  = "../docs/API.md"
	docBegin = "<!-- The part below is written by `go test ./api -update` from package api: edit the types, not this. -->"
	docEnd   = "<!-- End of the generated part. -->"
)

// TestDocsAreTheContract: docs/API.md carries, generated from package
// api, every route with the body it takes and the answer it gives, every
// stream event with its payload, and every field of every one of those
// types with its JSON name, its JSON type and its meaning (the field's
// own comment). A field added, renamed or retyped without the document
// fails here, so the document cannot drift from the wire.
func TestDocsAreTheContract(t *testing.T) {
	want := reference(t)
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/API.md has no generated part (between %q and %q)", docBegin, docEnd)
	}
	got := doc[i+len(docBegin) : j]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(doc[:i+len(docBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for k := 0; k < len(gl) || k < len(wl); k++ {
		var g, w string
		if k < len(gl) {
			g = gl[k]
		}
		if k < len(wl) {
			w = wl[k]
		}
		if g != w {
			t.Fatalf("docs/API.md differs from package api at line %d of the generated part:\n doc: %s\n api: %s\nrun: go test ./api -run TestDocsAreTheContract -update", k+1, g, w)
		}
	}
}

// Every event type has a payload, and the typed reads find them.
func TestEveryEventHasOnePayload(t *testing.T) {
	src := source(t)
	re := regexp.MustCompile(`(?m)^\s+(Event\w+)\s+EventType = "([a-z.]+)"`)
	n := 0
	for _, f := range src.files {
		for _, m := range re.FindAllStringSubmatch(f, -1) {
			n++
			if _, ok := api.Payloads[api.EventType(m[2])]; !ok {
				t.Errorf("%s (%s) has no payload in api.Payloads", m[1], m[2])
			}
		}
	}
	if n != len(api.Payloads) || n < 10 {
		t.Fatalf("%d event constants, %d payloads", n, len(api.Payloads))
	}
	ev := api.Event{Type: api.EventChatMessage, Data: []byte(`{"orderId":"7","entry":{"id":"3","from":"seller"},"from":"seller","role":"buyer"}`)}
	if c, ok := ev.Chat(); !ok || c.OrderID != 7 || !c.Theirs() || ev.OrderID() != 7 {
		t.Fatalf("chat: %+v %v", c, ok)
	}
	if _, ok := ev.Order(); ok {
		t.Fatal("a chat event read as an order")
	}
	ev = api.Event{Type: api.EventAdUpdated, Data: []byte(`{"id":"9","price":"7.1","status":"paused"}`)}
	if a, ok := ev.AdState(); !ok || a.ID != 9 || a.Status != api.AdPaused || a.Price.String() != "7.1" {
		t.Fatalf("ad state: %+v %v", a, ok)
	}
}

type apiSource struct {
	files  []string
	values map[string][]string          // string type -> its constants' values
	docs   map[string]string            // type -> its doc, first sentence
	field  map[string]map[string]string // type -> Go field -> comment
}

func source(t *testing.T) apiSource {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := apiSource{docs: map[string]string{}, field: map[string]map[string]string{}, values: map[string][]string{}}
	for name, f := range pkgs["api"].Files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out.files = append(out.files, string(b))
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					id, ok := vs.Type.(*ast.Ident)
					if !ok || len(vs.Values) != 1 {
						continue
					}
					if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out.values[id.Name] = append(out.values[id.Name], "`"+strings.Trim(lit.Value, `"`)+"`")
					}
				}
			}
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, sp := range g.Specs {
				ts := sp.(*ast.TypeSpec)
				text := g.Doc.Text()
				if ts.Doc != nil {
					text = ts.Doc.Text()
				}
				out.docs[ts.Name.Name] = firstSentence(text)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				fs := map[string]string{}
				for _, fl := range st.Fields.List {
					c := fl.Doc.Text()
					if c == "" {
						c = fl.Comment.Text()
					}
					for _, n := range fl.Names {
						fs[n.Name] = strings.Join(strings.Fields(c), " ")
					}
				}
				out.field[ts.Name.Name] = fs
			}
		}
	}
	return out
}

func firstSentence(s string) string {
	var p doc.Package
	return strings.Join(strings.Fields(p.Synopsis(s)), " ")
}

var (
	tAmount = reflect.TypeOf(money.Amount{})
	tTime   = reflect.TypeOf(time.Time{})
	tRaw    = reflect.TypeOf([]byte(nil))
)

// reference renders the generated part of docs/API.md.
func reference(t *testing.T) string {
	src := source(t)
	var b strings.Builder
	var order []reflect.Type
	seen := map[reflect.Type]bool{}
	var visit func(reflect.Type)
	visit = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt.PkgPath() != "p2pdesk/api" || seen[rt] || rt.NumField() == 0 {
			return
		}
		seen[rt] = true
		order = append(order, rt)
		for _, f := range fields(rt) {
			visit(f.Type)
		}
	}
	name := func(v any) string {
		if v == nil {
			return "none"
		}
		return "`" + jsonType(reflect.TypeOf(v)) + "`"
	}
	b.WriteString("\n\n## Reference\n\n### Routes\n\n| route | body | answer |\n|---|---|---|\n")
	for _, r := range api.Routes {
		fmt.Fprintf(&b, "| `%s %s` | %s | %s |\n", r.Method, api.Prefix+r.Path, name(r.Body), name(r.Answer))
		if r.Body != nil {
			visit(reflect.TypeOf(r.Body))
		}
		if r.Answer != nil {
			visit(reflect.TypeOf(r.Answer))
		}
	}
	b.WriteString("\n### Stream events\n\n| event | payload |\n|---|---|\n")
	var evs []string
	for e := range api.Payloads {
		evs = append(evs, string(e))
	}
	sort.Strings(evs)
	for _, e := range evs {
		p := api.Payloads[api.EventType(e)]
		fmt.Fprintf(&b, "| `%s` | %s |\n", e, name(p))
		visit(reflect.TypeOf(p))
	}
	visit(reflect.TypeOf(api.Error{}))
	b.WriteString("\n### Types\n\nAmounts and prices are decimal strings at their scale; ids are strings; times are RFC 3339 in UTC. A field marked optional may be absent.\n")
	for _, rt := range order {
		fmt.Fprintf(&b, "\n#### %s\n\n", rt.Name())
		if d := src.docs[rt.Name()]; d != "" {
			b.WriteString(d + "\n\n")
		}
		b.WriteString("| field | type | |\n|---|---|---|\n")
		for _, f := range fields(rt) {
			kind := f.kind
			if enumName(f.Type) == "Code" {
				kind = "string: a code of the table above"
			} else if vs := src.values[enumName(f.Type)]; len(vs) > 0 && !strings.HasPrefix(kind, "string (an id)") {
				kind = strings.Replace(kind, "string ("+enumName(f.Type)+")", "one of "+strings.Join(vs, ", "), 1)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.json, kind, f.comment(src))
		}
	}
	b.WriteString("\n")
	return b.String()
}

type jsonField struct {
	json, kind string
	owner      string
	goName     string
	Type       reflect.Type
}

func (f jsonField) comment(src apiSource) string {
	return strings.ReplaceAll(src.field[f.owner][f.goName], "|", "\\|")
}

// fields are the JSON fields of a struct, embedded structs flattened as
// encoding/json does.
func fields(rt reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && tag == "" {
			out = append(out, fields(f.Type)...)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		kind := jsonType(f.Type)
		if strings.Contains(opts, "string") {
			kind = "string (an id)"
		}
		if strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer {
			kind += ", optional"
		}
		out = append(out, jsonField{json: name, kind: kind, owner: rt.Name(), goName: f.Name, Type: f.Type})
	}
	return out
}

// enumName is the api string type of a field (or of its elements), or "".
func enumName(rt reflect.Type) string {
	for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
		rt = rt.Elem()
	}
	if rt.Kind() == reflect.String && rt.PkgPath() == "p2pdesk/api" {
		return rt.Name()
	}
	return ""
}

func jsonType(rt reflect.Type) string {
	switch {
	case rt == tAmount:
		return "decimal"
	case rt == tTime:
		return "time"
	case rt == tRaw || rt.Name() == "RawMessage":
		return "JSON"
	}
	switch rt.Kind() {
	case reflect.Pointer:
		return jsonType(rt.Elem())
	case reflect.Slice:
		return "[" + jsonType(rt.Elem()) + "]"
	case reflect.Map:
		return "{string: " + jsonType(rt.Elem()) + "}"
	case reflect.Struct:
		if rt.NumField() == 0 {
			return "{}"
		}
		return rt.Name()
	case reflect.String:
		if rt.PkgPath() == "p2pdesk/api" {
			return "string (" + rt.Name() + ")"
		}
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Float64, reflect.Float32:
		return "number"
	default:
		return "integer"
	}
}
