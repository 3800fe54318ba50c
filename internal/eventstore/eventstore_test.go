package eventstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// counted is a test event: the n-th thing a writer did.
type counted struct {
	Writer int `json:"writer"`
	N      int `json:"n"`
}

func (counted) EventType() string { return "test.Counted" }

func testCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(counted{}, 1)
	return c
}

// openStore gives a test a store on a fresh database.
func openStore(tb testing.TB, codec *eventstore.Codec) *eventstore.Store {
	tb.Helper()
	s := eventstore.Open(testdb.New(tb), codec)
	tb.Cleanup(s.Close)
	return s
}

func meta() eventstore.Metadata {
	return eventstore.Metadata{CommandID: uuid.New(), Actor: "test"}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAppendExpectedVersions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())

	if _, err := s.Append(ctx, "s-1", eventstore.Exact(1), meta(), counted{N: 1}); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("exact 1 on an empty stream: got %v, want a conflict", err)
	}
	res, err := s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 1}, counted{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.StreamVersion != 2 || len(res.Events) != 2 || res.Events[0].Version != 1 || res.Events[0].Position >= res.Position {
		t.Fatalf("unexpected result %+v", res)
	}
	_, err = s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 3})
	var conflict *eventstore.ConflictError
	if !errors.As(err, &conflict) || conflict.Actual != 2 {
		t.Fatalf("no stream on a stream at 2: got %v, want a conflict naming version 2", err)
	}
	if _, err := s.Append(ctx, "s-1", eventstore.Exact(1), meta(), counted{N: 3}); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("stale exact version: got %v, want a conflict", err)
	}
	if _, err := s.Append(ctx, "s-1", eventstore.Exact(2), meta(), counted{N: 3}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Append(ctx, "s-1", eventstore.Any, meta(), counted{N: 4}); err != nil || res.StreamVersion != 4 {
		t.Fatalf("any: %v %+v", err, res)
	}
	events, err := s.ReadStream(ctx, "s-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if e.Version != i+2 || e.Event != (counted{N: i + 2}) {
			t.Fatalf("event %d read back as version %d, %#v", i, e.Version, e.Event)
		}
	}
	if len(events) != 3 {
		t.Fatalf("read %d events after version 1, want 3", len(events))
	}
}

func TestAppendSameCommandTwiceWritesOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	m := meta()
	first, err := s.Append(ctx, "s-1", eventstore.NoStream, m, counted{N: 1}, counted{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The same command again, even with an expected version that no longer
	// holds, answers as the first time did.
	for _, expected := range []eventstore.ExpectedVersion{eventstore.NoStream, eventstore.Exact(2), eventstore.Any} {
		again, err := s.Append(ctx, "s-1", expected, m, counted{N: 1}, counted{N: 2})
		if err != nil {
			t.Fatalf("expected %d: %v", expected, err)
		}
		if !again.Duplicate || again.Position != first.Position || again.StreamVersion != first.StreamVersion || len(again.Events) != 2 ||
			again.Events[0].EventID != first.Events[0].EventID {
			t.Fatalf("expected %d: repeated command answered %+v, first %+v", expected, again, first)
		}
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("events stored: %d (%v), want 2", n, err)
	}
}

func TestEventsAreImmutable(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	if _, err := s.Append(ctx, "s-1", eventstore.Any, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`UPDATE events SET actor = 'x'`, `DELETE FROM events`, `TRUNCATE events`} {
		if _, err := s.Pool().Exec(ctx, sql); err == nil {
			t.Errorf("%s succeeded on the event log", sql)
		}
	}
}

func TestConcurrentAppendsAtOneVersionExactlyOneWins(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	if _, err := s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			_, err := s.Append(ctx, "s-1", eventstore.Exact(1), meta(), counted{Writer: w, N: 2})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, eventstore.ErrConflict):
				conflicts.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != writers-1 {
		t.Fatalf("%d appends won and %d conflicted; want 1 and %d", wins.Load(), conflicts.Load(), writers-1)
	}
}

// TestReaderWaitsForTransactionThatTookItsPositionFirst is the case that
// loses events in stores which read "position > P": a transaction takes
// position 1, another takes position 2 and commits, and only then does the
// first commit.
func TestReaderWaitsForTransactionThatTookItsPositionFirst(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())

	late, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback(ctx)
	lateRes, err := s.AppendTx(ctx, late, "late", eventstore.NoStream, meta(), counted{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	earlyRes, err := s.Append(ctx, "early", eventstore.NoStream, meta(), counted{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	if lateRes.Position >= earlyRes.Position {
		t.Fatalf("setup: late took position %d, early %d", lateRes.Position, earlyRes.Position)
	}
	// The early event is committed, but a reader must not pass it while an
	// event with a lower position may still commit.
	got, err := s.ReadAll(ctx, eventstore.Cursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("read %d events past an open transaction holding position %d", len(got), lateRes.Position)
	}

	var mu sync.Mutex
	var seen []int64
	subCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(subCtx, "sub", func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range events {
				seen = append(seen, e.Position)
			}
			return nil
		}, eventstore.SubscribeOptions{})
	}()
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s.Committed()
	waitFor(t, "both events", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= 2 })
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != lateRes.Position || seen[1] != earlyRes.Position {
		t.Fatalf("subscriber saw positions %v, want [%d %d]", seen, lateRes.Position, earlyRes.Position)
	}
}

// TestSubscriberSeesEveryEventOnceUnderConcurrentWriters runs 16 writers of
// 500 events each against random streams, plus one transaction that takes
// its position early and commits after a thousand others, while a subscriber
// follows live.
func TestSubscriberSeesEveryEventOnceUnderConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("8,000 appends: skipped with -short")
	}
	ctx := context.Background()
	s := openStore(t, testCodec())
	const writers, perWriter, streams = 16, 500, 40

	type delivered struct {
		cursor  eventstore.Cursor
		stream  string
		version int
	}
	var mu sync.Mutex
	var seen []delivered
	subCtx, cancel := context.WithCancel(ctx)
	subDone := make(chan error, 1)
	go func() {
		subDone <- s.Subscribe(subCtx, "follower", func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range events {
				seen = append(seen, delivered{e.Cursor(), e.StreamID, e.Version})
			}
			return nil
		}, eventstore.SubscribeOptions{BatchSize: 100})
	}()

	var committed atomic.Int32
	thousand := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Go(func() {
		tx, err := s.Pool().Begin(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		defer tx.Rollback(ctx)
		if _, err := s.AppendTx(ctx, tx, "late-committer", eventstore.NoStream, meta(), counted{Writer: -1}); err != nil {
			t.Error(err)
			return
		}
		<-thousand
		if err := tx.Commit(ctx); err != nil {
			t.Error(err)
		}
		s.Committed()
	})
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			for n := range perWriter {
				stream := fmt.Sprintf("stream-%d", rand.IntN(streams))
				if _, err := s.Append(ctx, stream, eventstore.Any, meta(), counted{Writer: w, N: n}); err != nil {
					t.Error(err)
					return
				}
				if committed.Add(1) == 1000 {
					once.Do(func() { close(thousand) })
				}
			}
		})
	}
	writersWG.Wait()
	once.Do(func() { close(thousand) }) // even if writers failed early
	wg.Wait()
	const total = writers*perWriter + 1
	waitFor(t, "the subscriber to see every event", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= total })
	cancel()
	if err := <-subDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("subscriber stopped with %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != total {
		t.Fatalf("subscriber saw %d events, want %d", len(seen), total)
	}
	positions := map[int64]bool{}
	versions := map[string]int{}
	for i, d := range seen {
		if positions[d.cursor.Position] {
			t.Fatalf("position %d delivered twice", d.cursor.Position)
		}
		positions[d.cursor.Position] = true
		if i > 0 && !seen[i-1].cursor.Less(d.cursor) {
			t.Fatalf("delivery %d out of global order: %v after %v", i, d.cursor, seen[i-1].cursor)
		}
		if d.version != versions[d.stream]+1 {
			t.Fatalf("%s: version %d delivered after %d", d.stream, d.version, versions[d.stream])
		}
		versions[d.stream] = d.version
	}
	var stored int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&stored); err != nil || stored != total {
		t.Fatalf("stored %d events (%v), want %d", stored, err, total)
	}
}

func TestSubscriberStoppedMidBatchResumesFromCheckpoint(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	const total = 100
	for n := range total {
		if _, err := s.Append(ctx, fmt.Sprintf("s-%d", n%7), eventstore.Any, meta(), counted{N: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE applied (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	apply := func(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
		_, err := tx.Exec(ctx, `INSERT INTO applied (n) VALUES ($1)`, e.Event.(counted).N)
		return err
	}
	opts := eventstore.SubscribeOptions{BatchSize: 10}

	// First run: the handler fails half way through a batch.
	boom := errors.New("handler failed")
	err := s.Subscribe(ctx, "resumable", func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
		for _, e := range events {
			if e.Event.(counted).N == 37 {
				return boom
			}
			if err := apply(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}, opts)
	if !errors.Is(err, boom) {
		t.Fatalf("first run ended with %v, want the handler's error", err)
	}
	// Second run: the process is stopped (context canceled) mid-batch.
	stopCtx, stop := context.WithCancel(ctx)
	err = s.Subscribe(stopCtx, "resumable", func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
		for _, e := range events {
			if err := apply(ctx, tx, e); err != nil {
				return err
			}
			if e.Event.(counted).N == 64 {
				stop()
				return ctx.Err()
			}
		}
		return nil
	}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("second run ended with %v, want canceled", err)
	}
	cp, err := s.Checkpoint(ctx, "resumable")
	if err != nil || cp.Position == 0 {
		t.Fatalf("checkpoint %v (%v): want progress kept", cp, err)
	}
	// Third run: to the end. A repeated n would violate the primary key.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(runCtx, "resumable", func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
			for _, e := range events {
				if err := apply(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		}, opts)
	}()
	var n int
	waitFor(t, "all events applied", func() bool {
		select {
		case err := <-done:
			t.Fatalf("third run stopped: %v", err)
		default:
		}
		return s.Pool().QueryRow(ctx, `SELECT count(*) FROM applied`).Scan(&n) == nil && n == total
	})
	var distinct, lo, hi int
	if err := s.Pool().QueryRow(ctx, `SELECT count(DISTINCT n), min(n), max(n) FROM applied`).Scan(&distinct, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if distinct != total || lo != 0 || hi != total-1 {
		t.Fatalf("applied %d distinct events from %d to %d, want all %d once", distinct, lo, hi, total)
	}
}

// dish is an event whose schema changed: version 1 had a price in euros as
// a float; version 2 has cents and a currency.
type dish struct {
	Name  string       `json:"name"`
	Price domain.Money `json:"price"`
}

func (dish) EventType() string { return "test.DishAdded" }

func TestOldSchemaVersionsAreUpcastOnRead(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	// Written by an older program, which knew version 1.
	if _, err := pool.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		VALUES ($1, 'dish-1', 1, 'test.DishAdded', 1, '{"name":"Soup","euros":7.5}', $2, $2, 'test')`, uuid.New(), uuid.New()); err != nil {
		t.Fatal(err)
	}
	codec := eventstore.NewCodec()
	codec.Register(dish{}, 2)
	codec.Upcast("test.DishAdded", 1, func(data json.RawMessage) (json.RawMessage, error) {
		var v1 struct {
			Name  string  `json:"name"`
			Euros float64 `json:"euros"`
		}
		if err := json.Unmarshal(data, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(dish{Name: v1.Name, Price: domain.Cents(int64(v1.Euros*100 + 0.5))})
	})
	s := eventstore.Open(pool, codec)
	defer s.Close()
	if _, err := s.Append(ctx, "dish-1", eventstore.Exact(1), meta(), dish{Name: "Bread", Price: domain.Cents(250)}); err != nil {
		t.Fatal(err)
	}
	events, err := s.ReadStream(ctx, "dish-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []dish{{"Soup", domain.Cents(750)}, {"Bread", domain.Cents(250)}}
	for i, e := range events {
		if e.Event != want[i] {
			t.Errorf("event %d read as %#v, want %#v", i, e.Event, want[i])
		}
	}
	if events[0].SchemaVersion != 1 || events[1].SchemaVersion != 2 {
		t.Errorf("stored schema versions %d, %d; want 1, 2", events[0].SchemaVersion, events[1].SchemaVersion)
	}

	// A reader without the upcaster refuses rather than misreads.
	bare := eventstore.NewCodec()
	bare.Register(dish{}, 2)
	s2 := eventstore.Open(pool, bare)
	defer s2.Close()
	if _, err := s2.ReadStream(ctx, "dish-1", 0); err == nil {
		t.Fatal("read a version 1 event without an upcaster")
	}
}

func TestReplayReadsEverythingInGlobalOrder(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	const total = 1234
	for n := range total {
		if _, err := s.Append(ctx, fmt.Sprintf("s-%d", n%13), eventstore.Any, meta(), counted{N: n}); err != nil {
			t.Fatal(err)
		}
	}
	var got []eventstore.RecordedEvent
	batches := 0
	if err := s.Replay(ctx, eventstore.Cursor{}, 100, func(b []eventstore.RecordedEvent) error {
		batches++
		got = append(got, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != total || batches != 13 {
		t.Fatalf("replayed %d events in %d batches, want %d in 13", len(got), batches, total)
	}
	for i, e := range got {
		if e.Event.(counted).N != i {
			t.Fatalf("event %d is %v: out of order", i, e.Event)
		}
	}
	// From the middle: only what follows.
	var rest int
	if err := s.Replay(ctx, got[999].Cursor(), 100, func(b []eventstore.RecordedEvent) error { rest += len(b); return nil }); err != nil || rest != total-1000 {
		t.Fatalf("replay from event 1000 read %d (%v), want %d", rest, err, total-1000)
	}
}

// TestOlderTransactionCannotAppendAfterANewerOne guards per-stream order: a
// caller's transaction that began writing before another append committed
// to the stream would put the next version before the previous one in the
// global order.
func TestOlderTransactionCannotAppendAfterANewerOne(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	old, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback(ctx)
	if _, err := old.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil { // it has written: its id is taken
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendTx(ctx, old, "s-1", eventstore.Exact(1), meta(), counted{N: 2}); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("an older transaction appended after a newer one: %v", err)
	}
	if err := old.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Rollback(ctx)
	if _, err := s.AppendTx(ctx, fresh, "s-1", eventstore.Exact(1), meta(), counted{N: 2}); err != nil {
		t.Fatalf("a new transaction: %v", err)
	}
}

// TestAppendThatLosesARacePartWayIsAConflict: a two-event append checks the
// version, then finds its first version taken by a transaction that
// committed meanwhile. Nothing of it may remain, and the caller hears a
// conflict it can retry.
func TestAppendThatLosesARacePartWayIsAConflict(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	if _, err := s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	rival, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rival.Rollback(ctx)
	// The rival is another process's batch statement, caught mid-flight: it
	// holds no stream lock (AppendTx would, and keep the append out).
	if _, err := rival.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
		command_id, correlation_id, actor) VALUES ($1, 's-1', 2, 'test.Counted', 1, '{"writer":0,"n":2}', $2, $2, 'test')`,
		uuid.New(), uuid.New()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, "s-1", eventstore.Exact(1), meta(), counted{N: 20}, counted{N: 30})
		done <- err
	}()
	waitFor(t, "the two-event append to wait on the rival's row", func() bool {
		var waiting bool
		_ = s.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND datname = current_database())`).Scan(&waiting)
		return waiting
	})
	if err := rival.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("the append that lost part way answered %v, want a conflict", err)
	}
	events, err := s.ReadStream(ctx, "s-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[1].Event != (counted{N: 2}) {
		t.Fatalf("stream holds %d events, last %v; want the rival's 2", len(events), events[len(events)-1].Event)
	}
}

func TestARecordedErrorClearsWhenTheSubscriberCatchesUp(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	if _, err := s.Append(ctx, "s-1", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := s.Subscribe(ctx, "flaky", func(context.Context, pgx.Tx, []eventstore.RecordedEvent) error { return boom }, eventstore.SubscribeOptions{}); !errors.Is(err, boom) {
		t.Fatalf("first run: %v", err)
	}
	if err := s.RecordError(ctx, "flaky", boom); err != nil {
		t.Fatal(err)
	}
	lastError := func() string {
		var e *string
		if err := s.Pool().QueryRow(ctx, `SELECT last_error FROM checkpoints WHERE name = 'flaky'`).Scan(&e); err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return ""
		}
		return *e
	}
	if lastError() != "boom" {
		t.Fatal("setup: no error recorded")
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(runCtx, "flaky", func(context.Context, pgx.Tx, []eventstore.RecordedEvent) error { return nil }, eventstore.SubscribeOptions{})
	}()
	waitFor(t, "the error to clear", func() bool { return lastError() == "" })
	cancel()
	<-done
}

// TestASubscriberStopsExactlyAtTheEventItFailsOn: when the handler fails on
// one event of a batch, the events before it are applied and the checkpoint
// stops just before it; once the cause is gone, the subscriber carries on
// from that event and skips none.
func TestASubscriberStopsExactlyAtTheEventItFailsOn(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	var cursors []eventstore.Cursor
	for n := 1; n <= 5; n++ {
		res, err := s.Append(ctx, "s-1", eventstore.Any, meta(), counted{N: n})
		if err != nil {
			t.Fatal(err)
		}
		cursors = append(cursors, res.Cursor)
	}
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE applied (n integer PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("three is refused")
	refuse := 3
	handler := func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
		for _, e := range events {
			n := e.Event.(counted).N
			if n == refuse {
				return &eventstore.EventFailed{At: e.Cursor(), Err: boom}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO applied VALUES ($1)`, n); err != nil {
				return err
			}
		}
		return nil
	}
	applied := func() []int {
		rows, err := s.Pool().Query(ctx, `SELECT n FROM applied ORDER BY n`)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	// All five arrive in one batch; twice, because a second run starts at
	// the refused event and stops there again.
	for range 2 {
		if err := s.Subscribe(ctx, "picky", handler, eventstore.SubscribeOptions{}); !errors.Is(err, boom) {
			t.Fatalf("the subscription ended with %v, want the handler's error", err)
		}
		if at, err := s.Checkpoint(ctx, "picky"); err != nil || at != cursors[1] {
			t.Fatalf("checkpoint %v (%v), want %v: just before the refused event", at, err, cursors[1])
		}
		if got := applied(); !reflect.DeepEqual(got, []int{1, 2}) {
			t.Fatalf("applied %v, want [1 2]", got)
		}
	}
	refuse = 0
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Subscribe(runCtx, "picky", handler, eventstore.SubscribeOptions{}) }()
	waitFor(t, "the subscriber to reach the last event", func() bool {
		at, err := s.Checkpoint(ctx, "picky")
		return err == nil && at == cursors[4]
	})
	cancel()
	<-done
	if got := applied(); !reflect.DeepEqual(got, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("applied %v, want every event once", got)
	}
}
