package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// claim takes a stream for its side, unless the other side's stream, read
// under the lock, shows the other side took it first.
type claim struct{ otherTook bool }

var claims = domain.Decider[int, claim]{
	Evolve: func(n int, _ domain.Event) int { return n + 1 },
	Decide: func(n int, c claim) ([]domain.Event, error) {
		if c.otherTook {
			return nil, domain.Conflict("The other side took it first.")
		}
		if n > 0 {
			return nil, nil
		}
		return []domain.Event{counted{N: 1}}, nil
	},
}

// Two commands, each decided on its own stream and guarded by the other's
// (a cook's start and a guest's cancel), sent at the same moment from two
// processes: one takes, the other is refused, every time.
func TestGuardedCommandsOnEachOthersStreamsNeverBothWin(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	other := eventstore.Open(s.Pool(), testCodec())
	defer other.Close()
	for round := range 20 {
		a, b := fmt.Sprintf("a-%d", round), fmt.Sprintf("b-%d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, side := range []struct {
			store        *eventstore.Store
			stream, away string
		}{{s, a, b}, {other, b, a}} {
			wg.Go(func() {
				<-start
				_, errs[i] = eventstore.HandleGuarded(ctx, side.store, side.stream, side.away, claims, meta(),
					func(guard []eventstore.RecordedEvent) claim { return claim{otherTook: len(guard) > 0} })
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case domain.ErrorCode(err) != domain.ECONFLICT:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d sides won (%v), want exactly one", round, won, errs)
		}
	}
}

// shelf is a scope's state: whether it is closed, and how many items were
// placed on it, from the shelf's stream and every item's.
type shelf struct {
	closed bool
	items  int
}

// closeShelf closes an empty shelf; placeItem puts an item on a shelf that is
// not closed, as the scope showed it.
type (
	closeShelf struct{}
	placeItem  struct{ shelf shelf }
)

var shelves = domain.Decider[shelf, closeShelf]{
	Evolve: func(s shelf, e domain.Event) shelf {
		if e.(counted).Writer < 0 {
			s.closed = true
		} else {
			s.items++
		}
		return s
	},
	Decide: func(s shelf, _ closeShelf) ([]domain.Event, error) {
		switch {
		case s.items > 0:
			return nil, domain.Conflict("The shelf holds %d items.", s.items)
		case s.closed:
			return nil, nil
		}
		return []domain.Event{counted{Writer: -1}}, nil
	},
}

var items = domain.Decider[int, placeItem]{
	Evolve: func(n int, _ domain.Event) int { return n + 1 },
	Decide: func(n int, p placeItem) ([]domain.Event, error) {
		switch {
		case p.shelf.closed:
			return nil, domain.Conflict("The shelf is closed.")
		case n > 0:
			return nil, nil
		}
		return []domain.Event{counted{Writer: 1}}, nil
	},
}

// A shelf closed while an item is placed on it, from two processes at the
// same moment: either the item is placed and the shelf stays open, or the
// shelf is closed and the item refused; never a closed shelf with an item.
func TestScopedCommandsSeeEveryFactOfTheirScope(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	other := eventstore.Open(s.Pool(), testCodec())
	defer other.Close()
	for round := range 20 {
		prefix := fmt.Sprintf("shelf%d-", round)
		scope := domain.Scope{Lock: prefix + "list", Prefix: prefix, Types: []string{"test.Counted"}}
		// Not in the scope, though its name begins alike but for the dash.
		if _, err := s.Append(ctx, fmt.Sprintf("shelf%dx-item", round), eventstore.Any, meta(), counted{Writer: 5}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var closeErr, placeErr error
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			_, closeErr = eventstore.HandleScoped(ctx, s, scope.Lock, scope, shelves, meta(), closeShelf{})
		})
		wg.Go(func() {
			<-start
			_, placeErr = eventstore.HandleGuardedBy(ctx, other, prefix+"item-1", scope, items, meta(),
				func(facts []eventstore.RecordedEvent) placeItem {
					return placeItem{eventstore.Fold(shelves.Evolve, facts)}
				})
		})
		close(start)
		wg.Wait()
		if (closeErr == nil) == (placeErr == nil) {
			t.Fatalf("round %d: closing %v, placing %v: want exactly one to succeed", round, closeErr, placeErr)
		}
		for _, err := range []error{closeErr, placeErr} {
			if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	// A shelf whose only neighbour is out of its scope closes.
	lone := domain.Scope{Lock: "lone-list", Prefix: "lone-", Types: []string{"test.Counted"}}
	if _, err := s.Append(ctx, "lonely-item", eventstore.Any, meta(), counted{Writer: 1}); err != nil {
		t.Fatal(err)
	}
	if res, err := eventstore.HandleScoped(ctx, s, lone.Lock, lone, shelves, meta(), closeShelf{}); err != nil || len(res.Events) != 1 {
		t.Fatalf("a shelf with nothing in its scope: %+v, %v", res, err)
	}
}
