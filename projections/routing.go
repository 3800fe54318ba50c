package projections

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/eventstore"
)

// openingFacts are what the kitchen policy copies into a ticket when it
// opens, read in its transaction as they are then, so history keeps them
// however they change later: where each dish (by its menu id) is cooked,
// and, when the kitchen fires by prep time, how long each takes to make.
type openingFacts struct {
	station func(dishID string) string
	// prep is a dish's prep time as the menu has it (0 for one never
	// timed); nil when the kitchen fires every dish at once.
	prep func(dishID string) time.Duration
}

// opening reads, in the policy's transaction, the kitchen's stations, the
// restaurant's settings and the menu's filing and prep time of every dish
// of the orders, from their streams (which no read model's lag can hold
// behind).
func opening(ctx context.Context, tx pgx.Tx, store *eventstore.Store, orders map[string]ordering.State) (openingFacts, error) {
	if len(orders) == 0 {
		return openingFacts{station: func(string) string { return "" }}, nil
	}
	streams := []string{kitchen.StationsStream, settings.Stream}
	seen := map[string]bool{}
	for _, o := range orders {
		for _, l := range o.Lines {
			if !seen[l.MenuItemID] {
				seen[l.MenuItemID] = true
				streams = append(streams, menu.Stream(l.MenuItemID))
			}
		}
	}
	read, err := store.ReadStreamsTx(ctx, tx, streams)
	if err != nil {
		return openingFacts{}, err
	}
	stations := eventstore.Fold(kitchen.EvolveStations, read[kitchen.StationsStream])
	facts := openingFacts{station: func(dishID string) string {
		dish := eventstore.Fold(menu.Evolve, read[menu.Stream(dishID)])
		return stations.Route(dishID, dish.CategoryID)
	}}
	_, hasStations := stations.Default()
	if eventstore.Fold(settings.Evolve, read[settings.Stream]).FiresByPrepTime(hasStations) {
		facts.prep = func(dishID string) time.Duration {
			return time.Duration(eventstore.Fold(menu.Evolve, read[menu.Stream(dishID)]).PrepTime) * time.Minute
		}
	}
	return facts, nil
}
