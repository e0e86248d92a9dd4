package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"p2pdesk/api"
)

// StreamState reports the stream's connection.
type StreamState struct {
	Connected bool
	Err       error // why it is not, if it is not
	Attempt   int
}

// Stream follows the caller's live events until ctx ends. It calls
// onEvent for each event, exactly once and in order, across reconnects:
// after a cut it reconnects with backoff and resumes after the last event
// it delivered. after is the last event id the caller has already seen, or
// -1 to start from now. onState, if not nil, hears about the connection.
// It returns ctx's error.
func (c *Client) Stream(ctx context.Context, after int64, onEvent func(api.Event), onState func(StreamState)) error {
	last := after
	for attempt := 0; ; attempt++ {
		got, err := c.streamOnce(ctx, &last, onEvent, onState)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if got {
			attempt = 0
		}
		if onState != nil {
			onState(StreamState{Connected: false, Err: err, Attempt: attempt + 1})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff(min(attempt, 5))):
		}
	}
}

// idleLimit ends a connection that has said nothing, not even a ping, for
// this long.
const idleLimit = 45 * time.Second

// streamOnce runs one connection; got says whether it delivered anything.
func (c *Client) streamOnce(ctx context.Context, last *int64, onEvent func(api.Event), onState func(StreamState)) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	path := "/stream"
	if *last >= 0 {
		path += "?after=" + strconv.FormatInt(*last, 10)
	}
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.hc.Do(req)
	if err != nil {
		return false, trustError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b [4096]byte
		n, _ := resp.Body.Read(b[:])
		return false, decodeError(resp, b[:n])
	}
	if onState != nil {
		onState(StreamState{Connected: true})
	}
	// A watchdog cuts a connection that went silent.
	var mu sync.Mutex
	seen := time.Now()
	go func() {
		t := time.NewTicker(idleLimit / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				mu.Lock()
				idle := time.Since(seen)
				mu.Unlock()
				if idle > idleLimit {
					cancel()
					return
				}
			}
		}
	}()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	// Each frame is "id: N", "event: TYPE", "data: PAYLOAD" and a blank
	// line. The payload is handed over as it came: no JSON is parsed here.
	var e api.Event
	haveID := false
	got := false
	for sc.Scan() {
		mu.Lock()
		seen = time.Now()
		mu.Unlock()
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if !haveID || e.Type == "" {
				e, haveID = api.Event{}, false
				continue
			}
			if e.ID <= *last && e.Type != "hello" && e.Type != "reset" {
				e, haveID = api.Event{}, false
				continue // already delivered before a reconnect
			}
			*last = e.ID
			got = true
			onEvent(e)
			e, haveID = api.Event{}, false
		case bytes.HasPrefix(line, []byte("id: ")):
			id, err := strconv.ParseInt(string(line[4:]), 10, 64)
			if err != nil {
				return got, fmt.Errorf("client: bad event id %q", line)
			}
			e.ID, haveID = id, true
		case bytes.HasPrefix(line, []byte("event: ")):
			e.Type = api.EventType(line[7:])
		case bytes.HasPrefix(line, []byte("data: ")):
			e.Data = append(json.RawMessage(nil), line[6:]...)
		}
	}
	if err := sc.Err(); err != nil {
		return got, err
	}
	return got, fmt.Errorf("the stream ended")
}
