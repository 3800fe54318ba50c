package eventstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"restaurant/domain"
)

// Snapshots. A decider that opts in (domain.Decider.Snapshot above zero)
// has its folded state kept in the snapshots table every so many events,
// and a stream is loaded from its latest usable snapshot and the events
// after it, not from its first event. Snapshots are a cache: the events
// stay the truth, and a snapshot is used only when
//   - its shape is the running program's: a digest of the state's Go type
//     (every field's name, type and json tag, recursively) and of the
//     decider's Snapshot number, so a change of either ignores it;
//   - it decodes into the state;
//   - the stream's event at its version is the one it was made after.
//
// Otherwise the stream is folded from its first event, and the next
// snapshot replaces the row. Deleting rows is always safe. A state that
// does not survive encoding/json unchanged is never written, nor is one of
// a stream any of whose events carries personal fields: snapshots are not
// sealed, and erasing a person's key must erase everything of theirs.

// DefaultSnapshotEvery is how many events a stream grows by between two
// snapshots, unless the store is opened with SnapshotEvery.
const DefaultSnapshotEvery = 100

// Option configures a store when it is opened.
type Option func(*Store)

// SnapshotEvery writes a stream's snapshot each time it has grown by n
// events since its last one; 0 (or less) turns snapshots off, neither
// written nor read.
func SnapshotEvery(n int) Option {
	return func(s *Store) { s.snapshots.every = max(n, 0) }
}

// snapshotting is the store's side of snapshots.
type snapshotting struct {
	every  int
	shapes sync.Map // reflect.Type and version -> shape
	warned sync.Map // shape -> true, once a state of it failed to round-trip
}

// SnapshotEveryN is how often the store writes snapshots (0: never).
func (s *Store) SnapshotEveryN() int { return s.snapshots.every }

// newAggregate is an empty aggregate for d, ready to load from a snapshot
// when d opts in and the store keeps them.
func newAggregate[S, C any](s *Store, d domain.Decider[S, C]) *aggregate[S] {
	agg := &aggregate[S]{commands: map[uuid.UUID]bool{}}
	if s.snapshots.every > 0 && d.Snapshot > 0 {
		agg.shape, agg.codec = s.shapeOf(reflect.TypeFor[S](), d.Snapshot), s.codec
	}
	return agg
}

type shapeKey struct {
	t       reflect.Type
	version int
}

// shapeOf is the shape of snapshots of states of type t made by a decider
// at version.
func (s *Store) shapeOf(t reflect.Type, version int) string {
	key := shapeKey{t, version}
	if v, ok := s.snapshots.shapes.Load(key); ok {
		return v.(string)
	}
	shape := Shape(t, version)
	s.snapshots.shapes.Store(key, shape)
	return shape
}

// Shape is the digest snapshots of states of type t, made by a decider of
// Snapshot version, are recorded with.
func Shape(t reflect.Type, version int) string {
	var b strings.Builder
	describeType(&b, t, map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("%d:%x", version, sum[:16])
}

var (
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// describeType writes out what makes a type's JSON and its meaning: its
// name, its kind, its fields with their tags, exported or not, and whether
// it encodes itself.
func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t.Name() != "" {
		b.WriteString(t.PkgPath() + "." + t.Name())
		if seen[t] {
			return
		}
		seen[t] = true
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
			b.WriteString("(custom json)")
		}
		b.WriteString("=")
	}
	switch t.Kind() {
	case reflect.Struct:
		b.WriteString("struct{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(b, "%s ", f.Name)
			describeType(b, f.Type, seen)
			fmt.Fprintf(b, " %q;", f.Tag.Get("json"))
		}
		b.WriteString("}")
	case reflect.Pointer:
		b.WriteString("*")
		describeType(b, t.Elem(), seen)
	case reflect.Slice:
		b.WriteString("[]")
		describeType(b, t.Elem(), seen)
	case reflect.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		describeType(b, t.Elem(), seen)
	case reflect.Map:
		b.WriteString("map[")
		describeType(b, t.Key(), seen)
		b.WriteString("]")
		describeType(b, t.Elem(), seen)
	default:
		b.WriteString(t.Kind().String())
		if t.Kind() == reflect.Interface {
			b.WriteString(t.String())
		}
	}
}

// load folds a stream into agg, which is empty: from the stream's snapshot
// when one is usable, else from its first event. q is the pool or the
// caller's transaction.
func load[S any](ctx context.Context, s *Store, q Querier, stream string, evolve func(S, domain.Event) S, agg *aggregate[S]) error {
	if agg.shape != "" {
		used, err := fromSnapshot(ctx, s, q, stream, evolve, agg)
		if err != nil || used {
			return err
		}
	}
	events, err := s.query(ctx, q, `SELECT `+eventColumns+` FROM events WHERE stream_id = $1 ORDER BY version`, stream)
	if err != nil {
		return fmt.Errorf("read stream %s: %w", stream, err)
	}
	agg.fold(evolve, events)
	return nil
}

// fromSnapshot loads agg from the stream's snapshot and the events after
// it, and says whether it could; a snapshot it cannot use is passed over.
func fromSnapshot[S any](ctx context.Context, s *Store, q Querier, stream string, evolve func(S, domain.Event) S, agg *aggregate[S]) (bool, error) {
	var (
		version int
		eventID pgtype.UUID
		shape   string
		data    []byte
	)
	err := q.QueryRow(ctx, `SELECT version, event_id, shape, state FROM snapshots WHERE stream_id = $1`, stream).
		Scan(&version, &eventID, &shape, &data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		if _, inTx := q.(pgx.Tx); inTx || ctx.Err() != nil {
			return false, fmt.Errorf("read the snapshot of %s: %w", stream, err)
		}
		// A cache that cannot be read is no reason to refuse a command.
		slog.Warn("snapshot not read; folding the stream from its first event", "stream", stream, "err", err)
		return false, nil
	case shape != agg.shape:
		slog.Debug("snapshot of another shape passed over", "stream", stream, "shape", shape, "want", agg.shape)
		return false, nil
	}
	var state S
	if err := json.Unmarshal(data, &state); err != nil {
		slog.Warn("snapshot that does not decode passed over", "stream", stream, "version", version, "err", err)
		return false, nil
	}
	events, err := s.query(ctx, q, `SELECT `+eventColumns+` FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version`, stream, version)
	if err != nil {
		return false, fmt.Errorf("read stream %s: %w", stream, err)
	}
	if len(events) == 0 || events[0].Version != version || events[0].EventID != uuid.UUID(eventID.Bytes) {
		slog.Warn("snapshot that does not match its stream passed over", "stream", stream, "version", version)
		return false, nil
	}
	at := events[0]
	agg.state, agg.version, agg.last, agg.position, agg.lastEvent = state, at.Version, at.Cursor(), at.Position, at.EventID
	agg.commands[at.CommandID] = true
	agg.snapshotAt = version
	agg.fold(evolve, events[1:])
	return true, nil
}

// upsertSnapshotSQL keeps a stream's newest snapshot, or one of another
// shape: the running program's replaces an older program's.
const upsertSnapshotSQL = `INSERT INTO snapshots (stream_id, version, event_id, shape, state)
VALUES ($1, $2, $3, $4, $5::jsonb)
ON CONFLICT (stream_id) DO UPDATE
SET version = excluded.version, event_id = excluded.event_id, shape = excluded.shape, state = excluded.state, taken_at = now()
WHERE snapshots.version < excluded.version OR snapshots.shape <> excluded.shape`

// saveSnapshot writes agg's state as its stream's snapshot, when the
// stream has grown by the store's interval since the last. It is a cache:
// a write that fails is logged, never the command's failure.
func saveSnapshot[S any](ctx context.Context, s *Store, stream string, agg *aggregate[S]) {
	if agg.shape == "" || agg.personal || agg.version == 0 || agg.version-agg.snapshotAt < s.snapshots.every {
		return
	}
	// Whatever happens, try again only after as many events again.
	agg.snapshotAt = agg.version
	data, err := json.Marshal(agg.state)
	if err == nil {
		var back S
		if err = json.Unmarshal(data, &back); err == nil && !reflect.DeepEqual(back, agg.state) {
			err = errors.New("the state does not survive encoding/json unchanged (unexported fields?)")
		}
	}
	if err != nil {
		agg.shape = "" // never for this aggregate again
		if _, warned := s.snapshots.warned.LoadOrStore(fmt.Sprintf("%T", agg.state), true); !warned {
			slog.Warn("state not snapshotted", "stream", stream, "state", fmt.Sprintf("%T", agg.state), "err", err)
		}
		return
	}
	if _, err := s.pool.Exec(ctx, upsertSnapshotSQL, stream, agg.version, pgUUID(agg.lastEvent), agg.shape, string(data)); err != nil {
		slog.Warn("snapshot not written", "stream", stream, "version", agg.version, "err", err)
	}
}
