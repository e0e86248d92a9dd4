package api

import (
	"encoding/json"
	"strings"
	"time"

	"p2pdesk/money"
)

// EventType names an event of the stream (GET /api/v1/stream): the SSE
// "event:" field. Each type has one payload type, listed in Payloads.
type EventType string

const (
	// EventHello opens every stream; its payload is empty.
	EventHello EventType = "hello"
	// EventReset says events the reader missed are no longer kept: reload.
	EventReset EventType = "reset"

	// Order events go to both parties, each with their own OrderView.
	EventOrderCreated   EventType = "order.created"
	EventOrderPaid      EventType = "order.paid"
	EventOrderCancelled EventType = "order.cancelled"
	EventOrderExpired   EventType = "order.expired"
	EventOrderCompleted EventType = "order.completed"
	EventOrderDisputed  EventType = "order.disputed"
	EventOrderResolved  EventType = "order.resolved"
	EventOrderRated     EventType = "order.rated"

	// EventChatMessage is a new line of an order's log, to both parties.
	EventChatMessage EventType = "chat.message"
	// EventBalanceChanged is one asset of the reader's wallet after a deposit.
	EventBalanceChanged EventType = "balance.changed"
	// EventAdUpdated is an ad after a post, an edit or a status change.
	EventAdUpdated EventType = "ad.updated"
	// EventAdChanged is what a take or a returned order changed on an ad.
	EventAdChanged EventType = "ad.changed"
	// EventIndexTick is a new reference price.
	EventIndexTick EventType = "index.tick"
)

// IsOrder reports whether the event carries an order.
func (t EventType) IsOrder() bool { return strings.HasPrefix(string(t), "order.") }

// Payloads maps each event type to its payload type (a zero value of it):
// the marketplace refuses to emit anything else, and the docs test checks
// docs/API.md against it field by field.
var Payloads = map[EventType]any{
	EventHello:          Hello{},
	EventReset:          Reset{},
	EventOrderCreated:   OrderView{},
	EventOrderPaid:      OrderView{},
	EventOrderCancelled: OrderView{},
	EventOrderExpired:   OrderView{},
	EventOrderCompleted: OrderView{},
	EventOrderDisputed:  OrderView{},
	EventOrderResolved:  OrderView{},
	EventOrderRated:     OrderView{},
	EventChatMessage:    ChatMessage{},
	EventBalanceChanged: BalanceView{},
	EventAdUpdated:      AdView{},
	EventAdChanged:      AdChange{},
	EventIndexTick:      IndexPoint{},
}

// Event is one entry of the outbox: written in the same transaction as
// the change it reports, then streamed to its recipient. Data is the
// payload of its type, read with the typed accessors below.
type Event struct {
	ID     int64           `json:"id,string"`
	UserID int64           `json:"-"` // 0: everyone
	Type   EventType       `json:"type"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data"`
}

// Hello is the payload of hello: empty.
type Hello struct{}

// Reset is the payload of reset.
type Reset struct {
	Reason string `json:"reason"`
}

// ChatMessage is the payload of chat.message: the new log line (with
// warnings, and the reader's anti-phishing code on platform lines), who
// wrote it (buyer, seller, system, support) and the reader's own role in
// the order. A line is the reader's own when From equals Role.
type ChatMessage struct {
	OrderID int64         `json:"orderId,string"`
	Entry   OrderLogEntry `json:"entry"` // the new line
	From    string        `json:"from"`  // who wrote it: buyer, seller, system, support
	Role    string        `json:"role"`  // your role in the order: buyer or seller
}

// Theirs reports whether the counterparty (or the platform) wrote it.
func (c ChatMessage) Theirs() bool { return c.Role != "" && c.From != c.Role }

// AdChange is the payload of an ad.changed event: what a take or a
// returned order changes on an ad, small enough to fan out to every
// market screen.
type AdChange struct {
	ID        int64        `json:"id,string"`
	Status    AdStatus     `json:"status"`
	Price     money.Amount `json:"price"`
	Remaining money.Amount `json:"remaining"`
	AvailFiat money.Amount `json:"availableFiat"`
	Version   int64        `json:"version"`
}

func read[T any](e Event, ok bool) (T, bool) {
	if !ok {
		// Not on the heap: only a payload that is decoded needs to be.
		var zero T
		return zero, false
	}
	var v T
	if json.Unmarshal(e.Data, &v) != nil {
		var zero T
		return zero, false
	}
	return v, true
}

// Order is the order of an order.* event.
func (e Event) Order() (OrderView, bool) {
	o, ok := read[OrderView](e, e.Type.IsOrder())
	return o, ok && o.ID != 0
}

// Chat is the payload of a chat.message event.
func (e Event) Chat() (ChatMessage, bool) { return read[ChatMessage](e, e.Type == EventChatMessage) }

// Balance is the payload of a balance.changed event.
func (e Event) Balance() (BalanceView, bool) {
	return read[BalanceView](e, e.Type == EventBalanceChanged)
}

// Ad is the payload of an ad.updated event.
func (e Event) Ad() (AdView, bool) { return read[AdView](e, e.Type == EventAdUpdated) }

// Change is the payload of an ad.changed event.
func (e Event) Change() (AdChange, bool) { return read[AdChange](e, e.Type == EventAdChanged) }

// Tick is the payload of an index.tick event.
func (e Event) Tick() (IndexPoint, bool) { return read[IndexPoint](e, e.Type == EventIndexTick) }

// AdState reads ad.updated and ad.changed alike: where an ad stands now.
func (e Event) AdState() (AdChange, bool) {
	if c, ok := e.Change(); ok {
		return c, true
	}
	if a, ok := e.Ad(); ok {
		return AdChange{ID: a.ID, Status: a.Status, Price: a.Price, Remaining: a.Remaining, AvailFiat: a.AvailFiat, Version: a.Version}, true
	}
	return AdChange{}, false
}

// OrderID is the order an order.* or chat.message event is about, or 0.
func (e Event) OrderID() int64 {
	if c, ok := e.Chat(); ok {
		return c.OrderID
	}
	o, _ := e.Order()
	return o.ID
}
