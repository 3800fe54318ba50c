package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The benchmark's screens read as browsers do: they offer compression, take
// a shared frame compressed, fragmented or not, answer pings, and read what
// the same bytes say once for all screens.
func TestRawScreensReadCompressedSharedPushesAndAnswerPings(t *testing.T) {
	board := []byte(`<div id="kitchen-board">` + strings.Repeat(`<li id="ticket-a1">x</li><li id="ticket-b2">y</li>`, 400) + `</div>`)
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, board)
	if err != nil {
		t.Fatal(err)
	}
	ponged := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{EnableCompression: true}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetPongHandler(func(string) error { ponged <- struct{}{}; return nil })
		go func() {
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		_ = conn.WriteControl(websocket.PingMessage, []byte("beat"), time.Now().Add(5*time.Second))
		for range 3 {
			_ = conn.WritePreparedMessage(pm)
		}
		select {
		case <-ponged:
		case <-time.After(10 * time.Second):
		}
		_ = conn.WriteMessage(websocket.TextMessage, []byte("after the pong"))
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(5*time.Second))
	}))
	defer srv.Close()

	s, err := dialRaw(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/live", http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	cache := newPushCache()
	var buf bytes.Buffer
	for i := range 3 {
		compressed, err := s.next(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !compressed || buf.Len() >= len(board) {
			t.Fatalf("push %d: compressed %v, %d bytes for a %d-byte board: want it compressed", i, compressed, buf.Len(), len(board))
		}
		ids, size, err := cache.read(buf.Bytes(), compressed)
		if err != nil {
			t.Fatal(err)
		}
		if size != len(board) || len(ids) != 800 || ids[0] != "a1" || ids[1] != "b2" {
			t.Fatalf("push %d reads as %d bytes with %d tickets (%v...), want %d bytes and 800", i, size, len(ids), ids[:min(2, len(ids))], len(board))
		}
	}
	if len(cache.seen) != 1 {
		t.Errorf("three screens' worth of the same frame read %d times, want once", len(cache.seen))
	}
	// The pong went back: the server writes once it has it.
	compressed, err := s.next(&buf)
	if err != nil {
		t.Fatal(err)
	}
	after := buf.Bytes()
	if compressed {
		if after, err = inflate(after); err != nil {
			t.Fatal(err)
		}
	}
	if string(after) != "after the pong" {
		t.Fatalf("after the ping: %q, want the server's message sent once it had the pong", after)
	}
	if _, err := s.next(&buf); err != errClosed {
		t.Fatalf("at the server's close: %v, want errClosed", err)
	}
}
