package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
)

// A marketplace that is its database's only writer never polls for
// events: every commit of its own still reaches the streams.
func TestSoleWriterStreamsEveryCommit(t *testing.T) {
	e := &env{}
	*e = *start(t)
	e.m.Close(e.ctx)
	e.opts.SoleWriter = true
	e.boot()
	m := e.user("sole-maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("sole-buyer", 1, nil)
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	from, _ := e.m.Market.LastEventID(e.ctx)
	var mu sync.Mutex
	var got []api.Event
	connected := make(chan struct{})
	var once sync.Once
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go m.c.Stream(ctx, from, func(ev api.Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}, func(s client.StreamState) {
		if s.Connected {
			once.Do(func() { close(connected) })
		}
	})
	<-connected
	var want []int64
	for i := 0; i < 3; i++ {
		o, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10"}, "")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, o.ID)
	}
	seen := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, ev := range got {
			if ev.Type == api.EventOrderCreated {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); seen() < len(want); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d order events streamed", seen(), len(want))
		}
	}
}
