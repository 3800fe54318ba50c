package projections_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/eventstore"
)

// A ticket's dish is routed, when the ticket opens, to the station of its
// category as the stations are then.
func TestTicketsRouteEachDishToItsStation(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	meta := func() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:admin"} }
	dish, _, err := eventstore.Load(ctx, store, menu.Stream("margherita"), menu.Decider)
	if err != nil || dish.CategoryID == "" {
		t.Fatalf("the seeded margherita: %+v (%v)", dish, err)
	}
	for _, c := range []kitchen.StationCommand{
		kitchen.AddStation{StationID: "line", Name: "Line"},
		kitchen.AddStation{StationID: "oven", Name: "Pizza oven"},
		kitchen.RouteCategory{StationID: "oven", CategoryID: dish.CategoryID},
	} {
		must(t)(eventstore.Handle(ctx, store, kitchen.StationsStream, kitchen.StationsDecider, meta(), c))
	}
	r, _ := run(t, store)
	id := place(t, store)
	caughtUp(t, store, r)
	waitForEvent(t, store, kitchen.Stream(id), "kitchen.TicketOpened")
	s, _, err := eventstore.Load(ctx, store, kitchen.Stream(id), kitchen.Decider)
	if err != nil || len(s.Items) != 1 || s.Items[0].Station != "oven" {
		t.Fatalf("ticket %+v (%v)", s.Items, err)
	}
}

// In a kitchen of stations a ticket fires its dishes by their prep times
// as the menu has them when it opens: the tiramisù (4 minutes) is held 8
// minutes while the margherita (12) cooks; once a manager turns it off,
// every dish fires at once; and a kitchen without stations fires at once.
func TestTicketsFireByPrepTime(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	meta := func() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:admin"} }
	r, _ := run(t, store)
	placeTwo := func() (kitchen.State, kitchen.TicketOpened) {
		t.Helper()
		id := uuid.NewString()
		at := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
		for _, c := range []ordering.Command{
			ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: at},
			ordering.AddItem{LineID: "pizza", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100)},
			ordering.AddItem{LineID: "dessert", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, UnitPrice: domain.Cents(750)},
			ordering.ChoosePickup{},
			ordering.GiveContact{Name: "Ana"},
			ordering.PlaceOrder{At: at},
		} {
			must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c))
		}
		caughtUp(t, store, r)
		waitForEvent(t, store, kitchen.Stream(id), "kitchen.TicketOpened")
		events, err := store.ReadStream(ctx, kitchen.Stream(id), 0)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := eventstore.Load(ctx, store, kitchen.Stream(id), kitchen.Decider)
		if err != nil {
			t.Fatal(err)
		}
		return s, events[0].Event.(kitchen.TicketOpened)
	}
	if s, _ := placeTwo(); !s.Items[0].FireAt.IsZero() || !s.Items[1].FireAt.IsZero() {
		t.Fatalf("without stations the dishes are held: %+v", s.Items)
	}
	must(t)(eventstore.Handle(ctx, store, kitchen.StationsStream, kitchen.StationsDecider, meta(), kitchen.StationCommand(kitchen.AddStation{StationID: "line", Name: "Line"})))
	s, opened := placeTwo()
	if !s.Items[0].FireAt.IsZero() || !s.Items[1].FireAt.Equal(opened.OpenedAt.Add(8*time.Minute)) {
		t.Fatalf("with stations the dishes fire at %v and %v, opened at %v", s.Items[0].FireAt, s.Items[1].FireAt, opened.OpenedAt)
	}
	var items string
	if err := store.Pool().QueryRow(ctx, `SELECT items::text FROM tickets WHERE ticket_id = $1`, s.TicketID).Scan(&items); err != nil {
		t.Fatal(err)
	}
	if strings.Count(items, `"fire_at"`) != 1 {
		t.Errorf("the tickets read model keeps the fire times as %s", items)
	}
	must(t)(eventstore.Handle(ctx, store, settings.Stream, settings.Decider, meta(), settings.Command(settings.SetFireByPrepTime{On: false})))
	if s, _ := placeTwo(); !s.Items[0].FireAt.IsZero() || !s.Items[1].FireAt.IsZero() {
		t.Fatalf("turned off, the dishes are held: %+v", s.Items)
	}
}
