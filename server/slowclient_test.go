package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/marketplace"
)

// startNet runs a marketplace with the given network hardening.
func startNet(t *testing.T, n marketplace.Net) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), key: startKey(), db: t.TempDir() + "/market.db"}
	e.opts = marketplace.Options{DBPath: e.db, ServerKey: e.key, RateLimit: 1000, Net: n}
	e.boot()
	return e
}

func (e *env) addr() string {
	return strings.TrimPrefix(strings.TrimPrefix(e.m.URL, "http://"), "https://")
}

// closedWithin reads from conn until the server closes it or d passes,
// and says whether the server closed it. Whatever the server answered
// before closing is returned.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) (bool, string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false, string(b)
	}
	return true, string(b)
}

// A client that dribbles its headers, one line at a time and never
// finishing, is cut once the header timeout passes, long before it ends.
func TestSlowlorisHeadersAreCut(t *testing.T) {
	e := startNet(t, marketplace.Net{ReadHeaderTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		closedWithin(t, conn, 20*time.Second)
		close(closed)
	}()
	// Dribble for up to 8 s: 25 times the timeout.
	for i := 0; i < 80; i++ {
		select {
		case <-closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
		conn.Write([]byte("X-Slow: 1\r\n"))
	}
	t.Fatal("a client dribbling headers for 8 s was never cut (header timeout 300 ms)")
}

// A body sent a byte at a time is cut by the read timeout.
func TestSlowBodyIsCut(t *testing.T) {
	e := startNet(t, marketplace.Net{ReadTimeout: 400 * time.Millisecond})
	conn, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	closed := make(chan struct{})
	go func() {
		closedWithin(t, conn, 20*time.Second)
		close(closed)
	}()
	for i := 0; i < 80; i++ {
		select {
		case <-closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
		conn.Write([]byte(" "))
	}
	t.Fatal("a body dribbled for 8 s was never cut (read timeout 400 ms)")
}

// A kept-alive connection that goes quiet is closed by the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	e := startNet(t, marketplace.Net{IdleTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("health: %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
	}
	// Now say nothing: the server must hang up on its own.
	conn.SetReadDeadline(time.Now().Add(8 * time.Second))
	_, err = br.ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("an idle connection was still open after 8 s (idle timeout 300 ms)")
	}
	if err == nil {
		t.Fatal("the server sent bytes nobody asked for")
	}
}

// One address holding the cap of connections has its next one closed at
// once; its open ones, and other addresses, are still served.
func TestConnectionCapPerAddress(t *testing.T) {
	const capN = 4
	e := startNet(t, marketplace.Net{MaxConnsPerAddr: capN, CapLoopback: true})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	health := func(c net.Conn) (int, error) {
		if _, err := io.WriteString(c, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return 0, err
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	for i := 0; i < capN; i++ {
		c, err := net.Dial("tcp", e.addr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		// Served: the server has accepted it (and counted it).
		if st, err := health(c); err != nil || st != 200 {
			t.Fatalf("connection %d: %d, %v", i+1, st, err)
		}
	}
	extra, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := health(extra); err == nil {
		t.Fatalf("connection %d from one address was served (%d); the cap is %d", capN+1, st, capN)
	}
	extra.Close()
	// The ones already open still work.
	if st, err := health(conns[0]); err != nil || st != 200 {
		t.Fatalf("an open connection under the cap: %d, %v", st, err)
	}
	// Another address (::1 or 127.0.0.2 where the machine has one) is
	// not held to this one's count.
	var other net.Conn
	for _, a := range []string{"127.0.0.2", "::1"} {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(a)}}
		if c, err := d.Dial("tcp", e.addr()); err == nil {
			other = c
			break
		}
	}
	if other != nil {
		defer other.Close()
		if st, err := health(other); err != nil || st != 200 {
			t.Fatalf("another address was refused: %d, %v", st, err)
		}
	} else {
		t.Log("no second local address to dial from; skipped the other-address check")
	}
	// Closing one frees its place.
	conns[1].Close()
	conns = append(conns[:1], conns[2:]...)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", e.addr())
		if err != nil {
			t.Fatal(err)
		}
		st, err := health(c)
		if err == nil && st == 200 {
			conns = append(conns, c)
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("a closed connection never gave its place back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The event stream outlives the read and write timeouts: it lifts the
// read deadline and moves the write deadline on each write, so a stream
// open for many times the timeouts still delivers, on one connection.
func TestStreamOutlivesTimeouts(t *testing.T) {
	e := startNet(t, marketplace.Net{ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, StreamWriteTimeout: 2 * time.Second})
	m := e.user("maker", 2, map[string]string{"USDT": "1000"})
	b := e.user("buyer", 1, nil)
	ad, err := m.c.PostAd(e.ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "500", MinFiat: "10", MaxFiat: "5000", Payments: []string{"alipay"}, WindowMin: 15})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	connects, orders := 0, 0
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.c.Stream(ctx, -1, func(ev api.Event) {
			if ev.Type.IsOrder() {
				mu.Lock()
				orders++
				mu.Unlock()
			}
		}, func(s client.StreamState) {
			if s.Connected {
				mu.Lock()
				connects++
				mu.Unlock()
			}
		})
	}()
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			ok := cond()
			mu.Unlock()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait("the stream", func() bool { return connects == 1 })
	time.Sleep(1500 * time.Millisecond) // five read and write timeouts
	if _, err := b.c.TakeAd(e.ctx, api.TakeRequest{AdID: ad.ID, Amount: "10", Payment: "alipay"}, ""); err != nil {
		t.Fatal(err)
	}
	wait("the order's event", func() bool { return orders > 0 })
	mu.Lock()
	defer mu.Unlock()
	if connects != 1 {
		t.Fatalf("the stream reconnected %d times: the timeouts cut it", connects-1)
	}
	cancel()
	<-done
}
