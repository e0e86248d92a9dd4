// Package bench measures p2pdesk on this machine: the store, the API and
// the stream. Each benchmark is bounded in time and count, talks only to
// loopback, and prints one line per figure.
package bench

import (
	"sort"
	"sync"
	"time"
)

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) merge(ds []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, ds...)
	l.mu.Unlock()
}

// pct returns the p-th percentile (0..100).
func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	i := int(p / 100 * float64(len(l.d)-1))
	return l.d[i]
}

func (l *latencies) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
