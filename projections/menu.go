package projections

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// MenuProjection keeps the menu guests see, and each item's popularity,
// learnt from the orders' events (the Menu service listening to Orders).
type MenuProjection struct{}

// WriteOnly implements WriteOnly: its statements for a batch go to
// PostgreSQL together.
func (MenuProjection) WriteOnly() {}

// Name implements Projection.
func (MenuProjection) Name() string { return "menu" }

// Tables implements Projection.
func (MenuProjection) Tables() []string { return []string{"menu_items"} }

// Apply implements Projection.
func (MenuProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case menu.MenuItemAdded:
		_, err = tx.Exec(ctx, `INSERT INTO menu_items (item_id, name, description, category, price_amount, price_currency, listed_seq, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			ev.ItemID, ev.Name, ev.Description, ev.Category, ev.Price.Amount, ev.Price.Currency, e.Position, e.RecordedAt)
	case menu.MenuItemModified:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET name = $2, description = $3, category = $4, price_amount = $5,
			price_currency = $6, updated_at = $7 WHERE item_id = $1`,
			ev.ItemID, ev.Name, ev.Description, ev.Category, ev.Price.Amount, ev.Price.Currency, e.RecordedAt)
	case menu.MenuItemRemoved:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET removed = true, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemSoldOut:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET sold_out = true, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemBackInStock:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET sold_out = false, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case ordering.ItemAddedToOrder:
		err = addPopularity(ctx, tx, ev.MenuItemID, 1, ev.Quantity)
	}
	return err
}

func addPopularity(ctx context.Context, tx pgx.Tx, itemID string, times, units int) error {
	_, err := tx.Exec(ctx, `UPDATE menu_items SET times_added = times_added + $2, units_added = units_added + $3
		WHERE item_id = $1`, itemID, times, units)
	return err
}

// ApplyBatch implements BatchApplier: the dishes' popularity is counted
// over the batch and written once per dish, after the batch's menu changes.
// Written at every add, a popular dish's row would be rewritten thousands
// of times in one transaction (a rebuild), each version chained to the last.
func (m MenuProjection) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	type count struct{ first, times, units int } // first: the dish's first add in the batch
	added := map[string]count{}
	for i, e := range events {
		if ev, ok := e.Event.(ordering.ItemAddedToOrder); ok {
			c, seen := added[ev.MenuItemID]
			if !seen {
				c.first = i
			}
			added[ev.MenuItemID] = count{c.first, c.times + 1, c.units + ev.Quantity}
			continue
		}
		forEvent(tx, i)
		if err := m.Apply(ctx, tx, e); err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(added)) {
		forEvent(tx, added[id].first)
		if err := addPopularity(ctx, tx, id, added[id].times, added[id].units); err != nil {
			return &AtEvent{Index: added[id].first, Err: err}
		}
	}
	return nil
}

// Topics implements Notifier: the guests' menu follows the menu's events,
// and so do the kitchen display's sold-out buttons. A dish's portions are
// told by their own read model (PortionsProjection).
func (MenuProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if strings.HasPrefix(e.Type, "menu.") && !isPortionEvent(e) {
		return []live.Topic{live.MenuTopic(), live.KitchenTopic()}
	}
	return nil
}

// MenuItem is one dish as the menu shows it.
type MenuItem struct {
	ItemID      string
	Name        string
	Description string
	Category    string
	Price       domain.Money
	SoldOut     bool
	Removed     bool
	TimesAdded  int64
	UnitsAdded  int64
	UpdatedAt   time.Time
	// Limited says the dish is cooked in a limited number of portions,
	// PortionsLeft of which are left (from PortionsProjection).
	Limited      bool
	PortionsLeft int
}

// NoneLeft says a limited dish has no portions left: it shows as sold out.
func (m MenuItem) NoneLeft() bool { return m.Limited && m.PortionsLeft <= 0 }

// Orderable says whether a guest may add the item now.
func (m MenuItem) Orderable() bool { return !m.SoldOut && !m.Removed && !m.NoneLeft() }

// Menus reads the menu read model.
type Menus struct{ Pool *pgxpool.Pool }

const menuColumns = `mi.item_id, name, description, category, price_amount, price_currency, sold_out, removed,
	times_added, units_added, mi.updated_at, p.portions_left`

func scanMenuItem(row pgx.Row) (MenuItem, error) {
	var m MenuItem
	var left *int
	err := row.Scan(&m.ItemID, &m.Name, &m.Description, &m.Category, &m.Price.Amount, &m.Price.Currency,
		&m.SoldOut, &m.Removed, &m.TimesAdded, &m.UnitsAdded, &m.UpdatedAt, &left)
	if left != nil {
		m.Limited, m.PortionsLeft = true, *left
	}
	return m, err
}

// Listed returns the items on the menu (not removed), by category in the
// order categories first appeared, then in the order items were added.
func (m Menus) Listed(ctx context.Context) ([]MenuItem, error) {
	rows, err := m.Pool.Query(ctx, `SELECT `+menuColumns+` FROM menu_items mi LEFT JOIN dish_portions p USING (item_id) WHERE NOT removed
		ORDER BY (SELECT min(listed_seq) FROM menu_items c WHERE c.category = mi.category), listed_seq`)
	if err != nil {
		return nil, fmt.Errorf("read menu: %w", err)
	}
	defer rows.Close()
	var out []MenuItem
	for rows.Next() {
		item, err := scanMenuItem(rows)
		if err != nil {
			return nil, fmt.Errorf("read menu: %w", err)
		}
		out = append(out, item)
	}
	return out, rows.Err()
}
