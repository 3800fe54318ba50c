package projections

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/contracts"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// probe writes one row per event, and a second one for the event at
// failAt, which the table's key refuses. With reads set, each event also
// counts the rows written so far.
type probe struct {
	failAt int64
	reads  bool
	counts []int
}

func (*probe) WriteOnly()       {}
func (*probe) Name() string     { return "probe" }
func (*probe) Tables() []string { return []string{"probe"} }
func (p *probe) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	if _, err := tx.Exec(ctx, `INSERT INTO probe (position) VALUES ($1)`, e.Position); err != nil {
		return err
	}
	if e.Position == p.failAt {
		if _, err := tx.Exec(ctx, `INSERT INTO probe (position) VALUES ($1)`, e.Position); err != nil {
			return err
		}
	}
	if p.reads {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM probe`).Scan(&n); err != nil {
			return err
		}
		p.counts = append(p.counts, n)
	}
	return nil
}

// TestPipelinedBatchFailsAtItsEvent: a write-only projection's statements
// go together, yet a failure names the event whose statement failed and
// the batch leaves nothing behind; a read sees every write queued before it.
func TestPipelinedBatchFailsAtItsEvent(t *testing.T) {
	ctx := context.Background()
	store := eventstore.Open(testdb.New(t), contracts.Codec())
	t.Cleanup(store.Close)
	if _, err := demo.SeedMenu(ctx, store); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Pool().Exec(ctx, `CREATE TABLE probe (position bigint PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	events, err := store.ReadAll(ctx, eventstore.Cursor{}, 100)
	if err != nil || len(events) < 10 {
		t.Fatalf("read %d events: %v", len(events), err)
	}
	apply := func(p *probe) error {
		return pgx.BeginFunc(ctx, store.Pool(), func(tx pgx.Tx) error { return applyAll(ctx, tx, p, events) })
	}
	rows := func() int {
		var n int
		if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM probe`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	bad := events[7].Position
	err = apply(&probe{failAt: bad})
	if err == nil || !strings.Contains(err.Error(), "probe: event "+strconv.FormatInt(bad, 10)+" ") {
		t.Fatalf("the batch failed with %v, want it to name event %d", err, bad)
	}
	if n := rows(); n != 0 {
		t.Fatalf("a failed batch left %d rows", n)
	}

	p := &probe{failAt: -1, reads: true}
	if err := apply(p); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != len(events) {
		t.Fatalf("%d rows for %d events", n, len(events))
	}
	for i, n := range p.counts {
		if n != i+1 {
			t.Fatalf("event %d read %d rows, want %d: a read did not see the writes queued before it", i, n, i+1)
		}
	}
}
