package connlimit

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestAPlaceIsGivenBackOnceHoweverOftenClosed: an address at its cap is
// refused with 503; a connection closed twice frees one place, not two.
func TestAPlaceIsGivenBackOnceHoweverOftenClosed(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(raw, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.DialTimeout("tcp", raw.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	take := func() net.Conn {
		t.Helper()
		dial()
		select {
		case c := <-accepted:
			return c
		case <-time.After(5 * time.Second):
			t.Fatal("a connection within the cap was not accepted")
			return nil
		}
	}
	refused := func() {
		t.Helper()
		c := dial()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("past the cap: %v %v; want 503 with Retry-After", resp, err)
		}
		resp.Body.Close()
	}

	first := take()
	take()
	refused()
	first.Close()
	first.Close()
	take() // the place first held
	refused()
	if n := len(accepted); n != 0 {
		t.Errorf("%d connections accepted past the cap", n)
	}
}

// TestNoCapIsTheListenerItself: a cap of zero leaves the listener as it is.
func TestNoCapIsTheListenerItself(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if ln := Wrap(raw, 0); ln != raw {
		t.Errorf("Wrap(ln, 0) = %T; want ln", ln)
	}
}
