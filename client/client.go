// Package client is the typed Go client of the marketplace API: it signs
// every request, retries what is safe to retry (reads, and creates that
// carry an idempotency key) with backoff, turns error bodies into typed
// errors, and follows the live event stream across reconnects. The TUI,
// the CLI verbs and the simulator's bots all use it.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"p2pdesk/api"
)

// Credentials sign requests.
type Credentials struct {
	APIKey     string
	Secret     string
	Passphrase string
}

// Options tune a Client.
type Options struct {
	HTTP       *http.Client
	Timeout    time.Duration // per attempt, for ordinary calls
	MaxRetries int
	// Now is the clock used for request timestamps (tests skew it).
	Now func() time.Time
	// UserAgent names the caller.
	UserAgent string
	// TLS trusts a CA file or pins the server's certificate (used where
	// HTTP is nil).
	TLS TLSOptions
}

// Client talks to one marketplace as one account.
type Client struct {
	base   *url.URL
	creds  Credentials
	opts   Options
	hc     *http.Client
	stamps *stamper
}

// New builds a client for a server such as "http://127.0.0.1:8686".
func New(baseURL string, creds Credentials, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: %q is not an http(s) server address", baseURL)
	}
	if opts.Timeout == 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "p2pdesk-client"
	}
	hc := opts.HTTP
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		if !opts.TLS.IsZero() {
			cfg, err := TLSConfig(opts.TLS)
			if err != nil {
				return nil, err
			}
			tr.TLSClientConfig = cfg
		}
		hc = &http.Client{Transport: tr}
	}
	return &Client{base: u, creds: creds, opts: opts, hc: hc, stamps: &stamper{}}, nil
}

// Base is the server address.
func (c *Client) Base() string { return c.base.String() }

// WithCredentials is a client for the same server as another account.
func (c *Client) WithCredentials(creds Credentials) *Client {
	cp := *c
	cp.creds = creds
	return &cp
}

// call describes one request.
type call struct {
	method string
	path   string // under the API prefix, with any query
	body   any
	out    any
	// idem is the idempotency key of a create; a call with one may be
	// retried like a read.
	idem string
}

// NewIdempotencyKey returns a random key for one create.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *Client) do(ctx context.Context, cl call) error {
	var body []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return err
		}
		body = b
	}
	safe := cl.method == http.MethodGet || cl.idem != ""
	var last error
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, cl, body)
		if err == nil {
			return nil
		}
		last = err
		wait, retry := retryable(err)
		if !retry || !safe || attempt >= c.opts.MaxRetries {
			return last
		}
		if wait == 0 {
			wait = backoff(attempt)
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(wait):
		}
	}
}

// retryable says whether an error is worth another attempt: network
// failures, 429 and 5xx. A 4xx is the caller's to fix.
func retryable(err error) (time.Duration, bool) {
	var e *api.Error
	if errors.As(err, &e) {
		switch {
		case e.Status == http.StatusTooManyRequests:
			return e.RetryAfter, e.Code == api.CodeRateLimited
		case e.Status >= 500:
			return e.RetryAfter, true
		}
		return 0, false
	}
	var te *TrustError
	if errors.As(err, &te) {
		return 0, false // another try meets the same certificate
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection refused") {
		return 0, true
	}
	return 0, false
}

func backoff(attempt int) time.Duration {
	d := time.Duration(float64(100*time.Millisecond) * math.Pow(2, float64(attempt)))
	if d > 3*time.Second {
		d = 3 * time.Second
	}
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// stamper hands out request timestamps that never repeat for one client:
// the server refuses a signature it has seen (a replay), and two identical
// requests signed in the same millisecond would carry the same one.
type stamper struct {
	mu   sync.Mutex
	last time.Time
}

func (s *stamper) next(now time.Time) time.Time {
	now = now.UTC().Truncate(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !now.After(s.last) && s.last.Sub(now) < time.Second {
		now = s.last.Add(time.Millisecond)
	}
	s.last = now
	return now
}

func (c *Client) sign(req *http.Request, body []byte) {
	ts := api.Timestamp(c.stamps.next(c.opts.Now()))
	req.Header.Set(api.HeaderKey, c.creds.APIKey)
	req.Header.Set(api.HeaderPassphrase, c.creds.Passphrase)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderSign, api.Sign(c.creds.Secret, ts, req.Method, req.URL.RequestURI(), body))
}

func (c *Client) newRequest(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	u := c.base.String() + api.Prefix + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	c.sign(req, body)
	return req, nil
}

func (c *Client) once(ctx context.Context, cl call, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, cl.method, cl.path, body)
	if err != nil {
		return err
	}
	if cl.idem != "" {
		req.Header.Set(api.HeaderIdempotencyKey, cl.idem)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return trustError(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return decodeError(resp, b)
	}
	if cl.out == nil {
		return nil
	}
	if err := json.Unmarshal(b, cl.out); err != nil {
		return fmt.Errorf("client: decoding %s %s: %w", cl.method, cl.path, err)
	}
	return nil
}

func decodeError(resp *http.Response, b []byte) error {
	e := &api.Error{}
	if json.Unmarshal(b, e) != nil || e.Code == "" {
		e = &api.Error{Code: api.Code(http.StatusText(resp.StatusCode)), Message: strings.TrimSpace(string(b))}
	}
	e.Status = resp.StatusCode
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(ra); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return e
}
