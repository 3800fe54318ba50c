// Package app opens what every subcommand needs: the database (an external
// one, or the embedded default), its schema, and the event store.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
	"restaurant/migrations"
)

// Config is what the operator sets, through flags or the environment.
type Config struct {
	Addr string
	// DatabaseURL is the server's own connection: a role that may only
	// insert into and read the history tables.
	DatabaseURL string
	// MigrateDatabaseURL is the owner's, for migrations and grants; empty
	// migrates with DatabaseURL, and history is then guarded by triggers only.
	MigrateDatabaseURL string
	DataDir            string
	LogLevel           string
	// SnapshotEvery is how many events a stream grows by between two of
	// its snapshots; 0 turns snapshots off.
	SnapshotEvery int
}

// App holds the open resources.
type App struct {
	Pool  *pgxpool.Pool
	Store *eventstore.Store
	// Embedded is the private PostgreSQL, when DatabaseURL was empty.
	Embedded *pgembed.Server
	// ConnString is where the database is, as the server's role, for tools
	// such as pgbench.
	ConnString string
}

// databaseName is the embedded server's database.
const databaseName = "restaurant"

// EmbeddedRole is the role the server runs as on the embedded PostgreSQL,
// which the superuser postgres owns and migrates.
const EmbeddedRole = "restaurant_app"

// Open connects to the database, starting the embedded server when no
// DATABASE_URL is configured, and brings the schema up to date as its owner.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.DatabaseURL == "" && cfg.MigrateDatabaseURL != "" {
		return nil, errors.New("MIGRATE_DATABASE_URL needs DATABASE_URL, the server's own role, to grant to")
	}
	if cfg.SnapshotEvery < 0 {
		return nil, errors.New("SNAPSHOT_EVERY (-snapshot-every) must be a count of events, 0 for no snapshots")
	}
	a := &App{ConnString: cfg.DatabaseURL}
	ownerURL := cfg.MigrateDatabaseURL
	if a.ConnString == "" {
		var err error
		if ownerURL, err = a.startEmbedded(ctx, cfg, log); err != nil {
			a.Close()
			return nil, err
		}
	}
	began := time.Now()
	pool, err := postgres.Open(ctx, a.ConnString, 50)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Pool = pool
	if ownerURL == "" {
		err = migrateAsServer(ctx, pool, log)
	} else {
		err = migrateAsOwner(ctx, ownerURL, pool, log)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Store = eventstore.Open(pool, contracts.Codec(), eventstore.SnapshotEvery(cfg.SnapshotEvery))
	if err := a.Store.CheckTransactionIDs(ctx); err != nil {
		a.Close()
		return nil, err
	}
	log.Debug("start-up step done", "step", "schema", "took", time.Since(began))
	return a, nil
}

// startEmbedded starts the private PostgreSQL with the server's database
// and role, and returns the owner's address; the server's is a.ConnString.
func (a *App) startEmbedded(ctx context.Context, cfg Config, log *slog.Logger) (string, error) {
	log.Info("starting the embedded PostgreSQL", "data_dir", cfg.DataDir)
	began := time.Now()
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: cfg.DataDir})
	if err != nil {
		return "", fmt.Errorf("embedded database: %w", err)
	}
	a.Embedded = srv
	log.Debug("start-up step done", "step", "embedded PostgreSQL accepting connections", "took", time.Since(began))
	began = time.Now()
	defer func() { log.Debug("start-up step done", "step", "database and role", "took", time.Since(began)) }()
	admin, err := postgres.Open(ctx, srv.ConnString("postgres"), 1)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if err := postgres.CreateDatabase(ctx, admin, databaseName, ""); err != nil {
		return "", err
	}
	// The socket trusts whoever reaches it, so the role needs no password.
	if err := migrations.CreateRole(ctx, admin, EmbeddedRole, ""); err != nil {
		return "", err
	}
	owner := srv.ConnString(databaseName)
	if a.ConnString, err = postgres.WithUser(owner, EmbeddedRole, ""); err != nil {
		return "", err
	}
	return owner, nil
}

// migrateAsOwner applies the migrations as the owner, then grants the
// server's role what it may do.
func migrateAsOwner(ctx context.Context, ownerURL string, server *pgxpool.Pool, log *slog.Logger) error {
	owner, err := postgres.Open(ctx, ownerURL, 2)
	if err != nil {
		return fmt.Errorf("owner's connection (MIGRATE_DATABASE_URL): %w", err)
	}
	defer owner.Close()
	var role, serverDB, ownerDB string
	if err := server.QueryRow(ctx, `SELECT current_user, current_database()`).Scan(&role, &serverDB); err != nil {
		return fmt.Errorf("read the server's role: %w", err)
	}
	if err := owner.QueryRow(ctx, `SELECT current_database()`).Scan(&ownerDB); err != nil {
		return fmt.Errorf("read the owner's database: %w", err)
	}
	if ownerDB != serverDB {
		return fmt.Errorf("MIGRATE_DATABASE_URL names database %s and DATABASE_URL %s: they must name the same one", ownerDB, serverDB)
	}
	applied, err := migrations.Up(ctx, owner)
	if err != nil {
		return err
	}
	logApplied(log, applied)
	return migrations.Grant(ctx, owner, role)
}

// migrateAsServer applies the migrations on the server's own connection,
// as before there were two roles, and warns if that role could rewrite
// history.
func migrateAsServer(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	applied, err := migrations.Up(ctx, pool)
	if err != nil {
		return err
	}
	logApplied(log, applied)
	exposed, err := migrations.Exposures(ctx, pool)
	if err != nil {
		return err
	}
	if len(exposed) > 0 {
		log.Warn("history is protected only by triggers: " + strings.Join(exposed, "; ") +
			"; set MIGRATE_DATABASE_URL to the owner and DATABASE_URL to a role of the server's own (see README, Two roles)")
	}
	return nil
}

func logApplied(log *slog.Logger, applied int) {
	if applied > 0 {
		log.Info("database schema updated", "migrations_applied", applied)
	}
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
