package ui

import (
	"encoding/json"
	"testing"

	"p2pdesk/api"
)

// TestMyAdsReloadOnlyForTheirOwnAds: a take on someone else's ad is not a
// reason to ask the server for the user's ads again; a change to one of
// theirs, or a new ad of theirs, is.
func TestMyAdsReloadOnlyForTheirOwnAds(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	p := newMyAdsPage(m.c)
	me := api.TraderCard{ID: 7, Name: "me"}
	event := func(typ api.EventType, v any) EventMsg {
		b, _ := json.Marshal(v)
		return EventMsg{Event: api.Event{Type: typ, Data: b}}
	}
	// Before the first load the page does not know who the user is.
	if _, cmd := p.Update(event(api.EventAdUpdated, api.AdView{ID: 5, Maker: api.TraderCard{ID: 9}})); cmd == nil {
		t.Error("an ad posted before the page knows its user: no reload")
	}
	p.Update(myAdsMsg{ads: []api.AdView{{ID: 11, Maker: me}, {ID: 12, Maker: me}}})
	for _, c := range []struct {
		what   string
		msg    EventMsg
		reload bool
	}{
		{"a take on another maker's ad", event(api.EventAdChanged, api.AdChange{ID: 5}), false},
		{"another maker's new ad", event(api.EventAdUpdated, api.AdView{ID: 6, Maker: api.TraderCard{ID: 9}}), false},
		{"a take on the user's ad", event(api.EventAdChanged, api.AdChange{ID: 12}), true},
		{"the user's ad edited", event(api.EventAdUpdated, api.AdView{ID: 11, Maker: me}), true},
		{"the user's new ad, posted elsewhere", event(api.EventAdUpdated, api.AdView{ID: 13, Maker: me}), true},
		{"an index tick", event(api.EventIndexTick, api.IndexPoint{}), false},
	} {
		if _, cmd := p.Update(c.msg); (cmd != nil) != c.reload {
			t.Errorf("%s: reload %v, want %v", c.what, cmd != nil, c.reload)
		}
	}
}
