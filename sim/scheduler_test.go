package sim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var epoch = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestFastModeOrder(t *testing.T) {
	s := NewScheduler(epoch, 1)
	var log []string
	rec := func(name string) func() {
		return func() { log = append(log, fmt.Sprintf("%s@%s", name, s.Now().Sub(epoch))) }
	}
	s.After(2*time.Second, "b", rec("b"))
	s.After(time.Second, "a", rec("a"))
	s.After(2*time.Second, "c", rec("c")) // same time as b: scheduled later, fires later
	tick := s.Every(1500*time.Millisecond, "tick", rec("tick"))
	s.After(time.Second, "nest", func() {
		rec("nest")()
		s.After(0, "child", rec("child")) // due now: fires before anything later
	})
	s.RunUntil(epoch.Add(3 * time.Second))
	s.Stop(tick)
	s.RunUntil(epoch.Add(10 * time.Second))
	got := strings.Join(log, " ")
	want := "a@1s nest@1s child@1s tick@1.5s b@2s c@2s tick@3s"
	if got != want {
		t.Fatalf("order:\n got %s\nwant %s", got, want)
	}
	if s.Now() != epoch.Add(10*time.Second) || s.Fired() != 7 {
		t.Fatalf("now %v fired %d", s.Now(), s.Fired())
	}
}

func TestLiveModeSpeedAndPinning(t *testing.T) {
	s := NewScheduler(epoch, 60)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan time.Time, 1)
	// Set before the clock runs: set after, "a minute from now" starts a
	// few live microseconds (times 60) past the epoch, and the test read
	// that as a late firing on a loaded machine.
	s.After(time.Minute, "one minute", func() {
		// While a timer runs the clock reads its time exactly.
		at := s.Now()
		time.Sleep(20 * time.Millisecond)
		if s.Now() != at {
			t.Errorf("time moved inside a timer")
		}
		done <- at
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.Run(ctx) }()
	select {
	case at := <-done:
		if at != epoch.Add(time.Minute) {
			t.Fatalf("fired at %v", at.Sub(epoch))
		}
	case <-time.After(time.Minute):
		t.Fatal("a simulated minute at 60x did not fire within a real minute")
	}
	s.SetSpeed(600)
	if s.Speed() != 600 {
		t.Fatal("speed")
	}
	before := s.Now()
	at, fired := s.Serialize(func() {})
	if at.Before(before) || fired != 1 {
		t.Fatalf("serialize at %v fired %d", at, fired)
	}
	cancel()
	wg.Wait()
}

func TestLiveClockNeverPassesAnUnfiredTimer(t *testing.T) {
	s := NewScheduler(epoch, 1000)
	s.At(epoch.Add(time.Second), "due", func() {})
	s.mu.Lock()
	s.live = true
	s.base, s.wall = epoch, time.Now().Add(-time.Hour) // an hour of wall time at 1000x, and nobody fired it
	s.mu.Unlock()
	if got := s.Now(); got != epoch.Add(time.Second) {
		t.Fatalf("clock ran past an unfired timer to %v", got.Sub(epoch))
	}
}
