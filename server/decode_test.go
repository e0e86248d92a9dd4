package server

import (
	"testing"

	"p2pdesk/api"
)

// FuzzDecode: strict decoding never panics, and anything it accepts
// re-decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"adId":"1","amount":"10"}`, `{"adId":"1"}{}`, `{"amount":1}`, `[]`, `{"adId":"x"}`, `{"adId":"9223372036854775808"}`, "\x00", `{"expectPrice":"7.1","payment":"alipay"}`, `{"adId":"1","adId":"2"}`, `{"AdId":"1"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r api.TakeRequest
		err := decode(body, &r, false)
		if err != nil {
			he := toHTTP(err)
			if he == nil || he.status != 400 || (he.body.Code != api.CodeInvalidJSON && he.body.Code != api.CodeDuplicateKey && he.body.Code != api.CodeFieldNameCase) {
				t.Fatalf("%q: error %v is not a 400 INVALID_JSON, DUPLICATE_KEY or FIELD_NAME_CASE", body, err)
			}
			return
		}
		var ad api.AdRequest
		_ = decode(body, &ad, true)
	})
}

// TestDecodeRefusesAmbiguousKeys: a body that two JSON readers could read
// two ways is refused, at any depth: a key twice in one object, or a key
// that names a field only when case is ignored.
func TestDecodeRefusesAmbiguousKeys(t *testing.T) {
	type leg struct {
		Amount string `json:"amount"`
	}
	type inner struct {
		Legs  []leg             `json:"legs"`
		Notes map[string]string `json:"notes"`
	}
	type outer struct {
		Name  string `json:"name"`
		Inner *inner `json:"inner"`
	}
	cases := []struct {
		body  string
		code  api.Code
		field string
	}{
		{`{"name":"a"}`, "", ""},
		{`{"name":"a","inner":{"legs":[{"amount":"1"}],"notes":{"x":"1","X":"2"}}}`, "", ""},
		{`{"name":"a","name":"b"}`, api.CodeDuplicateKey, "name"},
		{`{"Name":"a"}`, api.CodeFieldNameCase, "Name"},
		{`{"NAME":"a"}`, api.CodeFieldNameCase, "NAME"},
		{`{"inner":{"legs":[],"legs":[]}}`, api.CodeDuplicateKey, "inner.legs"},
		{`{"inner":{"Legs":[]}}`, api.CodeFieldNameCase, "inner.Legs"},
		{`{"inner":{"legs":[{"amount":"1"},{"amount":"1","amount":"9"}]}}`, api.CodeDuplicateKey, "inner.legs[1].amount"},
		{`{"inner":{"legs":[{"aMOUNT":"1"}]}}`, api.CodeFieldNameCase, "inner.legs[0].aMOUNT"},
		{`{"inner":{"notes":{"k":"1","k":"2"}}}`, api.CodeDuplicateKey, "inner.notes.k"},
		{`{"nam\u0065":"a","name":"b"}`, api.CodeDuplicateKey, "name"},
	}
	for _, c := range cases {
		var v outer
		err := decode([]byte(c.body), &v, false)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.body, err)
			}
			continue
		}
		he := toHTTP(err)
		if he == nil || he.status != 400 || he.body.Code != c.code || he.body.Field != c.field {
			t.Errorf("%s: %v, want 400 %s on %s", c.body, err, c.code, c.field)
		}
	}
	// A real request type: the take of an order.
	var r api.TakeRequest
	err := decode([]byte(`{"adId":"1","amount":"1","amount":"1000000"}`), &r, false)
	if he := toHTTP(err); he == nil || he.body.Code != api.CodeDuplicateKey {
		t.Fatalf("a take with two amounts: %v", err)
	}
	err = decode([]byte(`{"adId":"1","Amount":"1"}`), &r, false)
	if he := toHTTP(err); he == nil || he.body.Code != api.CodeFieldNameCase {
		t.Fatalf("a take with Amount: %v", err)
	}
}
