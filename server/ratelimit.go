package server

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per API key.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it says how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// peek says whether key has a token left, without taking it.
func (l *limiter) peek(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, false)
}

func (l *limiter) take(key string, now time.Time, spend bool) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100_000 { // forget idle keys rather than grow without bound
			l.buckets = map[string]*bucket{}
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		if spend {
			b.tokens--
		}
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}
