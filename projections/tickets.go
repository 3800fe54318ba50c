package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// TicketsProjection keeps the kitchen display's tickets.
type TicketsProjection struct{}

// Name implements Projection.
func (TicketsProjection) Name() string { return "tickets" }

// Tables implements Projection.
func (TicketsProjection) Tables() []string { return []string{"tickets"} }

// Apply implements Projection: the fold, over one event.
func (t TicketsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return applyFold(ctx, tx, t, []eventstore.RecordedEvent{e})
}

// Topics implements Notifier: the kitchen display follows every ticket, and
// shows the names of erased people no more.
func (TicketsProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if _, erasure := e.Event.(domain.Erasure); erasure || strings.HasPrefix(e.Type, "kitchen.") {
		return []live.Topic{live.KitchenTopic(), live.QueueTopic()}
	}
	return nil
}

// Ticket is one ticket on the kitchen display.
type Ticket struct {
	TicketID     string
	OrderNumber  int64
	Items        []kitchen.Item
	Fulfilment   string
	ContactName  string // "" for orders placed before orders had a contact
	Status       kitchen.Status
	PlacedAt     time.Time
	StartedAt    time.Time
	BumpedAt     time.Time
	CanceledAt   time.Time
	CancelReason string
	// DoneLines are the line ids of the dishes marked done, in the order
	// they were.
	DoneLines []string
	// FiredLines are the line ids of the held dishes fired before their
	// time; a dish's own fire time is its FireAt.
	FiredLines []string
	// DueAt is the time an order for later is due; zero for one as soon
	// as possible. PlacedAt is then when its ticket joined the queue.
	DueAt time.Time
}

// dueAt is a ticket's due_at: its time for later, or NULL.
func dueAt(ev kitchen.TicketOpened) any {
	if !ev.Scheduled() {
		return nil
	}
	return ev.DueAt
}

// State is the ticket as the kitchen's decider sees it, as far as the
// read model keeps it: enough to say which buttons it offers, and which of
// its dishes are held.
func (t Ticket) State() kitchen.State {
	return kitchen.State{TicketID: t.TicketID, Status: t.Status, BumpedAt: t.BumpedAt, Items: t.Items, DoneLines: t.DoneLines, FiredLines: t.FiredLines}
}

// Tickets reads the kitchen's read model.
type Tickets struct{ Pool *pgxpool.Pool }

// Board returns what the kitchen display shows: open tickets oldest first;
// then the ready ones, until they are handed over, the longest ready first;
// then the delivery orders out with the courier, until delivered, in the
// order they left; then those canceled within the recall window, in the
// order they were.
func (t Tickets) Board(ctx context.Context, now time.Time) ([]Ticket, error) {
	rows, err := t.Pool.Query(ctx, `SELECT ticket_id, order_number, items, fulfilment, contact_name, status, placed_at,
			coalesce(started_at, 'epoch'), coalesce(bumped_at, 'epoch'), coalesce(canceled_at, 'epoch'), cancel_reason, done_lines, due_at, fired_lines
		FROM tickets
		WHERE status IN ('queued', 'preparing', 'ready', 'out_for_delivery')
		   OR (status = 'canceled' AND canceled_at > $1)
		ORDER BY CASE status WHEN 'queued' THEN 0 WHEN 'preparing' THEN 0 WHEN 'ready' THEN 1 WHEN 'out_for_delivery' THEN 2 ELSE 3 END,
			CASE status WHEN 'ready' THEN bumped_at WHEN 'out_for_delivery' THEN handed_over_at WHEN 'canceled' THEN canceled_at ELSE placed_at END, placed_at, ticket_id`, now.Add(-kitchen.RecallWindow))
	if err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		var tk Ticket
		var items []byte
		var due *time.Time
		if err := rows.Scan(&tk.TicketID, &tk.OrderNumber, &items, &tk.Fulfilment, &tk.ContactName, &tk.Status, &tk.PlacedAt,
			&tk.StartedAt, &tk.BumpedAt, &tk.CanceledAt, &tk.CancelReason, &tk.DoneLines, &due, &tk.FiredLines); err != nil {
			return nil, fmt.Errorf("read tickets: %w", err)
		}
		if err := json.Unmarshal(items, &tk.Items); err != nil {
			return nil, fmt.Errorf("read ticket %s items: %w", tk.TicketID, err)
		}
		if due != nil {
			tk.DueAt = *due
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}
