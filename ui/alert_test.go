package ui

import (
	"encoding/json"
	"strings"
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

// unsettledPractice is a practice market with drills not yet kept.
type unsettledPractice struct {
	Practice
	ids []int64
}

func (p unsettledPractice) Unsettled() []int64 { return p.ids }

// The quit question warns of drills that have not settled: they are kept
// in the journal only once they have, and a learner who quit lost one.
func TestQuitWarnsOfUnsettledDrills(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Embedded: true})
	m.c.Practice = unsettledPractice{ids: []int64{962}}
	if q := plain(m.quitQuestion()); !strings.Contains(q, "order 962 has not settled") || !strings.Contains(q, "quitting now loses it") {
		t.Errorf("quit question: %s", q)
	}
	m.c.Practice = unsettledPractice{}
	if q := m.quitQuestion(); strings.Contains(q, "settled") {
		t.Errorf("no drill open, yet: %s", q)
	}
}
