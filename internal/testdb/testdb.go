// Package testdb gives each test a fresh, migrated PostgreSQL database: on
// the server named by DATABASE_URL when it is set, otherwise on one throwaway
// embedded server per test binary (fsync off). Every database is cloned from
// a template migrated once per binary as its owner and granted to AppRole,
// as the server's own is; tests connect as AppRole unless they ask for the
// owner.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
	"restaurant/migrations"
)

// AppRole is the role tests connect as, the server's kind: it owns the read
// models and may only insert into and read the history tables. Roles are
// shared by a cluster, so it is named apart from the server's own.
const AppRole = "restaurant_test_app"

// appPassword lets AppRole sign in to a DATABASE_URL server that asks for
// one; the embedded server trusts its socket.
const appPassword = "restaurant test app"

var (
	once     sync.Once
	setupErr error
	server   *pgembed.Server
	baseDir  string
	admin    *pgxpool.Pool
	adminURL string
	template string
)

// Main runs a package's tests, then stops the throwaway server and removes
// what it made. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shutdown()
	os.Exit(code)
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL = os.Getenv("DATABASE_URL")
	if adminURL == "" {
		var err error
		baseDir, err = os.MkdirTemp("", "restaurant-test-")
		if err != nil {
			return err
		}
		// The postgres user must be able to reach the cluster inside.
		if err := os.Chmod(baseDir, 0o755); err != nil {
			return err
		}
		server, err = pgembed.Start(ctx, pgembed.Options{DataDir: baseDir, Throwaway: true})
		if err != nil {
			return err
		}
		adminURL = server.ConnString("postgres")
	}
	var err error
	if admin, err = postgres.Open(ctx, adminURL, 4); err != nil {
		return err
	}
	if err := migrations.CreateRole(ctx, admin, AppRole, appPassword); err != nil {
		return err
	}
	template = "restaurant_template_" + randomSuffix()
	if err := postgres.CreateDatabase(ctx, admin, template, ""); err != nil {
		return err
	}
	url, err := postgres.WithDatabase(adminURL, template)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, url, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := migrations.Up(ctx, pool); err != nil {
		return err
	}
	return migrations.Grant(ctx, pool, AppRole)
}

func shutdown() {
	if admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_ = postgres.DropDatabase(ctx, admin, template)
		cancel()
		admin.Close()
	}
	if server != nil {
		_ = server.Stop()
	}
	if baseDir != "" {
		_ = os.RemoveAll(baseDir)
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// EmptyURL creates a fresh database with no schema at all, for tests of
// migrating, and returns the owner's connection string; it is dropped when
// the test ends.
func EmptyURL(tb testing.TB) string {
	tb.Helper()
	return create(tb, false)
}

// URL creates a fresh migrated database for the test and returns its
// connection string as AppRole, the server's kind of role; the database is
// dropped when the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	return AppURL(tb, create(tb, true))
}

// OwnerURL creates a fresh migrated database for the test and returns the
// owner's connection string, for the few tests that need the owner's
// powers; the database is dropped when the test ends.
func OwnerURL(tb testing.TB) string {
	tb.Helper()
	return create(tb, true)
}

// AppURL turns an owner's connection string from this package into
// AppRole's, to the same database.
func AppURL(tb testing.TB, ownerURL string) string {
	tb.Helper()
	url, err := postgres.WithUser(ownerURL, AppRole, appPassword)
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

func create(tb testing.TB, migrated bool) string {
	tb.Helper()
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		tb.Fatalf("test database server: %v", setupErr)
	}
	ctx := context.Background()
	name := "restaurant_test_" + randomSuffix()
	from := ""
	if migrated {
		from = template
	}
	if err := postgres.CreateDatabase(ctx, admin, name, from); err != nil {
		tb.Fatalf("test database: %v", err)
	}
	tb.Cleanup(func() {
		if err := postgres.DropDatabase(context.Background(), admin, name); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	url, err := postgres.WithDatabase(adminURL, name)
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

// OwnerURLOf is the owner's connection string to the database of a pool
// from this package, for tools that read everything, as pg_dump does.
func OwnerURLOf(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	url, err := postgres.WithDatabase(adminURL, pool.Config().ConnConfig.Database)
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

// New returns a pool on a fresh migrated database, as AppRole, closed and
// dropped when the test ends.
func New(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	url := URL(tb)
	pool, err := postgres.Open(context.Background(), url, 40)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
