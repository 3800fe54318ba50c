package eventstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// A ledger that may not go below zero: a decision that depends on every
// event folded, so a wrong snapshot shows in the answer.
type ledger struct {
	Balance int `json:"balance"`
	Entries int `json:"entries"`
}

type deposited struct {
	Amount int `json:"amount"`
}

func (deposited) EventType() string { return "test.Deposited" }

type withdrawn struct {
	Amount int `json:"amount"`
}

func (withdrawn) EventType() string { return "test.Withdrawn" }

type deposit struct{ amount int }
type withdraw struct{ amount int }
type check struct{} // decides nothing

func ledgerCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(deposited{}, 1)
	c.Register(withdrawn{}, 1)
	return c
}

// ledgerDecider opts in to snapshots at version; beforeDecide, when set,
// runs before each decision.
func ledgerDecider(version int, beforeDecide func()) domain.Decider[ledger, any] {
	return domain.Decider[ledger, any]{
		Snapshot: version,
		Evolve: func(s ledger, e domain.Event) ledger {
			switch e := e.(type) {
			case deposited:
				s.Balance += e.Amount
			case withdrawn:
				s.Balance -= e.Amount
			}
			s.Entries++
			return s
		},
		Decide: func(s ledger, cmd any) ([]domain.Event, error) {
			if beforeDecide != nil {
				beforeDecide()
			}
			switch c := cmd.(type) {
			case deposit:
				return []domain.Event{deposited{Amount: c.amount}}, nil
			case withdraw:
				if c.amount > s.Balance {
					return nil, domain.Conflict("Not enough in the ledger.")
				}
				return []domain.Event{withdrawn{Amount: c.amount}}, nil
			case check:
				return nil, nil
			}
			return nil, errors.New("unknown command")
		},
	}
}

var ledgerShape = eventstore.Shape(reflect.TypeFor[ledger](), 1)

type snapshotRow struct {
	Version int
	EventID uuid.UUID
	Shape   string
	State   ledger
}

// snapshotOf reads a stream's snapshot row, if any.
func snapshotOf(t *testing.T, s *eventstore.Store, stream string) (snapshotRow, bool) {
	t.Helper()
	var row snapshotRow
	var data []byte
	err := s.Pool().QueryRow(context.Background(), `SELECT version, event_id, shape, state FROM snapshots WHERE stream_id = $1`, stream).
		Scan(&row.Version, &row.EventID, &row.Shape, &data)
	if err != nil {
		return row, false
	}
	if err := json.Unmarshal(data, &row.State); err != nil {
		t.Fatal(err)
	}
	return row, true
}

// putSnapshot writes a snapshot row as the test wants it, right or wrong.
func putSnapshot(t *testing.T, s *eventstore.Store, stream string, version int, eventID uuid.UUID, shape, state string) {
	t.Helper()
	if _, err := s.Pool().Exec(context.Background(), `INSERT INTO snapshots (stream_id, version, event_id, shape, state)
		VALUES ($1, $2, $3, $4, $5::jsonb)
		ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, event_id = excluded.event_id, shape = excluded.shape, state = excluded.state`,
		stream, version, eventID, shape, state); err != nil {
		t.Fatal(err)
	}
}

// eventAt is the id of a stream's event at a version.
func eventAt(t *testing.T, s *eventstore.Store, stream string, version int) uuid.UUID {
	t.Helper()
	events, err := s.ReadStream(context.Background(), stream, version-1)
	if err != nil || len(events) == 0 {
		t.Fatalf("no event at %s@%d: %v", stream, version, err)
	}
	return events[0].EventID
}

// refused says the ledger refused a command.
func refused(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.ECONFLICT
}

func run(t *testing.T, s *eventstore.Store, stream string, d domain.Decider[ledger, any], cmd any) (eventstore.Result, error) {
	t.Helper()
	return eventstore.Handle(context.Background(), s, stream, d, meta(), cmd)
}

func deposits(t *testing.T, s *eventstore.Store, stream string, n int) {
	t.Helper()
	for range n {
		if _, err := run(t, s, stream, ledgerDecider(1, nil), deposit{amount: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSnapshotWrittenEveryN(t *testing.T) {
	s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(5))
	t.Cleanup(s.Close)
	deposits(t, s, "ledger-1", 4)
	if _, found := snapshotOf(t, s, "ledger-1"); found {
		t.Fatal("a snapshot after 4 events, with one every 5")
	}
	deposits(t, s, "ledger-1", 8)
	row, found := snapshotOf(t, s, "ledger-1")
	if !found || row.Version != 10 || row.Shape != ledgerShape || row.State != (ledger{Balance: 10, Entries: 10}) {
		t.Fatalf("after 12 events the snapshot is %+v (found %v), want the state at 10", row, found)
	}
	if row.EventID != eventAt(t, s, "ledger-1", 10) {
		t.Error("the snapshot does not name the event at its version")
	}
	// A process that starts afresh loads from the snapshot and writes the
	// next one 5 events after it.
	eventstore.ForgetAggregates(s)
	deposits(t, s, "ledger-1", 3)
	if row, _ := snapshotOf(t, s, "ledger-1"); row.Version != 15 || row.State.Balance != 15 {
		t.Fatalf("after 15 events the snapshot is %+v", row)
	}

	// A decider that does not opt in, or a store that keeps none, writes none.
	for _, c := range []struct {
		name    string
		store   *eventstore.Store
		version int
	}{{"not opted in", s, 0}, {"store without snapshots", eventstore.Open(s.Pool(), ledgerCodec(), eventstore.SnapshotEvery(0)), 1}} {
		for range 12 {
			if _, err := run(t, c.store, "ledger-"+c.name, ledgerDecider(c.version, nil), deposit{amount: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, found := snapshotOf(t, s, "ledger-"+c.name); found {
			t.Errorf("%s: a snapshot was written", c.name)
		}
	}
}

// TestSnapshotDecidesAsWithout runs the same commands on two streams, one
// with snapshots every 3 events and one without, each command on a cold
// store, and compares every answer.
func TestSnapshotDecidesAsWithout(t *testing.T) {
	pool := testdb.New(t)
	with := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(3))
	without := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(0))
	t.Cleanup(with.Close)
	t.Cleanup(without.Close)
	cmds := []any{deposit{5}, deposit{2}, withdraw{3}, withdraw{9}, deposit{1}, check{}, withdraw{5}, deposit{4},
		withdraw{1}, withdraw{4}, deposit{7}, check{}, withdraw{8}, withdraw{7}, deposit{3}}
	d := ledgerDecider(1, nil)
	for i, cmd := range cmds {
		eventstore.ForgetAggregates(with)
		eventstore.ForgetAggregates(without)
		got, gotErr := run(t, with, "ledger-with", d, cmd)
		want, wantErr := run(t, without, "ledger-without", d, cmd)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("command %d %#v: with snapshots %v, without %v", i, cmd, gotErr, wantErr)
		}
		if got.StreamVersion != want.StreamVersion || len(got.Events) != len(want.Events) {
			t.Fatalf("command %d %#v: with snapshots version %d, %d events; without %d, %d", i, cmd,
				got.StreamVersion, len(got.Events), want.StreamVersion, len(want.Events))
		}
		for j := range got.Events {
			if got.Events[j].Event != want.Events[j].Event || got.Events[j].Version != want.Events[j].Version {
				t.Fatalf("command %d: event %d is %+v with snapshots, %+v without", i, j, got.Events[j], want.Events[j])
			}
		}
	}
	if row, found := snapshotOf(t, with, "ledger-with"); !found || row.Version < 9 {
		t.Fatalf("the stream with snapshots has %+v (found %v)", row, found)
	}
}

// TestSnapshotIsUsed shows the store reads a snapshot of its shape: one
// written with a wrong balance (at the right event) changes the decision.
// The other tests rest on this to show a snapshot is not used.
func TestSnapshotIsUsed(t *testing.T) {
	s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(1000))
	t.Cleanup(s.Close)
	deposits(t, s, "ledger-1", 10)
	putSnapshot(t, s, "ledger-1", 8, eventAt(t, s, "ledger-1", 8), ledgerShape, `{"balance": 1000, "entries": 8}`)
	eventstore.ForgetAggregates(s)
	res, err := run(t, s, "ledger-1", ledgerDecider(1, nil), withdraw{500})
	if err != nil || res.StreamVersion != 11 {
		t.Fatalf("withdraw from the forged snapshot: %+v, %v", res, err)
	}
}

// TestSnapshotOfAnotherShapeIgnored writes snapshots that would allow a
// withdrawal the events forbid, of another decider version and of another
// state type: the command decides from the events, and the next snapshot
// replaces the row.
func TestSnapshotOfAnotherShapeIgnored(t *testing.T) {
	type ledgerV2 struct {
		Balance int `json:"balance"`
		Entries int `json:"entries"`
		Limit   int `json:"limit"`
	}
	for name, shape := range map[string]string{
		"decider version": eventstore.Shape(reflect.TypeFor[ledger](), 2),
		"state type":      eventstore.Shape(reflect.TypeFor[ledgerV2](), 1),
		"json tag": eventstore.Shape(reflect.TypeFor[struct {
			Balance int `json:"amount"`
			Entries int `json:"entries"`
		}](), 1),
	} {
		t.Run(name, func(t *testing.T) {
			if shape == ledgerShape {
				t.Fatal("another shape digests as the ledger's")
			}
			s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(5))
			t.Cleanup(s.Close)
			deposits(t, s, "ledger-1", 12)
			putSnapshot(t, s, "ledger-1", 12, eventAt(t, s, "ledger-1", 12), shape, `{"balance": 1000, "entries": 12, "limit": 0}`)
			eventstore.ForgetAggregates(s)
			if _, err := run(t, s, "ledger-1", ledgerDecider(1, nil), withdraw{500}); !refused(err) {
				t.Fatalf("withdraw 500 of 12 with an old snapshot of 1000: %v, want refused", err)
			}
			row, _ := snapshotOf(t, s, "ledger-1")
			if row.Shape != ledgerShape || row.State.Balance != 12 || row.Version != 12 {
				t.Fatalf("the old snapshot was not replaced: %+v", row)
			}
		})
	}
}

// TestCorruptSnapshotIgnored: a row that does not decode, or that does not
// match the stream's history, is passed over.
func TestCorruptSnapshotIgnored(t *testing.T) {
	for name, forge := range map[string]func(s *eventstore.Store){
		"state that does not decode": func(s *eventstore.Store) {
			putSnapshot(t, s, "ledger-1", 10, eventAt(t, s, "ledger-1", 10), ledgerShape, `{"balance": "lots"}`)
		},
		"version beyond the stream": func(s *eventstore.Store) {
			putSnapshot(t, s, "ledger-1", 99, uuid.New(), ledgerShape, `{"balance": 1000, "entries": 99}`)
		},
		"another event at its version": func(s *eventstore.Store) {
			putSnapshot(t, s, "ledger-1", 10, uuid.New(), ledgerShape, `{"balance": 1000, "entries": 10}`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(1000))
			t.Cleanup(s.Close)
			deposits(t, s, "ledger-1", 10)
			forge(s)
			eventstore.ForgetAggregates(s)
			if _, err := run(t, s, "ledger-1", ledgerDecider(1, nil), withdraw{500}); !refused(err) {
				t.Fatalf("withdraw 500 of 10 past a corrupt snapshot: %v, want refused", err)
			}
			res, err := run(t, s, "ledger-1", ledgerDecider(1, nil), withdraw{10})
			if err != nil || res.StreamVersion != 11 {
				t.Fatalf("withdraw 10 of 10: %+v, %v", res, err)
			}
		})
	}
}

// TestSnapshotWriteFailureNeverFailsTheCommand: the snapshots table
// refuses every write, and commands go on.
func TestSnapshotWriteFailureNeverFailsTheCommand(t *testing.T) {
	s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(2))
	t.Cleanup(s.Close)
	if _, err := s.Pool().Exec(context.Background(), `
		CREATE FUNCTION refuse_snapshots() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no snapshots today'; END $$;
		CREATE TRIGGER refuse_snapshots BEFORE INSERT OR UPDATE ON snapshots FOR EACH ROW EXECUTE FUNCTION refuse_snapshots()`); err != nil {
		t.Fatal(err)
	}
	deposits(t, s, "ledger-1", 6)
	if _, found := snapshotOf(t, s, "ledger-1"); found {
		t.Fatal("a snapshot was written past the trigger")
	}
	events, err := s.ReadStream(context.Background(), "ledger-1", 0)
	if err != nil || len(events) != 6 {
		t.Fatalf("%d events, %v; want 6", len(events), err)
	}
}

// TestSnapshotConflicts: a process that loaded a stream from its snapshot
// appends at the stream's real version, so a writer that got there first
// makes it decide again, on what that writer wrote.
func TestSnapshotConflicts(t *testing.T) {
	pool := testdb.New(t)
	first := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(5))
	second := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(5))
	t.Cleanup(first.Close)
	t.Cleanup(second.Close)
	deposits(t, first, "ledger-1", 12) // snapshot at 10
	eventstore.ForgetAggregates(first)

	// first loads (snapshot and two events) and, before it appends,
	// second withdraws everything.
	var once sync.Once
	interloper := func() {
		once.Do(func() {
			if _, err := run(t, second, "ledger-1", ledgerDecider(1, nil), withdraw{12}); err != nil {
				t.Error(err)
			}
		})
	}
	_, err := run(t, first, "ledger-1", ledgerDecider(1, interloper), withdraw{12})
	if !refused(err) {
		t.Fatalf("the second withdrawal of everything: %v, want refused on the state after the first", err)
	}
	res, err := run(t, first, "ledger-1", ledgerDecider(1, nil), deposit{3})
	if err != nil || res.StreamVersion != 14 {
		t.Fatalf("deposit after: %+v, %v; want version 14", res, err)
	}
	// An append at a version the snapshot knows but the stream has passed
	// is a conflict, as without snapshots.
	if _, err := first.Append(context.Background(), "ledger-1", eventstore.Exact(10), meta(), deposited{Amount: 1}); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append at the snapshot's version: %v, want a conflict", err)
	}
}

// TestSnapshotRepeatOfAnEarlierCommand: a command that wrote before the
// snapshot is answered as its first run, by Handle and by HandleTx.
func TestSnapshotRepeatOfAnEarlierCommand(t *testing.T) {
	s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(5))
	t.Cleanup(s.Close)
	d := ledgerDecider(1, nil)
	early := meta()
	first, err := eventstore.Handle(context.Background(), s, "ledger-1", d, early, any(deposit{amount: 7}))
	if err != nil {
		t.Fatal(err)
	}
	deposits(t, s, "ledger-1", 11)
	if row, _ := snapshotOf(t, s, "ledger-1"); row.Version != 10 {
		t.Fatalf("snapshot at %d, want 10", row.Version)
	}
	eventstore.ForgetAggregates(s)
	again, err := eventstore.Handle(context.Background(), s, "ledger-1", d, early, any(deposit{amount: 7}))
	if err != nil || !again.Duplicate || again.StreamVersion != first.StreamVersion || len(again.Events) != 1 || again.Events[0].EventID != first.Events[0].EventID {
		t.Fatalf("repeat after the snapshot: %+v, %v; want the first run's %+v", again, err, first)
	}
	tx, err := s.Pool().Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	res, err := eventstore.HandleTx(context.Background(), tx, s, "ledger-1", d, early, any(deposit{amount: 7}))
	if err != nil || len(res.Events) != 0 || res.StreamVersion != 12 {
		t.Fatalf("repeat in a transaction after the snapshot: %+v, %v; want nothing written at 12", res, err)
	}
}

// TestNoSnapshotOfPersonalData: a stream in which the store folded an
// event with personal fields is never snapshotted, even by a decider that
// opts in, so no person's data lies unsealed in snapshots.
func TestNoSnapshotOfPersonalData(t *testing.T) {
	c := personalCodec()
	c.Register(deposited{}, 1)
	s := eventstore.Open(testdb.New(t), c, eventstore.SnapshotEvery(2))
	t.Cleanup(s.Close)
	type guests struct {
		Names []string `json:"names"`
		Count int      `json:"count"`
	}
	d := domain.Decider[guests, any]{
		Snapshot: 1,
		Evolve: func(g guests, e domain.Event) guests {
			if e, ok := e.(contactNoted); ok {
				g.Names = append(g.Names, e.Name)
			}
			g.Count++
			return g
		},
		Decide: func(_ guests, cmd any) ([]domain.Event, error) { return []domain.Event{cmd.(domain.Event)}, nil },
	}
	ctx := context.Background()
	for _, stream := range []string{"guests-1", "count-1"} {
		for i := range 5 {
			var e domain.Event = deposited{Amount: 1}
			if stream == "guests-1" && i == 1 {
				e = zelda("p1")
			}
			if _, err := eventstore.Handle(ctx, s, stream, d, meta(), any(e)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM snapshots WHERE stream_id = 'guests-1' OR state::text LIKE '%Zelda%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d snapshots of a stream with personal data (%v)", n, err)
	}
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM snapshots WHERE stream_id = 'count-1'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d snapshots of the stream without, want 1 (%v)", n, err)
	}
}

// TestLatestStartsFromSnapshot: Latest's first read starts from a usable
// snapshot (here a forged one, to tell), and passes over one of another
// shape.
func TestLatestStartsFromSnapshot(t *testing.T) {
	s := eventstore.Open(testdb.New(t), ledgerCodec(), eventstore.SnapshotEvery(1000))
	t.Cleanup(s.Close)
	deposits(t, s, "ledger-1", 10)
	evolve := ledgerDecider(1, nil).Evolve
	ctx := context.Background()
	putSnapshot(t, s, "ledger-1", 8, eventAt(t, s, "ledger-1", 8), ledgerShape, `{"balance": 1000, "entries": 8}`)
	used := &eventstore.Latest[ledger]{Snapshot: 1}
	if got, err := used.Current(ctx, s, "ledger-1", evolve); err != nil || got != (ledger{Balance: 1002, Entries: 10}) {
		t.Fatalf("from the snapshot at 8: %+v, %v", got, err)
	}
	deposits(t, s, "ledger-1", 1)
	if got, err := used.Current(ctx, s, "ledger-1", evolve); err != nil || got != (ledger{Balance: 1003, Entries: 11}) {
		t.Fatalf("then one more: %+v, %v", got, err)
	}
	for name, l := range map[string]*eventstore.Latest[ledger]{"another shape": {Snapshot: 2}, "no snapshots": {}} {
		if got, err := l.Current(ctx, s, "ledger-1", evolve); err != nil || got != (ledger{Balance: 11, Entries: 11}) {
			t.Errorf("%s: %+v, %v; want folded from the events", name, got, err)
		}
	}
}
