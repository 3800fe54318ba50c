package projections

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// PortionsProjection keeps how many portions each limited dish has left,
// for the guests' menu ("3 left") and the kitchen display. It only shows
// the count: placing an order takes portions from the dish's stream, under
// its lock, never from this table.
type PortionsProjection struct{}

// WriteOnly implements WriteOnly.
func (PortionsProjection) WriteOnly() {}

// Name implements Projection.
func (PortionsProjection) Name() string { return "portions" }

// Tables implements Projection.
func (PortionsProjection) Tables() []string { return []string{"dish_portions"} }

// Apply implements Projection.
func (PortionsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case menu.PortionsLimitSet:
		_, err = tx.Exec(ctx, `INSERT INTO dish_portions (item_id, portions_left, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (item_id) DO UPDATE SET portions_left = excluded.portions_left, updated_at = excluded.updated_at`,
			ev.ItemID, ev.Portions, e.RecordedAt)
	case menu.PortionsLimitCleared:
		_, err = tx.Exec(ctx, `DELETE FROM dish_portions WHERE item_id = $1`, ev.ItemID)
	case menu.PortionsTaken:
		_, err = tx.Exec(ctx, `UPDATE dish_portions SET portions_left = portions_left - $2, updated_at = $3 WHERE item_id = $1`,
			ev.ItemID, ev.Quantity, e.RecordedAt)
	case menu.PortionsReturned:
		_, err = tx.Exec(ctx, `UPDATE dish_portions SET portions_left = portions_left + $2, updated_at = $3 WHERE item_id = $1`,
			ev.ItemID, ev.Quantity, e.RecordedAt)
	}
	return err
}

// isPortionEvent says whether a stored event is about a dish's portions.
func isPortionEvent(e eventstore.RecordedEvent) bool {
	return strings.HasPrefix(e.StreamID, menu.PortionsStreamPrefix)
}

// Topics implements Notifier: the menu counts down, and the kitchen sees it.
func (PortionsProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if isPortionEvent(e) {
		return []live.Topic{live.MenuTopic(), live.KitchenTopic()}
	}
	return nil
}

// Portions reads the portions read model.
type Portions struct{ Pool *pgxpool.Pool }

// Left returns the portions left of every dish with a limit.
func (p Portions) Left(ctx context.Context) (map[string]int, error) {
	rows, err := p.Pool.Query(ctx, `SELECT item_id, portions_left FROM dish_portions`)
	if err != nil {
		return nil, fmt.Errorf("read portions: %w", err)
	}
	left := map[string]int{}
	var id string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error { left[id] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("read portions: %w", err)
	}
	return left, nil
}
