package projections

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A rebuild writes into shadow tables beside the live ones (orders__rebuild
// beside orders, in the same schema), each a copy of its live table's
// columns, defaults, checks, identity, indexes, keys and grants. The
// rebuild's own session sees each shadow under its live name, through a
// temporary view, so the projections' SQL runs on the shadows unchanged; the
// live runner, in other sessions, keeps the live tables meanwhile. At the
// end one short transaction drops the live tables and renames the shadows,
// their indexes and sequences to the live names: the schema is as before.
// It needs no more than what the read models' owner has: to create tables in
// their schema, to drop its own tables, and temporary views.

const shadowSuffix = "__rebuild"

// shadowTable is one live table and its shadow.
type shadowTable struct {
	schema, live string
	oid          uint32
	// renames are the shadow's indexes and sequences, named apart from the
	// live ones while both exist, and the live names they take at the swap.
	renames []rename
}

// rename is a shadow's index or sequence and the live name it takes.
type rename struct{ kind, from, to string }

func (t shadowTable) liveIdent() string { return pgx.Identifier{t.schema, t.live}.Sanitize() }
func (t shadowTable) shadowIdent() string {
	return pgx.Identifier{t.schema, t.live + shadowSuffix}.Sanitize()
}

// shadows are a rebuild's shadow tables, in the rebuild's session.
type shadows struct {
	conn   *pgx.Conn
	tables []*shadowTable
	byOID  map[uint32]*shadowTable
	// later are the shadows that get their indexes and foreign keys only
	// once their rows are in (complete): building an index once is quicker
	// than keeping it row by row, and a foreign key checked once for all
	// rows quicker than once per row.
	later map[uint32]bool
}

// createShadows makes a shadow of every table, dropping any a failed
// rebuild left, and the views that show them to this session under the
// live names. The shadows of the tables in later have no indexes and no
// foreign keys until complete gives them theirs.
func createShadows(ctx context.Context, conn *pgx.Conn, tables []string, later map[string]bool) (*shadows, error) {
	s := &shadows{conn: conn, byOID: map[uint32]*shadowTable{}, later: map[uint32]bool{}}
	for _, name := range tables {
		t := &shadowTable{}
		err := conn.QueryRow(ctx, `SELECT n.nspname, c.relname, c.oid FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1) AND c.relkind = 'r'`, name).Scan(&t.schema, &t.live, &t.oid)
		if err != nil {
			return nil, fmt.Errorf("find table %s: %w", name, err)
		}
		if len(t.live+shadowSuffix) > 63 {
			return nil, fmt.Errorf("table %s: its name is too long for a shadow's", name)
		}
		s.tables = append(s.tables, t)
		s.byOID[t.oid] = t
		s.later[t.oid] = later[name]
	}
	if len(s.tables) == 0 {
		return s, nil // a policy: it keeps no tables
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := s.drop(ctx, conn); err != nil {
		return nil, err
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, t := range s.tables {
			if _, err := tx.Exec(ctx, `CREATE TABLE `+t.shadowIdent()+` (LIKE `+t.liveIdent()+` INCLUDING ALL EXCLUDING INDEXES)`); err != nil {
				return fmt.Errorf("create shadow of %s: %w", t.live, err)
			}
			if !s.later[t.oid] {
				if err := s.copyIndexes(ctx, tx, t); err != nil {
					return fmt.Errorf("shadow of %s: %w", t.live, err)
				}
			}
		}
		// Keys first, for the foreign keys that refer to them.
		for _, t := range s.tables {
			if err := s.copyForeignKeys(ctx, tx, t, false); err != nil {
				return fmt.Errorf("shadow of %s: %w", t.live, err)
			}
			if err := copyGrants(ctx, tx, t); err != nil {
				return fmt.Errorf("shadow of %s: %w", t.live, err)
			}
			if err := s.nameSequences(ctx, tx, t); err != nil {
				return fmt.Errorf("shadow of %s: %w", t.live, err)
			}
		}
		for _, t := range s.tables {
			if _, err := tx.Exec(ctx, `CREATE TEMPORARY VIEW `+pgx.Identifier{t.live}.Sanitize()+` AS SELECT * FROM `+t.shadowIdent()); err != nil {
				return fmt.Errorf("show the shadow of %s: %w", t.live, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// complete gives the shadows made without them their indexes and foreign
// keys, once their rows are in.
func (s *shadows) complete(ctx context.Context) error {
	// A transaction per table: building an index takes a transaction id,
	// which holds every subscriber's fence for as long as it lasts.
	for _, t := range s.tables {
		if !s.later[t.oid] {
			continue
		}
		if err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error { return s.copyIndexes(ctx, tx, t) }); err != nil {
			return fmt.Errorf("shadow of %s: %w", t.live, err)
		}
	}
	for _, t := range s.tables {
		if err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error { return s.copyForeignKeys(ctx, tx, t, true) }); err != nil {
			return fmt.Errorf("shadow of %s: %w", t.live, err)
		}
	}
	return nil
}

// check refuses what a swap could not carry over: a table outside the read
// model whose foreign key refers to it, a column numbered by a sequence the
// shadow would share with the live table, or a trigger.
func (s *shadows) check(ctx context.Context) error {
	oids := s.oids()
	var what string
	err := s.conn.QueryRow(ctx, `
		SELECT format('%s refers to %s', conrelid::regclass, confrelid::regclass) FROM pg_constraint
		WHERE contype = 'f' AND confrelid = ANY ($1) AND NOT conrelid = ANY ($1)
		UNION ALL
		SELECT format('%s.%s takes its values from a sequence (use an identity column)', adrelid::regclass, a.attname)
		FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		WHERE d.adrelid = ANY ($1) AND pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%'
		UNION ALL
		SELECT format('%s has the trigger %s', tgrelid::regclass, tgname) FROM pg_trigger
		WHERE tgrelid = ANY ($1) AND NOT tgisinternal
		LIMIT 1`, oids).Scan(&what)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the tables: %w", err)
	}
	return fmt.Errorf("cannot rebuild into new tables: %s", what)
}

func (s *shadows) oids() []uint32 {
	oids := make([]uint32, len(s.tables))
	for i, t := range s.tables {
		oids[i] = t.oid
	}
	return oids
}

// copyIndexes gives the shadow the live table's indexes, and the keys and
// exclusion constraints they back, under names of their own for now.
func (s *shadows) copyIndexes(ctx context.Context, tx pgx.Tx, t *shadowTable) error {
	rows, err := tx.Query(ctx, `
		SELECT ic.relname, con.conname IS NOT NULL,
		       coalesce(pg_get_constraintdef(con.oid), ''), i.indisunique,
		       substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$')
		FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
		LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
		WHERE i.indrelid = $1 ORDER BY i.indexrelid`, t.oid)
	if err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	type index struct {
		name, constraintDef, using string
		constraint, unique         bool
	}
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		return i, r.Scan(&i.name, &i.constraint, &i.constraintDef, &i.unique, &i.using)
	})
	if err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	for n, i := range indexes {
		temp := fmt.Sprintf("%s%s_%d", truncate(t.live, 40), shadowSuffix, n+1)
		var ddl string
		switch {
		case i.constraint:
			ddl = `ALTER TABLE ` + t.shadowIdent() + ` ADD CONSTRAINT ` + pgx.Identifier{temp}.Sanitize() + ` ` + i.constraintDef
		case i.unique:
			ddl = `CREATE UNIQUE INDEX ` + pgx.Identifier{temp}.Sanitize() + ` ON ` + t.shadowIdent() + i.using
		default:
			ddl = `CREATE INDEX ` + pgx.Identifier{temp}.Sanitize() + ` ON ` + t.shadowIdent() + i.using
		}
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("copy index %s: %w", i.name, err)
		}
		t.renames = append(t.renames, rename{kind: "INDEX", from: temp, to: i.name})
	}
	return nil
}

// copyForeignKeys gives the shadow the live table's foreign keys, under
// their own names (a table's constraint names are its own); a key that
// refers to a table being rebuilt refers to its shadow. A key of a shadow
// that gets its indexes later, or that refers to one, is given at
// completion (late), the others at once.
func (s *shadows) copyForeignKeys(ctx context.Context, tx pgx.Tx, t *shadowTable, late bool) error {
	rows, err := tx.Query(ctx, `SELECT conname, confrelid, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = $1 AND contype = 'f' ORDER BY oid`, t.oid)
	if err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	type key struct {
		name string
		to   uint32
		def  string
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (key, error) {
		var k key
		return k, r.Scan(&k.name, &k.to, &k.def)
	})
	if err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	for _, k := range keys {
		if (s.later[t.oid] || s.later[k.to]) != late {
			continue
		}
		def := k.def
		if to, ok := s.byOID[k.to]; ok {
			// "FOREIGN KEY (a) REFERENCES t(b) ..." names the shadow of t.
			at := strings.Index(def, " REFERENCES ")
			open := strings.Index(def[at+1:], "(")
			if at < 0 || open < 0 {
				return fmt.Errorf("foreign key %s: cannot read %q", k.name, def)
			}
			def = def[:at] + " REFERENCES " + to.shadowIdent() + def[at+1+open:]
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE `+t.shadowIdent()+` ADD CONSTRAINT `+pgx.Identifier{k.name}.Sanitize()+` `+def); err != nil {
			return fmt.Errorf("copy foreign key %s: %w", k.name, err)
		}
	}
	return nil
}

// copyGrants gives others the same rights on the shadow as on the live
// table.
func copyGrants(ctx context.Context, tx pgx.Tx, t *shadowTable) error {
	rows, err := tx.Query(ctx, `SELECT format('GRANT %s ON %s TO %s%s', a.privilege_type, $2::text,
		       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
		       CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
		FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1 AND a.grantee <> c.relowner`, t.oid, t.shadowIdent())
	if err != nil {
		return fmt.Errorf("read grants: %w", err)
	}
	grants, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read grants: %w", err)
	}
	for _, g := range grants {
		if _, err := tx.Exec(ctx, g); err != nil {
			return fmt.Errorf("copy grants: %w", err)
		}
	}
	return nil
}

// nameSequences notes the live names of the sequences of the shadow's
// identity columns (a shadow's identity counts afresh, from its start).
func (s *shadows) nameSequences(ctx context.Context, tx pgx.Tx, t *shadowTable) error {
	rows, err := tx.Query(ctx, `SELECT sh.relname, l.relname FROM pg_attribute a
		JOIN pg_class sh ON sh.oid = pg_get_serial_sequence($1, a.attname)::regclass
		JOIN pg_class l ON l.oid = pg_get_serial_sequence($2, a.attname)::regclass
		WHERE a.attrelid = $3 AND a.attidentity <> '' AND NOT a.attisdropped`, t.shadowIdent(), t.liveIdent(), t.oid)
	if err != nil {
		return fmt.Errorf("read identity columns: %w", err)
	}
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rename, error) {
		n := rename{kind: "SEQUENCE"}
		return n, r.Scan(&n.from, &n.to)
	})
	if err != nil {
		return fmt.Errorf("read identity columns: %w", err)
	}
	t.renames = append(t.renames, pairs...)
	return nil
}

// executor runs a statement: a connection, a pool or a transaction.
type executor interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}

// drop removes the shadows, with the views that show them to the rebuild's
// session (and the foreign keys between them): from another session, when
// the rebuild's has broken, those views may still be there until it ends.
func (s *shadows) drop(ctx context.Context, db executor) error {
	if len(s.tables) == 0 {
		return nil
	}
	var views, tables []string
	for _, t := range s.tables {
		views = append(views, pgx.Identifier{"pg_temp", t.live}.Sanitize())
		tables = append(tables, t.shadowIdent())
	}
	if _, err := db.Exec(ctx, `DROP VIEW IF EXISTS `+strings.Join(views, ", ")+`;
		DROP TABLE IF EXISTS `+strings.Join(tables, ", ")+` CASCADE`); err != nil {
		return fmt.Errorf("drop the new tables: %w", err)
	}
	return nil
}

// analyze gathers the shadows' statistics, so that the queries on them plan
// well from the swap on.
func (s *shadows) analyze(ctx context.Context) error {
	if len(s.tables) == 0 {
		return nil
	}
	names := make([]string, len(s.tables))
	for i, t := range s.tables {
		names[i] = t.shadowIdent()
	}
	if _, err := s.conn.Exec(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze the new tables: %w", err)
	}
	return nil
}

// table is the shadow of a live table.
func (s *shadows) table(live string) *shadowTable {
	for _, t := range s.tables {
		if t.live == live {
			return t
		}
	}
	return nil
}

// swap replaces the live tables with their shadows, in the caller's
// transaction: the shadows take the live tables' names, and their indexes
// and sequences the live ones'.
func (s *shadows) swap(ctx context.Context, tx pgx.Tx) error {
	if len(s.tables) == 0 {
		return nil
	}
	var views, live []string
	for _, t := range s.tables {
		views = append(views, pgx.Identifier{"pg_temp", t.live}.Sanitize())
		live = append(live, t.liveIdent())
	}
	ddl := []string{`DROP VIEW ` + strings.Join(views, ", "), `DROP TABLE ` + strings.Join(live, ", ")}
	for _, t := range s.tables {
		ddl = append(ddl, `ALTER TABLE `+t.shadowIdent()+` RENAME TO `+pgx.Identifier{t.live}.Sanitize())
		for _, r := range t.renames {
			ddl = append(ddl, `ALTER `+r.kind+` `+pgx.Identifier{t.schema, r.from}.Sanitize()+` RENAME TO `+pgx.Identifier{r.to}.Sanitize())
		}
	}
	for _, q := range ddl {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("put the new tables in place: %w", err)
		}
	}
	return nil
}

// truncate shortens a name to at most n bytes, for names made from it to
// stay within PostgreSQL's 63.
func truncate(name string, n int) string {
	if len(name) <= n {
		return name
	}
	return name[:n]
}
