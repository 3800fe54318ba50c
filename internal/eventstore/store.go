// Package eventstore is the append-only PostgreSQL event store.
//
// Every event has a global position (a bigint identity) and the id of the
// transaction that wrote it. PostgreSQL hands out positions when rows are
// inserted but makes them visible when transactions commit, in another order,
// so a reader that asked for "position > P" would skip an event that took a low
// position and committed late. Readers here fence instead: they only read
// rows whose transaction id is below the oldest transaction still running
// (pg_snapshot_xmin), so everything they read is final, and they order and
// checkpoint by (transaction id, position). Appends stay concurrent; nothing
// serialises them but the per-stream version check.
package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
)

// ExpectedVersion is what an append expects of its stream: Any, NoStream, or
// the exact version (the number of events) the caller decided against.
type ExpectedVersion int64

const (
	// Any appends whatever the stream holds.
	Any ExpectedVersion = -1
	// NoStream appends only to a stream that has no events yet.
	NoStream ExpectedVersion = 0
)

// Exact expects the stream to be at version n.
func Exact(n int) ExpectedVersion { return ExpectedVersion(n) }

// ErrConflict is matched by a ConflictError.
var ErrConflict = errors.New("stream changed concurrently")

// ConflictError says a stream was not at the expected version.
type ConflictError struct {
	Stream   string
	Expected ExpectedVersion
	Actual   int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("append to %s: expected version %d, stream is at %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Metadata records why and by whom events were written.
type Metadata struct {
	// CommandID identifies the command; appending the same command to the same
	// stream twice writes nothing the second time.
	CommandID uuid.UUID
	// CorrelationID is shared by everything one user action set off; zero
	// means the command id.
	CorrelationID uuid.UUID
	// CausationID is the event that caused this command, if any (a policy).
	CausationID uuid.UUID
	// Actor names who acted: "customer:…", "staff:alice", "policy:…".
	Actor string
}

// Cursor is a place in the global order: (transaction id, position).
type Cursor struct {
	TxID     uint64 `json:"tx"`
	Position int64  `json:"pos"`
}

// Less orders cursors as subscribers see events.
func (c Cursor) Less(o Cursor) bool {
	return c.TxID < o.TxID || (c.TxID == o.TxID && c.Position < o.Position)
}

// RecordedEvent is an event as stored, decoded to its current schema version.
type RecordedEvent struct {
	Position      int64
	TxID          uint64
	EventID       uuid.UUID
	StreamID      string
	Version       int
	Type          string
	SchemaVersion int // as stored; Data and Event are upcast to the current version
	Data          json.RawMessage
	Event         domain.Event
	Metadata
	RecordedAt time.Time
}

// Cursor is where this event stands in the global order.
func (e RecordedEvent) Cursor() Cursor { return Cursor{TxID: e.TxID, Position: e.Position} }

// Store reads and writes events.
type Store struct {
	pool  *pgxpool.Pool
	codec *Codec
	wake  *signal
	// notifyReq asks the notifier goroutine for one NOTIFY; a full buffer
	// means one is already due, so requests coalesce.
	notifyReq chan struct{}
	stop      context.CancelFunc
	done      sync.WaitGroup
}

// Open makes a store and starts its notification listener; Close stops it.
func Open(pool *pgxpool.Pool, codec *Codec) *Store {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{pool: pool, codec: codec, wake: newSignal(), notifyReq: make(chan struct{}, 1), stop: cancel}
	s.done.Add(2)
	go func() { defer s.done.Done(); s.listen(ctx) }()
	go func() { defer s.done.Done(); s.notify(ctx) }()
	return s
}

// Close stops the background work.
func (s *Store) Close() {
	s.stop()
	s.done.Wait()
}

// Codec is the store's event contract.
func (s *Store) Codec() *Codec { return s.codec }

// Pool is the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// EventID derives the id of a command's i-th event, so that a repeated
// command collides with its first run instead of writing twice.
func EventID(stream string, command uuid.UUID, i int) uuid.UUID {
	return uuid.NewSHA1(command, fmt.Appendf(nil, "%s\x00%d", stream, i))
}

const appendSQL = `
WITH head AS (SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = $1)
INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
                    command_id, correlation_id, causation_id, actor)
SELECT e.event_id, $1, head.v + e.ord, e.type, e.schema_version, e.data, $6, $7, $8, $9
FROM head, unnest($2::uuid[], $3::text[], $4::int[], $5::jsonb[])
     WITH ORDINALITY AS e(event_id, type, schema_version, data, ord)
WHERE $10::bigint < 0 OR head.v = $10
ORDER BY e.ord
RETURNING position, transaction_id, version, recorded_at`

// Append writes events to a stream in one statement, atomically, if the
// stream is at the expected version. A command appended again returns what it
// returned the first time and writes nothing.
func (s *Store) Append(ctx context.Context, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	for attempt := 0; ; attempt++ {
		recorded, err := s.insert(ctx, s.pool, stream, expected, meta, events)
		if err == nil {
			s.Committed()
			return resultOf(recorded, false), nil
		}
		res, err := s.explain(ctx, s.pool, stream, expected, meta, err)
		if expected == Any && errors.Is(err, ErrConflict) && attempt < 10 {
			continue // another writer took the next version; Any means try again
		}
		return res, err
	}
}

// AppendTx is Append inside the caller's transaction, for events that must
// commit together with other changes (a policy's checkpoint). It works in a
// savepoint, so a conflict leaves the transaction usable. The caller calls
// Committed after its commit, to wake subscribers at once.
func (s *Store) AppendTx(ctx context.Context, tx pgx.Tx, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("append to %s: savepoint: %w", stream, err)
	}
	recorded, err := s.insert(ctx, sp, stream, expected, meta, events)
	if err != nil {
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			return Result{}, fmt.Errorf("append to %s: %w (and rollback: %v)", stream, err, rbErr)
		}
		return s.explain(ctx, tx, stream, expected, meta, err)
	}
	if err := sp.Commit(ctx); err != nil {
		return Result{}, fmt.Errorf("append to %s: release savepoint: %w", stream, err)
	}
	return resultOf(recorded, false), nil
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// errVersionMismatch is insert's word for "the version check matched no row".
var errVersionMismatch = errors.New("version mismatch")

func (s *Store) insert(ctx context.Context, q Querier, stream string, expected ExpectedVersion, meta Metadata, events []domain.Event) ([]RecordedEvent, error) {
	if len(events) == 0 {
		return nil, errors.New("no events")
	}
	if stream == "" || meta.CommandID == uuid.Nil || meta.Actor == "" {
		return nil, errors.New("stream, command id and actor are required")
	}
	if meta.CorrelationID == uuid.Nil {
		meta.CorrelationID = meta.CommandID
	}
	ids := make([]uuid.UUID, len(events))
	types := make([]string, len(events))
	versions := make([]int32, len(events))
	data := make([]string, len(events))
	for i, e := range events {
		t, v, d, err := s.codec.Encode(e)
		if err != nil {
			return nil, err
		}
		ids[i], types[i], versions[i], data[i] = EventID(stream, meta.CommandID, i), t, int32(v), string(d)
	}
	var causation *uuid.UUID
	if meta.CausationID != uuid.Nil {
		causation = &meta.CausationID
	}
	rows, err := q.Query(ctx, appendSQL, stream, ids, types, versions, data,
		meta.CommandID, meta.CorrelationID, causation, meta.Actor, int64(expected))
	if err != nil {
		return nil, err
	}
	recorded := make([]RecordedEvent, 0, len(events))
	for rows.Next() && len(recorded) < len(events) {
		i := len(recorded)
		r := RecordedEvent{EventID: ids[i], StreamID: stream, Type: types[i], SchemaVersion: int(versions[i]),
			Data: json.RawMessage(data[i]), Event: events[i], Metadata: meta}
		if err := rows.Scan(&r.Position, &r.TxID, &r.Version, &r.RecordedAt); err != nil {
			rows.Close()
			return nil, err
		}
		recorded = append(recorded, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(recorded) != len(events) {
		return nil, errVersionMismatch
	}
	return recorded, nil
}

// explain turns a failed insert into the answer the caller needs: the first
// run's result for a repeated command, a ConflictError, or a wrapped error.
func (s *Store) explain(ctx context.Context, q Querier, stream string, expected ExpectedVersion, meta Metadata, err error) (Result, error) {
	var pgErr *pgconn.PgError
	isUnique := errors.As(err, &pgErr) && pgErr.Code == "23505"
	if !isUnique && !errors.Is(err, errVersionMismatch) {
		return Result{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	// A repeated command can fail either check; its first run's events win.
	prev, err := s.query(ctx, q, `SELECT `+eventColumns+` FROM events
		WHERE stream_id = $1 AND command_id = $2
		  AND version >= (SELECT version FROM events WHERE event_id = $3)
		ORDER BY version`, stream, meta.CommandID, EventID(stream, meta.CommandID, 0))
	if err != nil {
		return Result{}, fmt.Errorf("append to %s: look up earlier run: %w", stream, err)
	}
	if len(prev) > 0 {
		return resultOf(prev, true), nil
	}
	var actual int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1`, stream).Scan(&actual); err != nil {
		return Result{}, fmt.Errorf("append to %s: read version after conflict: %w", stream, err)
	}
	return Result{}, &ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// Committed wakes this process's subscribers and, through a coalesced NOTIFY,
// every other process's. The NOTIFY is sent after the commit, never inside the
// appending transaction: a NOTIFY holds a database-wide lock through commit,
// which would serialise every append.
func (s *Store) Committed() {
	s.wake.fire()
	select {
	case s.notifyReq <- struct{}{}:
	default:
	}
}
