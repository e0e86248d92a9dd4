package server

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"p2pdesk/api"
)

// checkKeys refuses a body that means different things to different JSON
// readers: an object with a key twice (some take the first, some the
// last), or a key that names a field of v only when case is ignored. It
// looks at every object at every depth, following v's type where it can.
// body has already been decoded without error.
func checkKeys(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	return walkKeys(d, reflect.TypeOf(v), "")
}

var (
	unmarshalerT     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerT = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walkKeys reads one value from d; t is the Go type it decodes into, or
// nil where that is not known (the key checks then stop at duplicates).
func walkKeys(d *json.Decoder, t reflect.Type, path string) error {
	t = concrete(t)
	tok, err := d.Token()
	if err != nil {
		return nil // the decoder has judged the syntax already
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = jsonFields(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil
			}
			key, _ := kt.(string)
			at := joinPath(path, key)
			if seen[key] {
				return errf(api.CodeDuplicateKey, at, fmt.Sprintf("the key %q appears twice in one object: a body must mean one thing", key))
			}
			seen[key] = true
			next := elem
			if fields != nil {
				ft, exact := fields[key]
				if !exact {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return errf(api.CodeFieldNameCase, at, fmt.Sprintf("unknown field %q: field names are case-sensitive (did you mean %q?)", key, name))
						}
					}
				}
				next = ft
			}
			if err := walkKeys(d, next, at); err != nil {
				return err
			}
		}
		d.Token() // '}'
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; d.More(); i++ {
			if err := walkKeys(d, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		d.Token() // ']'
	}
	return nil
}

// concrete is t without pointers, or nil when values of t decode
// themselves (their own UnmarshalJSON) or t is an interface.
func concrete(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerT) || reflect.PointerTo(t).Implements(textUnmarshalerT) {
		return nil
	}
	return t
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps each JSON key a struct accepts to its field's type, as
// encoding/json sees them (tags, embedded structs).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	addFields(t, m, 0)
	fieldCache.Store(t, m)
	return m
}

func addFields(t reflect.Type, m map[string]reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, m, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := m[name]; !ok || depth == 0 {
			m[name] = f.Type
		}
	}
}
