// Package migrations holds the database schema as numbered SQL files,
// embedded in the binary and applied at start.
package migrations

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every migration not yet recorded. A session-level advisory lock
// makes it safe for several processes to start at the same moment: one
// migrates, the others wait and then find nothing to do.
func Up(ctx context.Context, pool *pgxpool.Pool) (applied int, err error) {
	p, db, err := provider(pool)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}

// Pending reports how many migrations are not applied yet; readiness needs zero.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	p, db, err := provider(pool)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read migration versions: %w", err)
	}
	if current >= target {
		return 0, nil
	}
	n := 0
	for _, s := range p.ListSources() {
		if s.Version > current {
			n++
		}
	}
	return n, nil
}

func provider(pool *pgxpool.Pool) (*goose.Provider, interface{ Close() error }, error) {
	// Processes that start together wait for the one migrating, looking
	// again every second (goose's default is every five), for five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, nil, fmt.Errorf("migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return p, db, nil
}
