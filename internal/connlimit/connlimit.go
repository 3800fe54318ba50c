// Package connlimit caps the connections one client address may hold open
// on a listener, so that one machine opening thousands of connections and
// keeping them busy cannot use up the server's file descriptors and leave
// everyone else, health checks included, unanswered.
package connlimit

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"restaurant/internal/metrics"
)

// refusal is what a connection over the cap is told before it is closed:
// a plain HTTP answer that a browser or a client library shows. It goes out
// before the request is read, since the cap is decided at accept.
var refusal = func() string {
	const body = "Too many connections from your address. Please try again in a few seconds.\n"
	return "HTTP/1.1 503 Service Unavailable\r\n" +
		"Retry-After: 10\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Connection: close\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}()

// refusingAtOnce bounds the refused connections being answered at one
// time; beyond it a refused connection is closed without an answer, so
// refusing costs no more than a few hundred descriptors however fast
// connections come.
const refusingAtOnce = 256

// refuseWithin is how long a refused connection is given to take its
// answer and hang up.
const refuseWithin = time.Second

// Listener is a net.Listener that lets each client address hold at most
// PerAddress connections; Accept answers and closes the ones beyond.
type Listener struct {
	net.Listener
	perAddress int
	refusing   chan struct{}

	mu    sync.Mutex
	open  map[string]*address
	alarm func(address string) // told once when an address first meets the cap
}

type address struct {
	conns  int
	warned bool
}

// Wrap caps ln's connections per client address at perAddress; zero or
// less returns ln as it is (behind a proxy every client has the proxy's
// address, and the proxy is the place to cap them).
func Wrap(ln net.Listener, perAddress int) net.Listener {
	if perAddress <= 0 {
		return ln
	}
	return &Listener{Listener: ln, perAddress: perAddress, refusing: make(chan struct{}, refusingAtOnce),
		open: map[string]*address{},
		alarm: func(addr string) {
			slog.Warn("connections refused: an address holds as many as it may", "address", addr, "max_conns_per_address", perAddress)
		}}
}

// Accept returns the next connection within its address's cap.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := hostOf(c.RemoteAddr())
		if l.take(addr) {
			return &conn{Conn: c, release: func() { l.release(addr) }}, nil
		}
		metrics.Refused.WithLabelValues("connections_per_address").Inc()
		l.refuse(c)
	}
}

func (l *Listener) take(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.open[addr]
	if a == nil {
		a = &address{}
		l.open[addr] = a
	}
	if a.conns >= l.perAddress {
		if !a.warned {
			a.warned = true
			go l.alarm(addr)
		}
		return false
	}
	a.conns++
	return true
}

func (l *Listener) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.open[addr]
	a.conns--
	if a.conns == 0 {
		delete(l.open, addr)
	}
}

// refuse answers a connection over the cap and closes it, on a goroutine
// of its own that lasts at most refuseWithin. The answer goes out first,
// then the sending half is closed and what the client sent is read and
// dropped until it hangs up: closing with its request unread would reset
// the connection and could lose the answer.
func (l *Listener) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseWithin))
		if _, err := io.WriteString(c, refusal); err != nil {
			return
		}
		if tc, ok := c.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// hostOf is the client's address without its port: the one address a
// connection has before any request is read.
func hostOf(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// conn gives its address's place back when it closes, once however often
// it is closed.
type conn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
