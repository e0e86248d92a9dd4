package server

import (
	"log/slog"
	"net"
	"sync"
	"time"
)

// ConnLimit caps the open connections of one client address.
type ConnLimit struct {
	// PerAddr is the most connections one IP address may hold open at
	// once; 0 or less: no cap.
	PerAddr int
	// Loopback applies the cap to loopback addresses too. Off by default:
	// the embedded marketplace's simulated people and the TUI all connect
	// from 127.0.0.1.
	Loopback bool
	Log      *slog.Logger
}

// LimitListener wraps ln so that a client address holding lim.PerAddr
// connections has each further one closed as soon as it is accepted,
// while every other address is served as before.
func LimitListener(ln net.Listener, lim ConnLimit) net.Listener {
	if lim.PerAddr <= 0 {
		return ln
	}
	if lim.Log == nil {
		lim.Log = slog.New(slog.DiscardHandler)
	}
	return &limitListener{Listener: ln, lim: lim, open: map[string]int{}}
}

type limitListener struct {
	net.Listener
	lim ConnLimit

	mu     sync.Mutex
	open   map[string]int
	warned map[string]time.Time
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := hostOf(c.RemoteAddr())
		if !l.lim.Loopback && isLoopback(host) {
			return c, nil
		}
		l.mu.Lock()
		if l.open[host] >= l.lim.PerAddr {
			warn := l.warnDue(host)
			l.mu.Unlock()
			c.Close()
			if warn {
				l.lim.Log.Warn("connection refused: too many open connections from one address", "remote", host, "cap", l.lim.PerAddr)
			}
			continue
		}
		l.open[host]++
		l.mu.Unlock()
		return &limitConn{Conn: c, l: l, host: host}, nil
	}
}

// warnDue says whether to log a refusal for host: once a minute at most,
// so a flood does not flood the log. Called with mu held.
func (l *limitListener) warnDue(host string) bool {
	if l.warned == nil || len(l.warned) > 10_000 {
		l.warned = map[string]time.Time{}
	}
	now := time.Now()
	if t, ok := l.warned[host]; ok && now.Sub(t) < time.Minute {
		return false
	}
	l.warned[host] = now
	return true
}

func (l *limitListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host] <= 1 {
		delete(l.open, host)
		return
	}
	l.open[host]--
}

type limitConn struct {
	net.Conn
	l    *limitListener
	host string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.host) })
	return err
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
