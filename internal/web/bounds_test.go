package web

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAnAnswerNotTakenIsCutOff: a client asks for a large answer and never
// reads it; the server's write fails at the write bound, and the handler
// is let go, instead of waiting on the client forever.
func TestAnAnswerNotTakenIsCutOff(t *testing.T) {
	const bound = 500 * time.Millisecond
	failed := make(chan time.Duration, 1)
	srv := httptest.NewServer(boundIO(time.Second, bound, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range 256 { // more than the kernel's buffers on both sides hold
			if _, err := w.Write(chunk); err != nil {
				failed <- time.Since(start)
				return
			}
		}
		failed <- -1
	})))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /big HTTP/1.1\r\nHost: restaurant\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case took := <-failed:
		if took < 0 {
			t.Fatal("the whole answer was written to a client that reads nothing")
		}
		if took > bound+2*time.Second {
			t.Errorf("the write failed after %s; want within %s", took, bound)
		}
	case <-time.After(bound + 10*time.Second):
		t.Fatalf("the handler was still writing %s later; want its write to fail within %s", bound+10*time.Second, bound)
	}
}

// TestABodyInTimeLeavesTheRequestItsTime: once the whole body has arrived,
// the body bound is lifted: a request whose work takes longer than it is
// neither cancelled nor cut off, with a body or without.
func TestABodyInTimeLeavesTheRequestItsTime(t *testing.T) {
	const bound = 200 * time.Millisecond
	srv := httptest.NewServer(boundIO(bound, 10*time.Second, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case <-r.Context().Done():
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
		case <-time.After(3 * bound): // work that outlasts the body bound
			fmt.Fprintf(w, "read %d", len(body))
		}
	})))
	defer srv.Close()
	for _, tc := range []struct {
		name, method, body string
	}{
		{"a form", http.MethodPost, "menu_item_id=margherita&option-size=regular&quantity=1"},
		{"no body", http.MethodGet, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if want := fmt.Sprintf("read %d", len(tc.body)); resp.StatusCode != http.StatusOK || string(got) != want {
				t.Errorf("%d %q; want 200 %q", resp.StatusCode, got, want)
			}
		})
	}
}
