package eventstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/internal/metrics"
)

// Load folds a stream into its current state and returns its version.
func Load[S, C any](ctx context.Context, s *Store, stream string, d domain.Decider[S, C]) (S, []RecordedEvent, error) {
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
func Handle[S, C any](ctx context.Context, s *Store, stream string, d domain.Decider[S, C], meta Metadata, cmd C) (res Result, err error) {
	defer func() { metrics.Commands.WithLabelValues(fmt.Sprintf("%T", cmd), outcome(res, err)).Inc() }()
	return handle(ctx, s, stream, d, meta, cmd)
}

// outcome names how a command ended, for the metrics.
func outcome(res Result, err error) string {
	var de *domain.Error
	switch {
	case err == nil && res.Duplicate:
		return "duplicate"
	case err == nil:
		return "ok"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.As(err, &de):
		return "rejected"
	}
	return "error"
}

func handle[S, C any](ctx context.Context, s *Store, stream string, d domain.Decider[S, C], meta Metadata, cmd C) (Result, error) {
	if meta.Command == "" {
		meta.Command = commandName(cmd)
	}
	// Commands on one stream in this process take turns, so they do not
	// conflict with each other; other processes are met by the retries.
	unlock, err := s.lockStream(ctx, stream)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	agg, cached := s.aggregates.get(stream).(*aggregate[S])
	if !cached {
		agg = newAggregate(s, d)
	}
	defer s.aggregates.put(stream, agg)
	// Still under the stream's lock, the state is written as a snapshot
	// when the stream has grown enough since the last.
	defer saveSnapshot(ctx, s, stream, agg)
	for attempt := 1; ; attempt++ {
		// A stream this process folded before is decided on as it knows it:
		// if another process appended since, the append conflicts, and the
		// next attempt reads what was appended since this process looked.
		// One it did not is loaded from its snapshot, if it has one.
		switch {
		case !cached && attempt == 1:
			if err := load(ctx, s, s.pool, stream, d.Evolve, agg); err != nil {
				return Result{}, err
			}
		case attempt > 1:
			tail, err := s.ReadStream(ctx, stream, agg.version)
			if err != nil {
				return Result{}, err
			}
			agg.fold(d.Evolve, tail)
		}
		if agg.commands[meta.CommandID] {
			return s.repeat(ctx, stream, meta)
		}
		events, err := d.Decide(agg.state, cmd)
		if (err != nil || len(events) == 0) && cached && attempt == 1 {
			// A refusal or a no-op must rest on the stream as it is, not as
			// this process last saw it: look again before answering.
			continue
		}
		if err != nil || len(events) == 0 {
			return s.remember(ctx, s.pool, stream, meta, agg.unchanged(), err)
		}
		res, err := s.Append(ctx, stream, Exact(agg.version), meta, events...)
		if err == nil && !res.Duplicate {
			agg.fold(d.Evolve, res.Events)
		}
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

// commandName is how a command is remembered: its package and type.
func commandName(cmd any) string { return fmt.Sprintf("%T", cmd) }

// repeat answers a command that wrote to the stream before.
func (s *Store) repeat(ctx context.Context, stream string, meta Metadata) (Result, error) {
	res, found, err := s.answerRepeat(ctx, s.pool, stream, meta)
	if err == nil && !found {
		err = fmt.Errorf("%s: command %s wrote here, but is not remembered", stream, meta.CommandID)
	}
	return res, err
}

// remember records a command that decided no change, or that the domain
// refused (decided is its refusal), and answers it. A command remembered
// already is answered as it was the first time.
func (s *Store) remember(ctx context.Context, q execQuerier, stream string, meta Metadata, unchanged Result, decided error) (Result, error) {
	var refusal *domain.Error
	if decided != nil && !errors.As(decided, &refusal) {
		return Result{}, decided // not a decision: an outage or a bug
	}
	outcome, res := OutcomeUnchanged, unchanged
	if refusal != nil {
		outcome, res = OutcomeRefused, Result{}
	}
	fresh, err := recordOutcome(ctx, q, stream, meta, outcome, refusal, unchanged)
	if err != nil {
		return Result{}, err
	}
	if !fresh {
		res, found, err := s.answerRepeat(ctx, q, stream, meta)
		if err != nil || found {
			return res, err
		}
		return Result{}, fmt.Errorf("%s: command %s is neither new nor remembered", stream, meta.CommandID)
	}
	return res, decided
}

// aggregate is a stream as this process last folded it. Handle keeps it
// between commands and reads only the events appended since, so a long
// stream costs one index probe per command, not a replay.
type aggregate[S any] struct {
	state    S
	version  int
	last     Cursor
	position int64
	// lastEvent is the id of the event at version.
	lastEvent uuid.UUID
	// commands are the commands that wrote the events folded here: all of
	// the stream's, unless it was loaded from a snapshot. One missed here
	// is still answered as a repeat, by the append.
	commands map[uuid.UUID]bool
	// shape is that of the snapshots of this state, "" when it is not
	// snapshotted; codec names the events with personal fields, and
	// personal says one was folded, so the state is never snapshotted.
	shape      string
	codec      *Codec
	personal   bool
	snapshotAt int // the version of the stream's last snapshot, as known here
}

func (a *aggregate[S]) fold(evolve func(S, domain.Event) S, events []RecordedEvent) {
	for _, e := range events {
		if e.Version != a.version+1 {
			continue // already folded (a result re-read after a conflict)
		}
		a.state = evolve(a.state, e.Event)
		a.version, a.last, a.position, a.lastEvent = e.Version, e.Cursor(), e.Position, e.EventID
		a.commands[e.CommandID] = true
		if a.codec != nil && (e.Erased || a.codec.personal(e.Type) != nil) {
			a.personal = true
		}
	}
}

// unchanged is the result of a command that needed no new event.
func (a *aggregate[S]) unchanged() Result {
	return Result{StreamVersion: a.version, Position: a.position, Cursor: a.last}
}

// aggregateCache holds folded streams, bounded: when full it starts over.
type aggregateCache struct {
	mu sync.Mutex
	m  map[string]any
}

const maxCachedAggregates = 20000

func (c *aggregateCache) get(stream string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[stream]
}

// clear drops every folded stream.
func (c *aggregateCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

func (c *aggregateCache) put(stream string, agg any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedAggregates {
		c.m = map[string]any{}
	}
	c.m[stream] = agg
}

// streamLocks serialise commands per stream within one process: a command
// that waits for the one before it costs less than a conflict and a retry.
type streamLocks struct {
	mu    sync.Mutex
	locks map[string]*streamLock
}

type streamLock struct {
	turn    chan struct{}
	waiters int
}

func (s *Store) lockStream(ctx context.Context, stream string) (func(), error) {
	l := &s.streamLocks
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*streamLock{}
	}
	sl := l.locks[stream]
	if sl == nil {
		sl = &streamLock{turn: make(chan struct{}, 1)}
		l.locks[stream] = sl
	}
	sl.waiters++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if sl.waiters--; sl.waiters == 0 {
			delete(l.locks, stream)
		}
		l.mu.Unlock()
	}
	select {
	case sl.turn <- struct{}{}:
		return func() { <-sl.turn; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// HandleTx runs a command inside the caller's transaction: a policy's
// reaction commits together with its subscriber's checkpoint, so an event
// is reacted to exactly once. It reads the stream through the transaction
// and appends at the version it decided against; a conflict fails the
// transaction, and the subscriber tries the batch again. A command id seen
// on the stream before decides nothing.
func HandleTx[S, C any](ctx context.Context, tx pgx.Tx, s *Store, stream string, d domain.Decider[S, C], meta Metadata, cmd C) (Result, error) {
	if meta.Command == "" {
		meta.Command = commandName(cmd)
	}
	agg := newAggregate(s, d)
	if err := load(ctx, s, tx, stream, d.Evolve, agg); err != nil {
		return Result{}, err
	}
	wrote := agg.commands[meta.CommandID]
	if !wrote && agg.snapshotAt > 0 {
		// Loaded from a snapshot: the commands before it are remembered
		// only in the commands table.
		rec, found, err := lookUpCommand(ctx, tx, meta.CommandID)
		if err != nil {
			return Result{}, err
		}
		wrote = found && rec.StreamID == stream && rec.Outcome == OutcomeWritten
	}
	if wrote {
		return agg.unchanged(), nil
	}
	// A policy's refusal or no-op is not remembered: the policy's
	// checkpoint already makes each reaction happen once, and a refusal is
	// the world having moved on, not anyone's intent.
	events, err := d.Decide(agg.state, cmd)
	if err != nil || len(events) == 0 {
		return agg.unchanged(), err
	}
	return s.AppendTx(ctx, tx, stream, Exact(agg.version), meta, events...)
}
