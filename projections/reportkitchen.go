package projections

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
)

// KitchenReportsProjection keeps each ticket's times by the kitchen's own
// clock (placed, started, last ready, handed over, canceled), how often it
// was recalled, how it was paid at hand-over, and its dishes: what the prep-time report reads, and how the
// board replay finds the tickets whose lives span a moment. It follows the
// kitchen context's events only; the same statements run live and in a
// rebuild.
type KitchenReportsProjection struct{}

// WriteOnly implements WriteOnly.
func (KitchenReportsProjection) WriteOnly() {}

// Name implements Projection.
func (KitchenReportsProjection) Name() string { return "kitchen-reports" }

// Tables implements Projection.
func (KitchenReportsProjection) Tables() []string {
	return []string{"report_ticket_dishes", "report_tickets"}
}

// Apply implements Projection.
func (KitchenReportsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case kitchen.TicketOpened:
		names, options, quantities := make([]string, len(ev.Items)), make([]string, len(ev.Items)), make([]int32, len(ev.Items))
		for i, it := range ev.Items {
			names[i], options[i], quantities[i] = it.Name, strings.Join(it.Options, ", "), int32(it.Quantity)
		}
		_, err = tx.Exec(ctx, `INSERT INTO report_tickets (ticket_id, order_number, placed_at) VALUES ($1, $2, $3)`,
			ev.TicketID, ev.OrderNumber, ev.PlacedAt)
		err = then(ctx, tx, err, `INSERT INTO report_ticket_dishes (ticket_id, seq, name, options, quantity)
			SELECT $1, d.seq, d.name, d.options, d.quantity
			FROM unnest($2::text[], $3::text[], $4::integer[]) WITH ORDINALITY AS d (name, options, quantity, seq)`,
			ev.TicketID, names, options, quantities)
	case kitchen.TicketStarted:
		_, err = tx.Exec(ctx, `UPDATE report_tickets SET started_at = $2 WHERE ticket_id = $1`, ev.TicketID, ev.StartedAt)
	case kitchen.TicketBumped:
		_, err = tx.Exec(ctx, `UPDATE report_tickets SET ready_at = $2 WHERE ticket_id = $1`, ev.TicketID, ev.BumpedAt)
	case kitchen.TicketRecalled:
		_, err = tx.Exec(ctx, `UPDATE report_tickets SET ready_at = NULL, recalls = recalls + 1 WHERE ticket_id = $1`, ev.TicketID)
	case kitchen.TicketHandedOver:
		_, err = tx.Exec(ctx, `UPDATE report_tickets SET handed_over_at = $2, payment = $3, unpaid_reason = $4 WHERE ticket_id = $1`,
			ev.TicketID, ev.HandedOverAt, ev.Payment, ev.UnpaidReason)
	case kitchen.TicketCanceled:
		_, err = tx.Exec(ctx, `UPDATE report_tickets SET canceled_at = $2 WHERE ticket_id = $1`, ev.TicketID, ev.CanceledAt)
	}
	return err
}
