package eventstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/internal/metrics"
)

// HandleGuarded runs a command whose decision rests on another stream too:
// a cook's start on the order not being canceled, a guest's cancel on the
// kitchen not having started. Both streams are locked (in name order, so
// two such commands cannot deadlock) for one short transaction, the other
// stream is read under the lock and handed to build, which makes the
// command; the command is decided and appended before the locks go. Two
// commands guarded by each other's streams therefore take turns: one of
// them decides knowing what the other did. Like Handle, a command id seen
// before answers as its first run did, and a refusal is remembered.
func HandleGuarded[S, C any](ctx context.Context, s *Store, stream, guard string, d domain.Decider[S, C], meta Metadata,
	build func(guard []RecordedEvent) C) (res Result, err error) {
	read := func(tx pgx.Tx) ([]RecordedEvent, error) { return s.ReadStreamTx(ctx, tx, guard) }
	return guarded(ctx, s, stream, guard, d, meta, read, func(state S, guard []RecordedEvent) (S, C) { return state, build(guard) })
}

// HandleGuardedBy is HandleGuarded with a scope for its guard: the scope's
// lock is held, and its facts are read under it and handed to build. A dish
// is filed under a category so: under the lock every change to the list of
// categories takes, knowing the list as it is.
func HandleGuardedBy[S, C any](ctx context.Context, s *Store, stream string, scope domain.Scope, d domain.Decider[S, C], meta Metadata,
	build func(scope []RecordedEvent) C) (res Result, err error) {
	read := func(tx pgx.Tx) ([]RecordedEvent, error) { return s.readScope(ctx, tx, scope) }
	return guarded(ctx, s, stream, scope.Lock, d, meta, read, func(state S, facts []RecordedEvent) (S, C) { return state, build(facts) })
}

// HandleScoped runs a command on a stream whose state is folded from a
// whole scope, not from the stream alone: the list of categories, which
// may lose a category only when no dish is filed under it. The stream's
// lock and the scope's are held while the scope is read, the command
// decided on it, and its events appended to the stream at the version
// read; a command id seen on the stream before answers as its first run.
func HandleScoped[S, C any](ctx context.Context, s *Store, stream string, scope domain.Scope, d domain.Decider[S, C], meta Metadata, cmd C) (res Result, err error) {
	read := func(tx pgx.Tx) ([]RecordedEvent, error) { return s.readScope(ctx, tx, scope) }
	return guarded(ctx, s, stream, scope.Lock, d, meta, read, func(_ S, facts []RecordedEvent) (S, C) { return Fold(d.Evolve, facts), cmd })
}

// Fold is the state a fold makes of events, in their order.
func Fold[S any](evolve func(S, domain.Event) S, events []RecordedEvent) S {
	var state S
	for _, e := range events {
		state = evolve(state, e.Event)
	}
	return state
}

// guarded is how every guarded command runs: stream and guard locked, the
// guard read, the stream folded, then prepare makes the state to decide on
// and the command from the stream's state and the guard's events.
func guarded[S, C any](ctx context.Context, s *Store, stream, guard string, d domain.Decider[S, C], meta Metadata,
	read func(tx pgx.Tx) ([]RecordedEvent, error), prepare func(state S, guard []RecordedEvent) (S, C)) (res Result, err error) {
	defer func() { metrics.Commands.WithLabelValues(meta.Command, outcome(res, err)).Inc() }()
	var (
		decided error // the domain's refusal, or nil
		repeat  bool
		agg     *aggregate[S]
	)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, name := range sortedPair(stream, guard) {
			if _, err := tx.Exec(ctx, lockStreamSQL, name); err != nil {
				return fmt.Errorf("lock %s: %w", name, err)
			}
		}
		guardEvents, err := read(tx)
		if err != nil {
			return err
		}
		agg = newAggregate(s, d)
		if err := load(ctx, s, tx, stream, d.Evolve, agg); err != nil {
			return err
		}
		state, cmd := prepare(agg.state, guardEvents)
		if meta.Command == "" {
			meta.Command = commandName(cmd)
		}
		if agg.commands[meta.CommandID] {
			repeat = true
			return nil
		}
		events, err := d.Decide(state, cmd)
		if err != nil || len(events) == 0 {
			res, decided = agg.unchanged(), err
			return nil
		}
		res, err = s.AppendTx(ctx, tx, stream, Exact(agg.version), meta, events...)
		return err
	})
	switch {
	case err != nil && isCommandRemembered(err):
		return s.repeat(ctx, stream, meta)
	case err != nil:
		return Result{}, err
	case repeat:
		return s.repeat(ctx, stream, meta)
	case len(res.Events) == 0:
		saveSnapshot(ctx, s, stream, agg)
		return s.remember(ctx, s.pool, stream, meta, res, decided)
	}
	s.Committed()
	agg.fold(d.Evolve, res.Events)
	saveSnapshot(ctx, s, stream, agg)
	return res, nil
}

func sortedPair(a, b string) []string {
	pair := []string{a, b}
	slices.Sort(pair)
	return slices.Compact(pair)
}

// readScope reads a scope's facts through the caller's transaction, in the
// log's order. The prefix is written into the statement, not passed as a
// parameter, so that PostgreSQL may use an index whose predicate is that
// prefix (the menu's: migrations/00016).
func (s *Store) readScope(ctx context.Context, tx pgx.Tx, scope domain.Scope) ([]RecordedEvent, error) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(scope.Prefix) + "%"
	events, err := s.query(ctx, tx, `SELECT `+eventColumns+` FROM events WHERE stream_id LIKE '`+strings.ReplaceAll(like, "'", "''")+
		`' AND type = ANY($1) ORDER BY transaction_id, position`, scope.Types)
	if err != nil {
		return nil, fmt.Errorf("read the scope %s*: %w", scope.Prefix, err)
	}
	return events, nil
}
