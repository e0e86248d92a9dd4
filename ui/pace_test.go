package ui

import (
	"encoding/json"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// speedRecorder is the practice market's speed control, recorded.
type speedRecorder struct {
	Practice
	set []float64
}

func (s *speedRecorder) SetSpeed(x float64) error        { s.set = append(s.set, x); return nil }
func (s *speedRecorder) Merchants() string               { return "" }
func (s *speedRecorder) Course() (string, string, error) { return "", "", nil }
func (s *speedRecorder) Scenarios() []ScenarioInfo       { return nil }

// While the user owes a payment, the practice clock runs at real time;
// when it is marked paid it goes back to the user's speed; S during the
// wait is the user's choice and stays.
func TestClockSlowsWhileAPaymentIsOwed(t *testing.T) {
	rec := &speedRecorder{}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Practice: rec})
	m.c.speed = 60
	event := func(typ api.EventType, role string, state api.OrderState) {
		t.Helper()
		b, _ := json.Marshal(api.OrderView{ID: 12, Role: role, State: state})
		if cmd := m.paceTheClock(api.Event{Type: typ, Data: b}); cmd != nil {
			cmd()
		}
	}
	event("order.created", "buyer", api.StateCreated)
	if len(rec.set) != 1 || rec.set[0] != 1 {
		t.Fatalf("speeds set when a payment fell due: %v, want [1]", rec.set)
	}
	m.c.speed = 1
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if bar := m.statusBar(); !strings.Contains(bar, "×1 while an order waits for you, then ×60") {
		t.Fatalf("the status bar does not say why the clock slowed: %q", bar)
	}
	m.c.speed = 1
	event("order.paid", "buyer", api.StatePaid)
	if len(rec.set) != 2 || rec.set[1] != 60 {
		t.Fatalf("speeds set after marking paid: %v, want back to 60", rec.set)
	}
	// A sale the user opened is the buyer's payment: no slowing.
	m.c.speed = 60
	event("order.created", "seller", api.StateCreated)
	if len(rec.set) != 2 {
		t.Fatalf("the clock slowed for the counterparty's payment: %v", rec.set)
	}
	// S while waiting to pay: the user's speed is kept afterwards.
	event("order.created", "buyer", api.StateCreated)
	m.pacedFrom = 0 // what S does
	m.c.speed = 10
	event("order.cancelled", "buyer", api.StateCancelled)
	if len(rec.set) != 3 {
		t.Fatalf("the clock was reset after the user chose a speed: %v", rec.set)
	}
}

// When the buyer of the user's sale says paid, the clock runs at real
// time while the user checks their own statement; a release (or a
// dispute) gives the speed back.
func TestClockSlowsWhileASaleWaitsForTheSellersCheck(t *testing.T) {
	rec := &speedRecorder{}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Practice: rec})
	m.c.speed = 60
	event := func(typ api.EventType, state api.OrderState) {
		t.Helper()
		b, _ := json.Marshal(api.OrderView{ID: 7, Role: "seller", State: state})
		if cmd := m.paceTheClock(api.Event{Type: typ, Data: b}); cmd != nil {
			cmd()
		}
	}
	event(api.EventOrderCreated, api.StateCreated)
	if len(rec.set) != 0 {
		t.Fatalf("the clock slowed before the buyer paid: %v", rec.set)
	}
	event(api.EventOrderPaid, api.StatePaid)
	if len(rec.set) != 1 || rec.set[0] != 1 || !strings.Contains(m.notice, "check your own statement") {
		t.Fatalf("speeds %v, notice %q when the buyer said paid", rec.set, m.notice)
	}
	m.c.speed = 1
	event(api.EventOrderCompleted, api.StateCompleted)
	if len(rec.set) != 2 || rec.set[1] != 60 {
		t.Fatalf("speeds after the release: %v, want back to 60", rec.set)
	}
	m.c.speed = 60
	event(api.EventOrderPaid, api.StatePaid)
	m.c.speed = 1
	event(api.EventOrderDisputed, api.StateDisputed)
	if len(rec.set) != 4 || rec.set[3] != 60 {
		t.Fatalf("speeds after a dispute: %v, want back to 60", rec.set)
	}
}
