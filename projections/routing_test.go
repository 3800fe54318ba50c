package projections_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
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
