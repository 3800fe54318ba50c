package projections_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// TestTheBoardKeepsDishesDoneAndReadyTickets: the kitchen's board says which
// dishes of a ticket are done, and keeps a ready ticket, however long it
// waits at the pass, until it is handed over.
func TestTheBoardKeepsDishesDoneAndReadyTickets(t *testing.T) {
	store := newStore(t)
	r, _ := run(t, store)
	ctx := context.Background()
	id := uuid.NewString()
	at := time.Date(2026, 11, 27, 19, 7, 0, 0, time.UTC)
	for _, c := range []ordering.Command{
		ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: at},
		ordering.AddItem{LineID: "pizza", MenuItemID: "margherita", Name: "Margherita", Quantity: 2, UnitPrice: domain.Cents(1100)},
		ordering.AddItem{LineID: "dessert", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, UnitPrice: domain.Cents(750)},
		ordering.ChoosePickup{},
		ordering.GiveContact{Name: "Ana"},
		ordering.PlaceOrder{At: at},
	} {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c))
	}
	waitForEvent(t, store, kitchen.Stream(id), "kitchen.TicketOpened")
	cook := func(c kitchen.Command) {
		t.Helper()
		must(t)(eventstore.Handle(ctx, store, kitchen.Stream(id), kitchen.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:kai"}, c))
		caughtUp(t, store, r)
	}
	board := func(now time.Time) []projections.Ticket {
		t.Helper()
		b, err := projections.Tickets{Pool: store.Pool()}.Board(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cook(kitchen.BumpLine{LineID: "pizza", At: at.Add(4 * time.Minute)})
	if b := board(at); len(b) != 1 || b[0].Status != kitchen.StatusPreparing || !slices.Equal(b[0].DoneLines, []string{"pizza"}) {
		t.Fatalf("after the pizza: %+v", b)
	}
	cook(kitchen.RecallLine{LineID: "pizza", At: at.Add(5 * time.Minute)})
	cook(kitchen.BumpLine{LineID: "dessert", At: at.Add(6 * time.Minute)})
	if b := board(at); len(b) != 1 || b[0].Status != kitchen.StatusPreparing || !slices.Equal(b[0].DoneLines, []string{"dessert"}) {
		t.Fatalf("after the pizza was undone: %+v", b)
	}
	cook(kitchen.BumpLine{LineID: "pizza", At: at.Add(9 * time.Minute)})
	later := at.Add(9*time.Minute + 2*time.Hour)
	if b := board(later); len(b) != 1 || b[0].Status != kitchen.StatusReady || !slices.Equal(b[0].DoneLines, []string{"dessert", "pizza"}) {
		t.Fatalf("ready, two hours at the pass: %+v", b)
	}
	cook(kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: later})
	if b := board(later); len(b) != 0 {
		t.Fatalf("handed over, still on the board: %+v", b)
	}
}
