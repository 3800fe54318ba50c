package eventstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// A tiny order for testing the command handler: items may be added until it
// is placed.
type tab struct {
	items  int
	placed bool
}

type itemAdded struct {
	Item string `json:"item"`
}

func (itemAdded) EventType() string { return "test.ItemAdded" }

type tabPlaced struct{}

func (tabPlaced) EventType() string { return "test.TabPlaced" }

type addItem struct{ item string }
type placeTab struct{}

func tabCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(itemAdded{}, 1)
	c.Register(tabPlaced{}, 1)
	return c
}

// tabDecider decides like a real aggregate; beforeDecide, when set, runs
// before each decision, so a test can hold one command between its read and
// its append while another command commits.
func tabDecider(beforeDecide func(cmd any)) domain.Decider[tab, any] {
	return domain.Decider[tab, any]{
		Evolve: func(s tab, e domain.Event) tab {
			switch e.(type) {
			case itemAdded:
				s.items++
			case tabPlaced:
				s.placed = true
			}
			return s
		},
		Decide: func(s tab, cmd any) ([]domain.Event, error) {
			if beforeDecide != nil {
				beforeDecide(cmd)
			}
			if s.placed {
				return nil, domain.Conflict("This order was already placed.")
			}
			switch c := cmd.(type) {
			case addItem:
				return []domain.Event{itemAdded{Item: c.item}}, nil
			case placeTab:
				return []domain.Event{tabPlaced{}}, nil
			}
			return nil, errors.New("unknown command")
		},
	}
}

// handle runs a command on the tab stream.
func handle(s *eventstore.Store, m eventstore.Metadata, cmd any) (eventstore.Result, error) {
	return eventstore.Handle(context.Background(), s, "tab-1", tabDecider(nil), m, cmd)
}

// raceTwoCommands runs first so that it reads the stream, then lets second
// run to completion, then lets first append: first's append conflicts and
// the handler decides it again.
func raceTwoCommands(t *testing.T, s *eventstore.Store, first, second any) (decisions int, firstErr, secondErr error) {
	t.Helper()
	ctx := context.Background()
	if _, err := handle(s, meta(), addItem{"bread"}); err != nil {
		t.Fatal(err)
	}
	holding := make(chan struct{})
	release := make(chan struct{})
	held := false
	d := tabDecider(func(cmd any) {
		decisions++
		if !held {
			held = true
			close(holding)
			<-release
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := eventstore.Handle(ctx, s, "tab-1", d, meta(), first)
		done <- err
	}()
	<-holding
	// The second command comes from another process: commands within one
	// process take turns on a stream and never meet like this.
	other := eventstore.Open(s.Pool(), tabCodec())
	defer other.Close()
	_, secondErr = handle(other, meta(), second)
	close(release)
	firstErr = <-done
	return decisions, firstErr, secondErr
}

func TestHandleRetriesCommutingCommandsAfterAConflict(t *testing.T) {
	s := openStore(t, tabCodec())
	decisions, firstErr, secondErr := raceTwoCommands(t, s, addItem{"soup"}, addItem{"wine"})
	if firstErr != nil || secondErr != nil {
		t.Fatalf("both adds should succeed: %v, %v", firstErr, secondErr)
	}
	if decisions != 2 {
		t.Fatalf("the held command decided %d times, want 2 (once, then again after the conflict)", decisions)
	}
	state, history, err := eventstore.Load(context.Background(), s, "tab-1", tabDecider(nil))
	if err != nil || state.items != 3 || len(history) != 3 {
		t.Fatalf("tab has %d items in %d events (%v), want 3", state.items, len(history), err)
	}
}

func TestHandleRejectsACommandTheNewStateForbids(t *testing.T) {
	s := openStore(t, tabCodec())
	_, firstErr, secondErr := raceTwoCommands(t, s, addItem{"soup"}, placeTab{})
	if secondErr != nil {
		t.Fatal(secondErr)
	}
	if domain.ErrorCode(firstErr) != domain.ECONFLICT {
		t.Fatalf("adding to a tab placed meanwhile: got %v, want the domain's conflict", firstErr)
	}
	state, _, _ := eventstore.Load(context.Background(), s, "tab-1", tabDecider(nil))
	if state.items != 1 || !state.placed {
		t.Fatalf("tab ended as %+v, want 1 item and placed", state)
	}
}

func TestHandleSameCommandTwiceAnswersTheSame(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, tabCodec())
	m := eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}
	if _, err := handle(s, meta(), addItem{"bread"}); err != nil {
		t.Fatal(err)
	}
	first, err := handle(s, m, placeTab{})
	if err != nil {
		t.Fatal(err)
	}
	// Deciding again would now be rejected (already placed); the repeat must
	// answer as the first run did instead.
	again, err := handle(s, m, placeTab{})
	if err != nil {
		t.Fatalf("repeated place: %v", err)
	}
	if !again.Duplicate || again.Position != first.Position || len(again.Events) != 1 || again.Events[0].EventID != first.Events[0].EventID {
		t.Fatalf("repeat answered %+v, first %+v", again, first)
	}
	_, history, _ := eventstore.Load(ctx, s, "tab-1", tabDecider(nil))
	if len(history) != 2 {
		t.Fatalf("stream has %d events, want 2", len(history))
	}
}

func TestHandleManyConcurrentCommandsAllLand(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, tabCodec())
	// Two processes on one database: within each, commands on the stream
	// take turns; between them, conflicts are met by deciding again.
	other := eventstore.Open(s.Pool(), tabCodec())
	defer other.Close()
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			store := s
			if i%2 == 1 {
				store = other
			}
			_, err := handle(store, meta(), addItem{"x"})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("a concurrent command failed: %v", err)
		}
	}
	state, _, _ := eventstore.Load(ctx, s, "tab-1", tabDecider(nil))
	if state.items != n {
		t.Fatalf("%d commands succeeded but the tab holds %d items", n, state.items)
	}
}

// TestHandleDecidesOnTheStreamAsItIsAcrossProcesses: each process keeps the
// streams it folded, and must still decide on what another process appended.
func TestHandleDecidesOnTheStreamAsItIsAcrossProcesses(t *testing.T) {
	a := openStore(t, tabCodec())
	b := eventstore.Open(a.Pool(), tabCodec())
	defer b.Close()
	if _, err := handle(a, meta(), addItem{"soup"}); err != nil { // a has the stream folded now
		t.Fatal(err)
	}
	if _, err := handle(b, meta(), placeTab{}); err != nil {
		t.Fatal(err)
	}
	// a still remembers an open tab: its append must not go through.
	if _, err := handle(a, meta(), addItem{"wine"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("adding to a tab placed by another process: %v, want the domain's refusal", err)
	}
	// A refusal made on memory alone is checked against the stream first:
	// a does not know the line b added, but may remove it.
	codec := eventstore.NewCodec()
	for _, e := range ordering.Events() {
		codec.Register(e, 1)
	}
	c := eventstore.Open(a.Pool(), codec)
	defer c.Close()
	e := eventstore.Open(a.Pool(), codec)
	defer e.Close()
	run := func(s *eventstore.Store, cmd ordering.Command) error {
		_, err := eventstore.Handle(context.Background(), s, ordering.Stream("1"), ordering.Decider, meta(), cmd)
		return err
	}
	line := func(id string) ordering.Command {
		return ordering.AddItem{LineID: id, MenuItemID: "soup", Name: "Soup", Quantity: 1, UnitPrice: domain.Cents(500)}
	}
	for _, step := range []struct {
		s   *eventstore.Store
		cmd ordering.Command
	}{
		{c, ordering.OpenOrder{OrderID: "1", CustomerID: "guest", At: time.Unix(0, 0)}},
		{c, line("l1")},
		{e, line("l2")},
		{c, ordering.RemoveItem{LineID: "l2"}},
	} {
		if err := run(step.s, step.cmd); err != nil {
			t.Fatalf("%T: %v", step.cmd, err)
		}
	}
	state, _, _ := eventstore.Load(context.Background(), e, ordering.Stream("1"), ordering.Decider)
	if len(state.Lines) != 1 || state.Lines[0].LineID != "l1" {
		t.Fatalf("order lines %+v, want only l1", state.Lines)
	}
}
