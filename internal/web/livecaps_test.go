package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"restaurant/domain/staff"
	"restaurant/internal/metrics"
)

// dialFrom opens a live socket from another loopback address (Linux routes
// all of 127.0.0.0/8 to the loopback), for a client at another address.
func dialFrom(t *testing.T, local string, srv *httptest.Server, query string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second,
		NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/live?"+query, nil)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

// refusedWith checks a socket was refused before the upgrade with status,
// a Retry-After and a problem document that says why in a sentence.
func refusedWith(t *testing.T, resp *http.Response, err error, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("the socket was opened; want it refused with %d", status)
	}
	if resp == nil {
		t.Fatalf("refused without an answer (%v); want %d", err, status)
	}
	defer resp.Body.Close()
	var p Problem
	if resp.StatusCode != status || resp.Header.Get("Retry-After") == "" ||
		json.NewDecoder(resp.Body).Decode(&p) != nil || p.Status != status || !strings.HasSuffix(p.Detail, ".") {
		t.Fatalf("refused with %d, Retry-After %q, problem %+v; want %d, a Retry-After and a sentence",
			resp.StatusCode, resp.Header.Get("Retry-After"), p, status)
	}
}

// TestLiveSocketsAreCappedPerAddress: one address opens its cap of guest
// menu sockets, and one more is refused with 429; a guest at another
// address, and a kitchen screen signed in at the same one, still connect;
// a closed socket gives its place back.
func TestLiveSocketsAreCappedPerAddress(t *testing.T) {
	const perAddress = 5
	a := newTestAppWith(t, func(d *Deps) { d.LiveSocketsPerAddress = perAddress })
	if err := a.accounts.Add(context.Background(), "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	refused := metrics.Refused.WithLabelValues("live_per_address")
	before := counterValue(t, refused)

	flood := a.guest()
	var open []*websocket.Conn
	for i := range perAddress {
		conn, _, err := flood.dial(t, srv, "topic=menu", "")
		if err != nil {
			t.Fatalf("guest socket %d of %d: %v", i+1, perAddress, err)
		}
		open = append(open, conn)
	}
	_, resp, err := flood.dial(t, srv, "topic=menu", "")
	refusedWith(t, resp, err, http.StatusTooManyRequests)
	if got := counterValue(t, refused) - before; got != 1 {
		t.Errorf("restaurant_refused_total{reason=live_per_address} rose by %v, want 1", got)
	}

	if _, _, err := dialFrom(t, "127.0.0.2", srv, "topic=menu"); err != nil {
		t.Errorf("a guest at another address was refused: %v", err)
	}
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	kitchen, _, err := cook.dial(t, srv, "topic=kitchen", "")
	if err != nil {
		t.Fatalf("a kitchen screen at the crowded address was refused: %v", err)
	}
	await(t, kitchen, `id="kitchen-board"`)
	if menu, _, err := cook.dial(t, srv, "topic=menu", ""); err != nil {
		t.Errorf("a signed-in cook's menu screen at the crowded address was refused: %v", err)
	} else {
		menu.Close()
	}

	// A socket closed gives its place back once the server sees it go.
	open[0].Close()
	eventually(t, 5*time.Second, "a place freed by a closed socket", func() bool {
		conn, resp, err := flood.dial(t, srv, "topic=menu", "")
		if err == nil {
			conn.Close()
			return true
		}
		if resp != nil {
			resp.Body.Close()
		}
		return false
	})
}

// TestLiveSocketsAreCappedInAll: past the total cap even a staff screen is
// refused, with 503, and told when to try again.
func TestLiveSocketsAreCappedInAll(t *testing.T) {
	const total = 3
	a := newTestAppWith(t, func(d *Deps) { d.LiveSocketsMax = total })
	if err := a.accounts.Add(context.Background(), "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	for i := range total {
		if _, _, err := cook.dial(t, srv, "topic=kitchen", ""); err != nil {
			t.Fatalf("kitchen screen %d of %d: %v", i+1, total, err)
		}
	}
	_, resp, err := cook.dial(t, srv, "topic=kitchen", "")
	refusedWith(t, resp, err, http.StatusServiceUnavailable)
}
