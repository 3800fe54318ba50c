package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"restaurant/domain"
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
	events, raw, err := fetch(ctx, q, sql, args...)
	if err != nil {
		return nil, err
	}
	return events, s.decodeAll(ctx, events, raw)
}

// fetch reads rows without decoding their data, which is returned apart.
func fetch(ctx context.Context, q Querier, sql string, args ...any) ([]RecordedEvent, [][]byte, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []RecordedEvent
	var raw [][]byte
	for rows.Next() {
		var e RecordedEvent
		var data []byte
		var id, command, correlation, causation pgtype.UUID
		if err := rows.Scan(&e.Position, &e.TxID, &id, &e.StreamID, &e.Version, &e.Type, &e.SchemaVersion,
			&data, &command, &correlation, &causation, &e.Actor, &e.RecordedAt); err != nil {
			return nil, nil, err
		}
		e.EventID, e.CommandID, e.CorrelationID = id.Bytes, command.Bytes, correlation.Bytes
		if causation.Valid {
			e.CausationID = causation.Bytes
		}
		out = append(out, e)
		raw = append(raw, data)
	}
	return out, raw, rows.Err()
}

// decodeAll upcasts and decodes a batch, then opens its personal fields
// with the keys of their people, loaded for the whole batch in one query.
// Large batches are spread over the processors: decoding JSON, not
// PostgreSQL, bounds how fast the log reads.
func (s *Store) decodeAll(ctx context.Context, events []RecordedEvent, raw [][]byte) error {
	err := inParallel(len(events), func(i int) error {
		e := &events[i]
		var err error
		if e.Event, e.Data, err = s.codec.Decode(e.Type, e.SchemaVersion, raw[i]); err != nil {
			return fmt.Errorf("event %d in %s: %w", e.Position, e.StreamID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var sealed []int
	var subjects []string
	for i, e := range events {
		if erasure, ok := e.Event.(domain.Erasure); ok {
			s.Forget(erasure.ErasedSubjects())
		}
		if subject := sealedSubject(e.Event, s.codec.personal(e.Type)); subject != "" {
			sealed, subjects = append(sealed, i), append(subjects, subject)
		}
	}
	if len(sealed) == 0 {
		return nil
	}
	keys, err := s.keysFor(ctx, subjects)
	if err != nil {
		return err
	}
	return inParallel(len(sealed), func(j int) error {
		e := &events[sealed[j]]
		e.Event, e.Erased = open(e.Event, s.codec.personal(e.Type), keys[subjects[j]], subjects[j])
		data, err := json.Marshal(e.Event)
		if err != nil {
			return fmt.Errorf("event %d in %s: %w", e.Position, e.StreamID, err)
		}
		e.Data = data
		return nil
	})
}

// inParallel calls fn for 0..n-1, spread over the processors when n is
// large enough to be worth it, and joins the errors.
func inParallel(n int, fn func(i int) error) error {
	run := func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers == 1 {
		return run(0, n)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := min(w*chunk, n), min((w+1)*chunk, n)
		wg.Go(func() { errs[w] = run(lo, hi) })
	}
	wg.Wait()
	return errors.Join(errs...)
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

// Replay reads every event after a cursor that is readable now, in global
// order and in batches, handing each batch to fn. The next batch is fetched
// and decoded while the current one is handled, so PostgreSQL, the decoder
// and fn work at the same time: this is how projections rebuild.
func (s *Store) Replay(ctx context.Context, after Cursor, batchSize int, fn func([]RecordedEvent) error) error {
	type fetched struct {
		events    []RecordedEvent
		err       error // reading
		decodeErr error
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan fetched, 1)
	var fetcher sync.WaitGroup
	defer func() { cancel(); fetcher.Wait() }()
	fetcher.Go(func() {
		defer close(batches)
		for cur := after; ; {
			events, raw, err := fetch(ctx, s.pool, readAllSQL, cur.TxID, cur.Position, batchSize)
			var decodeErr error
			if len(events) > 0 {
				// Taken before the batch is handed over: the consumer owns it then.
				cur = events[len(events)-1].Cursor()
				// Decoded here, while the consumer takes the batch before.
				decodeErr = s.decodeAll(ctx, events, raw)
			}
			select {
			case batches <- fetched{events, err, decodeErr}:
			case <-ctx.Done():
				return
			}
			if err != nil || decodeErr != nil || len(events) < batchSize {
				return
			}
		}
	})
	for b := range batches {
		if b.err != nil {
			return fmt.Errorf("replay: %w", b.err)
		}
		if len(b.events) == 0 {
			return nil
		}
		if b.decodeErr != nil {
			return b.decodeErr
		}
		if err := fn(b.events); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Head is the cursor of the last committed event: a subscriber that has
// reached it has seen everything committed when Head was asked. (Unlike
// ReadAll it does not fence: an event may commit before an older
// transaction ends, and waiting for it must still wait.)
func (s *Store) Head(ctx context.Context) (Cursor, error) {
	var c Cursor
	err := s.pool.QueryRow(ctx, `SELECT transaction_id, position FROM events
		ORDER BY transaction_id DESC, position DESC LIMIT 1`).Scan(&c.TxID, &c.Position)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Cursor{}, fmt.Errorf("read head: %w", err)
	}
	return c, nil
}

// NoneOfTypes says whether a subscriber at cursor from that acts only on
// events of the given types has nothing left to do to reach cursor to: no
// such event lies between them, and none can still commit before to (to is
// below the fence, every older transaction has ended).
func (s *Store) NoneOfTypes(ctx context.Context, from, to Cursor, types []string) (bool, error) {
	var none bool
	err := s.pool.QueryRow(ctx, `SELECT $3::xid8 < pg_snapshot_xmin(pg_current_snapshot()) AND NOT EXISTS (
		SELECT 1 FROM events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
		  AND (transaction_id, position) <= ($3::xid8, $4::bigint) AND type = ANY($5))`,
		from.TxID, from.Position, to.TxID, to.Position, types).Scan(&none)
	if err != nil {
		return false, fmt.Errorf("look for events of %d types: %w", len(types), err)
	}
	return none, nil
}

// NoStreamWithPrefix says whether no stream's id starts with prefix.
func (s *Store) NoStreamWithPrefix(ctx context.Context, prefix string) (bool, error) {
	var exists bool
	pattern := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE stream_id LIKE $1)`, pattern).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look for streams %s*: %w", prefix, err)
	}
	return !exists, nil
}

// ErrForeignTransactionIDs means the event log holds transaction ids that
// this PostgreSQL cluster has not reached: the rows were copied in from
// another cluster (pg_dump and restore). Readers order events by transaction
// id, so new events would sort before the old ones and stay hidden.
var ErrForeignTransactionIDs = errors.New("the event log holds transaction ids from another PostgreSQL cluster " +
	"(was it restored with pg_dump?); move the database with pg_upgrade or a physical backup instead, " +
	"which keep transaction ids")

// CheckTransactionIDs refuses an event log whose transaction ids this
// cluster has not handed out yet.
func (s *Store) CheckTransactionIDs(ctx context.Context) error {
	var foreign bool
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT max(transaction_id) FROM events)
		>= pg_snapshot_xmax(pg_current_snapshot()), false)`).Scan(&foreign)
	if err != nil {
		return fmt.Errorf("check transaction ids: %w", err)
	}
	if foreign {
		return ErrForeignTransactionIDs
	}
	return nil
}

// ReadStreamTx reads a whole stream through the caller's transaction.
func (s *Store) ReadStreamTx(ctx context.Context, tx pgx.Tx, stream string) ([]RecordedEvent, error) {
	events, err := s.query(ctx, tx, `SELECT `+eventColumns+` FROM events WHERE stream_id = $1 ORDER BY version`, stream)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, nil
}

// ReadStreamsTx reads several whole streams through the caller's
// transaction, in one query: a policy reading what a batch of events names.
func (s *Store) ReadStreamsTx(ctx context.Context, tx pgx.Tx, streams []string) (map[string][]RecordedEvent, error) {
	events, err := s.query(ctx, tx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ANY($1) ORDER BY stream_id, version`, streams)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(streams), err)
	}
	out := make(map[string][]RecordedEvent, len(streams))
	for _, e := range events {
		out[e.StreamID] = append(out[e.StreamID], e)
	}
	return out, nil
}

// LogFilter narrows the event log; zero fields match all.
type LogFilter struct {
	Type     string
	Stream   string // a whole stream id, or a prefix ending in "-" ("order-")
	From, To time.Time
}

// Log returns events newest first by global position, before a position
// (zero: from the newest), a page at a time: the operators' event log.
func (s *Store) Log(ctx context.Context, f LogFilter, before int64, limit int) ([]RecordedEvent, error) {
	where := []string{"true"}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Type != "" {
		where = append(where, "type = "+arg(f.Type))
	}
	if strings.HasSuffix(f.Stream, "-") {
		where = append(where, "stream_id LIKE "+arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Stream)+"%"))
	} else if f.Stream != "" {
		where = append(where, "stream_id = "+arg(f.Stream))
	}
	if !f.From.IsZero() {
		where = append(where, "recorded_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "recorded_at < "+arg(f.To))
	}
	if before > 0 {
		where = append(where, "position < "+arg(before))
	}
	events, err := s.query(ctx, s.pool, `SELECT `+eventColumns+` FROM events WHERE `+strings.Join(where, " AND ")+
		` ORDER BY position DESC LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("read the event log: %w", err)
	}
	return events, nil
}
