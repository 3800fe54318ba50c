package projections

import (
	"context"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// routing reads, in the policy's transaction, the kitchen's stations and
// the menu's filing of every dish of the orders, as they are now, and
// returns where each dish (by its menu id) is cooked: what its ticket
// opening copies into each dish, so history keeps where it went.
func routing(ctx context.Context, tx pgx.Tx, store *eventstore.Store, orders map[string]ordering.State) (func(dishID string) string, error) {
	if len(orders) == 0 {
		return func(string) string { return "" }, nil
	}
	streams := []string{kitchen.StationsStream}
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
		return nil, err
	}
	stations := eventstore.Fold(kitchen.EvolveStations, read[kitchen.StationsStream])
	return func(dishID string) string {
		dish := eventstore.Fold(menu.Evolve, read[menu.Stream(dishID)])
		return stations.Route(dishID, dish.CategoryID)
	}, nil
}
