package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// The orders read model's tables, their columns in the order of a row's
// values.
var (
	ordersTable = foldTable{name: "orders", key: "order_id", columns: []foldColumn{
		{"order_id", "text"}, {"number", "bigint"}, {"customer_id", "text"}, {"status", "text"}, {"fulfilment", "text"},
		{"delivery_address", "json"}, {"item_count", "integer"}, {"total_amount", "bigint"}, {"total_currency", "text"},
		{"opened_at", "timestamptz"}, {"placed_at", "timestamptz"}, {"canceled_at", "timestamptz"}, {"cancel_reason", "text"},
		{"version", "integer"}, {"updated_at", "timestamptz"}, {"kitchen_status", "text"}, {"contact_name", "text"},
		{"contact_phone", "text"}, {"contact_erased", "boolean"}, {"scheduled_for", "timestamptz"}}}
	orderLinesTable = foldTable{name: "order_lines", key: "order_id, line_id", columns: []foldColumn{
		{"order_id", "text"}, {"line_id", "text"}, {"seq", "integer"}, {"menu_item_id", "text"}, {"name", "text"},
		{"quantity", "integer"}, {"note", "text"}, {"allergy", "boolean"}, {"unit_amount", "bigint"}, {"unit_currency", "text"},
		{"options", "json"}}}
)

// NewFold implements Folder.
func (OrdersProjection) NewFold() Fold {
	return &ordersFold{orders: map[string]*orderRow{}, owned: map[string][]*orderRow{}}
}

type orderRow struct {
	id, customer, status, fulfilment, currency, cancelReason, kitchenStatus string
	contactName, contactPhone                                               string
	contactErased                                                           bool
	number                                                                  int64
	address                                                                 any // json text, or nil
	itemCount                                                               int
	total                                                                   int64
	openedAt, updatedAt                                                     time.Time
	placedAt, canceledAt, scheduledFor                                      any // time.Time, or nil
	version                                                                 int
	lines                                                                   []lineRow // in seq order
	changed                                                                 bool      // since Load
}

func (o *orderRow) values() []any {
	return []any{o.id, o.number, o.customer, o.status, o.fulfilment, o.address, o.itemCount, o.total,
		o.currency, o.openedAt, o.placedAt, o.canceledAt, o.cancelReason, o.version, o.updatedAt, o.kitchenStatus,
		o.contactName, o.contactPhone, o.contactErased, o.scheduledFor}
}

type lineRow struct {
	lineID, menuItemID, name, note, currency string
	allergy                                  bool
	options                                  string // json text, as optionsJSON makes it
	seq, quantity                            int
	unitAmount                               int64
	changed                                  bool // since Load
}

func (l *lineRow) values(orderID string) []any {
	return []any{orderID, l.lineID, l.seq, l.menuItemID, l.name, l.quantity, l.note, l.allergy, l.unitAmount, l.currency, l.options}
}

// ordersFold is the orders read model: every order as its guest and the
// staff see it, folded from the orders' events and their tickets'.
type ordersFold struct {
	orders     map[string]*orderRow
	rows       []*orderRow            // loaded, then in the order they were opened
	owned      map[string][]*orderRow // by owner, for erasures
	last       int64                  // the last order number given: numbers count orders in the order they were opened
	renumbered bool
	removed    [][2]string // the lines removed since Load: order id, line id
}

// orderOf is the order an event concerns: its stream names it, an order's
// or its ticket's (a ticket has its order's id); lines says whether the
// event is the order's own, whose lines the fold may need. Taking the id
// from the stream rather than from each event type's field, no event of
// the order can be missed by a batch's load.
func orderOf(e eventstore.RecordedEvent) (id string, lines bool) {
	if id, ok := strings.CutPrefix(e.StreamID, ordering.StreamPrefix); ok {
		return id, true
	}
	if id, ok := ticketOf(e); ok {
		return id, false
	}
	return "", false
}

// Load implements Fold: the orders the batch's events concern, the lines
// of those whose lines they change, every order of the people they erase,
// and the last number given when they open orders.
func (f *ordersFold) Load(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	var ids, withLines, subjects []string
	opens := false
	for _, e := range events {
		if ev, ok := e.Event.(domain.Erasure); ok {
			subjects = append(subjects, ev.ErasedSubjects()...)
			continue
		}
		id, lines := orderOf(e)
		if id == "" {
			continue
		}
		ids = append(ids, id)
		if lines {
			withLines = append(withLines, id)
		}
		if _, ok := e.Event.(ordering.OrderOpened); ok {
			opens = true
		}
	}
	if len(ids) == 0 && len(subjects) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+ordersTable.selectList()+` FROM orders WHERE order_id = ANY($1) OR customer_id = ANY($2)`, ids, subjects).Query(func(rows pgx.Rows) error {
		return f.scanOrders(rows)
	})
	if len(withLines) > 0 {
		b.Queue(`SELECT `+orderLinesTable.selectList()+` FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, seq`, withLines).Query(func(rows pgx.Rows) error {
			return f.scanLines(rows)
		})
	}
	if opens {
		b.Queue(`SELECT coalesce(max(last), 0) FROM order_numbers`).QueryRow(func(row pgx.Row) error { return row.Scan(&f.last) })
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read orders: %w", err)
	}
	return nil
}

func (f *ordersFold) scanOrders(rows pgx.Rows) error {
	for rows.Next() {
		o := &orderRow{}
		var address *string
		var placed, canceled, scheduled *time.Time
		if err := rows.Scan(&o.id, &o.number, &o.customer, &o.status, &o.fulfilment, &address, &o.itemCount, &o.total,
			&o.currency, &o.openedAt, &placed, &canceled, &o.cancelReason, &o.version, &o.updatedAt, &o.kitchenStatus,
			&o.contactName, &o.contactPhone, &o.contactErased, &scheduled); err != nil {
			return err
		}
		o.address, o.placedAt, o.canceledAt, o.scheduledFor = orNil(address), orNil(placed), orNil(canceled), orNil(scheduled)
		f.keep(o)
	}
	return rows.Err()
}

func (f *ordersFold) scanLines(rows pgx.Rows) error {
	for rows.Next() {
		var orderID string
		var l lineRow
		if err := rows.Scan(&orderID, &l.lineID, &l.seq, &l.menuItemID, &l.name, &l.quantity, &l.note, &l.allergy,
			&l.unitAmount, &l.currency, &l.options); err != nil {
			return err
		}
		if o := f.orders[orderID]; o != nil {
			o.lines = append(o.lines, l)
		}
	}
	return rows.Err()
}

func (f *ordersFold) keep(o *orderRow) {
	f.orders[o.id], f.rows = o, append(f.rows, o)
	f.owned[o.customer] = append(f.owned[o.customer], o)
}

// Add implements Fold.
func (f *ordersFold) Add(e eventstore.RecordedEvent) error {
	touch := func(id string) *orderRow {
		o := f.orders[id]
		if o != nil {
			o.version, o.updatedAt, o.changed = e.Version, e.RecordedAt, true
		}
		return o
	}
	// The guest sees how far the kitchen has got with the order's ticket.
	kitchenStatus := func(id string, s kitchen.Status) {
		if o := f.orders[id]; o != nil {
			o.kitchenStatus, o.updatedAt, o.changed = string(s), e.RecordedAt, true
		}
	}
	switch ev := e.Event.(type) {
	case ordering.OrderOpened:
		if f.orders[ev.OrderID] != nil {
			return fmt.Errorf("order %s opened twice", ev.OrderID)
		}
		f.last++
		f.renumbered = true
		f.keep(&orderRow{id: ev.OrderID, number: f.last, customer: ev.CustomerID, status: string(ordering.StatusOpen), currency: "EUR",
			openedAt: ev.OpenedAt, version: e.Version, updatedAt: e.RecordedAt, changed: true})
	case ordering.ItemAddedToOrder:
		o := touch(ev.OrderID)
		if o == nil {
			return fmt.Errorf("a line for order %s, which was never opened", ev.OrderID)
		}
		seq := 1
		for _, l := range o.lines {
			if l.lineID == ev.LineID {
				return fmt.Errorf("line %s of order %s added twice", ev.LineID, ev.OrderID)
			}
			seq = max(seq, l.seq+1)
		}
		options, err := optionsJSON(ev.Options)
		if err != nil {
			return err
		}
		o.lines = append(o.lines, lineRow{lineID: ev.LineID, menuItemID: ev.MenuItemID, name: ev.Name, note: ev.Note, allergy: ev.Allergy, options: options,
			currency: ev.UnitPrice.Currency, seq: seq, quantity: ev.Quantity, unitAmount: ev.UnitPrice.Amount, changed: true})
		o.totals()
	case ordering.ItemOptionsChanged:
		options, err := optionsJSON(ev.Options)
		if err != nil {
			return err
		}
		if o := touch(ev.OrderID); o != nil {
			for i := range o.lines {
				if l := &o.lines[i]; l.lineID == ev.LineID {
					l.options, l.unitAmount, l.currency, l.changed = options, ev.UnitPrice.Amount, ev.UnitPrice.Currency, true
				}
			}
			o.totals()
		}
	case ordering.ItemRemovedFromOrder:
		if o := touch(ev.OrderID); o != nil {
			o.lines = slices.DeleteFunc(o.lines, func(l lineRow) bool { return l.lineID == ev.LineID })
			f.removed = append(f.removed, [2]string{ev.OrderID, ev.LineID})
			o.totals()
		}
	case ordering.ItemQuantityChanged:
		if o := touch(ev.OrderID); o != nil {
			for i := range o.lines {
				if l := &o.lines[i]; l.lineID == ev.LineID {
					l.quantity, l.changed = ev.Quantity, true
				}
			}
			o.totals()
		}
	case ordering.PickupChosen:
		if o := touch(ev.OrderID); o != nil {
			o.fulfilment, o.address = string(ordering.FulfilmentPickup), nil
		}
	case ordering.DeliveryAddressGiven:
		address, err := json.Marshal(ev.Address)
		if err != nil {
			return err
		}
		if o := touch(ev.OrderID); o != nil {
			o.fulfilment, o.address = string(ordering.FulfilmentDelivery), string(address)
		}
	case ordering.ContactGiven:
		if o := touch(ev.OrderID); o != nil {
			o.contactName, o.contactPhone, o.contactErased = ev.Name, ev.Phone, e.Erased
		}
	case domain.Erasure:
		return f.erase(ev.ErasedSubjects())
	case ordering.OrderPlaced:
		if o := touch(ev.OrderID); o != nil {
			o.status, o.placedAt = string(ordering.StatusPlaced), ev.PlacedAt
		}
	case ordering.OrderCanceled:
		if o := touch(ev.OrderID); o != nil {
			o.status, o.canceledAt, o.cancelReason = string(ordering.StatusCanceled), ev.CanceledAt, ev.Reason
		}
	case ordering.OrderScheduled:
		if o := touch(ev.OrderID); o != nil {
			o.scheduledFor = ev.For
		}
	case ordering.OrderScheduleCleared:
		if o := touch(ev.OrderID); o != nil {
			o.scheduledFor = nil
		}
	case kitchen.TicketOpened:
		kitchenStatus(ev.TicketID, kitchen.StatusQueued)
	case kitchen.TicketStarted:
		kitchenStatus(ev.TicketID, kitchen.StatusPreparing)
	case kitchen.TicketBumped:
		kitchenStatus(ev.TicketID, kitchen.StatusReady)
	case kitchen.TicketRecalled:
		kitchenStatus(ev.TicketID, kitchen.StatusPreparing)
	case kitchen.TicketHandedOver:
		kitchenStatus(ev.TicketID, ev.Status())
	case kitchen.TicketDelivered:
		kitchenStatus(ev.TicketID, kitchen.StatusDelivered)
	}
	return nil
}

// erase clears the contacts and addresses of the orders of erased people,
// as a rebuild reads them once their keys are gone: "" in every personal
// field, and the contact marked erased. Nothing else of the order changes,
// its version and time neither.
func (f *ordersFold) erase(subjects []string) error {
	blank, err := json.Marshal(ordering.Address{})
	if err != nil {
		return err
	}
	for _, subject := range subjects {
		for _, o := range f.owned[subject] {
			if o.contactName != "" {
				o.contactName, o.contactPhone, o.contactErased, o.changed = "", "", true, true
			}
			if o.address != nil {
				o.address, o.changed = string(blank), true
			}
		}
	}
	return nil
}

// totals counts the order's dishes and adds up their prices.
func (o *orderRow) totals() {
	o.itemCount, o.total = 0, 0
	for _, l := range o.lines {
		o.itemCount += l.quantity
		o.total += int64(l.quantity) * l.unitAmount
	}
}

// Changes implements Fold: the changed orders, then their removed and
// changed lines, then the last number.
func (f *ordersFold) Changes(b *pgx.Batch) {
	var orders, lines [][]any
	var removedOrders, removedLines []string
	for _, o := range f.rows {
		if o.changed {
			orders = append(orders, o.values())
		}
		for i := range o.lines {
			if o.lines[i].changed {
				lines = append(lines, o.lines[i].values(o.id))
			}
		}
	}
	for _, r := range f.removed {
		removedOrders, removedLines = append(removedOrders, r[0]), append(removedLines, r[1])
	}
	ordersTable.upsert(b, orders)
	if len(f.removed) > 0 {
		b.Queue(`DELETE FROM order_lines l USING unnest($1::text[], $2::text[]) AS r(order_id, line_id)
			WHERE l.order_id = r.order_id AND l.line_id = r.line_id`, removedOrders, removedLines)
	}
	orderLinesTable.upsert(b, lines)
	if f.renumbered {
		b.Queue(`INSERT INTO order_numbers (last) VALUES ($1) ON CONFLICT (only_row) DO UPDATE SET last = excluded.last`, f.last)
	}
}

// Rows implements Fold.
func (f *ordersFold) Rows() []TableRows {
	orders := make([][]any, 0, len(f.rows))
	var lines [][]any
	for _, o := range f.rows {
		orders = append(orders, o.values())
		for i := range o.lines {
			lines = append(lines, o.lines[i].values(o.id))
		}
	}
	out := []TableRows{ordersTable.rows(orders), orderLinesTable.rows(lines)}
	if f.last > 0 {
		out = append(out, TableRows{Table: "order_numbers", Columns: []string{"last"}, Rows: [][]any{{f.last}}})
	}
	return out
}
