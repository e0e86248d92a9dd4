package ui

import (
	"encoding/json"
	"testing"

	"p2pdesk/api"
)

// TestResolutionNewsIsBadOnlyForTheLoser: support releasing to the buyer
// is the normal end for a seller who was paid (not red), and good news
// for the buyer; a refund to the seller is bad news only for the buyer.
func TestResolutionNewsIsBadOnlyForTheLoser(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	for _, c := range []struct {
		role string
		res  api.Resolution
		bad  bool
	}{{"seller", api.ResolveRelease, false}, {"buyer", api.ResolveRelease, false}, {"seller", api.ResolveRefund, false}, {"buyer", api.ResolveRefund, true}} {
		b, _ := json.Marshal(api.OrderView{ID: 3, Role: c.role, State: api.StateResolved, Resolution: c.res})
		n, ok := counterpartyNotice(api.Event{Type: api.EventOrderResolved, Data: b}, m.c)
		if !ok || n.bad != c.bad {
			t.Errorf("%s, %s: news %+v (%v), want bad=%v", c.role, c.res, n, ok, c.bad)
		}
	}
}
