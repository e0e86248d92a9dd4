// Package sim is the simulated market: one seeded scheduler that is also
// the market's clock, a price feed, merchants and counterparties who trade
// through the API like people, simulated support, and the scenarios that
// stage every risk of a P2P trade. The Alipay rail is package alipay.
package sim

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Scheduler is a simulated clock with timers. Every simulated actor runs
// in a timer, one at a time, in (time, sequence) order, and while a timer
// runs the clock reads exactly its time. The clock never passes a timer
// that has not fired, so the same seed and the same inputs give the same
// history.
//
// In fast mode (RunUntil) the clock jumps from timer to timer. In live mode
// (Run) it follows wall time times the speed factor.
type Scheduler struct {
	mu      sync.Mutex // guards everything below
	world   sync.Mutex // held while a timer or a serialized input runs
	now     time.Time  // the pinned time: a timer's, or where live time was last read
	q       timerQueue
	seq     uint64
	fired   uint64
	speed   float64
	live    bool
	base    time.Time // live: simulated time at wallBase
	wall    time.Time
	wakeup  chan struct{}
	running bool
	pinned  bool // a timer or an input is running: time stands still
}

// Timer is a scheduled callback.
type Timer struct {
	at    time.Time
	seq   uint64
	name  string
	fn    func()
	every time.Duration
	index int
	dead  bool
}

// NewScheduler starts a clock at t with a speed factor for live mode.
func NewScheduler(t time.Time, speed float64) *Scheduler {
	if speed <= 0 {
		speed = 1
	}
	return &Scheduler{now: t.UTC(), speed: speed, wakeup: make(chan struct{}, 1)}
}

// Now is the simulated time. It implements clock.Clock.
func (s *Scheduler) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Scheduler) nowLocked() time.Time {
	if !s.live || s.pinned {
		return s.now
	}
	t := s.base.Add(time.Duration(float64(time.Since(s.wall)) * s.speed))
	// Never past a timer that has not fired.
	if len(s.q) > 0 && t.After(s.q[0].at) {
		t = s.q[0].at
	}
	if t.Before(s.now) {
		t = s.now
	}
	return t
}

// Speed is the live speed factor.
func (s *Scheduler) Speed() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.speed
}

// SetSpeed changes the live speed factor from now on.
func (s *Scheduler) SetSpeed(x float64) {
	if x <= 0 {
		return
	}
	s.mu.Lock()
	if s.live {
		s.now = s.nowLocked()
		s.base, s.wall = s.now, time.Now()
	}
	s.speed = x
	s.mu.Unlock()
	s.poke()
}

// Fired counts the timers that have run: with Now, it places a user's
// input exactly among the timers, for replay.
func (s *Scheduler) Fired() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired
}

// At schedules fn at t (or now, if t has passed).
func (s *Scheduler) At(t time.Time, name string, fn func()) *Timer {
	return s.add(t, 0, name, fn)
}

// After schedules fn after d of simulated time.
func (s *Scheduler) After(d time.Duration, name string, fn func()) *Timer {
	return s.add(s.Now().Add(d), 0, name, fn)
}

// Every runs fn every d, the first time after d.
func (s *Scheduler) Every(d time.Duration, name string, fn func()) *Timer {
	return s.add(s.Now().Add(d), d, name, fn)
}

func (s *Scheduler) add(t time.Time, every time.Duration, name string, fn func()) *Timer {
	s.mu.Lock()
	now := s.nowLocked()
	if t.Before(now) {
		t = now
	}
	s.seq++
	tm := &Timer{at: t, seq: s.seq, name: name, fn: fn, every: every}
	heap.Push(&s.q, tm)
	s.mu.Unlock()
	s.poke()
	return tm
}

// Stop cancels a timer; it is safe to call from inside a timer.
func (s *Scheduler) Stop(t *Timer) {
	if t == nil {
		return
	}
	s.mu.Lock()
	t.dead = true
	if t.index >= 0 && t.index < len(s.q) && s.q[t.index] == t {
		heap.Remove(&s.q, t.index)
	}
	s.mu.Unlock()
}

func (s *Scheduler) poke() {
	select {
	case s.wakeup <- struct{}{}:
	default:
	}
}

// fireNext runs the earliest timer due at or before limit; false if none.
func (s *Scheduler) fireNext(limit time.Time) bool {
	s.world.Lock()
	defer s.world.Unlock()
	s.mu.Lock()
	if len(s.q) == 0 || s.q[0].at.After(limit) {
		s.mu.Unlock()
		return false
	}
	t := heap.Pop(&s.q).(*Timer)
	if t.at.After(s.now) {
		s.now = t.at
	}
	s.pinned = true
	s.fired++
	s.mu.Unlock()
	if !t.dead {
		t.fn()
	}
	s.mu.Lock()
	s.pinned = false
	if s.live {
		// Live time resumes from the timer's moment.
		s.base, s.wall = s.now, time.Now()
	}
	s.mu.Unlock()
	if t.every > 0 && !t.dead {
		s.mu.Lock()
		s.seq++
		t.at, t.seq = t.at.Add(t.every), s.seq
		heap.Push(&s.q, t)
		s.mu.Unlock()
	}
	return true
}

// RunUntil fires, in order and at top speed, every timer due up to t, then
// leaves the clock at t. Not for live mode.
func (s *Scheduler) RunUntil(t time.Time) {
	for s.fireNext(t) {
	}
	s.mu.Lock()
	if t.After(s.now) {
		s.now = t
	}
	s.mu.Unlock()
}

// RunFor is RunUntil(Now()+d).
func (s *Scheduler) RunFor(d time.Duration) { s.RunUntil(s.Now().Add(d)) }

// Next is the time of the earliest timer; ok is false when none is set.
func (s *Scheduler) Next() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.q) == 0 {
		return time.Time{}, false
	}
	return s.q[0].at, true
}

// Run follows wall time times the speed until ctx ends, firing timers as
// their time comes.
func (s *Scheduler) Run(ctx context.Context) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running, s.live = true, true
	s.base, s.wall = s.now, time.Now()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.now = s.nowLocked()
		s.running, s.live = false, false
		s.mu.Unlock()
	}()
	for {
		for s.fireNext(s.Now()) {
			if ctx.Err() != nil {
				return
			}
		}
		wait := time.Hour
		s.mu.Lock()
		if len(s.q) > 0 {
			d := s.q[0].at.Sub(s.nowLocked())
			wait = time.Duration(float64(d) / s.speed)
		}
		s.mu.Unlock()
		if wait < time.Millisecond {
			wait = time.Millisecond
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wakeup:
		case <-t.C:
		}
		t.Stop()
	}
}

// Serialize runs fn while no timer runs, so an input from outside the
// simulation (a person's request) falls between timers, never inside one.
// It returns the simulated time and the fired count at which fn ran.
func (s *Scheduler) Serialize(fn func()) (time.Time, uint64) {
	s.world.Lock()
	defer s.world.Unlock()
	s.mu.Lock()
	now := s.nowLocked()
	s.now, s.pinned = now, true
	fired := s.fired
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	s.pinned = false
	if s.live {
		s.base, s.wall = s.now, time.Now()
	}
	s.mu.Unlock()
	return now, fired
}

type timerQueue []*Timer

func (q timerQueue) Len() int { return len(q) }
func (q timerQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *timerQueue) Push(x any) {
	t := x.(*Timer)
	t.index = len(*q)
	*q = append(*q, t)
}
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	t.index = -1
	*q = old[:len(old)-1]
	return t
}
