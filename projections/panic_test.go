package projections_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// bomb keeps a row per event, and panics at one of them: a read model with
// a bug.
type bomb struct{ at int64 }

func (bomb) Name() string     { return "bomb" }
func (bomb) Tables() []string { return []string{"bomb"} }
func (b bomb) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	if e.Position == b.at {
		panic(fmt.Sprintf("a bug at %d", e.Position))
	}
	_, err := tx.Exec(ctx, `INSERT INTO bomb (position) VALUES ($1)`, e.Position)
	return err
}

// batchBomb applies its batches whole, as the policies do.
type batchBomb struct{ bomb }

func (b batchBomb) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	for _, e := range events {
		if err := b.Apply(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// pipelinedBomb applies its batches whole, its statements sent together.
type pipelinedBomb struct{ batchBomb }

func (pipelinedBomb) WriteOnly() {}

func TestAPanickingProjectionStopsAloneAtItsEvent(t *testing.T) {
	for _, tc := range []struct {
		name string
		bomb func(at int64) projections.Projection
	}{
		{"applied event by event", func(at int64) projections.Projection { return bomb{at} }},
		{"applied a batch at a time", func(at int64) projections.Projection { return batchBomb{bomb{at}} }},
		{"a batch at a time, pipelined", func(at int64) projections.Projection { return pipelinedBomb{batchBomb{bomb{at}}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store := newStore(t)
			if _, err := store.Pool().Exec(ctx, `CREATE TABLE bomb (position bigint PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}
			trade(t, store, 4)
			// The bomb goes off at the 20th event, inside the first batch.
			var before, at eventstore.Cursor
			var atType string
			err := store.Pool().QueryRow(ctx, `SELECT transaction_id, position, type,
				lag(transaction_id) OVER w, lag(position) OVER w FROM events
				WINDOW w AS (ORDER BY transaction_id, position) ORDER BY transaction_id, position OFFSET 19 LIMIT 1`).
				Scan(&at.TxID, &at.Position, &atType, &before.TxID, &before.Position)
			if err != nil {
				t.Fatal(err)
			}
			b := tc.bomb(at.Position)
			r := projections.NewRunner(store, quiet, append(projections.All(), b)...)
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); r.Run(runCtx) }()
			t.Cleanup(func() { cancel(); <-done })

			var lastError string
			eventually(t, 15*time.Second, "the panic recorded", func() bool {
				statuses, err := projections.Statuses(ctx, store, []projections.Projection{b})
				if err != nil {
					t.Fatal(err)
				}
				lastError = statuses[0].LastError
				return lastError != ""
			})
			want := fmt.Sprintf("bomb: event %d (%s): panic: a bug at %[1]d", at.Position, atType)
			if !strings.Contains(lastError, want) {
				t.Fatalf("the error recorded is %q, want it to say %q", lastError, want)
			}
			// The others carry on, with events after the one that panicked.
			trade(t, store, 2)
			head, err := store.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range projections.All() {
				if ok, err := r.WaitFor(ctx, p.Name(), head, 15*time.Second); !ok || err != nil {
					t.Fatalf("%s did not keep up (%v)", p.Name(), err)
				}
			}
			// The bomb applied every event before its own, and stopped there.
			if c, err := store.Checkpoint(ctx, "bomb"); err != nil || c != before {
				t.Fatalf("the bomb's checkpoint is %+v (%v), want %+v, just before the event that panics", c, err, before)
			}
			var rows int
			var last int64
			if err := store.Pool().QueryRow(ctx, `SELECT count(*), coalesce(max(position), 0) FROM bomb`).Scan(&rows, &last); err != nil {
				t.Fatal(err)
			}
			if rows != 19 || last != before.Position {
				t.Fatalf("the bomb kept %d rows up to position %d, want 19 up to %d", rows, last, before.Position)
			}
		})
	}
}
