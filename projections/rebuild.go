package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
)

// Rebuild replays a projection from the first event, in one transaction:
// readers see the old read model until the new one is complete. The
// transaction holds the projection's checkpoint row, so the live runner (in
// any process) waits, then carries on from where the rebuild ended. While it
// runs, subscribers of newer events wait too: the rebuild is the oldest open
// transaction, and readers never pass one.
func Rebuild(ctx context.Context, store *eventstore.Store, p Projection, progress func(done, total int64)) (int64, error) {
	return RebuildAll(ctx, store, []Projection{p}, progress)
}

// RebuildAll rebuilds several projections as Rebuild does one, reading and
// decoding the log once for all of them.
func RebuildAll(ctx context.Context, store *eventstore.Store, ps []Projection, progress func(done, total int64)) (int64, error) {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	what := strings.Join(names, ", ")
	var total int64
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&total); err != nil {
		return 0, fmt.Errorf("rebuild %s: count events: %w", what, err)
	}
	// Checkpoints are locked in name order, so two rebuilds cannot deadlock.
	ordered := slices.Clone(ps)
	slices.SortFunc(ordered, func(a, b Projection) int { return strings.Compare(a.Name(), b.Name()) })
	var done int64
	err := pgx.BeginFunc(ctx, store.Pool(), func(tx pgx.Tx) error {
		for _, p := range ordered {
			if err := eventstore.LockCheckpoint(ctx, tx, p.Name()); err != nil {
				return err
			}
			for _, table := range p.Tables() {
				if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{table}.Sanitize()); err != nil {
					return fmt.Errorf("empty %s: %w", table, err)
				}
			}
		}
		// A read model that can be folded in memory is written once, at the
		// end, with COPY; the others apply each batch as it comes.
		folds := map[string]Fold{}
		for _, p := range ordered {
			if f, ok := p.(Folder); ok {
				folds[p.Name()] = f.NewFold()
			}
		}
		var last eventstore.Cursor
		err := store.Replay(ctx, eventstore.Cursor{}, 2000, func(batch []eventstore.RecordedEvent) error {
			for _, p := range ordered {
				fold, ok := folds[p.Name()]
				if !ok {
					if err := applyAll(ctx, tx, p, batch); err != nil {
						return err
					}
					continue
				}
				for _, e := range batch {
					if err := fold.Add(e); err != nil {
						return fmt.Errorf("%s: event %d (%s): %w", p.Name(), e.Position, e.Type, err)
					}
				}
			}
			last = batch[len(batch)-1].Cursor()
			done += int64(len(batch))
			if progress != nil {
				progress(done, total)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, p := range ordered {
			if fold, ok := folds[p.Name()]; ok {
				if err := fold.Write(ctx, tx); err != nil {
					return fmt.Errorf("%s: %w", p.Name(), err)
				}
			}
		}
		for _, p := range ordered {
			if err := eventstore.SetCheckpoint(ctx, tx, p.Name(), last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return done, fmt.Errorf("rebuild %s: %w", what, err)
	}
	return done, nil
}

// Status is how far a projection has got.
type Status struct {
	Name       string
	Position   int64
	LagEvents  int64
	LagSeconds float64
	LastError  string
	ErrorAt    time.Time
	UpdatedAt  time.Time
}

// Statuses reports every projection's position and lag: the events it has
// not applied yet, and how long the oldest of them has waited.
func Statuses(ctx context.Context, store *eventstore.Store, ps []Projection) ([]Status, error) {
	out := make([]Status, 0, len(ps))
	for _, p := range ps {
		s := Status{Name: p.Name()}
		var lastError *string
		var errorAt, updatedAt *time.Time
		var oldest *time.Time
		err := store.Pool().QueryRow(ctx, `
			WITH cp AS (
				SELECT coalesce(max(transaction_id), '0') AS tx, coalesce(max(position), 0) AS pos,
				       max(last_error) AS last_error, max(last_error_at) AS error_at, max(updated_at) AS updated_at
				FROM checkpoints WHERE name = $1)
			SELECT cp.pos, cp.last_error, cp.error_at, cp.updated_at,
			       (SELECT count(*) FROM events e WHERE (e.transaction_id, e.position) > (cp.tx, cp.pos)),
			       (SELECT min(recorded_at) FROM events e WHERE (e.transaction_id, e.position) > (cp.tx, cp.pos))
			FROM cp`, p.Name()).Scan(&s.Position, &lastError, &errorAt, &updatedAt, &s.LagEvents, &oldest)
		if err != nil {
			return nil, fmt.Errorf("status of %s: %w", p.Name(), err)
		}
		if lastError != nil {
			s.LastError = *lastError
		}
		if errorAt != nil {
			s.ErrorAt = *errorAt
		}
		if updatedAt != nil {
			s.UpdatedAt = *updatedAt
		}
		if oldest != nil {
			s.LagSeconds = time.Since(*oldest).Seconds()
		}
		out = append(out, s)
	}
	return out, nil
}
