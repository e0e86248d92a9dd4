package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"p2pdesk/api"
)

// decode reads exactly one JSON object into v, refusing unknown fields,
// trailing data, values of the wrong type, duplicate keys and keys that
// match a field only when case is ignored, with a message that names the
// field. An empty body decodes to the zero value when allowEmpty.
func decode(body []byte, v any, allowEmpty bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return errf(api.CodeInvalidJSON, "", "the request needs a JSON body")
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := d.Token(); err != io.EOF {
		return errf(api.CodeInvalidJSON, "", "the body must hold a single JSON object and nothing after it")
	}
	return checkKeys(body, v)
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errf(api.CodeInvalidJSON, "", fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	case errors.As(err, &te):
		want := te.Type.String()
		if want == "string" {
			want = "a string (amounts and prices are decimal strings like \"100.5\")"
		}
		return errf(api.CodeInvalidJSON, te.Field, fmt.Sprintf("%s must be %s, not a JSON %s", orWhole(te.Field), want, te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errf(api.CodeInvalidJSON, f, fmt.Sprintf("unknown field %q", f))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errf(api.CodeInvalidJSON, "", "the JSON body ends too early")
	}
	return errf(api.CodeInvalidJSON, "", "the body is not valid JSON: "+err.Error())
}

func orWhole(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}
