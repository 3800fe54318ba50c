package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// OrdersProjection keeps every order as its guest and the staff see it.
type OrdersProjection struct{}

// Name implements Projection.
func (OrdersProjection) Name() string { return "orders" }

// Tables implements Projection; lines go first, they refer to orders.
func (OrdersProjection) Tables() []string { return []string{"order_lines", "orders", "order_numbers"} }

// Apply implements Projection: the fold, over one event.
func (o OrdersProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return applyFold(ctx, tx, o, []eventstore.RecordedEvent{e})
}

// optionsJSON is how a line's choices are kept in its row: "[]" for none,
// however the event said it, so a rebuild writes what the live read model
// has.
func optionsJSON(options []ordering.ChosenOption) (string, error) {
	if len(options) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(options)
	if err != nil {
		return "", fmt.Errorf("line options: %w", err)
	}
	return string(b), nil
}

// Topics implements Notifier: an order's page follows its order's events and
// its ticket's (a ticket has its order's id).
func (OrdersProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if _, erasure := e.Event.(domain.Erasure); erasure {
		return []live.Topic{live.OrdersTopic()} // the staff's list shows their orders erased
	}
	id, _ := orderOf(e)
	if id == "" {
		return nil
	}
	// The guest's page, the order's history, and the staff's list of orders.
	return []live.Topic{live.OrderTopic(id), live.HistoryTopic(id), live.OrdersTopic()}
}

// Order is an order as its page shows it.
type Order struct {
	OrderID         string
	Number          int64
	CustomerID      string
	Status          ordering.Status
	Fulfilment      ordering.Fulfilment
	DeliveryAddress ordering.Address
	Contact         ordering.Contact
	// ContactErased says the contact was erased with its person.
	ContactErased bool
	Lines         []ordering.Line
	ItemCount     int
	Total         domain.Money
	OpenedAt      time.Time
	PlacedAt      time.Time
	CanceledAt    time.Time
	CancelReason  string
	// KitchenStatus is how far the kitchen has got ("" before placing).
	KitchenStatus kitchen.Status
	// ScheduledFor is the time for later the guest asked for; zero: as
	// soon as possible.
	ScheduledFor time.Time
	Version      int
	UpdatedAt    time.Time
}

// State is the order as the ordering domain sees it, so that the page can
// ask the domain which commands are valid now.
func (o Order) State() ordering.State {
	return ordering.State{
		OrderID: o.OrderID, CustomerID: o.CustomerID, Status: o.Status, Lines: o.Lines,
		Fulfilment: o.Fulfilment, DeliveryAddress: o.DeliveryAddress, Contact: o.Contact,
		OpenedAt: o.OpenedAt, PlacedAt: o.PlacedAt, CanceledAt: o.CanceledAt, CancelReason: o.CancelReason,
		KitchenStarted: o.KitchenStatus != "" && o.KitchenStatus != kitchen.StatusQueued,
		ScheduledFor:   o.ScheduledFor,
	}
}

// Orders reads the orders read model.
type Orders struct{ Pool *pgxpool.Pool }

// Get returns an order with its lines; a missing one is domain.ENOTFOUND.
func (r Orders) Get(ctx context.Context, id string) (Order, error) {
	var o Order
	var address []byte
	var placed, canceled, scheduled *time.Time
	err := r.Pool.QueryRow(ctx, `SELECT order_id, number, customer_id, status, fulfilment, delivery_address, contact_name, contact_phone, contact_erased,
		item_count, total_amount, total_currency, opened_at, placed_at, canceled_at, cancel_reason, kitchen_status, scheduled_for, version, updated_at
		FROM orders WHERE order_id = $1`, id).Scan(&o.OrderID, &o.Number, &o.CustomerID, &o.Status, &o.Fulfilment, &address, &o.Contact.Name, &o.Contact.Phone, &o.ContactErased,
		&o.ItemCount, &o.Total.Amount, &o.Total.Currency, &o.OpenedAt, &placed, &canceled, &o.CancelReason, &o.KitchenStatus, &scheduled, &o.Version, &o.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Order{}, domain.NotFound("There is no such order.")
	}
	if err != nil {
		return Order{}, fmt.Errorf("read order %s: %w", id, err)
	}
	if placed != nil {
		o.PlacedAt = *placed
	}
	if canceled != nil {
		o.CanceledAt = *canceled
	}
	if scheduled != nil {
		o.ScheduledFor = *scheduled
	}
	if len(address) > 0 {
		if err := json.Unmarshal(address, &o.DeliveryAddress); err != nil {
			return Order{}, fmt.Errorf("read order %s address: %w", id, err)
		}
	}
	rows, err := r.Pool.Query(ctx, `SELECT line_id, menu_item_id, name, quantity, note, allergy, unit_amount, unit_currency, options
		FROM order_lines WHERE order_id = $1 ORDER BY seq`, id)
	if err != nil {
		return Order{}, fmt.Errorf("read order %s lines: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l ordering.Line
		var options []byte
		if err := rows.Scan(&l.LineID, &l.MenuItemID, &l.Name, &l.Quantity, &l.Note, &l.Allergy, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &options); err != nil {
			return Order{}, fmt.Errorf("read order %s lines: %w", id, err)
		}
		if err := json.Unmarshal(options, &l.Options); err != nil {
			return Order{}, fmt.Errorf("read order %s line options: %w", id, err)
		}
		if len(l.Options) == 0 {
			l.Options = nil
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}

// Latest returns the guest's most recent order that is open or placed, if
// any: the one the site's header links to.
func (r Orders) Latest(ctx context.Context, customer string) (Order, bool, error) {
	var id string
	err := r.Pool.QueryRow(ctx, `SELECT order_id FROM orders WHERE customer_id = $1 AND status <> $2
		ORDER BY opened_at DESC, number DESC LIMIT 1`, customer, ordering.StatusCanceled).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("read latest order: %w", err)
	}
	o, err := r.Get(ctx, id)
	return o, err == nil, err
}

// Summary is one line of a guest's order list.
type Summary struct {
	OrderID   string
	Number    int64
	Status    ordering.Status
	ItemCount int
	Total     domain.Money
	OpenedAt  time.Time
}

// All returns the projections this package keeps.
func All() []Projection {
	return []Projection{MenuProjection{}, OrdersProjection{}, StaffProjection{}, TicketsProjection{}, CustomersProjection{},
		SettingsProjection{}, PortionsProjection{}, OrderReportsProjection{}, KitchenReportsProjection{}}
}

// OrderFilter narrows the staff's list of orders; zero fields match all.
type OrderFilter struct {
	// Progress is "open", "placed" (waiting for the kitchen), "preparing",
	// "ready", "handed_over", "out_for_delivery", "delivered" or "canceled".
	Progress string
	From, To time.Time // opened in [From, To)
	Number   int64
	// Guest is the customer id the orders came from.
	Guest string
}

// PageKey is where a page of orders ends: the list continues after it.
type PageKey struct {
	OpenedAt time.Time
	Number   int64
}

// ListEntry is one order in the staff's list.
type ListEntry struct {
	Summary
	CustomerID    string
	KitchenStatus kitchen.Status
	// Contact is whom to call about the order ("" before it was given).
	Contact ordering.Contact
	// ContactErased says the contact was erased with its person.
	ContactErased bool
}

// Cancelable says whether the order may still be called off: open, or
// placed and not yet started by the kitchen.
func (e ListEntry) Cancelable() bool {
	return e.Status == ordering.StatusOpen ||
		e.Status == ordering.StatusPlaced && (e.KitchenStatus == "" || e.KitchenStatus == kitchen.StatusQueued)
}

// List returns orders newest first, a page at a time (keyset paging: a page
// never shifts when new orders arrive), and the key of the next page.
func (r Orders) List(ctx context.Context, f OrderFilter, after *PageKey, limit int) ([]ListEntry, *PageKey, error) {
	where := []string{"true"}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	switch f.Progress {
	case "open", "canceled":
		where = append(where, "status = "+arg(f.Progress))
	case "placed":
		where = append(where, "status = 'placed' AND kitchen_status IN ('', 'queued')")
	case "preparing", "ready", "handed_over", "out_for_delivery", "delivered":
		where = append(where, "status = 'placed' AND kitchen_status = "+arg(f.Progress))
	}
	if !f.From.IsZero() {
		where = append(where, "opened_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "opened_at < "+arg(f.To))
	}
	if f.Number > 0 {
		where = append(where, "number = "+arg(f.Number))
	}
	if f.Guest != "" {
		where = append(where, "customer_id = "+arg(f.Guest))
	}
	if after != nil {
		where = append(where, "(opened_at, number) < ("+arg(after.OpenedAt)+", "+arg(after.Number)+")")
	}
	rows, err := r.Pool.Query(ctx, `SELECT order_id, number, status, item_count, total_amount, total_currency, opened_at, customer_id, kitchen_status,
			contact_name, contact_phone, contact_erased
		FROM orders WHERE `+strings.Join(where, " AND ")+` ORDER BY opened_at DESC, number DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var out []ListEntry
	for rows.Next() {
		var e ListEntry
		if err := rows.Scan(&e.OrderID, &e.Number, &e.Status, &e.ItemCount, &e.Total.Amount, &e.Total.Currency, &e.OpenedAt, &e.CustomerID, &e.KitchenStatus,
			&e.Contact.Name, &e.Contact.Phone, &e.ContactErased); err != nil {
			return nil, nil, fmt.Errorf("list orders: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var next *PageKey
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = &PageKey{OpenedAt: last.OpenedAt, Number: last.Number}
	}
	return out, next, nil
}

// CancelableSince returns, oldest first and at most limit, the orders
// opened since then that may still be canceled (open, or placed and not
// started by the kitchen), from one guest when guest is not empty: what a
// manager calls off when a flood of orders comes in.
func (r Orders) CancelableSince(ctx context.Context, since time.Time, guest string, limit int) ([]string, error) {
	rows, err := r.Pool.Query(ctx, `SELECT order_id FROM orders
		WHERE opened_at >= $1 AND ($2 = '' OR customer_id = $2)
		  AND (status = 'open' OR status = 'placed' AND kitchen_status IN ('', 'queued'))
		ORDER BY opened_at, number LIMIT $3`, since, guest, limit)
	if err != nil {
		return nil, fmt.Errorf("list cancelable orders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list cancelable orders: %w", err)
	}
	return ids, nil
}
