package projections

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// OrderReportsProjection keeps every order as the managers' sales, item mix
// and cancellations reports read it: when it was placed, what it held then
// and came to, and whether, when, why and by whom it was canceled. It
// follows the ordering context's events only; the same statements run live
// and in a rebuild, so a rebuild gives the same rows.
type OrderReportsProjection struct{}

// WriteOnly implements WriteOnly.
func (OrderReportsProjection) WriteOnly() {}

// Name implements Projection.
func (OrderReportsProjection) Name() string { return "order-reports" }

// Tables implements Projection.
func (OrderReportsProjection) Tables() []string { return []string{"report_lines", "report_orders"} }

// Apply implements Projection. Orders are numbered as they were opened, as
// the orders' read model numbers them, so a report names an order as the
// staff's list does.
func (OrderReportsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case ordering.OrderOpened:
		_, err = tx.Exec(ctx, `INSERT INTO report_orders (order_id, number, opened_at)
			VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM report_orders), $2)`, ev.OrderID, ev.OpenedAt)
	case ordering.ItemAddedToOrder:
		_, err = tx.Exec(ctx, `INSERT INTO report_lines (order_id, line_id, menu_item_id, name, options, quantity, unit_amount, currency)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ev.OrderID, ev.LineID, ev.MenuItemID, ev.Name, choicesLabel(ev.Options),
			ev.Quantity, ev.UnitPrice.Amount, ev.UnitPrice.Currency)
	case ordering.ItemOptionsChanged:
		_, err = tx.Exec(ctx, `UPDATE report_lines SET options = $3, unit_amount = $4, currency = $5 WHERE order_id = $1 AND line_id = $2`,
			ev.OrderID, ev.LineID, choicesLabel(ev.Options), ev.UnitPrice.Amount, ev.UnitPrice.Currency)
	case ordering.ItemQuantityChanged:
		_, err = tx.Exec(ctx, `UPDATE report_lines SET quantity = $3 WHERE order_id = $1 AND line_id = $2`, ev.OrderID, ev.LineID, ev.Quantity)
	case ordering.ItemRemovedFromOrder:
		_, err = tx.Exec(ctx, `DELETE FROM report_lines WHERE order_id = $1 AND line_id = $2`, ev.OrderID, ev.LineID)
	case ordering.OrderPlaced:
		_, err = tx.Exec(ctx, `UPDATE report_orders SET placed_at = $2, revenue = $3, currency = $4,
			items = (SELECT coalesce(sum(quantity), 0) FROM report_lines WHERE order_id = $1) WHERE order_id = $1`,
			ev.OrderID, ev.PlacedAt, ev.Total.Amount, ev.Total.Currency)
	case ordering.OrderCanceled:
		_, err = tx.Exec(ctx, `UPDATE report_orders SET canceled_at = $2, cancel_reason = $3, canceled_by = $4 WHERE order_id = $1`,
			ev.OrderID, ev.CanceledAt, ev.Reason, e.Actor)
	}
	return err
}

// choicesLabel names a dish's choices as one label, in the order the menu
// lists its groups: "Large, Olives"; "" for none.
func choicesLabel(options []ordering.ChosenOption) string {
	return strings.Join(optionNames(options), ", ")
}
