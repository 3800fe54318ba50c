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

// Take is what a command takes from another stream as it is decided (an
// order's placement takes portions of its dishes): Events appended to
// Stream, at the version the command read, remembered as the command
// Command with an id of its own derived from the command's (TakeID).
type Take struct {
	Stream  string
	Command string
	Events  []domain.Event
}

// TakeID is the command id a take is remembered by on its stream: one id
// cannot be written to two streams.
func TakeID(command uuid.UUID, stream string) uuid.UUID {
	return uuid.NewSHA1(command, []byte("take\x00"+stream))
}

// HandleTaking runs a command whose decision takes from other streams, all
// or nothing. In one short transaction the stream is locked and read; then
// the streams from(state) names are locked, in name order, and read; build
// makes the command from them, with what it takes, or refuses it; the
// command is decided, and when it writes, its events and its takes are
// appended at the versions read and commit together. Two commands taking
// from one stream take turns: the second decides knowing what the first
// took, so nothing is taken twice, however many commands arrive at once.
//
// Locks are taken the stream first, then the others in name order. That
// cannot deadlock as long as no transaction that holds one of the others
// waits for a stream of the first kind (policies giving back what was
// taken lock only the streams taken from, in name order). Like Handle, a
// command id seen before answers as its first run did, and a refusal, the
// domain's or build's, is remembered.
func HandleTaking[S, C any](ctx context.Context, s *Store, stream string, d domain.Decider[S, C], meta Metadata,
	from func(S) []string, build func(S, map[string][]RecordedEvent) (C, []Take, error)) (res Result, err error) {
	defer func() { metrics.Commands.WithLabelValues(meta.Command, outcome(res, err)).Inc() }()
	var (
		decided error // the refusal, or nil
		repeat  bool
		agg     *aggregate[S]
	)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockStreamSQL, stream); err != nil {
			return fmt.Errorf("lock %s: %w", stream, err)
		}
		agg = newAggregate(s, d)
		if err := load(ctx, s, tx, stream, d.Evolve, agg); err != nil {
			return err
		}
		if agg.commands[meta.CommandID] {
			repeat = true
			return nil
		}
		others := slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(from(agg.state)))),
			func(name string) bool { return name == stream })
		for _, name := range others {
			if _, err := tx.Exec(ctx, lockStreamSQL, name); err != nil {
				return fmt.Errorf("lock %s: %w", name, err)
			}
		}
		read, err := s.ReadStreamsTx(ctx, tx, others)
		if err != nil {
			return err
		}
		cmd, takes, err := build(agg.state, read)
		if meta.Command == "" {
			meta.Command = commandName(cmd)
		}
		var events []domain.Event
		if err == nil {
			events, err = d.Decide(agg.state, cmd)
		}
		if err != nil || len(events) == 0 {
			res, decided = agg.unchanged(), err
			return nil
		}
		if res, err = s.AppendTx(ctx, tx, stream, Exact(agg.version), meta, events...); err != nil {
			return err
		}
		return s.appendTakes(ctx, tx, others, read, meta, takes)
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

// appendTakes appends a command's takes, each on a stream it locked, at the
// version it read.
func (s *Store) appendTakes(ctx context.Context, tx pgx.Tx, locked []string, read map[string][]RecordedEvent, meta Metadata, takes []Take) error {
	for _, t := range takes {
		if len(t.Events) == 0 {
			continue
		}
		if !slices.Contains(locked, t.Stream) {
			return fmt.Errorf("take from %s: the command did not lock it", t.Stream)
		}
		version := 0
		if events := read[t.Stream]; len(events) > 0 {
			version = events[len(events)-1].Version
		}
		m := meta
		m.CommandID, m.Command = TakeID(meta.CommandID, t.Stream), t.Command
		if m.CorrelationID == uuid.Nil {
			m.CorrelationID = meta.CommandID
		}
		if _, err := s.AppendTx(ctx, tx, t.Stream, Exact(version), m, t.Events...); err != nil {
			return err
		}
	}
	return nil
}

// LockTx takes the streams' locks for the rest of the caller's transaction,
// in name order, as HandleTaking takes those it takes from: a policy that
// gives back what was taken decides under the same locks.
func (s *Store) LockTx(ctx context.Context, tx pgx.Tx, streams ...string) error {
	for _, name := range slices.Compact(slices.Sorted(slices.Values(streams))) {
		if _, err := tx.Exec(ctx, lockStreamSQL, name); err != nil {
			return fmt.Errorf("lock %s: %w", name, err)
		}
	}
	return nil
}
