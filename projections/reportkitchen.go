package projections

import (
	"context"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
)

// KitchenReportsProjection keeps each ticket's times by the kitchen's own
// clock (placed, started, last ready, handed over, canceled), how often it
// was recalled, how it was paid at hand-over, and its dishes: what the prep-time report reads, and how the
// board replay finds the tickets whose lives span a moment. It follows the
// kitchen context's events only; one fold gives its rows live and in a
// rebuild.
type KitchenReportsProjection struct{}

// Name implements Projection.
func (KitchenReportsProjection) Name() string { return "kitchen-reports" }

// Tables implements Projection.
func (KitchenReportsProjection) Tables() []string {
	return []string{"report_ticket_dishes", "report_tickets"}
}

// Apply implements Projection: the fold, over one event.
func (r KitchenReportsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return applyFold(ctx, tx, r, []eventstore.RecordedEvent{e})
}
