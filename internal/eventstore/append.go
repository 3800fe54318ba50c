package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"restaurant/domain"
	"restaurant/internal/metrics"
)

// EventID derives the id of a command's i-th event, so that a repeated
// command collides with its first run instead of writing twice.
func EventID(stream string, command uuid.UUID, i int) uuid.UUID {
	return uuid.NewSHA1(command, fmt.Appendf(nil, "%s\x00%d", stream, i))
}

// appendRequest is one append, encoded, on its way to the database.
type appendRequest struct {
	stream   string
	expected ExpectedVersion
	meta     Metadata
	events   []domain.Event
	ids      []uuid.UUID
	types    []string
	versions []int32
	data     []string
	done     chan appendOutcome
}

type appendOutcome struct {
	recorded []RecordedEvent // nil when the version check failed
	err      error
}

func (s *Store) newRequest(stream string, expected ExpectedVersion, meta Metadata, events []domain.Event) (*appendRequest, error) {
	if len(events) == 0 {
		return nil, fmt.Errorf("append to %s: no events", stream)
	}
	if !validName(stream) || !validName(meta.Actor) || meta.CommandID == uuid.Nil {
		return nil, fmt.Errorf("append to %q: a stream and an actor (1 to 200 bytes of UTF-8, no NUL) and a command id are required", stream)
	}
	if meta.CorrelationID == uuid.Nil {
		meta.CorrelationID = meta.CommandID
	}
	r := &appendRequest{stream: stream, expected: expected, meta: meta, events: events,
		ids: make([]uuid.UUID, len(events)), types: make([]string, len(events)),
		versions: make([]int32, len(events)), data: make([]string, len(events)),
		done: make(chan appendOutcome, 1)}
	for i, e := range events {
		t, v, d, err := s.codec.Encode(e)
		if err != nil {
			return nil, fmt.Errorf("append to %s: %w", stream, err)
		}
		r.ids[i], r.types[i], r.versions[i], r.data[i] = EventID(stream, meta.CommandID, i), t, int32(v), string(d)
	}
	return r, nil
}

// validName keeps names PostgreSQL can store: a bad one must fail alone,
// not the batch it would have shared.
func validName(s string) bool {
	return s != "" && len(s) <= 200 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Append writes events to a stream atomically, if the stream is at the
// expected version. A command appended again returns what it returned the
// first time and writes nothing. Concurrent appends share transactions (see
// batch.go), so many writers cost few commits.
func (s *Store) Append(ctx context.Context, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	req, err := s.newRequest(stream, expected, meta, events)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	defer func() { metrics.AppendSeconds.Observe(time.Since(start).Seconds()) }()
	for attempt := 0; ; attempt++ {
		out, err := s.submit(ctx, req)
		if err != nil {
			return Result{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		if out.recorded != nil {
			return resultOf(out.recorded, false), nil
		}
		res, err := s.explain(ctx, s.pool, req)
		if expected == Any && errors.Is(err, ErrConflict) && attempt < 10 {
			continue // another writer took the next version; Any means try again
		}
		return res, err
	}
}

// AppendTx is Append inside the caller's transaction, for events that must
// commit together with other changes (a policy's checkpoint). The caller
// calls Committed after its commit, to wake subscribers at once.
func (s *Store) AppendTx(ctx context.Context, tx pgx.Tx, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	req, err := s.newRequest(stream, expected, meta, events)
	if err != nil {
		return Result{}, err
	}
	for attempt := 0; ; attempt++ {
		res, err := s.appendInTx(ctx, tx, req)
		if expected == Any && errors.Is(err, ErrConflict) && attempt < 10 {
			continue
		}
		return res, err
	}
}

// appendInTx writes one request in the caller's transaction. Several events
// go in under a savepoint, so a request that loses a race part way leaves
// nothing behind.
func (s *Store) appendInTx(ctx context.Context, tx pgx.Tx, req *appendRequest) (Result, error) {
	var q Querier = tx
	var sp pgx.Tx
	if len(req.events) > 1 {
		var err error
		if sp, err = tx.Begin(ctx); err != nil {
			return Result{}, fmt.Errorf("append to %s: savepoint: %w", req.stream, err)
		}
		q = sp
	}
	outs, err := s.insert(ctx, q, []*appendRequest{req})
	var partial *partialError
	if sp != nil {
		if err != nil {
			if rbErr := sp.Rollback(ctx); rbErr != nil {
				return Result{}, fmt.Errorf("append to %s: %w (rollback: %v)", req.stream, err, rbErr)
			}
		} else if err = sp.Commit(ctx); err != nil {
			return Result{}, fmt.Errorf("append to %s: release savepoint: %w", req.stream, err)
		}
	}
	switch {
	case errors.As(err, &partial):
		return s.explain(ctx, tx, req)
	case err != nil:
		return Result{}, fmt.Errorf("append to %s: %w", req.stream, err)
	case outs[0] == nil:
		return s.explain(ctx, tx, req)
	}
	return resultOf(outs[0], false), nil
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// insertSQL appends for several streams at once. Each request's version
// check runs against committed data; rows that would break a unique
// constraint (a version taken meanwhile, or a repeated command's event ids)
// are skipped rather than failing the statement, so one request's conflict
// never fails another's. Rows go in in request order, so positions rise with
// versions. A transaction older than the one that wrote the stream's last
// event may not append to it (only AppendTx, inside a caller's transaction
// that wrote earlier, can be): readers order by transaction id, and would
// see the new version before the old one. It gets a conflict and tries again
// in a new transaction.
const insertSQL = `
WITH req AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[])
        WITH ORDINALITY AS r(stream_id, expected, command_id, correlation_id, causation_id, actor, ri)
), ok AS (
    SELECT r.*, coalesce(h.v, 0) AS v
    FROM req r LEFT JOIN LATERAL (
        SELECT version AS v, transaction_id AS x FROM events e
        WHERE e.stream_id = r.stream_id ORDER BY version DESC LIMIT 1) h ON true
    WHERE (r.expected < 0 OR coalesce(h.v, 0) = r.expected)
      AND (h.x IS NULL OR h.x < pg_current_xact_id())
)
INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
                    command_id, correlation_id, causation_id, actor)
SELECT ev.event_id, ok.stream_id, ok.v + ev.ord, ev.type, ev.schema_version, ev.data,
       ok.command_id, ok.correlation_id, ok.causation_id, ok.actor
FROM unnest($7::bigint[], $8::int[], $9::uuid[], $10::text[], $11::int[], $12::json[])
     WITH ORDINALITY AS ev(ri, ord, event_id, type, schema_version, data, n)
JOIN ok ON ok.ri = ev.ri
ORDER BY ev.n
ON CONFLICT DO NOTHING
RETURNING event_id, position, transaction_id, version, recorded_at`

// insertOneSQL is insertSQL for a single request, the common case when
// writers are few: the same checks, with less for PostgreSQL to plan and run.
const insertOneSQL = `
WITH last AS (
    SELECT version, transaction_id FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1
), head AS (
    SELECT coalesce((SELECT version FROM last), 0) AS v, (SELECT transaction_id FROM last) AS x
)
INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
                    command_id, correlation_id, causation_id, actor)
SELECT ev.event_id, $1, head.v + ev.ord, ev.type, ev.schema_version, ev.data, $3, $4, $5, $6
FROM head, unnest($7::bigint[], $8::int[], $9::uuid[], $10::text[], $11::int[], $12::json[])
     WITH ORDINALITY AS ev(ri, ord, event_id, type, schema_version, data, n)
WHERE ($2::bigint < 0 OR head.v = $2) AND (head.x IS NULL OR head.x < pg_current_xact_id())
ORDER BY ev.n
ON CONFLICT DO NOTHING
RETURNING event_id, position, transaction_id, version, recorded_at`

// partialError means a request's version check passed but another writer
// took one of its later versions first: the transaction must be rolled
// back, and the request answered as a conflict.
type partialError struct{ index int }

func (e *partialError) Error() string { return "append partly applied" }

// insert runs insertSQL for the requests. The result holds, per request, its
// recorded events, or nil where the version check or a unique constraint
// kept it out.
func (s *Store) insert(ctx context.Context, q Querier, reqs []*appendRequest) ([][]RecordedEvent, error) {
	var (
		streams   = make([]string, len(reqs))
		expected  = make([]int64, len(reqs))
		commands  = make([]pgtype.UUID, len(reqs))
		corrs     = make([]pgtype.UUID, len(reqs))
		causes    = make([]pgtype.UUID, len(reqs))
		actors    = make([]string, len(reqs))
		ri        []int64
		ord       []int32
		ids       []pgtype.UUID
		types     []string
		versions  []int32
		data      []string
		requestOf = map[uuid.UUID]int{}
		indexOf   = map[uuid.UUID]int{}
	)
	for i, r := range reqs {
		m := r.meta
		// pgtype.UUID encodes as 16 bytes; uuid.UUID would go through its
		// driver.Valuer, as text.
		streams[i], expected[i], actors[i] = r.stream, int64(r.expected), m.Actor
		commands[i], corrs[i] = pgUUID(m.CommandID), pgUUID(m.CorrelationID)
		causes[i] = pgtype.UUID{Bytes: m.CausationID, Valid: m.CausationID != uuid.Nil}
		for j := range r.events {
			ri = append(ri, int64(i+1))
			ord = append(ord, int32(j+1))
			ids = append(ids, pgUUID(r.ids[j]))
			requestOf[r.ids[j]], indexOf[r.ids[j]] = i, j
		}
		types = append(types, r.types...)
		versions = append(versions, r.versions...)
		data = append(data, r.data...)
	}
	var rows pgx.Rows
	var err error
	if len(reqs) == 1 {
		rows, err = q.Query(ctx, insertOneSQL, streams[0], expected[0], commands[0], corrs[0], causes[0], actors[0], ri, ord, ids, types, versions, data)
	} else {
		rows, err = q.Query(ctx, insertSQL, streams, expected, commands, corrs, causes, actors, ri, ord, ids, types, versions, data)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]RecordedEvent, len(reqs))
	for rows.Next() {
		var id uuid.UUID
		var e RecordedEvent
		if err := rows.Scan(&id, &e.Position, &e.TxID, &e.Version, &e.RecordedAt); err != nil {
			return nil, err
		}
		i, j := requestOf[id], indexOf[id]
		r := reqs[i]
		if out[i] == nil {
			out[i] = make([]RecordedEvent, len(r.events))
		}
		e.EventID, e.StreamID, e.Type, e.SchemaVersion = id, r.stream, r.types[j], int(r.versions[j])
		e.Data, e.Event, e.Metadata = json.RawMessage(r.data[j]), r.events[j], r.meta
		out[i][j] = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, rec := range out {
		for _, e := range rec {
			if e.EventID == uuid.Nil {
				return nil, &partialError{index: i}
			}
		}
	}
	return out, nil
}

func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// earlierRun returns the events a command wrote to a stream before, if any.
func (s *Store) earlierRun(ctx context.Context, q Querier, stream string, command uuid.UUID) ([]RecordedEvent, error) {
	return s.query(ctx, q, `SELECT `+eventColumns+` FROM events
		WHERE stream_id = $1 AND command_id = $2
		  AND version >= (SELECT version FROM events WHERE event_id = $3)
		ORDER BY version`, stream, command, pgUUID(EventID(stream, command, 0)))
}

// explain answers a request the insert kept out: with the first run's result
// for a repeated command, or else a ConflictError.
func (s *Store) explain(ctx context.Context, q Querier, r *appendRequest) (Result, error) {
	prev, err := s.earlierRun(ctx, q, r.stream, r.meta.CommandID)
	if err != nil {
		return Result{}, fmt.Errorf("append to %s: look up an earlier run: %w", r.stream, err)
	}
	if len(prev) > 0 {
		return resultOf(prev, true), nil
	}
	var actual int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1`, r.stream).Scan(&actual); err != nil {
		return Result{}, fmt.Errorf("append to %s: read version after conflict: %w", r.stream, err)
	}
	return Result{}, &ConflictError{Stream: r.stream, Expected: r.expected, Actual: actual}
}
