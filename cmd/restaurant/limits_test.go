package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"restaurant/internal/testdb"
)

// dialFrom opens a TCP connection to base from a local address of the
// loopback (Linux routes all of 127.0.0.0/8 to it): another client address
// on one machine.
func dialFrom(t *testing.T, local, base string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFrom is an HTTP client whose connections come from local, one per
// request.
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return &http.Client{Timeout: 5 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// slowRequest sends a request's headers announcing a body of 100 bytes,
// and the body's first byte.
func slowRequest(t *testing.T, c net.Conn, method, path string) {
	t.Helper()
	_, err := fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: restaurant\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nm", method, path)
	if err != nil {
		t.Fatal(err)
	}
}

// TestASlowBodyIsCutOff: a client sends a request's headers, then its body
// one byte at a time, a second apart. Whether the handler reads the body (a
// command) or not (a page), the server closes the connection within the
// body timeout, instead of holding it as long as the bytes keep coming.
func TestASlowBodyIsCutOff(t *testing.T) {
	const bound = 1500 * time.Millisecond
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "BODY_TIMEOUT": bound.String()})
	for _, tc := range []struct{ name, method, path string }{
		{"a command reads its body", http.MethodPost, "/orders/commands/open"},
		{"a page ignores its body", http.MethodGet, "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialFrom(t, "127.0.0.1", base)
			start := time.Now()
			slowRequest(t, c, tc.method, tc.path)
			// The attack: a byte a second, for as long as the connection
			// lasts (at most the rest of the 100 bytes).
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			go func() {
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for range 99 {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
					}
					if _, err := c.Write([]byte("x")); err != nil {
						return
					}
				}
			}()
			_ = c.SetReadDeadline(time.Now().Add(bound + 5*time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the connection was still open %s after the headers; want it closed within %s", time.Since(start).Round(time.Millisecond), bound)
			}
			if took := time.Since(start); took > bound+2*time.Second {
				t.Errorf("the connection closed after %s; want within %s", took.Round(time.Millisecond), bound)
			}
		})
	}
}

// TestOneAddressCannotTakeEveryConnection: one address holds its cap of
// connections, each in the middle of a slow body. Another client's
// /healthz and menu answer at once, the crowded address's next connection
// is told 503 with Retry-After (and counted), and a connection closed
// gives its place back.
func TestOneAddressCannotTakeEveryConnection(t *testing.T) {
	const perAddress = 8
	const scrape = "a scrape token for the caps"
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t),
		"MAX_CONNS_PER_ADDRESS": fmt.Sprint(perAddress), "BODY_TIMEOUT": "1m", "METRICS_TOKEN": scrape})
	var held []net.Conn
	for range perAddress {
		c := dialFrom(t, "127.0.0.2", base)
		slowRequest(t, c, http.MethodPost, "/orders/commands/open")
		held = append(held, c)
	}

	other := clientFrom("127.0.0.1")
	for _, path := range []string{"/healthz", "/"} {
		start := time.Now()
		resp, err := other.Get(base + path)
		if err != nil {
			t.Fatalf("another address's %s: %v", path, err)
		}
		resp.Body.Close()
		if took := time.Since(start); resp.StatusCode != http.StatusOK || took > 2*time.Second {
			t.Errorf("another address's %s: %d after %s; want 200 at once", path, resp.StatusCode, took.Round(time.Millisecond))
		}
	}

	c := dialFrom(t, "127.0.0.2", base)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: restaurant\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the connection past the cap: %v; want a 503", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "Too many connections") {
		t.Errorf("the connection past the cap: %d, Retry-After %q, %q; want 503, a Retry-After and why", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if _, metrics := getWith(t, base+"/metrics", "Authorization", "Bearer "+scrape); !strings.Contains(metrics, `restaurant_refused_total{reason="connections_per_address"}`) {
		t.Errorf("the refusal is not counted in /metrics")
	}

	held[0].Close()
	crowded := clientFrom("127.0.0.2")
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := crowded.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("a place freed by a closed connection was not given back (%v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
