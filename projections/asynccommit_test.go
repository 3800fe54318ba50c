package projections_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
	"restaurant/migrations"
	"restaurant/projections"
)

// TestABatchCommitsWithoutWaitingForTheDiskOnlyWhenAsked: a subscriber
// that asks (a read model, as the runner asks for each) commits its batches
// with synchronous_commit off; one that does not (a policy) commits as the
// server is set.
func TestABatchCommitsWithoutWaitingForTheDiskOnlyWhenAsked(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	if _, err := store.Append(ctx, ordering.Stream("o1"), eventstore.Exact(0), eventstore.Metadata{CommandID: uuid.New(), Actor: "test"},
		ordering.OrderOpened{OrderID: "o1", CustomerID: "guest-1", OpenedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, async := range []bool{true, false} {
		var setting string
		sctx, cancel := context.WithCancel(ctx)
		err := store.Subscribe(sctx, fmt.Sprintf("probe-%v", async), func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
			err := tx.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&setting)
			cancel()
			return err
		}, eventstore.SubscribeOptions{AsyncCommit: async})
		if err != nil && sctx.Err() == nil {
			t.Fatal(err)
		}
		if async && setting != "off" {
			t.Errorf("a read model's batch commits with synchronous_commit %q", setting)
		}
		var server string
		if err := store.Pool().QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&server); err != nil {
			t.Fatal(err)
		}
		if !async && setting != server {
			t.Errorf("a durable batch commits with synchronous_commit %q, the server's is %q", setting, server)
		}
	}
}

// TestAReadModelRecoversFromACrashOfPostgreSQL runs the orders read model
// (which commits without waiting for the disk) on a durable PostgreSQL of
// its own, crashes the server (an immediate shutdown: no checkpoint, WAL
// not yet written is lost) just after the read model caught up, starts it
// again, and checks what the promise says: the read model's rows and its
// checkpoint agree (a batch lost is lost whole, with its checkpoint), and
// once caught up again every order is there once, with its own number.
func TestAReadModelRecoversFromACrashOfPostgreSQL(t *testing.T) {
	dir, err := os.MkdirTemp("", "pgcrash-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	admin, err := postgres.Open(ctx, srv.ConnString("postgres"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.CreateDatabase(ctx, admin, "restaurant", ""); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	open := func() *eventstore.Store {
		pool, err := postgres.Open(ctx, srv.ConnString("restaurant"), 10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := migrations.Up(ctx, pool); err != nil {
			t.Fatal(err)
		}
		return eventstore.Open(pool, contracts.Codec())
	}
	store := open()
	const orders = 300
	for i := range orders {
		id := fmt.Sprintf("crash-%03d", i)
		if _, err := store.Append(ctx, ordering.Stream(id), eventstore.Exact(0), eventstore.Metadata{CommandID: uuid.New(), Actor: "test"},
			ordering.OrderOpened{OrderID: id, CustomerID: "guest-" + id, OpenedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	catchUp := func(store *eventstore.Store) {
		t.Helper()
		runner := projections.NewRunner(store, quiet, projections.OrdersProjection{})
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); runner.Run(rctx) }()
		defer func() { stop(); <-done }()
		head, err := store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := runner.WaitFor(ctx, "orders", head, time.Minute); !ok || err != nil {
			t.Fatalf("the orders read model did not catch up: %v", err)
		}
	}
	catchUp(store)

	// Crash: SIGQUIT is PostgreSQL's immediate shutdown.
	if err := syscall.Kill(srv.PID(), syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Exited():
	case <-time.After(time.Minute):
		t.Fatal("PostgreSQL did not stop")
	}
	store.Close()
	store.Pool().Close()
	if srv, err = pgembed.Start(ctx, pgembed.Options{DataDir: dir}); err != nil {
		t.Fatalf("start PostgreSQL again: %v", err)
	}
	store = open()
	defer func() { store.Close(); store.Pool().Close() }()

	agree := func(when string) int {
		t.Helper()
		var rows, upTo int
		if err := store.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM orders),
			(SELECT count(*) FROM events e, checkpoints c WHERE c.name = 'orders' AND e.type = 'ordering.OrderOpened'
				AND (e.transaction_id, e.position) <= (c.transaction_id, c.position))`).Scan(&rows, &upTo); err != nil {
			t.Fatal(err)
		}
		if rows != upTo {
			t.Fatalf("%s: %d orders in the read model, %d opened up to its checkpoint", when, rows, upTo)
		}
		return rows
	}
	kept := agree("after the crash")
	t.Logf("the read model kept %d of %d orders through the crash", kept, orders)
	catchUp(store)
	if n := agree("caught up again"); n != orders {
		t.Fatalf("%d orders after catching up, want %d", n, orders)
	}
	var numbers, distinct int
	if err := store.Pool().QueryRow(ctx, `SELECT count(number), count(DISTINCT number) FROM orders`).Scan(&numbers, &distinct); err != nil {
		t.Fatal(err)
	}
	if numbers != orders || distinct != orders {
		t.Fatalf("%d numbers, %d distinct, for %d orders", numbers, distinct, orders)
	}
}
