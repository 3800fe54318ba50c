package eventstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jackc/pgx/v5/pgtype"
)

// Result is what an append or a command wrote.
type Result struct {
	// Events are the command's events: new, or those of its first run.
	Events []RecordedEvent
	// StreamVersion is the stream's version after the last of them.
	StreamVersion int
	// Position and Cursor are the last event's place in the global order; a
	// read model that has reached Cursor shows the command's effect.
	Position int64
	Cursor   Cursor
	// Duplicate says the command had run before and nothing new was written.
	Duplicate bool
}

func resultOf(events []RecordedEvent, duplicate bool) Result {
	last := events[len(events)-1]
	return Result{Events: events, StreamVersion: last.Version, Position: last.Position, Cursor: last.Cursor(), Duplicate: duplicate}
}

const eventColumns = `position, transaction_id, event_id, stream_id, version, type, schema_version,
	data, command_id, correlation_id, causation_id, actor, recorded_at`

func (s *Store) query(ctx context.Context, q Querier, sql string, args ...any) ([]RecordedEvent, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordedEvent
	for rows.Next() {
		var e RecordedEvent
		var data []byte
		var causation pgtype.UUID
		if err := rows.Scan(&e.Position, &e.TxID, &e.EventID, &e.StreamID, &e.Version, &e.Type, &e.SchemaVersion,
			&data, &e.CommandID, &e.CorrelationID, &causation, &e.Actor, &e.RecordedAt); err != nil {
			return nil, err
		}
		if causation.Valid {
			e.CausationID = causation.Bytes
		}
		e.Event, e.Data, err = s.codec.Decode(e.Type, e.SchemaVersion, data)
		if err != nil {
			return nil, fmt.Errorf("event %d in %s: %w", e.Position, e.StreamID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReadStream returns a stream's events after a version, in version order.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int) ([]RecordedEvent, error) {
	events, err := s.query(ctx, s.pool, `SELECT `+eventColumns+` FROM events
		WHERE stream_id = $1 AND version > $2 ORDER BY version`, stream, afterVersion)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, nil
}

// readAllSQL reads the next events in global order. The fence
// (transaction_id < xmin of the current snapshot) keeps out every row whose
// transaction, or an older one, might still commit: what it returns is final,
// so a checkpoint never passes an event that is yet to appear.
const readAllSQL = `SELECT ` + eventColumns + ` FROM events
	WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
	  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
	ORDER BY transaction_id, position
	LIMIT $3`

// ReadAll returns up to limit events after a cursor, in global order.
func (s *Store) ReadAll(ctx context.Context, after Cursor, limit int) ([]RecordedEvent, error) {
	return s.readAll(ctx, s.pool, after, limit)
}

func (s *Store) readAll(ctx context.Context, q Querier, after Cursor, limit int) ([]RecordedEvent, error) {
	events, err := s.query(ctx, q, readAllSQL, after.TxID, after.Position, limit)
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after.Position, err)
	}
	return events, nil
}

// Head is the cursor of the last event a reader can see now.
func (s *Store) Head(ctx context.Context) (Cursor, error) {
	var c Cursor
	err := s.pool.QueryRow(ctx, `SELECT transaction_id, position FROM events
		WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY transaction_id DESC, position DESC LIMIT 1`).Scan(&c.TxID, &c.Position)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Cursor{}, fmt.Errorf("read head: %w", err)
	}
	return c, nil
}
