// Package app opens what every subcommand needs: the database (an external
// one, or the embedded default), its schema, and the event store.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
	"restaurant/migrations"
)

// Config is what the operator sets, through flags or the environment.
type Config struct {
	Addr        string
	DatabaseURL string
	DataDir     string
	LogLevel    string
}

// App holds the open resources.
type App struct {
	Pool  *pgxpool.Pool
	Store *eventstore.Store
	// Embedded is the private PostgreSQL, when DatabaseURL was empty.
	Embedded *pgembed.Server
	// ConnString is where the database is, for tools such as pgbench.
	ConnString string
}

// databaseName is the embedded server's database.
const databaseName = "restaurant"

// Open connects to the database, starting the embedded server when no
// DATABASE_URL is configured, and brings the schema up to date.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	a := &App{ConnString: cfg.DatabaseURL}
	if a.ConnString == "" {
		log.Info("starting the embedded PostgreSQL", "data_dir", cfg.DataDir)
		srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: cfg.DataDir})
		if err != nil {
			return nil, fmt.Errorf("embedded database: %w", err)
		}
		a.Embedded = srv
		if err := createDatabase(ctx, srv); err != nil {
			a.Close()
			return nil, err
		}
		a.ConnString = srv.ConnString(databaseName)
	}
	pool, err := postgres.Open(ctx, a.ConnString, 50)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Pool = pool
	applied, err := migrations.Up(ctx, pool)
	if err != nil {
		a.Close()
		return nil, err
	}
	if applied > 0 {
		log.Info("database schema updated", "migrations_applied", applied)
	}
	a.Store = eventstore.Open(pool, contracts.Codec())
	if err := a.Store.CheckTransactionIDs(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func createDatabase(ctx context.Context, srv *pgembed.Server) error {
	admin, err := postgres.Open(ctx, srv.ConnString("postgres"), 1)
	if err != nil {
		return err
	}
	defer admin.Close()
	return postgres.CreateDatabase(ctx, admin, databaseName, "")
}

// Close releases everything, stopping the embedded server last.
func (a *App) Close() error {
	if a.Store != nil {
		a.Store.Close()
	}
	if a.Pool != nil {
		a.Pool.Close()
	}
	if a.Embedded != nil {
		if err := a.Embedded.Stop(); err != nil {
			return fmt.Errorf("stop embedded database: %w", err)
		}
	}
	return nil
}
