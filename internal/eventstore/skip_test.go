package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// A subscriber that acts only on some events passes the others by without a
// transaction: its handler sees only batches with an event it acts on, its
// place moves past the rest at once, and the database has that place soon
// after it caught up, so a new run does not read them all again.
func TestASubscriberPassesByEventsItDoesNotActOn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := openStore(t, testCodec())
	// Writer 2's events are the ones the subscriber acts on.
	relevant := func(e eventstore.RecordedEvent) bool { return e.Event.(counted).Writer == 2 }
	var mu sync.Mutex
	var handled []counted
	var skippedTo eventstore.Cursor
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(ctx, "selective", func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range events {
				handled = append(handled, e.Event.(counted))
			}
			return nil
		}, eventstore.SubscribeOptions{Relevant: relevant, Skipped: func(c eventstore.Cursor) {
			mu.Lock()
			skippedTo = c
			mu.Unlock()
		}})
	}()
	var last eventstore.Cursor
	for n := 1; n <= 5; n++ {
		res, err := s.Append(ctx, "others", eventstore.Any, meta(), counted{Writer: 1, N: n})
		if err != nil {
			t.Fatal(err)
		}
		last = res.Events[0].Cursor()
	}
	waitFor(t, "the subscriber to pass the events by", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return skippedTo == last
	})
	waitFor(t, "the passed-by place to be saved", func() bool {
		c, err := s.Checkpoint(ctx, "selective")
		return err == nil && c == last
	})
	mu.Lock()
	if len(handled) != 0 {
		t.Errorf("the handler saw %v, none of which it acts on", handled)
	}
	mu.Unlock()

	// An event it acts on after them reaches the handler, and the batch's
	// checkpoint moves from the saved place.
	res, err := s.Append(ctx, "mine", eventstore.Any, meta(), counted{Writer: 2, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the handler to see its event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) > 0
	})
	waitFor(t, "the checkpoint to reach it", func() bool {
		c, err := s.Checkpoint(ctx, "selective")
		return err == nil && c == res.Events[0].Cursor()
	})
	mu.Lock()
	if len(handled) != 1 || handled[0] != (counted{Writer: 2, N: 1}) {
		t.Errorf("the handler saw %v, want only writer 2's event", handled)
	}
	mu.Unlock()
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
}

// NoneOfTypes tells a waiter in another process that a subscriber whose
// saved place lags has nothing left to do before a cursor, and only then.
func TestNoneOfTypesBetweenTwoPlaces(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	first, err := s.Append(ctx, "a", eventstore.Any, meta(), counted{Writer: 1, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Append(ctx, "b", eventstore.Any, meta(), counted{Writer: 1, N: 2})
	if err != nil {
		t.Fatal(err)
	}
	from, to := first.Events[0].Cursor(), second.Events[0].Cursor()
	if none, err := s.NoneOfTypes(ctx, from, to, []string{"test.Other"}); err != nil || !none {
		t.Errorf("no event of the types lies between: got %v, %v", none, err)
	}
	if none, err := s.NoneOfTypes(ctx, from, to, []string{"test.Counted"}); err != nil || none {
		t.Errorf("the second event is of the types: got %v, %v", none, err)
	}
	if none, err := s.NoneOfTypes(ctx, eventstore.Cursor{}, from, []string{"test.Counted"}); err != nil || none {
		t.Errorf("the first event is of the types: got %v, %v", none, err)
	}
}

// While an older transaction is still open, an event of the types may yet
// commit before the cursor: NoneOfTypes does not say there is none.
func TestNoneOfTypesWaitsForTheFence(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	first, err := s.Append(ctx, "a", eventstore.Any, meta(), counted{Writer: 1, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	held := testdb.HoldFence(t, `CREATE TABLE fence_holder (n int)`)
	second, err := s.Append(ctx, "b", eventstore.Any, meta(), counted{Writer: 1, N: 2})
	if err != nil {
		t.Fatal(err)
	}
	from, to := first.Events[0].Cursor(), second.Events[0].Cursor()
	if none, err := s.NoneOfTypes(ctx, from, to, []string{"test.Other"}); err != nil || none {
		t.Errorf("behind an open older transaction: got %v, %v; want not yet", none, err)
	}
	held.Release()
	if none, err := s.NoneOfTypes(ctx, from, to, []string{"test.Other"}); err != nil || !none {
		t.Errorf("once it ended: got %v, %v; want none", none, err)
	}
}

// Subscribers woken together share their reads of the log, and each still
// sees every event once, in order, whatever its batch size, while writers
// append concurrently.
func TestSubscribersWokenTogetherShareTheirReads(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := openStore(t, testCodec())
	const writers, each = 4, 150
	sizes := []int{1, 3, 7, 50, 500, 500}
	seen := make([][]eventstore.RecordedEvent, len(sizes))
	var mu sync.Mutex
	done := make(chan error, len(sizes))
	for i, size := range sizes {
		go func() {
			done <- s.Subscribe(ctx, fmt.Sprintf("sharer-%d", i), func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
				mu.Lock()
				seen[i] = append(seen[i], events...)
				mu.Unlock()
				return nil
			}, eventstore.SubscribeOptions{BatchSize: size, AsyncCommit: true})
		}()
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := 1; n <= each; n++ {
				if _, err := s.Append(ctx, fmt.Sprintf("writer-%d", w), eventstore.Any, meta(), counted{Writer: w, N: n}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	waitFor(t, "every subscriber to see every event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, got := range seen {
			if len(got) < writers*each {
				return false
			}
		}
		return true
	})
	cancel()
	mu.Lock()
	defer mu.Unlock()
	for i, got := range seen {
		if len(got) != writers*each {
			t.Errorf("subscriber %d saw %d events, want %d", i, len(got), writers*each)
		}
		next := map[int]int{}
		for j, e := range got {
			if j > 0 && !got[j-1].Cursor().Less(e.Cursor()) {
				t.Fatalf("subscriber %d saw event %d out of order", i, j)
			}
			c := e.Event.(counted)
			if c.N != next[c.Writer]+1 {
				t.Fatalf("subscriber %d saw writer %d's event %d after %d", i, c.Writer, c.N, next[c.Writer])
			}
			next[c.Writer] = c.N
		}
	}
	if eventstore.SharedReads(s) == 0 {
		t.Error("no subscriber shared another's read")
	}
}
