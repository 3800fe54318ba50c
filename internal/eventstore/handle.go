package eventstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"restaurant/domain"
)

// Decider is an aggregate as the domain defines it: a fold and a decision.
// Its initial state is the zero value of S.
type Decider[S, C any] struct {
	Evolve func(S, domain.Event) S
	Decide func(S, C) ([]domain.Event, error)
}

// Load folds a stream into its current state and returns its version.
func Load[S, C any](ctx context.Context, s *Store, stream string, d Decider[S, C]) (S, []RecordedEvent, error) {
	var state S
	events, err := s.ReadStream(ctx, stream, 0)
	if err != nil {
		return state, nil, err
	}
	for _, e := range events {
		state = d.Evolve(state, e.Event)
	}
	return state, events, nil
}

// MaxAttempts bounds how often Handle decides again after a conflict.
const MaxAttempts = 8

// Handle runs a command: load the stream, fold it, decide, append at the
// version it decided against. When another writer got there first it loads
// and decides again, so commands that commute both succeed and a command the
// new state forbids is rejected by the domain. A command id seen before
// answers with its first run's events.
func Handle[S, C any](ctx context.Context, s *Store, stream string, d Decider[S, C], meta Metadata, cmd C) (Result, error) {
	// Commands on one stream in this process take turns, so they do not
	// conflict with each other; other processes are met by the retries.
	unlock, err := s.lockStream(ctx, stream)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		state, history, err := Load(ctx, s, stream, d)
		if err != nil {
			return Result{}, err
		}
		if prev := commandEvents(history, meta); len(prev) > 0 {
			return resultOf(prev, true), nil
		}
		events, err := d.Decide(state, cmd)
		if err != nil {
			return Result{}, err
		}
		if len(events) == 0 {
			return unchanged(history), nil
		}
		res, err := s.Append(ctx, stream, Exact(len(history)), meta, events...)
		if !errors.Is(err, ErrConflict) {
			return res, err
		}
		if attempt == MaxAttempts {
			return Result{}, fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		// Writers that collided back off by a random, growing pause so they
		// do not collide again in lockstep.
		select {
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-time.After(time.Duration(rand.Int64N(int64(min(100*time.Millisecond, time.Millisecond<<attempt))))):
		}
	}
}

// commandEvents finds what an earlier run of the same command wrote.
func commandEvents(history []RecordedEvent, meta Metadata) []RecordedEvent {
	for i, e := range history {
		if e.CommandID == meta.CommandID {
			j := i
			for j < len(history) && history[j].CommandID == meta.CommandID {
				j++
			}
			return history[i:j]
		}
	}
	return nil
}

// unchanged is the result of a command that needed no new event.
func unchanged(history []RecordedEvent) Result {
	if len(history) == 0 {
		return Result{}
	}
	last := history[len(history)-1]
	return Result{StreamVersion: last.Version, Position: last.Position, Cursor: last.Cursor()}
}

// streamLocks are striped: streams that share a stripe wait for each other
// briefly, which costs less than a conflict and a retry.
const streamLockStripes = 256

func (s *Store) lockStream(ctx context.Context, stream string) (func(), error) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(stream))
	stripe := s.streamLocks[h.Sum32()%streamLockStripes]
	select {
	case stripe <- struct{}{}:
		return func() { <-stripe }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
