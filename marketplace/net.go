package marketplace

import (
	"time"

	"p2pdesk/server"
)

// Net hardens how the marketplace meets the network: timeouts for slow and
// idle clients, a cap on connections per client address, and TLS. The
// zero value gives the defaults below, no TLS.
type Net struct {
	// ReadHeaderTimeout bounds reading a request's headers (slowloris).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response. The event stream is exempt:
	// each of its writes gets StreamWriteTimeout instead.
	WriteTimeout time.Duration
	// StreamWriteTimeout bounds each write to an event stream.
	StreamWriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that sends nothing.
	IdleTimeout time.Duration
	// MaxConnsPerAddr caps the open connections of one client IP address;
	// beyond it a new connection is closed at once. 0: the default; below
	// 0: no cap.
	MaxConnsPerAddr int
	// CapLoopback applies MaxConnsPerAddr to loopback addresses too (off:
	// the simulated people and the TUI all connect from 127.0.0.1).
	CapLoopback bool
	// TLSCert and TLSKey are PEM files; both set, the API is served over
	// HTTPS only.
	TLSCert, TLSKey string
	// FailLimit bounds failed authentications per client address and per
	// API key (zero: server's defaults).
	FailLimit server.FailLimit
}

// The defaults of Net.
const (
	DefaultReadHeaderTimeout  = 10 * time.Second
	DefaultReadTimeout        = 30 * time.Second
	DefaultWriteTimeout       = 30 * time.Second
	DefaultStreamWriteTimeout = 30 * time.Second
	DefaultIdleTimeout        = 120 * time.Second
	DefaultMaxConnsPerAddr    = 64
)

func (n Net) withDefaults() Net {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&n.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&n.ReadTimeout, DefaultReadTimeout)
	def(&n.WriteTimeout, DefaultWriteTimeout)
	def(&n.StreamWriteTimeout, DefaultStreamWriteTimeout)
	def(&n.IdleTimeout, DefaultIdleTimeout)
	if n.MaxConnsPerAddr == 0 {
		n.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	return n
}
