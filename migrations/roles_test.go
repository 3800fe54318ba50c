package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
	"restaurant/migrations"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestGrantCoversTablesAddedLater runs the grant again after a later
// migration adds a read model: the server owns it, and may still only
// insert into and read the history tables.
func TestGrantCoversTablesAddedLater(t *testing.T) {
	ctx := context.Background()
	ownerURL := testdb.OwnerURL(t)
	owner, err := postgres.Open(ctx, ownerURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.Exec(ctx, `CREATE TABLE later_read_model (n integer)`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := migrations.Grant(ctx, owner, testdb.AppRole); err != nil {
			t.Fatal(err)
		}
	}
	server, err := postgres.Open(ctx, testdb.AppURL(t, ownerURL), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	for _, sql := range []string{
		`INSERT INTO commands (command_id, stream_id, outcome, actor) VALUES (gen_random_uuid(), 's-1', 'unchanged', 'test')`,
		`SELECT count(*) FROM commands`,
		`ALTER TABLE later_read_model RENAME TO later_read_model_old`,
	} {
		if _, err := server.Exec(ctx, sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	for _, sql := range []string{`UPDATE commands SET outcome = 'refused'`, `TRUNCATE commands`, `DROP TABLE commands`, `ALTER TABLE commands DISABLE TRIGGER USER`} {
		_, err := server.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: %v, want a permission error", sql, err)
		}
	}
	if exposed, err := migrations.Exposures(ctx, server); err != nil || len(exposed) > 0 {
		t.Errorf("the server's role could rewrite history: %q (%v)", exposed, err)
	}
}
