package web

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Screens of one client that follow the same thing share their ping's
// access check: one check answers all of them while it is fresh; a check
// that is stale, or forgotten at an access notice, runs again; and other
// clients' screens are checked for themselves.
func TestScreensOfOneClientShareTheirAccessChecks(t *testing.T) {
	c := newAccessChecks()
	var runs atomic.Int32
	denied := errors.New("no longer allowed")
	run := func() error { runs.Add(1); return denied }
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if err := c.check("kai's session\x00topic=kitchen", time.Hour, run); !errors.Is(err, denied) {
				t.Errorf("a shared check answers %v, want its answer", err)
			}
		})
	}
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("100 screens of one session: %d checks, want 1", n)
	}
	_ = c.check("another session\x00topic=kitchen", time.Hour, run)
	if n := runs.Load(); n != 2 {
		t.Fatalf("another session's screen: %d checks in all, want 2", n)
	}
	c.forget("kai's session\x00topic=kitchen")
	_ = c.check("kai's session\x00topic=kitchen", time.Hour, run)
	if n := runs.Load(); n != 3 {
		t.Fatalf("after an access notice: %d checks in all, want 3 (a fresh one)", n)
	}
	_ = c.check("kai's session\x00topic=kitchen", 0, run)
	if n := runs.Load(); n != 4 {
		t.Fatalf("a stale answer: %d checks in all, want 4", n)
	}
}
