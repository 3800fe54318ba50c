package eventstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
)

// Handler applies a batch of events inside the transaction that also moves
// the subscriber's checkpoint past them: both commit, or neither does, so a
// crash anywhere applies nothing twice and loses nothing.
type Handler func(ctx context.Context, tx pgx.Tx, events []RecordedEvent) error

// SubscribeOptions tune a subscription; zero values take the defaults.
type SubscribeOptions struct {
	// BatchSize caps the events handled per transaction (default 500).
	BatchSize int
	// PollInterval is how long to wait for a notification before reading
	// anyway, in case one was lost (default and at most one second).
	PollInterval time.Duration
	// Committed is called after each batch commits, with the new checkpoint.
	Committed func(Cursor)
	// AsyncCommit commits each batch without waiting for its WAL to reach
	// the disk (synchronous_commit off, for the batch's transaction only),
	// and tells no other subscriber of it, since it appended nothing.
	// Only for a subscriber whose every effect is rows it keeps with its
	// checkpoint, a read model: a crash of PostgreSQL that loses a batch
	// loses its checkpoint with it, and the batch is applied again from the
	// durable events. Never for one that appends events or acts outside
	// the database, whose effects others may have seen.
	AsyncCommit bool
	// Relevant, when set, names the events the handler acts on. A batch
	// with none of them opens no transaction: the subscriber moves past it
	// in memory, and saves that checkpoint (without waiting for the disk)
	// once caught up, at most every SkippedSaveEvery. A crash before then
	// only has it read those events again, and pass them by again.
	Relevant func(RecordedEvent) bool
	// Skipped is called after the subscriber passed a batch by, with its
	// new place.
	Skipped func(Cursor)
}

// TypeNames are the stored type names of events, sorted, each once.
func TypeNames(events []domain.Event) []string {
	types := make([]string, 0, len(events))
	for _, e := range events {
		types = append(types, e.EventType())
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// OfTypes is a SubscribeOptions.Relevant for a subscriber that acts on
// events of the sorted type names only.
func OfTypes(types []string) func(RecordedEvent) bool {
	return func(e RecordedEvent) bool {
		_, found := slices.BinarySearch(types, e.Type)
		return found
	}
}

// SkippedSaveEvery is how often, at most, a subscriber saves a checkpoint
// it moved in memory past events it does not act on.
const SkippedSaveEvery = 250 * time.Millisecond

// fencedPoll is how soon to look again when events start to wait behind an
// open transaction; the wait doubles while they still do (see fence.go).
const fencedPoll = 5 * time.Millisecond

const fencedSQL = `SELECT 1 FROM events
	WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
	ORDER BY transaction_id, position LIMIT 1`

// fenced says whether events after the cursor exist that the fence still
// holds back. It asks for the first such event in the log's order, so that
// PostgreSQL walks the log's index from the cursor: an EXISTS over the row
// comparison alone is planned, once its plan is generic, as a scan of the
// whole table, which finds nothing after a caught-up cursor only at its end.
func (s *Store) fenced(ctx context.Context, after Cursor) (bool, error) {
	var one int
	err := s.pool.QueryRow(ctx, fencedSQL, after.TxID, after.Position).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// EventFailed is a handler's error that names the event it failed on. A
// subscription then commits the events of the batch before that one and
// stops with the checkpoint just before it.
type EventFailed struct {
	At  Cursor
	Err error
}

func (e *EventFailed) Error() string { return e.Err.Error() }
func (e *EventFailed) Unwrap() error { return e.Err }

// ErrCheckpointMoved means another runner moved the checkpoint: this one
// stops rather than apply a batch twice.
var ErrCheckpointMoved = errors.New("checkpoint moved by another runner")

// Checkpoint returns where a subscriber has got to (zero if it never ran).
func (s *Store) Checkpoint(ctx context.Context, name string) (Cursor, error) {
	var c Cursor
	err := s.pool.QueryRow(ctx, `SELECT transaction_id, position FROM checkpoints WHERE name = $1`, name).Scan(&c.TxID, &c.Position)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Cursor{}, fmt.Errorf("read checkpoint %s: %w", name, err)
	}
	return c, nil
}

// Checkpoints reads several subscribers' positions in one query; one with
// no checkpoint yet is at the start.
func (s *Store) Checkpoints(ctx context.Context, names []string) (map[string]Cursor, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, transaction_id, position FROM checkpoints WHERE name = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	at := make(map[string]Cursor, len(names))
	for rows.Next() {
		var name string
		var c Cursor
		if err := rows.Scan(&name, &c.TxID, &c.Position); err != nil {
			return nil, fmt.Errorf("read checkpoints: %w", err)
		}
		at[name] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return at, nil
}

// LockCheckpoint takes a subscriber's checkpoint row for the caller's
// transaction, creating it if needed, so that no batch of that subscriber
// commits until the transaction ends. A rebuild holds it while it swaps its
// new tables in.
func LockCheckpoint(ctx context.Context, tx pgx.Tx, name string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING`, name); err != nil {
		return fmt.Errorf("lock checkpoint %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM checkpoints WHERE name = $1 FOR UPDATE`, name); err != nil {
		return fmt.Errorf("lock checkpoint %s: %w", name, err)
	}
	return nil
}

// SetCheckpoint moves a subscriber's checkpoint inside the caller's
// transaction, which holds it with LockCheckpoint.
func SetCheckpoint(ctx context.Context, tx pgx.Tx, name string, c Cursor) error {
	_, err := tx.Exec(ctx, `UPDATE checkpoints SET transaction_id = $2, position = $3, updated_at = now(),
		last_error = NULL, last_error_at = NULL WHERE name = $1`, name, c.TxID, c.Position)
	if err != nil {
		return fmt.Errorf("set checkpoint %s: %w", name, err)
	}
	return nil
}

// RecordError notes why a subscriber stopped, for the operators' pages; the
// next committed batch clears it.
func (s *Store) RecordError(ctx context.Context, name string, cause error) error {
	_, err := s.pool.Exec(ctx, `UPDATE checkpoints SET last_error = $2, last_error_at = now() WHERE name = $1`, name, cause.Error())
	if err != nil {
		return fmt.Errorf("record error of %s: %w", name, err)
	}
	return nil
}

// Subscribe catches up from the subscriber's checkpoint, then follows new
// events as they commit, until ctx ends or the handler fails. It returns the
// handler's error with the batch not applied; calling Subscribe again retries
// from the same checkpoint.
func (s *Store) Subscribe(ctx context.Context, name string, h Handler, opts SubscribeOptions) error {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.PollInterval <= 0 || opts.PollInterval > time.Second {
		opts.PollInterval = time.Second
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING`, name); err != nil {
		return fmt.Errorf("subscribe %s: %w", name, err)
	}
	cur, err := s.Checkpoint(ctx, name)
	if err != nil {
		return err
	}
	poll := time.NewTimer(opts.PollInterval)
	defer poll.Stop()
	caughtUp := false
	var fencedWait time.Duration
	// saved is the checkpoint as the database has it; cur runs ahead of it
	// past batches of events the handler does not act on.
	saved, savedAt := cur, time.Now()
	// byPoll: the last wait ended on the timer, not on a wake-up; what the
	// subscribers woken before found may be stale (a fence lifted since
	// wakes no one), so this one reads for itself.
	byPoll := false
	for {
		wake := s.wake.wait()
		gen := wake // the wake-up whose reads this one may share
		if byPoll {
			gen = nil
		}
		events, err := s.readFor(ctx, gen, cur, opts.BatchSize)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", name, err)
		}
		if len(events) > 0 && opts.Relevant != nil && !slices.ContainsFunc(events, opts.Relevant) {
			cur, fencedWait = events[len(events)-1].Cursor(), 0
			if opts.Skipped != nil {
				opts.Skipped(cur)
			}
			if len(events) == opts.BatchSize {
				continue // more may be there already
			}
		} else if len(events) > 0 {
			next, err := s.commitBatch(ctx, name, saved, events, h, opts.AsyncCommit)
			if err != nil {
				// Apply the events before the one that failed, so the
				// subscriber stops exactly at it rather than at its batch.
				var failed *EventFailed
				if !errors.As(err, &failed) {
					return err
				}
				i := slices.IndexFunc(events, func(e RecordedEvent) bool { return e.Cursor() == failed.At })
				if i <= 0 {
					return err
				}
				if before, perr := s.commitBatch(ctx, name, saved, events[:i], h, opts.AsyncCommit); perr == nil {
					s.Committed()
					if opts.Committed != nil {
						opts.Committed(before)
					}
				}
				return err
			}
			cur, saved, savedAt, fencedWait = next, next, time.Now(), 0
			if opts.AsyncCommit {
				// A read model's batch appended nothing; its transaction
				// may only have held back the reads of subscribers here
				// waiting behind the fence (those of other processes have
				// their own watcher of it).
				if s.fence.wanted() {
					s.wake.fire()
				}
			} else {
				// A policy's batch appends events: let every subscriber,
				// here and in other processes, look again.
				s.Committed()
			}
			if opts.Committed != nil {
				opts.Committed(cur)
			}
			if len(events) == opts.BatchSize {
				continue // more may be there already
			}
		}
		// A batch short of the limit was all there was when it was read:
		// any event committed since has fired the wake taken before it.
		if !caughtUp {
			// Caught up without a failure: any error recorded before is
			// over (a successful batch clears it too).
			if _, err := s.pool.Exec(ctx, `UPDATE checkpoints SET last_error = NULL, last_error_at = NULL
				WHERE name = $1 AND last_error IS NOT NULL`, name); err != nil {
				return fmt.Errorf("subscribe %s: %w", name, err)
			}
			caughtUp = true
		}
		wait := opts.PollInterval
		if saved != cur {
			if due := time.Until(savedAt.Add(SkippedSaveEvery)); due > 0 {
				wait = min(wait, due)
			} else {
				if err := s.saveSkipped(ctx, name, saved, cur); err != nil {
					return fmt.Errorf("subscribe %s: %w", name, err)
				}
				saved, savedAt = cur, time.Now()
			}
		}
		if behind, err := s.fencedFor(ctx, gen, cur); err != nil {
			return fmt.Errorf("subscribe %s: %w", name, err)
		} else if behind {
			// Events are committed but wait behind an older transaction
			// that is still open; it may end without notifying anyone, so
			// the fence watcher wakes us when it does. Look again anyway,
			// less often the longer it lasts.
			fencedWait = s.fence.waiting(fencedWait, opts.PollInterval)
			wait = min(wait, fencedWait)
		} else {
			fencedWait = 0
		}
		poll.Reset(wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
			byPoll = false
		case <-poll.C:
			byPoll = true
		}
	}
}

// saveSkipped saves a checkpoint moved past events the subscriber does not
// act on, from where the database has it: one statement, committed without
// waiting for the disk, since losing it loses nothing but a second look.
func (s *Store) saveSkipped(ctx context.Context, name string, from, to Cursor) error {
	tag, err := s.pool.Exec(ctx, `UPDATE checkpoints
		SET transaction_id = $2, position = $3, updated_at = now(), last_error = NULL, last_error_at = NULL
		FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_mode
		WHERE name = $1 AND transaction_id = $4 AND position = $5`, name, to.TxID, to.Position, from.TxID, from.Position)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return ErrCheckpointMoved
	}
	return nil
}

func (s *Store) commitBatch(ctx context.Context, name string, from Cursor, events []RecordedEvent, h Handler, async bool) (Cursor, error) {
	to := events[len(events)-1].Cursor()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Move the checkpoint first: the row lock it takes makes a rebuild,
		// or a second runner, wait for this batch or make it give up before
		// it has changed anything. The same statement says how the batch
		// commits (set_config's third argument: this transaction only).
		tag, err := tx.Exec(ctx, `UPDATE checkpoints
			SET transaction_id = $2, position = $3, updated_at = now(), last_error = NULL, last_error_at = NULL
			FROM (SELECT CASE WHEN $6::boolean THEN set_config('synchronous_commit', 'off', true) END) AS commit_mode
			WHERE name = $1 AND transaction_id = $4 AND position = $5`, name, to.TxID, to.Position, from.TxID, from.Position, async)
		if err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrCheckpointMoved
		}
		return h(ctx, tx, events)
	})
	if err != nil {
		return from, fmt.Errorf("subscriber %s at position %d: %w", name, events[0].Position, err)
	}
	return to, nil
}
