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
	// Command names the command ("ordering.CancelOrder") and Request is a
	// digest of the client's request that carried it. Neither is stored with
	// the events: they are recorded with the command's outcome (see
	// outcome.go), so that a repeat is answered as the first run was and a
	// command id reused for another request is refused. An empty Request
	// matches any repeat.
	Command string `json:"-"`
	Request string `json:"-"`
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
	// Erased says personal fields of the event could not be opened: their
	// person was erased, and they read as "".
	Erased bool
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
	// fence follows the fence while subscribers wait behind it (fence.go).
	fence *fenceWatch
	// share lets the subscribers woken together share their reads
	// (shared.go).
	share readShare
	// notifyReq asks the notifier goroutine for one NOTIFY; a full buffer
	// means one is already due, so requests coalesce.
	notifyReq chan struct{}
	// queue feeds the dispatcher of batched appends (see batch.go).
	queue chan *appendRequest
	// aggregates keeps streams folded between commands (see Handle).
	aggregates aggregateCache
	// keys seal and open personal data (see keys.go).
	keys        keyring
	snapshots   snapshotting
	streamLocks streamLocks
	closing     chan struct{}
	stop        context.CancelFunc
	done        sync.WaitGroup
	once        sync.Once
}

// Open makes a store and starts its notification listener; Close stops it.
func Open(pool *pgxpool.Pool, codec *Codec, opts ...Option) *Store {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{pool: pool, codec: codec, wake: newSignal(), fence: newFenceWatch(), notifyReq: make(chan struct{}, 1),
		closing: make(chan struct{}), stop: cancel}
	s.snapshots.every = DefaultSnapshotEvery
	for _, opt := range opts {
		opt(s)
	}
	s.done.Add(4)
	go func() { defer s.done.Done(); s.listen(ctx) }()
	go func() { defer s.done.Done(); s.watchFence(ctx) }()
	go func() { defer s.done.Done(); s.notify(ctx) }()
	s.queue = make(chan *appendRequest, 2*maxBatchEvents)
	go func() { defer s.done.Done(); s.dispatchBatches(ctx) }()
	return s
}

// Close stops the background work; appends in flight fail with ErrClosed.
func (s *Store) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.stop()
		s.done.Wait()
	})
}

// Codec is the store's event contract.
func (s *Store) Codec() *Codec { return s.codec }

// Pool is the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
