package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/kitchen"
)

// PrepTimes are how long a dish's tickets took (or every ticket's, with
// Dish ""), over the tickets of the orders placed in a period that were not
// canceled. Cooking is from the kitchen's start to ready (the last bump, so a
// recalled ticket's redo counts), over the Cooked tickets that had both;
// Turnaround from the order's placing to its handing over, over the
// HandedOver ones. Late counts the tickets still waiting to be ready when
// they reached the kitchen's Late threshold, as the display marked them.
type PrepTimes struct {
	Dish                      string
	Tickets                   int
	Cooked                    int
	Cooking, CookingP90       time.Duration
	HandedOver                int
	Turnaround, TurnaroundP90 time.Duration
	Late                      int
	Recalls                   int
}

// Prep is the prep-time report: every ticket's times, then each dish's, the
// dish on most tickets first. Late is the threshold it counted by.
type Prep struct {
	Late   time.Duration
	All    PrepTimes
	Dishes []PrepTimes
}

// prepMeasures are the prep report's figures over a group of tickets t; $3
// is now (a ticket not ready yet has waited until now), $4 the threshold in
// seconds.
const prepMeasures = `count(*),
	count(t.ready_at - t.started_at),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.ready_at - t.started_at)::float8),
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.ready_at - t.started_at)::float8),
	count(t.handed_over_at),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.handed_over_at - t.placed_at)::float8),
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.handed_over_at - t.placed_at)::float8),
	count(*) FILTER (WHERE extract(epoch FROM coalesce(t.ready_at, $3) - t.placed_at) >= $4),
	coalesce(sum(t.recalls), 0)`

// Prep reads the period's prep times; late is the kitchen's Late threshold
// (zero: kitchen.DefaultAgeing's), now the time it is.
func (r Reports) Prep(ctx context.Context, p Period, late time.Duration, now time.Time) (Prep, error) {
	if late <= 0 {
		late = kitchen.DefaultAgeing.Late
	}
	args := []any{p.From, p.To, now, late.Seconds()}
	out := Prep{Late: late}
	rows, err := r.Pool.Query(ctx, `SELECT '', `+prepMeasures+` FROM report_tickets t
		WHERE t.placed_at >= $1 AND t.placed_at < $2 AND t.canceled_at IS NULL`, args...)
	if err == nil {
		out.All, err = pgx.CollectExactlyOneRow(rows, scanPrepTimes)
	}
	if err != nil {
		return Prep{}, fmt.Errorf("read prep times: %w", err)
	}
	rows, err = r.Pool.Query(ctx, `SELECT d.name, `+prepMeasures+` FROM report_tickets t
		JOIN (SELECT DISTINCT ticket_id, name FROM report_ticket_dishes) d USING (ticket_id)
		WHERE t.placed_at >= $1 AND t.placed_at < $2 AND t.canceled_at IS NULL
		GROUP BY d.name ORDER BY count(*) DESC, d.name`, args...)
	if err == nil {
		out.Dishes, err = pgx.CollectRows(rows, scanPrepTimes)
	}
	if err != nil {
		return Prep{}, fmt.Errorf("read prep times by dish: %w", err)
	}
	return out, nil
}

func scanPrepTimes(row pgx.CollectableRow) (PrepTimes, error) {
	var t PrepTimes
	var cooking, cookingP90, turnaround, turnaroundP90 *float64
	err := row.Scan(&t.Dish, &t.Tickets, &t.Cooked, &cooking, &cookingP90, &t.HandedOver, &turnaround, &turnaroundP90, &t.Late, &t.Recalls)
	t.Cooking, t.CookingP90, t.Turnaround, t.TurnaroundP90 = seconds(cooking), seconds(cookingP90), seconds(turnaround), seconds(turnaroundP90)
	return t, err
}

// seconds is a number of seconds from the database as a duration, to the
// second; none is zero.
func seconds(s *float64) time.Duration {
	if s == nil {
		return 0
	}
	return (time.Duration(*s * float64(time.Second))).Round(time.Second)
}

// TicketsAround are the tickets the kitchen display may have shown at the
// moment at, by their times on the kitchen's clock: placed by then, not
// handed over before, and neither canceled nor last ready more than the
// recall window before. It is where a replay of the board looks; what each
// ticket was at that moment is for the ticket's own events to say.
func (r Reports) TicketsAround(ctx context.Context, at time.Time) ([]string, error) {
	rows, err := r.Pool.Query(ctx, `SELECT ticket_id FROM report_tickets
		WHERE placed_at <= $1 AND (handed_over_at IS NULL OR handed_over_at > $1)
		  AND (canceled_at IS NULL OR canceled_at > $2) AND (ready_at IS NULL OR ready_at > $2)
		ORDER BY placed_at, ticket_id`, at, at.Add(-kitchen.RecallWindow))
	if err != nil {
		return nil, fmt.Errorf("find the tickets around %s: %w", at, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find the tickets around %s: %w", at, err)
	}
	return ids, nil
}
