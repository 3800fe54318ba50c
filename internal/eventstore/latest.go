package eventstore

import (
	"context"
	"fmt"
	"sync"

	"restaurant/domain"
)

// Latest keeps one stream folded in memory for a process that decides on
// it often and writes it seldom (the restaurant's opening hours, read by
// every order opened and placed): each read asks only for the events
// appended since the last, one index probe, so it is as exact as a full
// read without its cost. The zero value is ready; share it by pointer.
type Latest[S any] struct {
	// Snapshot is the stream's decider's (domain.Decider.Snapshot): above
	// zero, the first read starts from the stream's snapshot, if the store
	// keeps snapshots and has a usable one.
	Snapshot int
	mu       sync.Mutex
	state    S
	version  int
	started  bool
}

// Current is the stream's state as the store has it now.
func (l *Latest[S]) Current(ctx context.Context, s *Store, stream string, evolve func(S, domain.Event) S) (S, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started && l.Snapshot > 0 && s.snapshots.every > 0 {
		agg := newAggregate(s, domain.Decider[S, struct{}]{Evolve: evolve, Snapshot: l.Snapshot})
		used, err := fromSnapshot(ctx, s, s.pool, stream, evolve, agg)
		if err != nil {
			var zero S
			return zero, fmt.Errorf("bring %s up to date: %w", stream, err)
		}
		if used {
			l.state, l.version = agg.state, agg.version
		}
	}
	l.started = true
	tail, err := s.ReadStream(ctx, stream, l.version)
	if err != nil {
		var zero S
		return zero, fmt.Errorf("bring %s up to date: %w", stream, err)
	}
	for _, e := range tail {
		if e.Version == l.version+1 {
			l.state, l.version = evolve(l.state, e.Event), e.Version
		}
	}
	return l.state, nil
}
