// Package server is the marketplace's HTTP API over package market:
// routing, authentication, validation of the wire format, rate limits and
// the live event stream. The rules themselves live in market.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/clock"
	"p2pdesk/market"
)

// Options tune a Server.
type Options struct {
	Version   string
	RateLimit float64 // requests per second per API key; 0 = no limit
	Burst     int
	Log       *slog.Logger
	Wall      clock.Clock             // wall time, for the health answer
	Speed     func() string           // the simulated clock's speed, if any
	SetSpeed  func(x float64) error   // changes it; nil where the clock is real
	Mount     map[string]http.Handler // extra handlers by path prefix (the Alipay rail)
	// OpenAlipay opens a new user's simulated Alipay account, where the
	// marketplace runs the simulated rail (nil elsewhere).
	OpenAlipay func(ctx context.Context, u api.User) (api.AlipayAccount, error)
	// StreamWriteTimeout bounds each write to an event stream (default
	// DefaultStreamWriteTimeout); the HTTP server's own write timeout does
	// not apply to streams.
	StreamWriteTimeout time.Duration
	// FailLimit bounds failed authentications per client address and key.
	FailLimit FailLimit
	// TakeAd, when set, answers POST /orders instead of the market, after
	// the same body read, authentication, decoding and checks: the API
	// benchmark's baseline of what the HTTP stack alone does. Nil in
	// every server that serves anyone.
	// EventPoll is how often the event hub also reads the database for
	// events another process wrote (default a second); negative: never,
	// for a server that is the only writer of its database (the embedded
	// practice market, whose directory is locked to one process).
	EventPoll time.Duration
	TakeAd    func(ctx context.Context, user int64, req api.TakeRequest, idem *market.Idem) (api.OrderView, error)
}

// Server serves the API.
type Server struct {
	svc    *market.Service
	auth   *auth.Service
	hub    *Hub
	opts   Options
	log    *slog.Logger
	lim    *limiter
	fails  *failLimiter
	mux    *http.ServeMux
	routes []string
}

// New builds a Server and starts its event hub; Close stops it.
func New(svc *market.Service, au *auth.Service, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Wall == nil {
		opts.Wall = clock.Real{}
	}
	if opts.Burst <= 0 {
		opts.Burst = int(opts.RateLimit*2) + 1
	}
	s := &Server{svc: svc, auth: au, opts: opts, log: opts.Log, lim: newLimiter(opts.RateLimit, opts.Burst), fails: newFailLimiter(opts.FailLimit), mux: http.NewServeMux()}
	poll := opts.EventPoll
	if poll == 0 {
		poll = time.Second
	}
	s.hub = newHub(svc, opts.Log, poll)
	svc.OnCommit(s.hub.Wake)
	s.register()
	for prefix, h := range opts.Mount {
		s.mux.Handle(prefix, h)
	}
	return s
}

// Close stops the event hub and ends every stream.
func (s *Server) Close() { s.hub.Close() }

// Hub is the server's event hub.
func (s *Server) Hub() *Hub { return s.hub }

// Handler is the root handler.
func (s *Server) Handler() http.Handler { return s }

// Routes lists every "METHOD /path" the API serves.
func (s *Server) Routes() []string {
	out := append([]string(nil), s.routes...)
	sort.Strings(out)
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			writeError(w, errf(api.CodeInternal, "", "the server failed on this request"))
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// call is one authenticated request.
type call struct {
	r     *http.Request
	user  int64
	body  []byte
	key   string    // API key
	route api.Route // what the contract says this route takes and answers
}

func (c *call) id(name string) (int64, error) {
	v, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, &api.Error{Code: api.CodeNotFound, Message: name + " not found"}
	}
	return v, nil
}

func (c *call) decode(v any) error {
	if err := c.takes(v); err != nil {
		return err
	}
	return decode(c.body, v, false)
}

func (c *call) decodeOptional(v any) error {
	if err := c.takes(v); err != nil {
		return err
	}
	return decode(c.body, v, true)
}

// takes holds a handler to the body type api.Routes gives its route.
func (c *call) takes(v any) error {
	got, want := reflect.TypeOf(v).Elem(), reflect.TypeOf(c.route.Body)
	if got == want || (want == nil && got == reflect.TypeOf(struct{}{})) {
		return nil
	}
	return fmt.Errorf("server: %s decodes a %v body; api.Routes says %v", c.route.Pattern(), got, want)
}

// contractRoute finds a pattern in api.Routes: serving a route the
// contract does not name is a wiring mistake, found by the first test.
func contractRoute(pattern string) api.Route {
	for _, r := range api.Routes {
		if r.Pattern() == pattern {
			return r
		}
	}
	panic("server: " + pattern + " is not in api.Routes")
}

// idem is the idempotency key of this request with the fingerprint of
// what it asks, or nil when the client sent none.
func (c *call) idem() (*market.Idem, error) {
	k := strings.TrimSpace(c.r.Header.Get(api.HeaderIdempotencyKey))
	if k == "" {
		return nil, nil
	}
	if len(k) > 128 {
		return nil, errf(api.CodeInvalidArgument, api.HeaderIdempotencyKey, "an idempotency key is at most 128 characters")
	}
	h := sha256.New()
	h.Write([]byte(c.r.Method + " " + c.r.URL.Path + "\n"))
	h.Write(c.body)
	return &market.Idem{Key: k, Fingerprint: hex.EncodeToString(h.Sum(nil))}, nil
}

type handler func(c *call) (any, error)

// created wraps the result of a create: it is answered with 201.
type created struct{ v any }

// route registers an authenticated JSON endpoint.
func (s *Server) route(pattern string, h handler) {
	rt := contractRoute(pattern)
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), responseWriterKey{}, w))
		c, err := s.authenticate(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c.route = rt
		out, err := h(c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if out == nil {
			return // the handler wrote its own response (the stream)
		}
		status := http.StatusOK
		if c, ok := out.(created); ok {
			out, status = c.v, http.StatusCreated
		}
		if got, want := reflect.TypeOf(out), reflect.TypeOf(rt.Answer); got != want {
			s.fail(w, r, fmt.Errorf("server: %s answers a %v; api.Routes says %v", pattern, got, want))
			return
		}
		writeJSON(w, status, out)
	})
}

// open registers an endpoint that needs no authentication.
func (s *Server) open(pattern string, h http.HandlerFunc) {
	contractRoute(pattern)
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, h)
}

// authenticate reads the body (bounded) and checks the signature over it.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*call, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errf(api.CodeBodyTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", api.MaxBody))
		}
		return nil, errf(api.CodeInvalidJSON, "", "the body could not be read")
	}
	key := r.Header.Get(api.HeaderKey)
	addr := clientAddr(r)
	if no, wait := s.fails.blocked(addr, key, time.Now()); no {
		s.log.Info("refused request: too many failed authentications", "path", r.URL.Path, "remote", r.RemoteAddr)
		e := errf(api.CodeTooManyFailures, "", "too many failed authentications from this address or with this key: wait and check the API key, passphrase, clock and signature")
		e.retryAfter = int(wait/time.Second) + 1
		return nil, e
	}
	user, err := s.auth.Verify(r.Context(), auth.Request{
		APIKey: key, Passphrase: r.Header.Get(api.HeaderPassphrase), Timestamp: r.Header.Get(api.HeaderTimestamp),
		Sign: r.Header.Get(api.HeaderSign), Method: r.Method, PathWithQuery: r.URL.RequestURI(), Body: body,
	})
	if err != nil {
		var ue *auth.ErrUnauthorized
		if errors.As(err, &ue) {
			s.log.Info("refused request", "path", r.URL.Path, "reason", ue.Reason, "remote", r.RemoteAddr)
			s.fails.failed(addr, key, time.Now())
		}
		return nil, err
	}
	if ok, wait := s.lim.allow(key, time.Now()); !ok {
		e := errf(api.CodeRateLimited, "", "too many requests: slow down")
		e.retryAfter = int(wait/time.Second) + 1
		return nil, e
	}
	return &call{r: r, user: user, body: body, key: key}, nil
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	he := toHTTP(err)
	if he == nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		he = errf(api.CodeInternal, "", "the server failed on this request; it was logged")
	}
	setRetryAfter(w, he.retryAfter)
	writeError(w, he)
}

func writeError(w http.ResponseWriter, he *httpError) {
	writeJSON(w, he.status, he.body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"INTERNAL","message":"the response could not be encoded"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// notFoundAPI answers a request no route took: 405 when the path exists
// for other methods, 404 otherwise, both as JSON.
func (s *Server) notFoundAPI(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != api.Prefix+"/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, errf(api.CodeMethodNotAllowed, "", r.Method+" is not allowed here; use "+strings.Join(allow, " or ")))
		return
	}
	writeError(w, errf(api.CodeNotFound, "", "no such endpoint: "+r.Method+" "+r.URL.Path))
}
