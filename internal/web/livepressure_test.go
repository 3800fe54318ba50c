package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"

	"restaurant/domain/staff"
	"restaurant/internal/metrics"
)

// smallSendBuffers gives every accepted connection a small kernel send
// buffer, so that the server's writes to a screen that does not read block
// after a few kilobytes instead of a few megabytes.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// stuckDialer opens sockets with a small receive buffer, set before the
// connection is made so the window stays small.
var stuckDialer = websocket.Dialer{
	HandshakeTimeout: 10 * time.Second,
	NetDialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); err != nil {
			return err
		}
		return serr
	}}).DialContext,
}

func counterValue(t *testing.T, c interface{ Write(*dto.Metric) error }) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// TestStuckScreensDoNotHoldBackOthers: fifty kitchen screens that never
// read and a few that read slowly share the server with one healthy
// screen while orders are placed and started. The healthy screen sees
// every change, the stuck screens are dropped (their sockets closed, their
// pushes counted as dropped), and the server goes on serving.
func TestStuckScreensDoNotHoldBackOthers(t *testing.T) {
	a := newTestAppWith(t, func(d *Deps) { d.LiveWriteWait = 500 * time.Millisecond })
	ctx := context.Background()
	if err := a.accounts.Add(ctx, "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.h)
	srv.Listener = smallSendBuffers{srv.Listener}
	srv.Start()
	defer srv.Close()
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	header := http.Header{"Origin": {srv.URL}}
	for _, c := range cook.cookies {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/live?topic=kitchen"

	socketsBefore := counterValue(t, metrics.Sockets)
	droppedBefore := counterValue(t, metrics.Pushes.WithLabelValues("dropped"))

	const stuckScreens, slowScreens = 50, 3
	var stuck []*websocket.Conn
	for range stuckScreens {
		conn, _, err := stuckDialer.Dial(wsURL, header)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		stuck = append(stuck, conn)
	}

	// Slow screens read one push at a time, a fifth of a second apart.
	var slow sync.WaitGroup
	defer slow.Wait()
	for range slowScreens {
		conn, _, err := stuckDialer.Dial(wsURL, header)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		slow.Go(func() {
			pace := time.NewTicker(200 * time.Millisecond)
			defer pace.Stop()
			for range pace.C {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		})
	}

	// The healthy screen reads everything; the test looks at its latest
	// board.
	healthy, _, err := websocket.DefaultDialer.Dial(wsURL, header)
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.Close()
	var (
		mu     sync.Mutex
		latest string
	)
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			_, msg, err := healthy.ReadMessage()
			if err != nil {
				return
			}
			if strings.Contains(string(msg), `id="kitchen-board"`) {
				mu.Lock()
				latest = string(msg)
				mu.Unlock()
			}
		}
	}()

	// Many board changes: every order placed opens a ticket, every other
	// ticket is started.
	const orders = 16
	var ids []string
	for i := range orders {
		id := placedOrder(t, a, a.guest())
		ids = append(ids, id)
		if i%2 == 0 {
			cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/start", form()))
		}
	}
	boardShowsAll := func(board string) bool {
		for i, id := range ids {
			status := "queued"
			if i%2 == 0 {
				status = "preparing"
			}
			if !strings.Contains(board, `class="ticket ticket-`+status+`" id="ticket-`+id+`"`) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		board := latest
		mu.Unlock()
		if boardShowsAll(board) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the healthy screen's board does not show all %d orders, started as they were:\n%s", orders, board)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Every stuck screen is dropped: the server's count of screens falls
	// back to the healthy and slow ones at most, and each dropped push is
	// counted.
	for deadline := time.Now().Add(15 * time.Second); ; {
		open := counterValue(t, metrics.Sockets) - socketsBefore
		dropped := counterValue(t, metrics.Pushes.WithLabelValues("dropped")) - droppedBefore
		if open <= 1+slowScreens && dropped >= stuckScreens {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stuck screens not dropped: %v sockets still open, %v pushes dropped", open, dropped)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A stuck screen that reads now finds what was sent before the drop,
	// then the end of its connection.
	for i, conn := range stuck {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := conn.ReadMessage()
			if err == nil {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("stuck screen %d still connected: %v", i, err)
			}
			break
		}
	}

	// The server goes on serving: the healthy screen is still connected,
	// and a new screen gets the whole board.
	select {
	case <-read:
		t.Fatal("the healthy screen was dropped")
	default:
	}
	fresh, _, err := websocket.DefaultDialer.Dial(wsURL, header)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	first := await(t, fresh, `id="kitchen-board"`)
	if !boardShowsAll(first) {
		t.Fatalf("a new screen's first board misses orders:\n%s", first)
	}
	if rec := a.guest().get("/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("/healthz: %d", rec.Code)
	}
}
