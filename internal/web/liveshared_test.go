package web

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// However many screens ask for a change's region at once, it is rendered
// and framed once, and every screen gets that one frame; a later
// generation is rendered again; a screen woken for an older change takes
// the newer rendering; a failed rendering is not kept.
func TestASharedRegionIsRenderedOncePerChange(t *testing.T) {
	var s shared
	var renders atomic.Int32
	render := func() ([]byte, error) {
		renders.Add(1)
		return []byte(`<div id="kitchen-board"></div>`), nil
	}
	get := func(generation uint64) []piece {
		pieces := make([]piece, 200)
		var wg sync.WaitGroup
		for i := range pieces {
			wg.Go(func() {
				p, err := s.get(generation, render)
				if err != nil {
					t.Error(err)
				}
				pieces[i] = p
			})
		}
		wg.Wait()
		return pieces
	}
	first := get(1)
	if n := renders.Load(); n != 1 {
		t.Fatalf("200 screens at one change: %d renderings, want 1", n)
	}
	for i, p := range first {
		if p.prepared == nil || p.prepared != first[0].prepared {
			t.Fatalf("screen %d got frame %p, screen 0 %p: want the one frame", i, p.prepared, first[0].prepared)
		}
	}
	second := get(2)
	if n := renders.Load(); n != 2 || second[0].prepared == first[0].prepared {
		t.Fatalf("the next change: %d renderings in all, same frame %v; want 2, a new frame", n, second[0].prepared == first[0].prepared)
	}
	if older, _ := s.get(1, render); older.prepared != second[0].prepared || renders.Load() != 2 {
		t.Fatal("a screen woken for an older change should take the newer rendering")
	}

	boom := errors.New("database away")
	if _, err := s.get(3, func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("a failed rendering gives %v, want its error", err)
	}
	if p, err := s.get(3, render); err != nil || p.prepared == nil || renders.Load() != 3 {
		t.Fatalf("after a failed rendering the next screen gets %v %v (%d renderings), want a fresh rendering", p.prepared, err, renders.Load())
	}
}
