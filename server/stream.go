package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
)

// Hub tails the outbox and fans each event out to the streams of its
// recipient (or to every stream, for public events). It reads each event
// from the database once, whatever the number of subscribers.
type Hub struct {
	poll time.Duration
	svc  *market.Service
	log  *slog.Logger
	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	mu     sync.Mutex
	last   int64 // the newest event dispatched
	byUser map[int64]map[*subscriber]struct{}
	all    map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	user int64
	ch   chan *frame
	gone chan struct{} // closed when the hub drops a subscriber that fell behind
	once sync.Once
}

// keyCheckEvery is how often an open stream checks that its key still
// works.
const keyCheckEvery = 250 * time.Millisecond

// subscriberBuffer is how far a slow stream may fall behind before it is
// cut; the client then reconnects and catches up from the database.
const subscriberBuffer = 4096

// NewHub starts a hub at the newest event.
func NewHub(svc *market.Service, log *slog.Logger) *Hub {
	return newHub(svc, log, time.Second)
}

// newHub starts a hub that also reads the events every poll (none when
// poll is not positive).
func newHub(svc *market.Service, log *slog.Logger, poll time.Duration) *Hub {
	h := &Hub{svc: svc, log: log, poll: poll, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		byUser: map[int64]map[*subscriber]struct{}{}, all: map[*subscriber]struct{}{}}
	h.last, _ = svc.LastEventID(context.Background())
	go h.run()
	return h
}

// Wake tells the hub new events were committed.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Close stops the hub and ends every subscription.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.mu.Unlock()
	close(h.stop)
	<-h.done
}

func (h *Hub) run() {
	defer close(h.done)
	// A poll catches events written by another process sharing the
	// database. Where none can (Options.EventPoll), only a commit of this
	// process wakes the hub: idle, it sleeps.
	var tick <-chan time.Time
	if h.poll > 0 {
		poll := time.NewTicker(h.poll)
		defer poll.Stop()
		tick = poll.C
	}
	for {
		select {
		case <-h.stop:
			h.mu.Lock()
			for s := range h.all {
				s.drop()
			}
			h.mu.Unlock()
			return
		case <-h.wake:
		case <-tick:
		}
		h.dispatch()
	}
}

func (h *Hub) dispatch() {
	for {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		evs, err := h.svc.Events(context.Background(), -1, after, 1000)
		if err != nil {
			h.log.Error("event hub read", "err", err)
			return
		}
		if len(evs) == 0 {
			return
		}
		h.mu.Lock()
		for _, e := range evs {
			f := &frame{ev: e}
			if e.UserID == 0 {
				for s := range h.all {
					h.send(s, f)
				}
			} else {
				for s := range h.byUser[e.UserID] {
					h.send(s, f)
				}
			}
			h.last = e.ID
		}
		h.mu.Unlock()
		if len(evs) < 1000 {
			return
		}
	}
}

// frame is one event on its way to every stream that gets it; it is
// encoded once, by the first stream that writes it.
type frame struct {
	ev   api.Event
	once sync.Once
	b    []byte
}

func (f *frame) bytes() []byte {
	f.once.Do(func() {
		var buf bytes.Buffer
		writeEvent(&buf, f.ev, "")
		f.b = buf.Bytes()
	})
	return f.b
}

// send never blocks the hub: a subscriber with a full buffer is dropped.
func (h *Hub) send(s *subscriber, f *frame) {
	select {
	case s.ch <- f:
	default:
		h.unsubscribeLocked(s)
		s.drop()
	}
}

func (s *subscriber) drop() { s.once.Do(func() { close(s.gone) }) }

// subscribe registers a stream and returns the newest event id dispatched
// so far: everything after it will arrive on the channel.
func (h *Hub) subscribe(user int64) (*subscriber, int64, error) {
	s := &subscriber{user: user, ch: make(chan *frame, subscriberBuffer), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, 0, fmt.Errorf("server shutting down")
	}
	h.all[s] = struct{}{}
	if h.byUser[user] == nil {
		h.byUser[user] = map[*subscriber]struct{}{}
	}
	h.byUser[user][s] = struct{}{}
	return s, h.last, nil
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	h.unsubscribeLocked(s)
	h.mu.Unlock()
}

func (h *Hub) unsubscribeLocked(s *subscriber) {
	delete(h.all, s)
	if m := h.byUser[s.user]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.byUser, s.user)
		}
	}
}

// Subscribers counts open streams.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.all)
}

// stream serves GET /stream as Server-Sent Events. A client resumes with
// the Last-Event-ID header (or ?after=): it first gets what it missed from
// the outbox, then live events, each exactly once and in order. If what it
// missed is no longer kept, it gets a "reset" event and should reload.
func (s *Server) stream(c *call) (any, error) {
	q := c.r.URL.Query()
	if err := onlyParams(q, "after"); err != nil {
		return nil, err
	}
	lastID := int64(-1)
	for _, v := range []string{c.r.Header.Get("Last-Event-ID"), q.Get("after")} {
		if v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errf(api.CodeInvalidArgument, "Last-Event-ID", "the last event id is a whole number")
			}
			lastID = n
		}
	}
	rw := c.r.Context().Value(responseWriterKey{}).(http.ResponseWriter)
	fl, ok := rw.(http.Flusher)
	if !ok {
		return nil, errf("INTERNAL", "", "streaming is not supported here")
	}
	w := s.streamWriter(rw)
	sub, hubLast, err := s.hub.subscribe(c.user)
	if err != nil {
		return nil, errf("UNAVAILABLE", "", err.Error())
	}
	defer s.hub.unsubscribe(sub)
	code, _ := s.auth.AntiPhishing(c.r.Context(), c.user)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var buf bytes.Buffer
	sent := lastID
	if lastID < 0 {
		// A fresh stream starts now; tell the client where "now" is.
		sent = hubLast
		writeEvent(&buf, api.Event{ID: hubLast, Type: api.EventHello, At: s.svc.Clock().Now(), Data: json.RawMessage(`{}`)}, code)
	} else {
		oldest, err := s.firstEventID(c.r.Context())
		if err != nil {
			return nil, err
		}
		if oldest > 0 && lastID+1 < oldest {
			writeEvent(&buf, api.Event{ID: hubLast, Type: api.EventReset, At: s.svc.Clock().Now(), Data: json.RawMessage(`{"reason":"the events you missed are no longer kept: reload"}`)}, code)
			sent = hubLast
		}
		for sent < hubLast {
			evs, err := s.svc.Events(c.r.Context(), c.user, sent, 500)
			if err != nil {
				return nil, err
			}
			n := 0
			for _, e := range evs {
				if e.ID > hubLast {
					break
				}
				writeEvent(&buf, e, code)
				sent = e.ID
				n++
			}
			if n == 0 {
				break
			}
			if buf.Len() > 64<<10 {
				if _, err := w.Write(buf.Bytes()); err != nil {
					return nil, nil
				}
				buf.Reset()
			}
		}
		if sent < hubLast {
			sent = hubLast
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return nil, nil
	}
	buf.Reset()
	fl.Flush()

	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	// A stream lives no longer than its key: revoked here or on another
	// server sharing the database, the stream ends within a second.
	keyCheck := time.NewTicker(keyCheckEvery)
	defer keyCheck.Stop()
	for {
		select {
		case <-c.r.Context().Done():
			return nil, nil
		case <-sub.gone:
			return nil, nil
		case <-keyCheck.C:
			if ok, err := s.auth.Active(c.r.Context(), c.key); err == nil && !ok {
				s.log.Info("stream ended: its key was revoked", "user", c.user)
				return nil, nil
			}
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil, nil
			}
			fl.Flush()
		case f := <-sub.ch:
			if f.ev.ID <= sent {
				continue
			}
			writeFrame(&buf, f, code)
			sent = f.ev.ID
			// Drain what else is ready, then flush once.
		drain:
			for buf.Len() < 64<<10 {
				select {
				case f := <-sub.ch:
					if f.ev.ID > sent {
						writeFrame(&buf, f, code)
						sent = f.ev.ID
					}
				default:
					break drain
				}
			}
			if _, err := w.Write(buf.Bytes()); err != nil {
				return nil, nil
			}
			buf.Reset()
			fl.Flush()
		}
	}
}

func (s *Server) firstEventID(ctx context.Context) (int64, error) {
	var out int64
	err := s.svc.Store().View(ctx, func(tx market.ReadTx) error {
		var err error
		out, err = tx.FirstEventID()
		return err
	})
	return out, err
}

// writeFrame writes a hub frame: shared bytes, except chat lines, which
// carry the reader's own anti-phishing code.
func writeFrame(buf *bytes.Buffer, f *frame, code string) {
	if f.ev.Type == api.EventChatMessage {
		writeEvent(buf, f.ev, code)
		return
	}
	buf.Write(f.bytes())
}

// writeEvent writes one SSE frame: the event's id and type in the SSE
// fields, its payload (one line of JSON) as the data. Platform chat lines
// carry the reader's anti-phishing code; counterparty lines carry warnings.
func writeEvent(buf *bytes.Buffer, e api.Event, code string) {
	data := []byte(e.Data)
	if e.Type == api.EventChatMessage {
		if ce, ok := e.Chat(); ok {
			ce.Entry = decorate(ce.Entry.LogEntryView, code)
			if b, err := json.Marshal(ce); err == nil {
				data = b
			}
		}
	}
	if len(data) == 0 {
		data = []byte("{}")
	}
	buf.WriteString("id: ")
	buf.WriteString(strconv.FormatInt(e.ID, 10))
	buf.WriteString("\nevent: ")
	buf.WriteString(string(e.Type))
	buf.WriteString("\ndata: ")
	buf.Write(data)
	buf.WriteString("\n\n")
}

type responseWriterKey struct{}
