package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// placeTakingPortions places an order and takes the portions of its
// limited dishes in one transaction, under each dish's portions lock
// (eventstore.HandleTaking): guests placing at the same moment take turns
// on a dish, and each decides on what the one before left, so no more
// portions are ever taken than there are. An order that would take more is
// refused, saying how many are left, and takes nothing.
func (d Deps) placeTakingPortions(ctx context.Context, orderID string, decider domain.Decider[ordering.State, ordering.Command],
	meta eventstore.Metadata, place ordering.PlaceOrder) (eventstore.Result, error) {
	return eventstore.HandleTaking(ctx, d.Store, ordering.Stream(orderID), decider, meta,
		func(s ordering.State) []string {
			var streams []string
			for _, dish := range dishesOf(s) {
				streams = append(streams, menu.PortionsStream(dish.id))
			}
			return streams
		},
		func(s ordering.State, read map[string][]eventstore.RecordedEvent) (ordering.Command, []eventstore.Take, error) {
			// What the order itself says comes first: another guest's
			// order, or one that cannot be placed, tells nothing of its
			// dishes.
			if _, err := decider.Decide(s, place); err != nil {
				return place, nil, err
			}
			takes, err := takePortions(s, read)
			return place, takes, err
		})
}

// orderedDish is how much of one dish an order holds, over all its lines.
type orderedDish struct {
	id, name string
	quantity int
}

// dishesOf lists an order's dishes, in id order.
func dishesOf(s ordering.State) []orderedDish {
	byID := map[string]*orderedDish{}
	for _, l := range s.Lines {
		if byID[l.MenuItemID] == nil {
			byID[l.MenuItemID] = &orderedDish{id: l.MenuItemID, name: l.Name}
		}
		byID[l.MenuItemID].quantity += l.Quantity
	}
	out := make([]orderedDish, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, *byID[id])
	}
	return out
}

// takePortions decides, dish by dish, what the order takes; every dish
// short of portions is named at once.
func takePortions(s ordering.State, read map[string][]eventstore.RecordedEvent) ([]eventstore.Take, error) {
	var takes []eventstore.Take
	var short []string
	for _, dish := range dishesOf(s) {
		stream := menu.PortionsStream(dish.id)
		var p menu.Portions
		for _, e := range read[stream] {
			p = menu.EvolvePortions(p, e.Event)
		}
		events, err := menu.DecidePortions(p, menu.TakePortions{OrderID: s.OrderID, Name: dish.name, Quantity: dish.quantity})
		var refusal *domain.Error
		switch {
		case errors.As(err, &refusal):
			short = append(short, refusal.Message)
		case err != nil:
			return nil, err
		case len(events) > 0:
			takes = append(takes, eventstore.Take{Stream: stream, Command: "menu.TakePortions", Events: events})
		}
	}
	if len(short) > 0 {
		return nil, domain.Conflict("%s", strings.Join(short, " "))
	}
	return takes, nil
}

// onlyLeft says how many portions of a dish are left, for a guest asking
// for more.
func onlyLeft(n int, name string) string {
	switch n {
	case 0:
		return fmt.Sprintf("Sorry, %s is sold out.", name)
	case 1:
		return fmt.Sprintf("Only 1 portion of %s is left.", name)
	}
	return fmt.Sprintf("Only %d portions of %s are left.", n, name)
}
