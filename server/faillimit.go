package server

import (
	"net"
	"net/http"
	"time"
)

// FailLimit bounds failed authentications. Each failure spends one of a
// budget kept per client IP address and per API key; a spent budget comes
// back one failure per Refill. While either budget is empty, requests from
// that address, or with that key, are refused with 429 TOO_MANY_FAILURES
// before their signature is checked. Successful requests spend nothing.
type FailLimit struct {
	PerAddr int           // failures per client address (0: DefaultFailuresPerAddr; <0: no limit)
	PerKey  int           // failures per API key (0: DefaultFailuresPerKey; <0: no limit)
	Refill  time.Duration // time for one failure to come back (0: DefaultFailureRefill)
	// Loopback holds loopback addresses to PerAddr too. Off by default:
	// the TUI, the simulated people and any local tool share 127.0.0.1,
	// and one of them retrying with a revoked key must not lock out the
	// rest. PerKey applies to them either way.
	Loopback bool
}

// The defaults of FailLimit.
const (
	DefaultFailuresPerAddr = 20
	DefaultFailuresPerKey  = 10
	DefaultFailureRefill   = 3 * time.Second
)

type failLimiter struct {
	addr, key *limiter // nil: no limit
	loopback  bool
}

func newFailLimiter(f FailLimit) *failLimiter {
	if f.PerAddr == 0 {
		f.PerAddr = DefaultFailuresPerAddr
	}
	if f.PerKey == 0 {
		f.PerKey = DefaultFailuresPerKey
	}
	if f.Refill <= 0 {
		f.Refill = DefaultFailureRefill
	}
	rate := 1 / f.Refill.Seconds()
	fl := &failLimiter{loopback: f.Loopback}
	if f.PerAddr > 0 {
		fl.addr = newLimiter(rate, f.PerAddr)
	}
	if f.PerKey > 0 {
		fl.key = newLimiter(rate, f.PerKey)
	}
	return fl
}

// blocked says whether addr or key has no failures left, and for how long.
func (f *failLimiter) blocked(addr, key string, now time.Time) (bool, time.Duration) {
	if f.addr != nil && f.counts(addr) {
		if ok, wait := f.addr.peek(addr, now); !ok {
			return true, wait
		}
	}
	if f.key != nil && key != "" {
		if ok, wait := f.key.peek(key, now); !ok {
			return true, wait
		}
	}
	return false, 0
}

// failed spends one failure of addr and of key.
func (f *failLimiter) failed(addr, key string, now time.Time) {
	if f.addr != nil && f.counts(addr) {
		f.addr.allow(addr, now)
	}
	if f.key != nil && key != "" {
		f.key.allow(key, now)
	}
}

// counts says whether addr is held to the per-address budget.
func (f *failLimiter) counts(addr string) bool { return f.loopback || !isLoopback(addr) }

// clientAddr is the IP address a request came from (the TCP peer: no
// forwarding header is trusted).
func clientAddr(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
