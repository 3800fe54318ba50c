package migrations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// HistoryTables record what happened: the server may add rows and read them,
// never change or remove them, and nothing it runs can switch their triggers
// off. This is the one list; a name whose table does not exist yet (a later
// migration adds it) is skipped.
var HistoryTables = []string{"events", "commands"}

// versionTable is goose's record of applied migrations: the owner's, which
// the server only reads to report readiness.
const versionTable = "goose_db_version"

// grantLock keeps two processes that start at once from granting at once:
// concurrent GRANTs on one object fail with "tuple concurrently updated".
const grantLock = 7_319_024_611

const createRole = `CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`

// CreateRole creates the login role the server runs as, unless it exists,
// and lets it read every session's activity. It needs a superuser (or a
// role with CREATEROLE); the embedded server and the tests call it, an
// operator of an external database runs the README's SQL instead. An empty
// password suits the embedded server, which trusts its private socket.
func CreateRole(ctx context.Context, admin *pgxpool.Pool, role, password string) error {
	sql := fmt.Sprintf(createRole, pgx.Identifier{role}.Sanitize())
	if password != "" {
		sql += " PASSWORD " + literal(password)
	}
	if _, err := admin.Exec(ctx, sql); !madeElsewhere(err) {
		return fmt.Errorf("create role %s: %w", role, err)
	}
	if _, err := admin.Exec(ctx, "GRANT pg_read_all_stats TO "+pgx.Identifier{role}.Sanitize()); !madeElsewhere(err) {
		return fmt.Errorf("let role %s read activity: %w", role, err)
	}
	return nil
}

// madeElsewhere says err is nil or says another process made the same
// thing: roles are shared by the cluster, and another test binary may have
// made one first (duplicate_object) or at the same moment (unique_violation).
func madeElsewhere(err error) bool {
	var pgErr *pgconn.PgError
	return err == nil || errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505")
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

const relations = `
SELECT c.relname, c.relkind::text, pg_get_userbyid(c.relowner) = current_user
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  -- a sequence behind a column goes with its table
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
ORDER BY c.relname`

// Grant gives the schema to the server's role app, run as the owner after
// every migration so that tables added later get the same: app owns every
// table but the history tables, so it can build read models in new tables
// and swap them in, and may only insert into and read the history tables,
// which the owner keeps. A non-superuser owner must be a member of app to
// hand it tables. Grant fails if app could still rewrite history.
func Grant(ctx context.Context, owner *pgxpool.Pool, app string) error {
	tx, err := owner.Begin(ctx)
	if err != nil {
		return fmt.Errorf("grant to %s: %w", app, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, grantLock); err != nil {
		return fmt.Errorf("grant to %s: %w", app, err)
	}
	var self bool
	if err := tx.QueryRow(ctx, `SELECT $1 = current_user`, app).Scan(&self); err != nil {
		return fmt.Errorf("grant to %s: %w", app, err)
	}
	if self {
		return fmt.Errorf("the server's role %s is the owner's: give the server a role of its own (see README, Two roles)", app)
	}
	to := pgx.Identifier{app}.Sanitize()
	if _, err := tx.Exec(ctx, `GRANT USAGE, CREATE ON SCHEMA public TO `+to); err != nil {
		return fmt.Errorf("grant schema public to %s: %w", app, err)
	}
	rows, err := tx.Query(ctx, relations)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	type relation struct {
		Name, Kind string
		Ours       bool
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[relation])
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, r := range all {
		sqls := grants(r.Name, r.Kind, r.Ours, to)
		if slices.Contains(HistoryTables, r.Name) {
			seqs, err := serials(ctx, tx, r.Name)
			if err != nil {
				return err
			}
			for _, seq := range seqs {
				sqls = append(sqls, "GRANT USAGE ON SEQUENCE "+pgx.Identifier{seq}.Sanitize()+" TO "+to)
			}
		}
		for _, sql := range sqls {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("grant %s to %s: %w (a non-superuser owner must be a member of it: GRANT %s TO owner)", r.Name, app, err, to)
			}
		}
	}
	exposed, err := exposures(ctx, tx, app)
	if err != nil {
		return err
	}
	if len(exposed) > 0 {
		return fmt.Errorf("the server's role %s could still rewrite history: %s", app, strings.Join(exposed, "; "))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("grant to %s: %w", app, err)
	}
	return nil
}

// grants are the statements that give relation name, of pg_class kind, to
// the role to; ours says the migrating role owns it, and only such a
// relation is handed over.
func grants(name, kind string, ours bool, to string) []string {
	rel := pgx.Identifier{name}.Sanitize()
	switch {
	case slices.Contains(HistoryTables, name):
		return []string{
			"REVOKE ALL ON TABLE " + rel + " FROM PUBLIC, " + to,
			"GRANT SELECT, INSERT ON TABLE " + rel + " TO " + to,
		}
	case name == versionTable:
		return []string{"GRANT SELECT ON TABLE " + rel + " TO " + to}
	case !ours:
		return nil
	}
	what := map[string]string{"v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE", "S": "SEQUENCE"}[kind]
	if what == "" {
		what = "TABLE"
	}
	return []string{"ALTER " + what + " " + rel + " OWNER TO " + to}
}

const serialSequences = `
SELECT s.relname
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
  AND t.relnamespace = 'public'::regnamespace AND t.relname = $1
ORDER BY s.relname`

// serials names the sequences behind table's serial columns, which an
// INSERT needs USAGE on; an identity column's needs nothing.
func serials(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, serialSequences, table)
	if err != nil {
		return nil, fmt.Errorf("list sequences of %s: %w", table, err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list sequences of %s: %w", table, err)
	}
	return seqs, nil
}

const privileges = `
SELECT c.relname,
       pg_has_role($1, c.relowner, 'MEMBER'),
       pg_has_role($1, n.nspowner, 'MEMBER'),
       array_remove(ARRAY[
           CASE WHEN has_table_privilege($1, c.oid, 'UPDATE') THEN 'UPDATE' END,
           CASE WHEN has_table_privilege($1, c.oid, 'DELETE') THEN 'DELETE' END,
           CASE WHEN has_table_privilege($1, c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
           CASE WHEN has_table_privilege($1, c.oid, 'TRIGGER') THEN 'TRIGGER' END], NULL)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($2)
ORDER BY c.relname`

// Exposures says, one reason each, how the connected role could rewrite
// history; none means only the owner can. The server warns of them when it
// migrates as itself.
func Exposures(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	var role string
	if err := pool.QueryRow(ctx, `SELECT current_user`).Scan(&role); err != nil {
		return nil, fmt.Errorf("read the server's role: %w", err)
	}
	return exposures(ctx, pool, role)
}

func exposures(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
	QueryRow(context.Context, string, ...any) pgx.Row
}, role string) ([]string, error) {
	var super bool
	err := q.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = $1`, role).Scan(&super)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("there is no role %s: create it (see README, Two roles)", role)
	}
	if err != nil {
		return nil, fmt.Errorf("read role %s: %w", role, err)
	}
	if super {
		return []string{role + " is a superuser: it may do anything, even SET session_replication_role = replica to skip the triggers"}, nil
	}
	rows, err := q.Query(ctx, privileges, role, HistoryTables)
	if err != nil {
		return nil, fmt.Errorf("read privileges of %s: %w", role, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table string
		var owns, ownsSchema bool
		var may []string
		if err := rows.Scan(&table, &owns, &ownsSchema, &may); err != nil {
			return nil, fmt.Errorf("read privileges of %s: %w", role, err)
		}
		if owns {
			out = append(out, role+" owns "+table+" (or may act as its owner) and can alter it or drop its triggers")
		}
		if ownsSchema {
			out = append(out, role+" owns schema public (or may act as its owner, the database's) and can drop "+table)
		}
		if len(may) > 0 {
			out = append(out, role+" may "+strings.Join(may, ", ")+" "+table)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read privileges of %s: %w", role, err)
	}
	return out, nil
}
