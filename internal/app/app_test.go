package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/internal/app"
	"restaurant/internal/demo"
	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
	"restaurant/migrations"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// rewrites are the ways to change recorded history, each refused for want
// of privilege, not by a trigger that its owner could switch off.
var rewrites = []string{
	`UPDATE events SET actor = 'someone else'`,
	`DELETE FROM events`,
	`TRUNCATE events`,
	`ALTER TABLE events ADD COLUMN forged text`,
	`ALTER TABLE events DISABLE TRIGGER events_no_update`,
	`DROP TRIGGER events_no_update ON events`,
	`DROP TABLE events`,
	`CREATE OR REPLACE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$`,
	`SET session_replication_role = replica`,
	`DELETE FROM goose_db_version`,
}

// rebuilding is what a rebuild into shadow tables does to a read model,
// which the server's role owns.
const rebuilding = `
CREATE TABLE orders_shadow (LIKE orders INCLUDING ALL);
ALTER TABLE orders RENAME TO orders_old;
ALTER TABLE orders_shadow RENAME TO orders;
DROP TABLE orders_old CASCADE;
TRUNCATE menu_items, checkpoints CASCADE;
SELECT count(*) FROM goose_db_version`

// nonSuperuserOwner sets up an external database as the README tells an
// operator to: an owner that is no superuser, a member of the server's role,
// owning the database.
func nonSuperuserOwner(t *testing.T) app.Config {
	ctx := context.Background()
	empty := testdb.EmptyURL(t)
	super, err := postgres.Open(ctx, empty, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	const owner, password = "restaurant_test_owner", "restaurant test owner"
	if err := migrations.CreateRole(ctx, super, owner, password); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`GRANT ` + testdb.AppRole + ` TO ` + owner,
		`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO ` + owner + `', current_database()); END $$`,
	} {
		if _, err := super.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	ownerURL, err := postgres.WithUser(empty, owner, password)
	if err != nil {
		t.Fatal(err)
	}
	return app.Config{DatabaseURL: testdb.AppURL(t, empty), MigrateDatabaseURL: ownerURL}
}

// TestTheServerCannotRewriteHistory opens the application the way serve does
// and tries, on the server's own connection, every way to change the events
// it recorded.
func TestTheServerCannotRewriteHistory(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  func(t *testing.T) app.Config
	}{
		{"embedded", func(t *testing.T) app.Config { return app.Config{DataDir: testdb.ReachableDir(t, "restaurant-app-")} }},
		{"external, migrated by a superuser", func(t *testing.T) app.Config {
			owner := testdb.EmptyURL(t)
			return app.Config{DatabaseURL: testdb.AppURL(t, owner), MigrateDatabaseURL: owner}
		}},
		{"external, migrated by an owner that is no superuser", nonSuperuserOwner},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			a, err := app.Open(ctx, c.cfg(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			cannotRewrite(t, a)
		})
	}
}

func cannotRewrite(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	if added, err := demo.SeedMenu(ctx, a.Store); err != nil || added == 0 {
		t.Fatalf("the event store cannot append: %d added (%v)", added, err)
	}
	var n int
	if err := a.Pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("reading events: %d (%v)", n, err)
	}
	for _, sql := range rewrites {
		tx, err := a.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, sql)
		_ = tx.Rollback(ctx)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" { // insufficient_privilege
			t.Errorf("%s: %v, want a permission error", sql, err)
		}
	}
	tx, err := a.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, rebuilding); err != nil {
		t.Errorf("the server cannot rebuild a read model into a new table: %v", err)
	}
}

// TestMigratingAsTheServerWarnsOnce keeps a single role working as before,
// with a warning at start that says what the role could do to history.
func TestMigratingAsTheServerWarnsOnce(t *testing.T) {
	var logged bytes.Buffer
	a, err := app.Open(context.Background(), app.Config{DatabaseURL: testdb.EmptyURL(t)}, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := strings.Count(logged.String(), "history is protected only by triggers"); n != 1 || !strings.Contains(logged.String(), "superuser") {
		t.Fatalf("warned %d times: %s", n, logged.String())
	}
}
