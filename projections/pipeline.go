package projections

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/internal/eventstore"
)

// WriteOnly is a projection whose Apply only writes (Exec) and never reads
// or looks at how many rows a statement touched. Its statements for a whole
// batch of events go to PostgreSQL together, in one round trip, so its
// transaction stays short: and every subscriber's reads wait for the oldest
// open writing transaction, so a long one holds all of them back.
type WriteOnly interface {
	WriteOnly()
}

// BatchApplier is a projection that applies a whole batch at once, to fold
// or read what it can for all of the batch's events together; it is called
// instead of Apply. A failure at one event is returned as an *AtEvent.
type BatchApplier interface {
	ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error
}

// AtEvent is a batch applier's failure at the batch's event Index.
type AtEvent struct {
	Index int
	Err   error
}

func (e *AtEvent) Error() string { return e.Err.Error() }
func (e *AtEvent) Unwrap() error { return e.Err }

// pipeline queues a batch's statements and sends them together. A read
// (Query, QueryRow) sends what is queued first, so it sees every write
// before it.
type pipeline struct {
	pgx.Tx
	batch  *pgx.Batch
	owners []int // the event each queued statement belongs to
	event  int
	sends  int // how many times queued statements were sent
}

// Exec queues the statement; its outcome is known when the batch is sent.
func (p *pipeline) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.batch == nil {
		p.batch = &pgx.Batch{}
	}
	p.batch.Queue(sql, args...)
	p.owners = append(p.owners, p.event)
	return pgconn.CommandTag{}, nil
}

func (p *pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if _, err := p.send(ctx); err != nil {
		return nil, err
	}
	return p.Tx.Query(ctx, sql, args...)
}

func (p *pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if _, err := p.send(ctx); err != nil {
		return errRow{err}
	}
	return p.Tx.QueryRow(ctx, sql, args...)
}

// send runs the queued statements, and says which event's statement failed.
func (p *pipeline) send(ctx context.Context) (int, error) {
	if p.batch == nil {
		return -1, nil
	}
	batch, owners := p.batch, p.owners
	p.batch, p.owners = nil, nil
	p.sends++
	results := p.Tx.SendBatch(ctx, batch)
	for _, owner := range owners {
		if _, err := results.Exec(); err != nil {
			_ = results.Close()
			return owner, err
		}
	}
	return -1, results.Close()
}

// forEvent tells a pipelined transaction which event of the batch the
// statements queued next belong to, so that a failure names it.
func forEvent(tx pgx.Tx, i int) {
	if p, ok := tx.(*pipeline); ok {
		p.event = i
	}
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Panic is a projection's panic, turned into its failure at the event it
// was applying: the projection stops there, as at any other error, and the
// process and the other projections carry on.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// guarded runs a projection's code, turning a panic into an error.
func guarded(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Panic{Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

// applyAll applies a batch of events in the transaction; a write-only
// projection's statements are sent together at the end. A failure or a
// panic that names its event lets the subscription apply the events before
// it and stop exactly there.
func applyAll(ctx context.Context, tx pgx.Tx, p Projection, events []eventstore.RecordedEvent) error {
	err := apply(ctx, tx, p, events)
	var at *AtEvent
	if errors.As(err, &at) && at.Index >= 0 && at.Index < len(events) {
		e := events[at.Index]
		return &eventstore.EventFailed{At: e.Cursor(), Err: fmt.Errorf("%s: event %d (%s): %w", p.Name(), e.Position, e.Type, at.Err)}
	}
	if err != nil {
		return fmt.Errorf("%s: events %d to %d: %w", p.Name(), events[0].Position, events[len(events)-1].Position, err)
	}
	return nil
}

// apply applies the batch, naming the event of a failure where it can. A
// batch applier's panic does not say which event it was at: the batch is
// undone and applied again event by event to find it.
func apply(ctx context.Context, tx pgx.Tx, p Projection, events []eventstore.RecordedEvent) error {
	if f, ok := p.(Folder); ok {
		return applyFold(ctx, tx, f, events)
	}
	var q pgx.Tx = tx
	var pl *pipeline
	if _, ok := p.(WriteOnly); ok {
		pl = &pipeline{Tx: tx}
		q = pl
	}
	b, batched := p.(BatchApplier)
	if !batched {
		for i, e := range events {
			forEvent(q, i)
			if err := guarded(func() error { return p.Apply(ctx, q, e) }); err != nil {
				return &AtEvent{Index: i, Err: err}
			}
		}
	} else {
		if len(events) > 1 {
			// Queued with the batch's statements when pipelined.
			if _, err := q.Exec(ctx, `SAVEPOINT apply_batch`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
		}
		err := guarded(func() error { return b.ApplyBatch(ctx, q, events) })
		var panicked *Panic
		if errors.As(err, &panicked) && len(events) > 1 {
			// Unless nothing was sent, the savepoint with the rest.
			sent := pl == nil || pl.sends > 0
			return findPanic(ctx, tx, p, events, panicked, sent)
		}
		if err != nil {
			return err
		}
	}
	if pl != nil {
		if i, err := pl.send(ctx); err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	return nil
}

// findPanic undoes a batch that panicked and applies its events one at a
// time, to fail at the one that panics.
func findPanic(ctx context.Context, tx pgx.Tx, p Projection, events []eventstore.RecordedEvent, panicked *Panic, sent bool) error {
	// When nothing was sent, nothing reached the database to undo.
	if sent {
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT apply_batch`); err != nil {
			return fmt.Errorf("%w (and undoing the batch to find its event: %w)", panicked, err)
		}
	}
	for i := range events {
		if err := apply(ctx, tx, p, events[i:i+1]); err != nil {
			var at *AtEvent
			if errors.As(err, &at) {
				err = at.Err
			}
			return &AtEvent{Index: i, Err: err}
		}
	}
	return fmt.Errorf("%w in a batch, though none of its events panics alone", panicked)
}

// then runs a second statement if the first succeeded.
func then(ctx context.Context, tx pgx.Tx, err error, sql string, args ...any) error {
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sql, args...)
	return err
}
