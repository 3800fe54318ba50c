package projections_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/bench"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// longLog fills the log with whole orders and their tickets, brings the
// read models up to date, and tells the policies there is nothing left to
// react to (the orders come with their tickets).
func longLog(t *testing.T, store *eventstore.Store, events int) {
	t.Helper()
	ctx := context.Background()
	if err := bench.FillOrders(ctx, store, int64(events), nil); err != nil {
		t.Fatal(err)
	}
	head, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, store.Pool(), func(tx pgx.Tx) error {
		for _, p := range projections.Policies(store) {
			if err := eventstore.LockCheckpoint(ctx, tx, p.Name()); err != nil {
				return err
			}
			if err := eventstore.SetCheckpoint(ctx, tx, p.Name(), head); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := projections.RebuildAll(ctx, store, projections.All(), nil); err != nil {
		t.Fatal(err)
	}
}

// schemaOf describes the read models' tables as the catalog has them: their
// columns, indexes, constraints, owners and grants, by name.
func schemaOf(t *testing.T, store *eventstore.Store) []string {
	t.Helper()
	var tables []string
	for _, p := range projections.All() {
		tables = append(tables, p.Tables()...)
	}
	rows, err := store.Pool().Query(context.Background(), `
		SELECT format('column %s.%s %s %s default %s identity %s', c.relname, a.attname,
		              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.oid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x) AND a.attnum > 0 AND NOT a.attisdropped
		UNION ALL
		SELECT format('index %s %s', indexname, indexdef) FROM pg_indexes WHERE tablename = ANY ($1)
		UNION ALL
		SELECT format('constraint %s on %s: %s', conname, conrelid::regclass, pg_get_constraintdef(oid))
		FROM pg_constraint WHERE conrelid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x)
		UNION ALL
		SELECT format('table %s owner %s grants %s', relname, relowner::regrole, relacl)
		FROM pg_class WHERE oid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x)
		ORDER BY 1`, tables)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestARebuildDoesNotHoldBackTheKitchen rebuilds every read model from a
// long log while the restaurant trades: an order placed meanwhile reaches
// the kitchen as quickly as ever, and the rebuilt read models, schema and
// rows, are what the live runner would have kept.
func TestARebuildDoesNotHoldBackTheKitchen(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a long log")
	}
	ctx := context.Background()
	store := newStore(t)
	longLog(t, store, 200000)
	r, _ := run(t, store)
	caughtUp(t, store, r)
	schema := schemaOf(t, store)

	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := projections.RebuildAll(ctx, store, projections.All(), func(int64, int64) { once.Do(func() { close(started) }) })
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the rebuild ended before it began: %v", err)
	}
	placed := time.Now()
	id := place(t, store)
	eventually(t, time.Second, "the new order's kitchen ticket", func() bool {
		var n int
		if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE ticket_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	select {
	case err := <-done:
		t.Fatalf("the ticket came %s after the order, once the rebuild had ended (%v): the log is too short to tell", time.Since(placed), err)
	default:
	}
	t.Logf("the ticket came %s after the order, while the rebuild ran", time.Since(placed).Round(time.Millisecond))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	caughtUp(t, store, r)
	if got := schemaOf(t, store); !reflect.DeepEqual(schema, got) {
		t.Fatalf("the rebuild changed the read models' schema:\nbefore %s\nafter  %s", strings.Join(schema, "\n       "), strings.Join(got, "\n       "))
	}
	// What the live runner added after the swap, on top of what the rebuild
	// left, is what a quiet rebuild makes of the whole log.
	live := dump(t, store)
	if _, err := projections.RebuildAll(ctx, store, projections.All(), nil); err != nil {
		t.Fatal(err)
	}
	if quiet := dump(t, store); !reflect.DeepEqual(live, quiet) {
		for table := range quiet {
			if !reflect.DeepEqual(live[table], quiet[table]) {
				t.Errorf("%s after a rebuild while trading (%d rows) differs from a quiet rebuild (%d rows)", table, len(live[table]), len(quiet[table]))
			}
		}
	}
	if n := len(dump(t, store)["tickets"]); n < 18000 { // an order and its ticket are 11 events
		t.Fatalf("%d tickets", n)
	}
}

// TestACanceledRebuildLeavesTheReadModelsAsTheyWere cancels a rebuild after
// its first batch, with the tables of one that died before it still there:
// the live read models are untouched, nothing of either rebuild stays, and
// the next rebuild goes through.
func TestACanceledRebuildLeavesTheReadModelsAsTheyWere(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	r, _ := run(t, store)
	trade(t, store, 12)
	caughtUp(t, store, r)
	live := dump(t, store)
	if _, err := store.Pool().Exec(ctx, `CREATE TABLE orders__rebuild (LIKE orders INCLUDING ALL)`); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := projections.RebuildAll(canceled, store, projections.All(), func(int64, int64) { cancel() }); !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled rebuild: %v", err)
	}
	if got := dump(t, store); !reflect.DeepEqual(live, got) {
		t.Fatalf("a canceled rebuild changed the read models:\nbefore %v\nafter  %v", live, got)
	}
	var left []string
	rows, err := store.Pool().Query(ctx, `SELECT relname FROM pg_class WHERE relname LIKE '%\_\_rebuild%'`)
	if err == nil {
		left, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || len(left) > 0 {
		t.Fatalf("left behind: %v (%v)", left, err)
	}
	if _, err := projections.RebuildAll(ctx, store, projections.All(), nil); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, store); !reflect.DeepEqual(live, got) {
		t.Fatalf("the next rebuild differs from the live read models:\nlive    %v\nrebuilt %v", live, got)
	}
}
