package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/kitchen"
)

// InHandOrder is an order the kitchen has and has not finished: waiting or
// cooking, with the dishes it holds (their menu ids), for quotes.
type InHandOrder struct {
	OrderID  string
	Status   kitchen.Status
	PlacedAt time.Time
	Started  time.Time // zero while waiting
	Dishes   []string
}

// InHand reads the orders the kitchen has in hand, in the order it works
// them: those cooking, first started first, then those waiting, first
// placed first. It reads the tickets and the orders' lines as their
// projections keep them.
func InHand(ctx context.Context, pool *pgxpool.Pool) ([]InHandOrder, error) {
	rows, err := pool.Query(ctx, `SELECT t.ticket_id, t.status, t.placed_at, t.started_at,
			coalesce(array_agg(l.menu_item_id ORDER BY l.seq) FILTER (WHERE l.menu_item_id IS NOT NULL), '{}')
		FROM tickets t LEFT JOIN order_lines l ON l.order_id = t.ticket_id
		WHERE t.status IN ($1, $2)
		GROUP BY t.ticket_id
		ORDER BY t.status = $2 DESC, coalesce(t.started_at, t.placed_at), t.placed_at, t.ticket_id`,
		kitchen.StatusQueued, kitchen.StatusPreparing)
	if err != nil {
		return nil, fmt.Errorf("read the kitchen's orders in hand: %w", err)
	}
	defer rows.Close()
	var out []InHandOrder
	for rows.Next() {
		var o InHandOrder
		var started *time.Time
		if err := rows.Scan(&o.OrderID, &o.Status, &o.PlacedAt, &started, &o.Dishes); err != nil {
			return nil, fmt.Errorf("read the kitchen's orders in hand: %w", err)
		}
		if started != nil && o.Status == kitchen.StatusPreparing {
			o.Started = *started
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the kitchen's orders in hand: %w", err)
	}
	return out, nil
}

// CookTime is how long an order of these dishes takes: its slowest dish, as
// the menu has it (a dish gone from the menu counts the default). Quotes
// and the kitchen's schedule of orders for later count it alike.
func CookTime(menu map[string]MenuItem, dishes []string) time.Duration {
	times := make([]time.Duration, len(dishes))
	for i, id := range dishes {
		times[i] = time.Duration(menu[id].PrepMinutes()) * time.Minute
	}
	return kitchen.CookTime(times)
}
