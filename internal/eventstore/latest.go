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
	mu      sync.Mutex
	state   S
	version int
}

// Current is the stream's state as the store has it now.
func (l *Latest[S]) Current(ctx context.Context, s *Store, stream string, evolve func(S, domain.Event) S) (S, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
