package projections

import (
	"context"
	"errors"
	"fmt"

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

// applyAll applies a batch of events in the transaction; a write-only
// projection's statements are sent together at the end.
func applyAll(ctx context.Context, tx pgx.Tx, p Projection, events []eventstore.RecordedEvent) error {
	// An error that names its event lets the subscription apply the events
	// before it and stop exactly there.
	failed := func(e eventstore.RecordedEvent, err error) error {
		return &eventstore.EventFailed{At: e.Cursor(), Err: fmt.Errorf("%s: event %d (%s): %w", p.Name(), e.Position, e.Type, err)}
	}
	batchFailed := func(err error) error {
		var at *AtEvent
		if errors.As(err, &at) && at.Index >= 0 && at.Index < len(events) {
			return failed(events[at.Index], at.Err)
		}
		return fmt.Errorf("%s: events %d to %d: %w", p.Name(), events[0].Position, events[len(events)-1].Position, err)
	}
	if _, ok := p.(WriteOnly); !ok {
		if b, ok := p.(BatchApplier); ok {
			if err := b.ApplyBatch(ctx, tx, events); err != nil {
				return batchFailed(err)
			}
			return nil
		}
		for _, e := range events {
			if err := p.Apply(ctx, tx, e); err != nil {
				return failed(e, err)
			}
		}
		return nil
	}
	pl := &pipeline{Tx: tx}
	if b, ok := p.(BatchApplier); ok {
		if err := b.ApplyBatch(ctx, pl, events); err != nil {
			return batchFailed(err)
		}
		if i, err := pl.send(ctx); err != nil {
			return batchFailed(&AtEvent{Index: i, Err: err})
		}
		return nil
	}
	for i, e := range events {
		pl.event = i
		if err := p.Apply(ctx, pl, e); err != nil {
			return failed(e, err)
		}
	}
	if i, err := pl.send(ctx); err != nil {
		return batchFailed(&AtEvent{Index: i, Err: err})
	}
	return nil
}
