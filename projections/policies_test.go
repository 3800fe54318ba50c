package projections_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// place opens and places an order, returning its id.
func place(t *testing.T, store *eventstore.Store) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	at := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	for _, c := range []ordering.Command{
		ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: at},
		ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 2, Note: "no basil", UnitPrice: domain.Cents(1100)},
		ordering.ChoosePickup{},
		ordering.GiveContact{Name: "Ana"},
		ordering.PlaceOrder{At: at},
	} {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c))
	}
	return id
}

func countEvents(t *testing.T, store *eventstore.Store, stream, eventType string) int {
	t.Helper()
	var n int
	if err := store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE stream_id = $1 AND type = $2`, stream, eventType).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPoliciesOpenOneTicketPerPlacedOrderAndFollowTheKitchen(t *testing.T) {
	store := newStore(t)
	r, stop := run(t, store)
	id := place(t, store)
	canceled := place(t, store)
	caughtUp(t, store, r)
	waitForEvent(t, store, kitchen.Stream(id), "kitchen.TicketOpened")

	// The ticket carries the order's dishes and the guest's name, and points
	// back at the order.
	s, history, err := eventstore.Load(context.Background(), store, kitchen.Stream(id), kitchen.Decider)
	if err != nil || len(s.Items) != 1 || s.Items[0].Quantity != 2 || s.Items[0].Note != "no basil" || s.Fulfilment != "pickup" || s.ContactName != "Ana" {
		t.Fatalf("ticket %+v (%v)", s, err)
	}
	if history[0].CausationID == uuid.Nil || history[0].Actor != "policy:kitchen-tickets" {
		t.Fatalf("the ticket's event does not name its cause: %+v", history[0].Metadata)
	}

	// The guest cancels one order: its ticket is canceled.
	must(t)(eventstore.Handle(context.Background(), store, ordering.Stream(canceled), ordering.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, ordering.Command(ordering.CancelOrder{At: time.Now()})))
	waitForEvent(t, store, kitchen.Stream(canceled), "kitchen.TicketCanceled")

	// The kitchen starts the other: the order learns it, and can no longer be canceled.
	must(t)(eventstore.Handle(context.Background(), store, kitchen.Stream(id), kitchen.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:kai"}, kitchen.Command(kitchen.StartTicket{At: time.Now()})))
	waitForEvent(t, store, ordering.Stream(id), "ordering.OrderPreparationStarted")
	_, err = eventstore.Handle(context.Background(), store, ordering.Stream(id), ordering.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, ordering.Command(ordering.CancelOrder{At: time.Now()}))
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("canceling an order the kitchen started: %v", err)
	}

	// A restart and a replay of every event open no second ticket.
	stop()
	ctx := context.Background()
	tx, err := store.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE checkpoints SET transaction_id = '0', position = 0 WHERE name LIKE 'policy:%'`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r2, _ := run(t, store)
	caughtUp(t, store, r2)
	head, _ := store.Head(ctx)
	for _, p := range projections.Policies(store) {
		if ok, err := r2.WaitFor(ctx, p.Name(), head, 15*time.Second); !ok || err != nil {
			t.Fatalf("%s did not replay (%v)", p.Name(), err)
		}
	}
	for _, o := range []string{id, canceled} {
		if n := countEvents(t, store, kitchen.Stream(o), "kitchen.TicketOpened"); n != 1 {
			t.Fatalf("order %s has %d tickets after a replay", o, n)
		}
	}
	if n := countEvents(t, store, ordering.Stream(id), "ordering.OrderPreparationStarted"); n != 1 {
		t.Fatalf("the order was told %d times that the kitchen started", n)
	}
	var status string
	if err := store.Pool().QueryRow(ctx, `SELECT kitchen_status FROM orders WHERE order_id = $1`, id).Scan(&status); err != nil || status != "preparing" {
		t.Fatalf("the order's kitchen status is %q (%v)", status, err)
	}
}

func waitForEvent(t *testing.T, store *eventstore.Store, stream, eventType string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for countEvents(t, store, stream, eventType) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no %s on %s", eventType, stream)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A policy that is behind (a restart, a held fence) gets an order's
// OrderPlaced and OrderCanceled in one batch: it opens the ticket and
// cancels it in one transaction, without failing the batch.
func TestAPolicyBatchMayOpenAndCancelOneTicket(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	ids := []string{place(t, store), place(t, store)}
	for _, id := range ids {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, ordering.Command(ordering.CancelOrder{At: time.Now()})))
	}
	events, err := store.ReadAll(ctx, eventstore.Cursor{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := store.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := (projections.KitchenTickets{Store: store}).ApplyBatch(ctx, tx, events); err != nil {
		t.Fatalf("the policy failed a batch with orders placed and canceled: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if countEvents(t, store, kitchen.Stream(id), "kitchen.TicketOpened") != 1 ||
			countEvents(t, store, kitchen.Stream(id), "kitchen.TicketCanceled") != 1 {
			t.Fatalf("order %s: want its ticket opened and canceled once", id)
		}
	}
}

// A canceled order gives back the portions it took, once, and an order
// canceled before it was placed gives nothing.
func TestPortionsBackGivesACanceledOrdersPortionsBack(t *testing.T) {
	store := newStore(t)
	r, _ := run(t, store)
	ctx := context.Background()
	meta := func() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"} }
	dish := menu.PortionsStream("margherita")
	must(t)(eventstore.Handle(ctx, store, dish, menu.PortionsDecider, meta(),
		menu.PortionsCommand(menu.SetPortions{ItemID: "margherita", Portions: 5, Dish: menu.State{Exists: true}})))
	id := place(t, store)
	must(t)(eventstore.Handle(ctx, store, dish, menu.PortionsDecider, meta(),
		menu.PortionsCommand(menu.TakePortions{OrderID: id, Name: "Margherita", Quantity: 2})))
	left := func() int {
		l, err := projections.Portions{Pool: store.Pool()}.Left(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l["margherita"]
	}
	caughtUp(t, store, r)
	if got := left(); got != 3 {
		t.Fatalf("%d left after taking 2 of 5", got)
	}
	cancel := func(id string) {
		must(t)(eventstore.HandleGuarded(ctx, store, ordering.Stream(id), kitchen.Stream(id), ordering.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"},
			func([]eventstore.RecordedEvent) ordering.Command { return ordering.CancelOrder{At: time.Now()} }))
	}
	cancel(id)
	waitForEvent(t, store, dish, "menu.PortionsReturned")
	caughtUp(t, store, r)
	if got := left(); got != 5 {
		t.Fatalf("%d left after the cancel, want 5", got)
	}

	// An open order canceled took nothing, and its dish's stream is not
	// touched; nor is a dish without a limit.
	open := uuid.NewString()
	must(t)(eventstore.Handle(ctx, store, ordering.Stream(open), ordering.Decider, meta(),
		ordering.Command(ordering.OpenOrder{OrderID: open, CustomerID: "guest-2", At: time.Now()})))
	cancel(open)
	caughtUp(t, store, r)
	if n := countEvents(t, store, dish, "menu.PortionsReturned"); n != 1 {
		t.Fatalf("%d returns, want 1", n)
	}
}

// TestAnAllergyReachesTheTicket: a line flagged as an allergy stays flagged
// in the orders' read model, on the ticket the policy opens, and on the
// kitchen's board; the line beside it, with a plain note, does not.
func TestAnAllergyReachesTheTicket(t *testing.T) {
	store := newStore(t)
	r, _ := run(t, store)
	ctx := context.Background()
	id := uuid.NewString()
	at := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	for _, c := range []ordering.Command{
		ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: at},
		ordering.AddItem{LineID: "a", MenuItemID: "diavola", Name: "Diavola", Quantity: 1, Note: "extra chilli", UnitPrice: domain.Cents(1300)},
		ordering.AddItem{LineID: "b", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 2, Note: "no nuts", Allergy: true, UnitPrice: domain.Cents(750)},
		ordering.ChoosePickup{},
		ordering.GiveContact{Name: "Ana"},
		ordering.PlaceOrder{At: at},
	} {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c))
	}
	waitForEvent(t, store, kitchen.Stream(id), "kitchen.TicketOpened")
	caughtUp(t, store, r)

	o, err := projections.Orders{Pool: store.Pool()}.Get(ctx, id)
	if err != nil || len(o.Lines) != 2 || o.Lines[0].Allergy || !o.Lines[1].Allergy || o.Lines[1].Note != "no nuts" {
		t.Fatalf("the order's lines %+v (%v)", o.Lines, err)
	}
	want := []kitchen.Item{{LineID: "a", Name: "Diavola", Quantity: 1, Note: "extra chilli"}, {LineID: "b", Name: "Tiramisù", Quantity: 2, Note: "no nuts", Allergy: true}}
	s, _, err := eventstore.Load(ctx, store, kitchen.Stream(id), kitchen.Decider)
	if err != nil || !reflect.DeepEqual(s.Items, want) {
		t.Fatalf("the ticket's dishes %+v (%v), want %+v", s.Items, err, want)
	}
	board, err := projections.Tickets{Pool: store.Pool()}.Board(ctx, at)
	if err != nil || len(board) != 1 || !reflect.DeepEqual(board[0].Items, want) {
		t.Fatalf("the kitchen's board %+v (%v)", board, err)
	}
}
