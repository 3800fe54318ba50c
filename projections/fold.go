package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
)

// Folder is a read model that is one pure fold from events to rows. A live
// batch loads the rows its events touch, folds the events over them in
// memory and writes back the rows that changed; a rebuild folds the whole
// log from nothing and writes every row with COPY. Both run the same fold,
// so a new column is one change to it (and its migration).
type Folder interface {
	Projection
	NewFold() Fold
}

// Fold is a read model's rows in memory and the one function that takes
// them from event to event.
type Fold interface {
	// Load reads the rows that the events may change, for a live batch; a
	// rebuild's fold starts empty.
	Load(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error
	// Add folds one event into the rows. It does no I/O.
	Add(e eventstore.RecordedEvent) error
	// Changes queues the statements that write back the rows changed since
	// Load.
	Changes(b *pgx.Batch)
	// Rows are all the fold's rows, for a rebuild to COPY.
	Rows() []TableRows
}

// TableRows are a fold's rows for one of its tables. A fold gives a table
// before the tables whose rows refer to it.
type TableRows struct {
	Table   string
	Columns []string
	Rows    [][]any
}

// foldTable is one of a fold's tables: its columns, in the order of the
// fold's row values, with their types, and its key.
type foldTable struct {
	name    string
	key     string
	columns []foldColumn
}

type foldColumn struct{ name, typ string }

func (t foldTable) names() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

// selectList is the table's columns as a query reads them into a fold: a
// json column as its text, as the fold keeps it.
func (t foldTable) selectList() string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
		if c.typ == "json" {
			out[i] += "::text"
		}
	}
	return strings.Join(out, ", ")
}

// rows are the fold's rows for COPY.
func (t foldTable) rows(rows [][]any) TableRows {
	return TableRows{Table: t.name, Columns: t.names(), Rows: rows}
}

// upsert queues one statement that writes the rows, a column per array:
// new rows are inserted, the others take the values given.
func (t foldTable) upsert(b *pgx.Batch, rows [][]any) {
	if len(rows) == 0 {
		return
	}
	params := make([]string, len(t.columns))
	selects := make([]string, len(t.columns))
	sets := make([]string, 0, len(t.columns))
	args := make([]any, len(t.columns))
	for i, c := range t.columns {
		col := make([]any, len(rows))
		for j, r := range rows {
			col[j] = r[i]
		}
		elem := c.typ
		selects[i] = fmt.Sprintf("c%d", i)
		if strings.HasSuffix(c.typ, "[]") {
			// unnest would flatten an array of arrays: each goes as its
			// literal, read back as the array.
			elem = "text"
			selects[i] += "::" + c.typ
			for j, v := range col {
				col[j] = arrayLiteral(v.([]string))
			}
		}
		params[i] = fmt.Sprintf("$%d::%s[]", i+1, elem)
		args[i] = col
		if !slices.Contains(strings.Split(t.key, ", "), c.name) {
			sets = append(sets, c.name+" = excluded."+c.name)
		}
	}
	aliases := make([]string, len(t.columns))
	for i := range aliases {
		aliases[i] = fmt.Sprintf("c%d", i)
	}
	onConflict := "DO NOTHING"
	if len(sets) > 0 {
		onConflict = "DO UPDATE SET " + strings.Join(sets, ", ")
	}
	b.Queue(fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM unnest(%s) AS r(%s) ON CONFLICT (%s) %s`,
		t.name, strings.Join(t.names(), ", "), strings.Join(selects, ", "), strings.Join(params, ", "),
		strings.Join(aliases, ", "), t.key, onConflict), args...)
}

// arrayQuoter escapes an element of a text array's literal.
var arrayQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// arrayLiteral is a text array as PostgreSQL writes it.
func arrayLiteral(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayQuoter.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// orNil is a nullable column's value in a fold, as a scan read it: the
// value, or nil.
func orNil[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// applyFold applies a live batch to a folded read model: it loads the rows
// the batch touches, folds the events over them and writes back what
// changed, with the batch's reads in one round trip and its writes in
// another. A failure of the fold names its event; a failure of the writes
// is looked for event by event, as a panic of a batch applier is.
func applyFold(ctx context.Context, tx pgx.Tx, p Folder, events []eventstore.RecordedEvent) error {
	f := p.NewFold()
	if err := guarded(func() error { return f.Load(ctx, tx, events) }); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for i, e := range events {
		if err := guarded(func() error { return f.Add(e) }); err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	changes := &pgx.Batch{}
	if err := guarded(func() error { f.Changes(changes); return nil }); err != nil {
		return err
	}
	if changes.Len() == 0 {
		return nil
	}
	if len(events) > 1 {
		changes.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: `SAVEPOINT fold_batch`}}, changes.QueuedQueries...)
	}
	err := sendAll(ctx, tx, changes)
	if err == nil || len(events) == 1 {
		if err != nil {
			return &AtEvent{Index: 0, Err: err}
		}
		return nil
	}
	if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT fold_batch`); rerr != nil {
		return fmt.Errorf("%w (and undoing the batch to find its event: %w)", err, rerr)
	}
	for i := range events {
		if ierr := applyFold(ctx, tx, p, events[i:i+1]); ierr != nil {
			var at *AtEvent
			if errors.As(ierr, &at) {
				ierr = at.Err
			}
			return &AtEvent{Index: i, Err: ierr}
		}
	}
	return fmt.Errorf("%w in a batch, though none of its events fails alone", err)
}

// sendAll runs the queued statements in one round trip.
func sendAll(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	results := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := results.Exec(); err != nil {
			_ = results.Close()
			return err
		}
	}
	return results.Close()
}
