package testdb

import (
	"context"
	"os"
	"sync"
	"testing"

	"restaurant/internal/postgres"
)

// ReachableDir makes a directory the postgres user can reach, removed when
// the test ends (t.TempDir's parent is private to the test's user, and an
// embedded server runs as postgres when the tests run as root).
func ReachableDir(tb testing.TB, prefix string) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Holder is a transaction that holds every subscriber's fence.
type Holder struct {
	PID      int32
	Database string
	User     string
	// Release commits the transaction; it is also called when the test ends.
	Release func()
}

// HoldFence opens a transaction on another database of the same server,
// runs statement in it (which must write, so that the transaction takes an
// id) and leaves it idle: events committed meanwhile wait behind it.
func HoldFence(tb testing.TB, statement string) Holder {
	tb.Helper()
	ctx := context.Background()
	other, err := postgres.Open(ctx, URL(tb), 2)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(other.Close)
	tx, err := other.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var h Holder
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid(), current_database(), current_user`).Scan(&h.PID, &h.Database, &h.User); err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(ctx, statement); err != nil {
		tb.Fatal(err)
	}
	var once sync.Once
	h.Release = func() {
		once.Do(func() {
			if err := tx.Commit(ctx); err != nil {
				tb.Error(err)
			}
		})
	}
	tb.Cleanup(h.Release)
	return h
}
