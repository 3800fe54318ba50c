package projections

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
)

// Rebuild replays a projection from the first event into new tables, then
// puts them in place of the live ones: readers see the old read model until
// the new one is complete. It holds back no one meanwhile: it reads the log
// with plain reads, which hold no transaction id, and writes in short
// transactions, so every subscriber's fence passes it. Only its last, short
// transaction holds the projection's checkpoint row, while it applies the
// events the live runner kept meanwhile and swaps the tables in; the live
// runner (in any process) waits for that moment only, then carries on from
// where the rebuild ended.
func Rebuild(ctx context.Context, store *eventstore.Store, p Projection, progress func(done, total int64)) (int64, error) {
	return RebuildAll(ctx, store, []Projection{p}, progress)
}

// RebuildAll rebuilds several projections as Rebuild does one, reading and
// decoding the log once for all of them. A failed or canceled rebuild leaves
// the live read models as they were, and removes what it made.
func RebuildAll(ctx context.Context, store *eventstore.Store, ps []Projection, progress func(done, total int64)) (int64, error) {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	what := strings.Join(names, ", ")
	r := &rebuild{store: store, progress: progress, ps: slices.Clone(ps)}
	// Checkpoints are locked in name order, so two rebuilds cannot deadlock.
	slices.SortFunc(r.ps, func(a, b Projection) int { return strings.Compare(a.Name(), b.Name()) })
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&r.total); err != nil {
		return 0, fmt.Errorf("rebuild %s: count events: %w", what, err)
	}
	// A session of its own: the views that show it the new tables under
	// the live names are for it alone.
	conn, err := pgx.ConnectConfig(ctx, store.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return 0, fmt.Errorf("rebuild %s: connect: %w", what, err)
	}
	r.conn = conn
	err = r.run(ctx)
	if err != nil && r.shadows != nil {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		// In the rebuild's session, unless ending ctx has closed it.
		var db executor = conn
		if conn.IsClosed() {
			db = store.Pool()
		}
		err = errors.Join(err, r.shadows.drop(cleanup, db))
	}
	// Closing the session drops its views and releases its locks, but the
	// server notices a closed session only a moment later: the rebuild's
	// locks are given back first, so the next rebuild finds them free.
	if !conn.IsClosed() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock_all()`)
	}
	_ = conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return r.done, fmt.Errorf("rebuild %s: %w", what, err)
	}
	store.Committed()
	return r.done, nil
}

// replayBatch is how many events a rebuild reads, and applies in one short
// transaction; copyChunk how many rows of a fold one COPY writes.
const (
	replayBatch = 2000
	copyChunk   = 10000
)

type rebuild struct {
	store    *eventstore.Store
	conn     *pgx.Conn
	ps       []Projection
	progress func(done, total int64)
	total    int64
	done     int64
	last     eventstore.Cursor // the last event the new tables have
	shadows  *shadows          // set once they exist: until the swap, removed on failure
}

func (r *rebuild) run(ctx context.Context) error {
	var tables []string
	for _, p := range r.ps {
		var running bool
		if err := r.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, "rebuild:"+p.Name()).Scan(&running); err != nil {
			return fmt.Errorf("take the rebuild's lock: %w", err)
		}
		if !running {
			return fmt.Errorf("%s is being rebuilt already", p.Name())
		}
		tables = append(tables, p.Tables()...)
	}
	// The new tables are worth nothing until the swap, whose commit waits
	// for everything written before it: the short transactions before it
	// need not wait for their own commits to be flushed.
	if _, err := r.conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
		return fmt.Errorf("set synchronous commit: %w", err)
	}
	// A read model that is a fold is folded in memory and written once the
	// log is read, with COPY, into tables that get their indexes after; the
	// others apply each batch as it comes.
	folds := map[string]Fold{}
	later := map[string]bool{}
	for _, p := range r.ps {
		if f, ok := p.(Folder); ok {
			folds[p.Name()] = f.NewFold()
			for _, t := range p.Tables() {
				later[t] = true
			}
		}
	}
	sh, err := createShadows(ctx, r.conn, tables, later)
	if err != nil {
		return err
	}
	r.shadows = sh
	if err := r.store.Replay(ctx, eventstore.Cursor{}, replayBatch, func(batch []eventstore.RecordedEvent) error {
		return r.apply(ctx, batch, folds)
	}); err != nil {
		return err
	}
	for _, p := range r.ps {
		if fold, ok := folds[p.Name()]; ok {
			if err := r.write(ctx, p, fold); err != nil {
				return err
			}
		}
	}
	if err := r.shadows.complete(ctx); err != nil {
		return err
	}
	if err := r.shadows.analyze(ctx); err != nil {
		return err
	}
	// Catch up with what was appended meanwhile, event by event now, until
	// little is left for the last transaction.
	for range 3 {
		before := r.done
		if err := r.store.Replay(ctx, r.last, replayBatch, func(batch []eventstore.RecordedEvent) error {
			return r.apply(ctx, batch, nil)
		}); err != nil {
			return err
		}
		if r.done-before < replayBatch/4 {
			break
		}
	}
	return pgx.BeginFunc(ctx, r.conn, func(tx pgx.Tx) error { return r.finish(ctx, tx) })
}

// apply applies a batch to the new tables in a transaction of its own, and
// adds it to the folds.
func (r *rebuild) apply(ctx context.Context, batch []eventstore.RecordedEvent, folds map[string]Fold) error {
	if len(folds) == len(r.ps) {
		return r.fold(batch, folds) // nothing to write yet
	}
	err := pgx.BeginFunc(ctx, r.conn, func(tx pgx.Tx) error {
		for _, p := range r.ps {
			if _, ok := folds[p.Name()]; !ok {
				if err := applyAll(ctx, tx, p, batch); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.fold(batch, folds)
}

// fold adds a batch to the folds, and counts it done.
func (r *rebuild) fold(batch []eventstore.RecordedEvent, folds map[string]Fold) error {
	for _, p := range r.ps {
		if fold, ok := folds[p.Name()]; ok {
			if err := addAll(p, fold, batch); err != nil {
				return err
			}
		}
	}
	r.advance(batch)
	return nil
}

// addAll adds a batch to a fold; a panic in it is the fold's failure at
// that event, not the process's end.
func addAll(p Projection, fold Fold, batch []eventstore.RecordedEvent) (err error) {
	var at eventstore.RecordedEvent
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: event %d (%s): %w", p.Name(), at.Position, at.Type, &Panic{Value: v, Stack: debug.Stack()})
		}
	}()
	for _, at = range batch {
		if err := fold.Add(at); err != nil {
			return fmt.Errorf("%s: event %d (%s): %w", p.Name(), at.Position, at.Type, err)
		}
	}
	return nil
}

func (r *rebuild) advance(batch []eventstore.RecordedEvent) {
	r.last = batch[len(batch)-1].Cursor()
	r.done += int64(len(batch))
	if r.progress != nil {
		r.progress(r.done, r.total)
	}
}

// write copies a fold's rows into the new tables, a chunk per transaction.
func (r *rebuild) write(ctx context.Context, p Projection, fold Fold) error {
	for _, rows := range fold.Rows() {
		t := r.shadows.table(rows.Table)
		if t == nil {
			return fmt.Errorf("%s: its fold writes %s, which is not one of its tables", p.Name(), rows.Table)
		}
		for from := 0; from < len(rows.Rows); from += copyChunk {
			chunk := rows.Rows[from:min(from+copyChunk, len(rows.Rows))]
			if _, err := r.conn.CopyFrom(ctx, pgx.Identifier{t.schema, t.live + shadowSuffix}, rows.Columns, pgx.CopyFromRows(chunk)); err != nil {
				return fmt.Errorf("%s: copy %s: %w", p.Name(), rows.Table, err)
			}
		}
	}
	return nil
}

// finish is the rebuild's last transaction: it holds the checkpoints, so no
// live batch of these projections commits meanwhile, applies the last
// events, puts the new tables in place and moves the checkpoints to them.
// The live runners' next batches find their checkpoints moved, and start
// again from there.
func (r *rebuild) finish(ctx context.Context, tx pgx.Tx) error {
	// Rather give up than keep the read models' readers waiting long behind
	// the swap's locks.
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'; SET LOCAL synchronous_commit = on`); err != nil {
		return fmt.Errorf("set lock timeout: %w", err)
	}
	for _, p := range r.ps {
		if err := eventstore.LockCheckpoint(ctx, tx, p.Name()); err != nil {
			return err
		}
	}
	for {
		// Readable now are the events of the transactions older than this
		// one; the live runner takes the rest from the new checkpoint.
		batch, err := r.store.ReadAll(ctx, r.last, replayBatch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, p := range r.ps {
			if err := applyAll(ctx, tx, p, batch); err != nil {
				return err
			}
		}
		r.advance(batch)
	}
	if err := r.shadows.swap(ctx, tx); err != nil {
		return err
	}
	for _, p := range r.ps {
		if err := eventstore.SetCheckpoint(ctx, tx, p.Name(), r.last); err != nil {
			return err
		}
	}
	return nil
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
		s, err := StatusOf(ctx, store, p.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StatusOf reports the position and lag of any subscriber's checkpoint by
// its name: a projection's, or another follower's of the log (the
// notifications kept in process).
func StatusOf(ctx context.Context, store *eventstore.Store, name string) (Status, error) {
	s := Status{Name: name}
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
		FROM cp`, name).Scan(&s.Position, &lastError, &errorAt, &updatedAt, &s.LagEvents, &oldest)
	if err != nil {
		return Status{}, fmt.Errorf("status of %s: %w", name, err)
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
	return s, nil
}
