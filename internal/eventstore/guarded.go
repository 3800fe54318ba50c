package eventstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
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
	defer func() { metrics.Commands.WithLabelValues(meta.Command, outcome(res, err)).Inc() }()
	var (
		decided error // the domain's refusal, or nil
		repeat  bool
	)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, name := range sortedPair(stream, guard) {
			if _, err := tx.Exec(ctx, lockStreamSQL, name); err != nil {
				return fmt.Errorf("lock %s: %w", name, err)
			}
		}
		guardEvents, err := s.ReadStreamTx(ctx, tx, guard)
		if err != nil {
			return err
		}
		history, err := s.ReadStreamTx(ctx, tx, stream)
		if err != nil {
			return err
		}
		cmd := build(guardEvents)
		if meta.Command == "" {
			meta.Command = commandName(cmd)
		}
		agg := &aggregate[S]{commands: map[uuid.UUID]bool{}}
		agg.fold(d.Evolve, history)
		if agg.commands[meta.CommandID] {
			repeat = true
			return nil
		}
		events, err := d.Decide(agg.state, cmd)
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
		return s.remember(ctx, s.pool, stream, meta, res, decided)
	}
	s.Committed()
	return res, nil
}

func sortedPair(a, b string) []string {
	pair := []string{a, b}
	slices.Sort(pair)
	return slices.Compact(pair)
}
