package projections

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
)

// The ways the takings report groups orders beyond the kitchen's payment
// methods: handed over before the kitchen asked how they were paid, and
// not handed over yet.
const (
	TakenNotRecorded   = "not_recorded"
	TakenNotHandedOver = "not_handed_over"
)

// TakingsMethods are the takings report's rows, in its order: the kitchen's
// payment methods, then not recorded, then not handed over yet.
var TakingsMethods = []string{string(kitchen.PaymentCash), string(kitchen.PaymentCard), string(kitchen.PaymentUnpaid), TakenNotRecorded, TakenNotHandedOver}

// MethodTakings are the orders paid one way and what they came to; Reason
// is why an unpaid one was not paid (a row of Takings.Unpaid).
type MethodTakings struct {
	Method string
	Reason string
	Orders int
	Value  domain.Money
}

// Takings are what the orders that stand, placed in a period, came to by
// how they were paid at hand-over: every method of TakingsMethods, in its
// order, and the unpaid ones by reason, the most money first. They add up
// to the sales' revenue, counted the same way (by the day of placing).
type Takings struct {
	Methods []MethodTakings
	Unpaid  []MethodTakings
}

// Takings reads the period's takings by payment method.
func (r Reports) Takings(ctx context.Context, p Period) (Takings, error) {
	rows, err := r.Pool.Query(ctx, `SELECT
			CASE WHEN t.handed_over_at IS NULL THEN $3 WHEN t.payment = '' THEN $4 ELSE t.payment END,
			CASE WHEN t.payment = 'unpaid' THEN t.unpaid_reason ELSE '' END,
			count(*), sum(o.revenue), min(o.currency)
		FROM report_orders o LEFT JOIN report_tickets t ON t.ticket_id = o.order_id
		WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.canceled_at IS NULL
		GROUP BY 1, 2`, p.From, p.To, TakenNotHandedOver, TakenNotRecorded)
	if err != nil {
		return Takings{}, fmt.Errorf("read takings: %w", err)
	}
	groups, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MethodTakings, error) {
		var m MethodTakings
		return m, row.Scan(&m.Method, &m.Reason, &m.Orders, &m.Value.Amount, &m.Value.Currency)
	})
	if err != nil {
		return Takings{}, fmt.Errorf("read takings: %w", err)
	}
	out := Takings{Methods: make([]MethodTakings, len(TakingsMethods))}
	for i, m := range TakingsMethods {
		out.Methods[i] = MethodTakings{Method: m, Value: domain.Cents(0)}
	}
	for _, g := range groups {
		i := slices.Index(TakingsMethods, g.Method)
		if i < 0 {
			return Takings{}, fmt.Errorf("read takings: unknown payment %q", g.Method)
		}
		out.Methods[i].Orders += g.Orders
		out.Methods[i].Value = out.Methods[i].Value.Plus(g.Value)
		if g.Method == string(kitchen.PaymentUnpaid) {
			out.Unpaid = append(out.Unpaid, g)
		}
	}
	slices.SortFunc(out.Unpaid, func(a, b MethodTakings) int {
		return cmp.Or(cmp.Compare(b.Value.Amount, a.Value.Amount), cmp.Compare(a.Reason, b.Reason))
	})
	return out, nil
}
