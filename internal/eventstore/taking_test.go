package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// buy is a buyer's command; the buyer's own stream only records that it
// bought, the stock stream holds one event per unit taken.
type buy struct{}

var buyers = domain.Decider[int, buy]{
	Evolve: func(n int, _ domain.Event) int { return n + 1 },
	Decide: func(n int, _ buy) ([]domain.Event, error) {
		if n > 0 {
			return nil, nil
		}
		return []domain.Event{counted{N: 1}}, nil
	},
}

const stockLimit = 5

// buyFromStock takes one unit of the stock, or refuses when none is left.
func buyFromStock(ctx context.Context, s *eventstore.Store, buyer string, m eventstore.Metadata) (eventstore.Result, error) {
	return eventstore.HandleTaking(ctx, s, buyer, buyers, m,
		func(int) []string { return []string{"stock", buyer} },
		func(_ int, read map[string][]eventstore.RecordedEvent) (buy, []eventstore.Take, error) {
			if len(read["stock"]) >= stockLimit {
				return buy{}, nil, domain.Conflict("Sold out.")
			}
			return buy{}, []eventstore.Take{{Stream: "stock", Command: "test.TakeStock", Events: []domain.Event{counted{N: 1}}}}, nil
		})
}

// Many buyers at once, on two processes, for the last units of a stock:
// exactly as many win as there are units, the others are refused, and
// neither side is written without the other.
func TestTakingNeverTakesMoreThanThereIs(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	other := eventstore.Open(s.Pool(), testCodec())
	defer other.Close()
	const buyersCount = 24
	errs := make([]error, buyersCount)
	metas := make([]eventstore.Metadata, buyersCount)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range buyersCount {
		store := s
		if i%2 == 1 {
			store = other
		}
		metas[i] = meta()
		wg.Go(func() {
			<-start
			_, errs[i] = buyFromStock(ctx, store, fmt.Sprintf("buyer-%d", i), metas[i])
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if events, _ := s.ReadStream(ctx, fmt.Sprintf("buyer-%d", i), 0); len(events) != 1 {
				t.Errorf("buyer %d won but its stream holds %d events", i, len(events))
			}
		case domain.ErrorCode(err) == domain.ECONFLICT:
			if events, _ := s.ReadStream(ctx, fmt.Sprintf("buyer-%d", i), 0); len(events) != 0 {
				t.Errorf("buyer %d was refused but its stream holds %d events", i, len(events))
			}
		default:
			t.Fatalf("buyer %d: %v", i, err)
		}
	}
	stock, err := s.ReadStream(ctx, "stock", 0)
	if err != nil {
		t.Fatal(err)
	}
	if won != stockLimit || len(stock) != stockLimit {
		t.Fatalf("%d buyers won and %d units were taken, want %d of each", won, len(stock), stockLimit)
	}
	for _, e := range stock {
		rec, ok, err := s.Command(ctx, e.CommandID)
		if err != nil || !ok || rec.Type != "test.TakeStock" || rec.StreamID != "stock" {
			t.Errorf("a take is remembered as %+v (%v, %v)", rec, ok, err)
		}
	}

	// The same commands again answer as they did and take nothing more.
	for i := range buyersCount {
		res, err := buyFromStock(ctx, s, fmt.Sprintf("buyer-%d", i), metas[i])
		if (err == nil) != (errs[i] == nil) || (err == nil && !res.Duplicate) {
			t.Errorf("buyer %d again: %v (duplicate %v), first %v", i, err, res.Duplicate, errs[i])
		}
	}
	if again, _ := s.ReadStream(ctx, "stock", 0); len(again) != stockLimit {
		t.Fatalf("repeats took %d units more", len(again)-stockLimit)
	}
}

// A take from a stream the command did not lock writes nothing at all.
func TestTakingFromAnUnlockedStreamFails(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	_, err := eventstore.HandleTaking(ctx, s, "buyer", buyers, meta(),
		func(int) []string { return nil },
		func(int, map[string][]eventstore.RecordedEvent) (buy, []eventstore.Take, error) {
			return buy{}, []eventstore.Take{{Stream: "stock", Events: []domain.Event{counted{N: 1}}}}, nil
		})
	if err == nil {
		t.Fatal("a take from an unlocked stream was allowed")
	}
	for _, stream := range []string{"buyer", "stock"} {
		if events, _ := s.ReadStream(ctx, stream, 0); len(events) != 0 {
			t.Errorf("%s holds %d events", stream, len(events))
		}
	}
}

// Latest follows a stream as others write it, reading only what is new.
func TestLatestFollowsTheStream(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	var latest eventstore.Latest[int]
	sum := func(n int, e domain.Event) int { return n + e.(counted).N }
	for want, n := range []int{0, 2, 3} {
		if n > 0 {
			if _, err := s.Append(ctx, "tally", eventstore.Any, meta(), counted{N: n}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := latest.Current(ctx, s, "tally", sum)
		if err != nil {
			t.Fatal(err)
		}
		if wantSum := []int{0, 2, 5}[want]; got != wantSum {
			t.Fatalf("after %d appends: %d, want %d", want, got, wantSum)
		}
	}
}
