package projections_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/projections"
)

// clock is a scheduler's clock in a test: it stands still until moved.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// placedAt is when the tests' orders for later are placed.
var placedAt = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

// placeForLater places an order of a margherita (12 minutes to make) and a
// tiramisù (4), due at dueAt, for pickup or delivery.
func placeForLater(t *testing.T, store *eventstore.Store, dueAt time.Time, delivery bool) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	fulfilment := ordering.Command(ordering.ChoosePickup{})
	if delivery {
		fulfilment = ordering.GiveDeliveryAddress{Address: ordering.Address{Street: "Rua Augusta 10", City: "Lisbon", PostalCode: "1100-053"}}
	}
	window := ordering.Window{Now: placedAt}
	for _, c := range []ordering.Command{
		ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: placedAt},
		ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100)},
		ordering.AddItem{LineID: "b", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 2, UnitPrice: domain.Cents(750)},
		fulfilment,
		ordering.GiveContact{Name: "Ana", Phone: "912 345 678"},
		ordering.ScheduleFor{For: dueAt, Window: window},
		ordering.PlaceOrder{At: placedAt, Window: window},
	} {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c))
	}
	return id
}

func scheduled(t *testing.T, store *eventstore.Store) map[string]time.Time {
	t.Helper()
	rows, err := store.Pool().Query(context.Background(), `SELECT order_id, fire_at FROM scheduled_tickets`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		out[id] = at
	}
	return out
}

// TestAnOrderForLaterGetsItsTicketInTime: the kitchen policy opens no
// ticket when an order for later is placed; the scheduler opens it when
// the order's slowest dish's minutes (and, for a delivery, the road's) are
// left before its time, carrying the time, and the kitchen's queue takes it
// from then. A canceled order for later never reaches the kitchen.
func TestAnOrderForLaterGetsItsTicketInTime(t *testing.T) {
	store := newStore(t)
	r, _ := run(t, store)
	ctx := context.Background()
	dueAt := placedAt.Add(3 * time.Hour)
	pickup := placeForLater(t, store, dueAt, false)
	delivery := placeForLater(t, store, dueAt, true)
	canceled := placeForLater(t, store, dueAt, false)
	must(t)(eventstore.HandleGuarded(ctx, store, ordering.Stream(canceled), kitchen.Stream(canceled), ordering.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"},
		func([]eventstore.RecordedEvent) ordering.Command { return ordering.CancelOrder{At: placedAt} }))
	caughtUp(t, store, r)
	want := map[string]time.Time{pickup: dueAt.Add(-12 * time.Minute), delivery: dueAt.Add(-(12 + 25) * time.Minute)}
	if got := scheduled(t, store); len(got) != 2 || !got[pickup].Equal(want[pickup]) || !got[delivery].Equal(want[delivery]) {
		t.Fatalf("scheduled %v, want %v", got, want)
	}
	for _, id := range []string{pickup, delivery, canceled} {
		if n := countEvents(t, store, kitchen.Stream(id), "kitchen.TicketOpened"); n != 0 {
			t.Fatalf("order %s reached the kitchen at placing", id)
		}
	}

	c := &clock{now: want[delivery].Add(-time.Minute)}
	s := &projections.TicketScheduler{Store: store, Now: c.Now, Log: quiet}
	next, err := s.OpenDue(ctx)
	if err != nil || !next.Equal(want[delivery]) || countEvents(t, store, kitchen.Stream(delivery), "kitchen.TicketOpened") != 0 {
		t.Fatalf("a minute early: next %v (%v), want %v, and no ticket", next, err, want[delivery])
	}
	c.set(want[delivery])
	if next, err = s.OpenDue(ctx); err != nil || !next.Equal(want[pickup]) {
		t.Fatalf("the delivery's time: next %v (%v), want %v", next, err, want[pickup])
	}
	c.set(want[pickup].Add(time.Second))
	if next, err = s.OpenDue(ctx); err != nil || !next.IsZero() {
		t.Fatalf("the pickup's time: next %v (%v), want none", next, err)
	}
	for id, at := range want {
		ticket, history, err := eventstore.Load(ctx, store, kitchen.Stream(id), kitchen.Decider)
		if err != nil || len(history) != 1 || !ticket.DueAt.Equal(dueAt) || ticket.OpenedAt.Before(at) || !ticket.PlacedAt.Equal(placedAt) || len(ticket.Items) != 2 {
			t.Fatalf("the ticket of %s: %+v (%v)", id, ticket, err)
		}
		if m := history[0].Metadata; m.Actor != "policy:kitchen-tickets" || m.CausationID == uuid.Nil {
			t.Fatalf("the ticket of %s does not name the policy and the placing: %+v", id, m)
		}
	}
	if n := countEvents(t, store, kitchen.Stream(canceled), "kitchen.TicketOpened"); n != 0 {
		t.Fatal("a canceled order for later reached the kitchen")
	}
	caughtUp(t, store, r)
	board, err := projections.Tickets{Pool: store.Pool()}.Board(ctx, c.Now())
	if err != nil || len(board) != 2 {
		t.Fatalf("the kitchen's board %+v (%v)", board, err)
	}
	for _, tk := range board {
		if !tk.DueAt.Equal(dueAt) || tk.PlacedAt.Before(want[tk.TicketID]) {
			t.Errorf("on the board, %s is due at %v and queued since %v; want %v, and since its ticket opened", tk.TicketID, tk.DueAt, tk.PlacedAt, dueAt)
		}
	}
	if got := scheduled(t, store); len(got) != 0 {
		t.Fatalf("still scheduled: %v", got)
	}
}

// TestTwoProcessesOpenEachTicketForLaterOnce: two processes, each with its
// runner and its scheduler, and more schedulers racing besides, open every
// ticket due exactly once. A scheduler that dies holding a ticket (its
// transaction lost) leaves it to the others, and a policy replayed from
// the first event after a restart schedules its orders again without
// opening a second ticket.
func TestTwoProcessesOpenEachTicketForLaterOnce(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	c := &clock{now: placedAt}
	runners := make([]*projections.Runner, 2)
	stops := make([]func(), 2)
	for i := range runners {
		runners[i], stops[i] = run(t, store)
		s := &projections.TicketScheduler{Store: store, Now: c.Now, Tick: 5 * time.Millisecond, Every: 50 * time.Millisecond, Log: quiet}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.Run(runCtx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	var ids []string
	for i := range 12 {
		ids = append(ids, placeForLater(t, store, placedAt.Add(time.Hour+time.Duration(i%3)*15*time.Minute), i%2 == 1))
	}
	caughtUp(t, store, runners[0])
	if got := scheduled(t, store); len(got) != len(ids) {
		t.Fatalf("%d orders scheduled, want %d", len(got), len(ids))
	}

	// A scheduler holds the first ticket due, and dies before it commits.
	dying, err := store.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var held string
	if err := dying.QueryRow(ctx, `SELECT order_id FROM scheduled_tickets ORDER BY fire_at, order_id LIMIT 1 FOR UPDATE`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	c.set(placedAt.Add(3 * time.Hour))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s := &projections.TicketScheduler{Store: store, Now: c.Now, Log: quiet}
			if _, err := s.OpenDue(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	eventually(t, 15*time.Second, "every ticket but the held one", func() bool { return len(scheduled(t, store)) == 1 })
	if n := countEvents(t, store, kitchen.Stream(held), "kitchen.TicketOpened"); n != 0 {
		t.Fatal("a ticket held by another scheduler was opened")
	}
	if err := dying.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the held ticket, after its scheduler died", func() bool { return len(scheduled(t, store)) == 0 })
	for _, id := range ids {
		if n := countEvents(t, store, kitchen.Stream(id), "kitchen.TicketOpened"); n != 1 {
			t.Fatalf("order %s has %d tickets", id, n)
		}
	}

	// A restart replays the policy from the first event: the orders are
	// scheduled again, and opened again under the same command ids, which
	// append nothing.
	caughtUp(t, store, runners[0])
	for _, stop := range stops {
		stop()
	}
	if _, err := store.Pool().Exec(ctx, `UPDATE checkpoints SET transaction_id = '0', position = 0 WHERE name = 'policy:kitchen-tickets'`); err != nil {
		t.Fatal(err)
	}
	restarted, _ := run(t, store)
	caughtUp(t, store, restarted)
	eventually(t, 15*time.Second, "the replayed schedule opened", func() bool { return len(scheduled(t, store)) == 0 })
	for _, id := range ids {
		if n := countEvents(t, store, kitchen.Stream(id), "kitchen.TicketOpened"); n != 1 {
			t.Fatalf("order %s has %d tickets after a replay", id, n)
		}
	}
}

// TestASchedulerHearsOfOrdersForLater: a scheduler that reads its schedule
// seldom opens a ticket due at once as soon as its order is placed, told
// by the policy's notice.
func TestASchedulerHearsOfOrdersForLater(t *testing.T) {
	store := newStore(t)
	r := projections.NewRunner(store, quiet, append(projections.All(), projections.Policies(store)...)...)
	hub := live.NewHub()
	r.Notify = func(topics []live.Topic) {
		for _, topic := range topics {
			hub.Publish(topic)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() { r.Run(ctx) })
	dueAt := placedAt.Add(time.Hour)
	s := &projections.TicketScheduler{Store: store, Now: func() time.Time { return dueAt }, Hub: hub, Tick: time.Hour, Every: time.Hour, Log: quiet}
	wg.Go(func() { s.Run(ctx) })
	caughtUp(t, store, r) // the scheduler has read its empty schedule by now, or reads it with the order
	id := placeForLater(t, store, dueAt, false)
	eventually(t, 15*time.Second, "the ticket opened on the notice", func() bool {
		return countEvents(t, store, kitchen.Stream(id), "kitchen.TicketOpened") == 1
	})
}
