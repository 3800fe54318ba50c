package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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
	data     []string // as stored: personal fields sealed
	plain    [][]byte // as the writer gave them, for the result
	done     chan appendOutcome
}

type appendOutcome struct {
	recorded []RecordedEvent // nil when the version check failed
	err      error
}

func (s *Store) newRequest(ctx context.Context, stream string, expected ExpectedVersion, meta Metadata, events []domain.Event) (*appendRequest, error) {
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
		versions: make([]int32, len(events)), data: make([]string, len(events)), plain: make([][]byte, len(events)),
		done: make(chan appendOutcome, 1)}
	for i, e := range events {
		t, v, d, err := s.codec.Encode(e)
		if err != nil {
			return nil, fmt.Errorf("append to %s: %w", stream, err)
		}
		r.ids[i], r.types[i], r.versions[i], r.plain[i] = EventID(stream, meta.CommandID, i), t, int32(v), d
		if r.data[i], err = s.sealed(ctx, e, d); err != nil {
			return nil, fmt.Errorf("append to %s: %w", stream, err)
		}
	}
	return r, nil
}

// sealed is how an event is stored: its JSON, with its personal fields
// sealed by its person's key.
func (s *Store) sealed(ctx context.Context, e domain.Event, plain []byte) (string, error) {
	paths := s.codec.personal(e.EventType())
	if paths == nil || !hasPersonalData(e, paths) {
		return string(plain), nil
	}
	subject := e.(domain.Personal).DataSubject()
	if subject == "" {
		return "", fmt.Errorf("%s carries personal data but names no person to seal it for", e.EventType())
	}
	aead, err := s.sealer(ctx, subject)
	if err != nil {
		return "", err
	}
	_, _, data, err := s.codec.Encode(seal(e, paths, aead, subject))
	return string(data), err
}

// validName keeps names PostgreSQL can store: a bad one must fail alone,
// not the batch it would have shared.
func validName(s string) bool {
	return s != "" && len(s) <= 200 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Append writes events to a stream atomically, if the stream is at the
// expected version, and remembers the command as written. A command
// appended again returns what it returned the first time and writes
// nothing. Concurrent appends share transactions (see batch.go), so many
// writers cost few commits. With Any it never answers a conflict: it tries
// again until ctx ends.
func (s *Store) Append(ctx context.Context, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	req, err := s.newRequest(ctx, stream, expected, meta, events)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	defer func() { metrics.AppendSeconds.Observe(time.Since(start).Seconds()) }()
	for attempt := 0; ; attempt++ {
		out, err := s.submit(ctx, req)
		if err != nil && !isCommandRemembered(err) {
			return Result{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		if err == nil && out.recorded != nil {
			return resultOf(out.recorded, false), nil
		}
		res, err := s.explain(ctx, s.pool, req, false)
		var busy *busyError
		switch {
		case errors.As(err, &busy):
			// Another transaction is writing the stream: wait for it
			// alone, never holding a batch back.
		case expected == Any && errors.Is(err, ErrConflict):
			// Another writer took the next version; Any means try again.
		default:
			return res, err
		}
		if err := pause(ctx, attempt); err != nil {
			return Result{}, fmt.Errorf("append to %s: %w", stream, err)
		}
	}
}

// pause waits a little before an append tries again: at once at first,
// then a random, growing while (at most 50 ms), so writers that collided do
// not collide again in lockstep.
func pause(ctx context.Context, attempt int) error {
	if attempt < 2 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(min(50*time.Millisecond, 500*time.Microsecond<<min(attempt, 10))))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// AppendTx is Append inside the caller's transaction, for events that must
// commit together with other changes (a policy's checkpoint). It holds the
// stream's advisory lock until the transaction ends, so the batch writers
// leave that stream alone meanwhile rather than wait on its rows. The
// caller calls Committed after its commit, to wake subscribers at once.
func (s *Store) AppendTx(ctx context.Context, tx pgx.Tx, stream string, expected ExpectedVersion, meta Metadata, events ...domain.Event) (Result, error) {
	req, err := s.newRequest(ctx, stream, expected, meta, events)
	if err != nil {
		return Result{}, err
	}
	if _, err := tx.Exec(ctx, lockStreamSQL, stream); err != nil {
		return Result{}, fmt.Errorf("append to %s: lock the stream: %w", stream, err)
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
	outs, err := s.insert(ctx, q, []*appendRequest{req}, true)
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
	case errors.As(err, &partial), sp != nil && isCommandRemembered(err):
		return s.explain(ctx, tx, req, true)
	case err != nil:
		return Result{}, fmt.Errorf("append to %s: %w", req.stream, err)
	case outs[0] == nil:
		return s.explain(ctx, tx, req, true)
	}
	return resultOf(outs[0], false), nil
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// insertSQL appends for several streams at once, and remembers each
// request's command as written, in the same statement. Each request's
// version check runs against committed data; rows that would break a unique
// constraint (a version taken meanwhile, or a repeated command's event ids)
// are skipped rather than failing the statement, so one request's conflict
// never fails another's. A command id remembered already (with another
// stream, or as having decided nothing) fails the statement on commands_pkey:
// the batch is then written request by request, and that one is answered as
// a repeat. Rows go in in request order, so positions rise with versions.
//
// Two guards keep readers' order and writers apart:
//   - A transaction older than the one that wrote the stream's last event
//     may not append to it (the same transaction may): readers order by
//     transaction id, and would see the new version before the old one. It
//     gets a conflict and tries again in a new transaction.
//   - A stream that a caller's own transaction is writing (AppendTx holds
//     the stream's advisory lock until it ends) is left out of the
//     statement, so its uncommitted rows never make the batch wait: the
//     request waits alone (see Append).
const insertSQL = `
WITH req AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $13::text[], $14::text[])
        WITH ORDINALITY AS r(stream_id, expected, command_id, correlation_id, causation_id, actor, command, request, ri)
), ok AS MATERIALIZED (
    SELECT r.*, coalesce(h.v, 0) AS v
    FROM req r LEFT JOIN LATERAL (
        SELECT version AS v, transaction_id AS x FROM events e
        WHERE e.stream_id = r.stream_id ORDER BY version DESC LIMIT 1) h ON true
    WHERE (r.expected < 0 OR coalesce(h.v, 0) = r.expected)
      AND (h.x IS NULL OR h.x <= pg_current_xact_id())
      AND pg_try_advisory_xact_lock_shared(hashtextextended(r.stream_id, 0))
), ins AS (
    INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
                        command_id, correlation_id, causation_id, actor)
    SELECT ev.event_id, ok.stream_id, ok.v + ev.ord, ev.type, ev.schema_version, ev.data,
           ok.command_id, ok.correlation_id, ok.causation_id, ok.actor
    FROM unnest($7::bigint[], $8::int[], $9::uuid[], $10::text[], $11::int[], $12::json[])
         WITH ORDINALITY AS ev(ri, ord, event_id, type, schema_version, data, n)
    JOIN ok ON ok.ri = ev.ri
    ORDER BY ev.n
    ON CONFLICT DO NOTHING
    RETURNING event_id, position, transaction_id, version, recorded_at, stream_id, command_id
), cmd AS (
    INSERT INTO commands (command_id, stream_id, type, request, outcome, actor, correlation_id, causation_id,
                          position, stream_version)
    SELECT DISTINCT ON (ok.ri) ok.command_id, ok.stream_id, ok.command, ok.request, 'written', ok.actor,
           ok.correlation_id, ok.causation_id, ins.position, ins.version
    FROM ins JOIN ok ON ok.stream_id = ins.stream_id AND ok.command_id = ins.command_id
    ORDER BY ok.ri, ins.version DESC
)
SELECT event_id, position, transaction_id, version, recorded_at FROM ins`

// insertOneSQL is insertSQL for a single request, the common case when
// writers are few: the same checks, with less for PostgreSQL to plan and run.
const insertOneSQL = `
WITH last AS (
    SELECT version, transaction_id FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1
), head AS MATERIALIZED (
    SELECT coalesce((SELECT version FROM last), 0) AS v, (SELECT transaction_id FROM last) AS x
    -- A caller's transaction holds the stream already ($15); asking again,
    -- without waiting, would fail behind another transaction waiting for it.
    WHERE CASE WHEN $15::bool THEN true ELSE pg_try_advisory_xact_lock_shared(hashtextextended($1, 0)) END
), ins AS (
    INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
                        command_id, correlation_id, causation_id, actor)
    SELECT ev.event_id, $1, head.v + ev.ord, ev.type, ev.schema_version, ev.data, $3, $4, $5, $6
    FROM head, unnest($7::bigint[], $8::int[], $9::uuid[], $10::text[], $11::int[], $12::json[])
         WITH ORDINALITY AS ev(ri, ord, event_id, type, schema_version, data, n)
    WHERE ($2::bigint < 0 OR head.v = $2) AND (head.x IS NULL OR head.x <= pg_current_xact_id())
    ORDER BY ev.n
    ON CONFLICT DO NOTHING
    RETURNING event_id, position, transaction_id, version, recorded_at
), cmd AS (
    INSERT INTO commands (command_id, stream_id, type, request, outcome, actor, correlation_id, causation_id,
                          position, stream_version)
    SELECT $3, $1, $13, $14, 'written', $6, $4, $5, max(position), max(version) FROM ins HAVING count(*) > 0
)
SELECT event_id, position, transaction_id, version, recorded_at FROM ins`

// lockStreamSQL takes a stream's advisory lock for the rest of the caller's
// transaction (AppendTx); the batch writers' statements take it shared and
// without waiting, and leave the stream out when they cannot.
const lockStreamSQL = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`

// partialError means a request's version check passed but another writer
// took one of its later versions first: the transaction must be rolled
// back, and the request answered as a conflict.
type partialError struct{ index int }

func (e *partialError) Error() string { return "append partly applied" }

// insert runs insertSQL for the requests. The result holds, per request, its
// recorded events, or nil where the version check or a unique constraint
// kept it out.
func (s *Store) insert(ctx context.Context, q Querier, reqs []*appendRequest, locked bool) ([][]RecordedEvent, error) {
	var (
		streams   = make([]string, len(reqs))
		expected  = make([]int64, len(reqs))
		commands  = make([]pgtype.UUID, len(reqs))
		corrs     = make([]pgtype.UUID, len(reqs))
		causes    = make([]pgtype.UUID, len(reqs))
		actors    = make([]string, len(reqs))
		cmdTypes  = make([]string, len(reqs))
		requests  = make([]string, len(reqs))
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
		cmdTypes[i], requests[i] = m.Command, m.Request
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
		rows, err = q.Query(ctx, insertOneSQL, streams[0], expected[0], commands[0], corrs[0], causes[0], actors[0], ri, ord, ids, types, versions, data, cmdTypes[0], requests[0], locked)
	} else {
		rows, err = q.Query(ctx, insertSQL, streams, expected, commands, corrs, causes, actors, ri, ord, ids, types, versions, data, cmdTypes, requests)
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
		e.Data, e.Event, e.Metadata = json.RawMessage(r.plain[j]), r.events[j], r.meta
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

// explain answers a request the insert kept out: as the first run was
// answered, for a command remembered already; with a busyError, when
// another transaction holds the stream; or else with a ConflictError.
// locked says the caller's own transaction holds it.
func (s *Store) explain(ctx context.Context, q Querier, r *appendRequest, locked bool) (Result, error) {
	res, found, err := s.answerRepeat(ctx, q, r.stream, r.meta)
	if found || err != nil {
		return res, err
	}
	var actual int
	var free bool
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0),
		CASE WHEN $2::bool THEN true ELSE pg_try_advisory_xact_lock_shared(hashtextextended($1, 0)) END
		FROM events WHERE stream_id = $1`, r.stream, locked).Scan(&actual, &free); err != nil {
		return Result{}, fmt.Errorf("append to %s: read version after conflict: %w", r.stream, err)
	}
	if !free {
		return Result{}, &busyError{stream: r.stream}
	}
	return Result{}, &ConflictError{Stream: r.stream, Expected: r.expected, Actual: actual}
}

// busyError says another transaction holds the stream (see AppendTx).
type busyError struct{ stream string }

func (e *busyError) Error() string {
	return "stream " + e.stream + " is being written by another transaction"
}
