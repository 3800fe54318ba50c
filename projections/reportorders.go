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
// follows the ordering context's events only; one fold gives its rows live
// and in a rebuild.
type OrderReportsProjection struct{}

// Name implements Projection.
func (OrderReportsProjection) Name() string { return "order-reports" }

// Tables implements Projection.
func (OrderReportsProjection) Tables() []string { return []string{"report_lines", "report_orders"} }

// Apply implements Projection: the fold, over one event.
func (r OrderReportsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return applyFold(ctx, tx, r, []eventstore.RecordedEvent{e})
}

// choicesLabel names a dish's choices as one label, in the order the menu
// lists its groups: "Large, Olives"; "" for none.
func choicesLabel(options []ordering.ChosenOption) string {
	return strings.Join(optionNames(options), ", ")
}
