package eventstore

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// After a commit every subscriber of the process wakes at once, most of
// them caught up at the same place: one query answers them all, where each
// would otherwise read the log, find the same few events (or none) and ask
// the same question of the fence. A read is shared only among subscribers
// woken by the same wake-up (the signal's channel each took before it
// read): every commit that woke them was visible to it.

// sharedReadLimit is how many events a shared read asks for.
const sharedReadLimit = 500

// readShare holds the last shared read and the last fence check.
type readShare struct {
	mu    sync.Mutex
	read  *sharedRead
	fence *sharedFence
	// shared counts the reads answered from another subscriber's.
	shared atomic.Int64
}

// sharedRead is one read of the log after from, for the wake-up gen.
type sharedRead struct {
	gen    <-chan struct{}
	from   Cursor
	done   chan struct{} // closed once events and err are set
	events []RecordedEvent
	err    error
}

// sharedFence is one look behind the fence from at, for the wake-up gen.
type sharedFence struct {
	gen    <-chan struct{}
	at     Cursor
	done   chan struct{}
	behind bool
	err    error
}

// readFor gives a subscriber at cur, woken by the wake-up gen, up to limit
// events after cur, as ReadAll would: from the read of another subscriber
// woken by the same wake-up when that read covers it, else from its own
// (which those after it may share). The events are shared: read only. A
// nil gen shares nothing.
func (s *Store) readFor(ctx context.Context, gen <-chan struct{}, cur Cursor, limit int) ([]RecordedEvent, error) {
	if gen == nil {
		return s.ReadAll(ctx, cur, limit)
	}
	s.share.mu.Lock()
	r := s.share.read
	leads := r == nil || r.gen != gen || cur.Less(r.from)
	if leads {
		r = &sharedRead{gen: gen, from: cur, done: make(chan struct{})}
		s.share.read = r
	}
	s.share.mu.Unlock()
	if leads {
		r.events, r.err = s.ReadAll(ctx, cur, sharedReadLimit)
		close(r.done)
	} else {
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	events, ok := r.answer(cur, limit)
	if !ok {
		return s.ReadAll(ctx, cur, limit)
	}
	if !leads {
		s.share.shared.Add(1)
	}
	return events, nil
}

// answer is what the read says of the events after cur (at or after its
// own start), if it says enough: limit of them, or all there were.
func (r *sharedRead) answer(cur Cursor, limit int) ([]RecordedEvent, bool) {
	if r.err != nil {
		return nil, false
	}
	i, _ := slices.BinarySearchFunc(r.events, cur, func(e RecordedEvent, c Cursor) int {
		switch at := e.Cursor(); {
		case at.Less(c):
			return -1
		case at == c:
			return 0
		}
		return 1
	})
	if i < len(r.events) && r.events[i].Cursor() == cur {
		i++
	}
	after := r.events[i:]
	switch {
	case len(after) >= limit:
		return slices.Clip(after[:limit]), true
	case len(r.events) < sharedReadLimit: // all there was
		return slices.Clip(after), true
	}
	return nil, false
}

// fencedFor says, as fenced does, whether events after cur wait behind the
// fence, sharing the answer among subscribers at cur woken by the same
// wake-up; a nil gen shares nothing.
func (s *Store) fencedFor(ctx context.Context, gen <-chan struct{}, cur Cursor) (bool, error) {
	if gen == nil {
		return s.fenced(ctx, cur)
	}
	s.share.mu.Lock()
	f := s.share.fence
	if f == nil || f.gen != gen || f.at != cur {
		f = &sharedFence{gen: gen, at: cur, done: make(chan struct{})}
		s.share.fence = f
		s.share.mu.Unlock()
		f.behind, f.err = s.fenced(ctx, cur)
		close(f.done)
	} else {
		s.share.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	if f.err != nil {
		return s.fenced(ctx, cur)
	}
	return f.behind, nil
}
