package projections

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// The order-reports read model's tables, their columns in the order of a
// row's values.
var (
	reportOrdersTable = foldTable{name: "report_orders", key: "order_id", columns: []foldColumn{
		{"order_id", "text"}, {"number", "bigint"}, {"opened_at", "timestamptz"}, {"placed_at", "timestamptz"},
		{"items", "integer"}, {"revenue", "bigint"}, {"currency", "text"}, {"canceled_at", "timestamptz"},
		{"cancel_reason", "text"}, {"canceled_by", "text"}}}
	reportLinesTable = foldTable{name: "report_lines", key: "order_id, line_id", columns: []foldColumn{
		{"order_id", "text"}, {"line_id", "text"}, {"menu_item_id", "text"}, {"name", "text"}, {"options", "text"},
		{"quantity", "integer"}, {"unit_amount", "bigint"}, {"currency", "text"}}}
)

// NewFold implements Folder.
func (OrderReportsProjection) NewFold() Fold {
	return &orderReportsFold{orders: map[string]*reportOrder{}, lines: map[string][]*reportLine{}}
}

type reportOrder struct {
	id, currency, cancelReason, canceledBy string
	number                                 int64
	openedAt                               time.Time
	placedAt, canceledAt                   any // time.Time, or nil
	items                                  int
	revenue                                int64
	changed                                bool // since Load
}

func (o *reportOrder) values() []any {
	return []any{o.id, o.number, o.openedAt, o.placedAt, o.items, o.revenue, o.currency, o.canceledAt, o.cancelReason, o.canceledBy}
}

type reportLine struct {
	orderID, lineID, menuItemID, name, options, currency string
	quantity                                             int
	unitAmount                                           int64
	changed                                              bool // since Load
}

func (l *reportLine) values() []any {
	return []any{l.orderID, l.lineID, l.menuItemID, l.name, l.options, l.quantity, l.unitAmount, l.currency}
}

// orderReportsFold is every order as the managers' reports read it, folded
// from the ordering context's events.
type orderReportsFold struct {
	orders     map[string]*reportOrder
	rows       []*reportOrder           // loaded, then in the order they were opened
	lines      map[string][]*reportLine // by order
	lineOrders []string                 // the orders in lines, in the order they came
	last       int64                    // the last order number given
	removed    [][2]string              // the lines removed since Load: order id, line id
}

// Load implements Fold: the orders the batch's events concern with their
// lines, and the last number when they open orders.
func (f *orderReportsFold) Load(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	var ids []string
	opens := false
	for _, e := range events {
		if !strings.HasPrefix(e.Type, "ordering.") {
			continue
		}
		if id, _ := orderOf(e); id != "" {
			ids = append(ids, id)
		}
		if _, ok := e.Event.(ordering.OrderOpened); ok {
			opens = true
		}
	}
	if len(ids) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+reportOrdersTable.selectList()+` FROM report_orders WHERE order_id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			o := &reportOrder{}
			var placed, canceled *time.Time
			if err := rows.Scan(&o.id, &o.number, &o.openedAt, &placed, &o.items, &o.revenue, &o.currency, &canceled, &o.cancelReason, &o.canceledBy); err != nil {
				return err
			}
			o.placedAt, o.canceledAt = orNil(placed), orNil(canceled)
			f.orders[o.id], f.rows = o, append(f.rows, o)
		}
		return rows.Err()
	})
	b.Queue(`SELECT `+reportLinesTable.selectList()+` FROM report_lines WHERE order_id = ANY($1) ORDER BY order_id, line_id`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			l := &reportLine{}
			if err := rows.Scan(&l.orderID, &l.lineID, &l.menuItemID, &l.name, &l.options, &l.quantity, &l.unitAmount, &l.currency); err != nil {
				return err
			}
			f.addLine(l)
		}
		return rows.Err()
	})
	if opens {
		b.Queue(`SELECT coalesce(max(number), 0) FROM report_orders`).QueryRow(func(row pgx.Row) error { return row.Scan(&f.last) })
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read report orders: %w", err)
	}
	return nil
}

func (f *orderReportsFold) addLine(l *reportLine) {
	if _, ok := f.lines[l.orderID]; !ok {
		f.lineOrders = append(f.lineOrders, l.orderID)
	}
	f.lines[l.orderID] = append(f.lines[l.orderID], l)
}

func (f *orderReportsFold) line(orderID, lineID string) *reportLine {
	for _, l := range f.lines[orderID] {
		if l.lineID == lineID {
			return l
		}
	}
	return nil
}

// Add implements Fold. Orders are numbered as they were opened, as the
// orders' read model numbers them, so a report names an order as the
// staff's list does.
func (f *orderReportsFold) Add(e eventstore.RecordedEvent) error {
	switch ev := e.Event.(type) {
	case ordering.OrderOpened:
		if f.orders[ev.OrderID] != nil {
			return fmt.Errorf("order %s opened twice", ev.OrderID)
		}
		f.last++
		o := &reportOrder{id: ev.OrderID, number: f.last, openedAt: ev.OpenedAt, currency: "EUR", changed: true}
		f.orders[o.id], f.rows = o, append(f.rows, o)
	case ordering.ItemAddedToOrder:
		if f.line(ev.OrderID, ev.LineID) != nil {
			return fmt.Errorf("line %s of order %s added twice", ev.LineID, ev.OrderID)
		}
		f.addLine(&reportLine{orderID: ev.OrderID, lineID: ev.LineID, menuItemID: ev.MenuItemID, name: ev.Name, options: choicesLabel(ev.Options),
			quantity: ev.Quantity, unitAmount: ev.UnitPrice.Amount, currency: ev.UnitPrice.Currency, changed: true})
	case ordering.ItemOptionsChanged:
		if l := f.line(ev.OrderID, ev.LineID); l != nil {
			l.options, l.unitAmount, l.currency, l.changed = choicesLabel(ev.Options), ev.UnitPrice.Amount, ev.UnitPrice.Currency, true
		}
	case ordering.ItemQuantityChanged:
		if l := f.line(ev.OrderID, ev.LineID); l != nil {
			l.quantity, l.changed = ev.Quantity, true
		}
	case ordering.ItemRemovedFromOrder:
		if l := f.line(ev.OrderID, ev.LineID); l != nil {
			lines := f.lines[ev.OrderID]
			for i := range lines {
				if lines[i] == l {
					f.lines[ev.OrderID] = append(lines[:i:i], lines[i+1:]...)
					break
				}
			}
		}
		f.removed = append(f.removed, [2]string{ev.OrderID, ev.LineID})
	case ordering.OrderPlaced:
		// What the order held and came to at its placing: it takes no more
		// changes.
		if o := f.orders[ev.OrderID]; o != nil {
			items := 0
			for _, l := range f.lines[ev.OrderID] {
				items += l.quantity
			}
			o.placedAt, o.revenue, o.currency, o.items, o.changed = ev.PlacedAt, ev.Total.Amount, ev.Total.Currency, items, true
		}
	case ordering.OrderCanceled:
		if o := f.orders[ev.OrderID]; o != nil {
			o.canceledAt, o.cancelReason, o.canceledBy, o.changed = ev.CanceledAt, ev.Reason, e.Actor, true
		}
	}
	return nil
}

// Changes implements Fold.
func (f *orderReportsFold) Changes(b *pgx.Batch) {
	var orders, lines [][]any
	for _, o := range f.rows {
		if o.changed {
			orders = append(orders, o.values())
		}
	}
	for _, id := range f.lineOrders {
		for _, l := range f.lines[id] {
			if l.changed {
				lines = append(lines, l.values())
			}
		}
	}
	reportOrdersTable.upsert(b, orders)
	if len(f.removed) > 0 {
		var orderIDs, lineIDs []string
		for _, r := range f.removed {
			orderIDs, lineIDs = append(orderIDs, r[0]), append(lineIDs, r[1])
		}
		b.Queue(`DELETE FROM report_lines l USING unnest($1::text[], $2::text[]) AS r(order_id, line_id)
			WHERE l.order_id = r.order_id AND l.line_id = r.line_id`, orderIDs, lineIDs)
	}
	reportLinesTable.upsert(b, lines)
}

// Rows implements Fold.
func (f *orderReportsFold) Rows() []TableRows {
	orders := make([][]any, 0, len(f.rows))
	for _, o := range f.rows {
		orders = append(orders, o.values())
	}
	var lines [][]any
	for _, id := range f.lineOrders {
		for _, l := range f.lines[id] {
			lines = append(lines, l.values())
		}
	}
	return []TableRows{reportOrdersTable.rows(orders), reportLinesTable.rows(lines)}
}

// The kitchen-reports read model's tables.
var (
	reportTicketsTable = foldTable{name: "report_tickets", key: "ticket_id", columns: []foldColumn{
		{"ticket_id", "text"}, {"order_number", "bigint"}, {"placed_at", "timestamptz"}, {"started_at", "timestamptz"},
		{"ready_at", "timestamptz"}, {"handed_over_at", "timestamptz"}, {"canceled_at", "timestamptz"}, {"recalls", "integer"},
		{"payment", "text"}, {"unpaid_reason", "text"}}}
	reportDishesTable = foldTable{name: "report_ticket_dishes", key: "ticket_id, seq", columns: []foldColumn{
		{"ticket_id", "text"}, {"seq", "integer"}, {"name", "text"}, {"options", "text"}, {"quantity", "integer"}}}
)

// NewFold implements Folder.
func (KitchenReportsProjection) NewFold() Fold {
	return &kitchenReportsFold{tickets: map[string]*reportTicket{}}
}

type reportTicket struct {
	id, payment, unpaidReason                    string
	number                                       int64
	placedAt                                     time.Time
	startedAt, readyAt, handedOverAt, canceledAt any // time.Time, or nil
	recalls                                      int
	dishes                                       [][]any // written once, at its opening
	changed                                      bool    // since Load
}

func (t *reportTicket) values() []any {
	return []any{t.id, t.number, t.placedAt, t.startedAt, t.readyAt, t.handedOverAt, t.canceledAt, t.recalls, t.payment, t.unpaidReason}
}

// kitchenReportsFold is each ticket's times by the kitchen's clock, folded
// from the kitchen's events.
type kitchenReportsFold struct {
	tickets map[string]*reportTicket
	rows    []*reportTicket // loaded, then in the order they were opened
}

// Load implements Fold: the tickets the batch's events concern (their
// dishes never change).
func (f *kitchenReportsFold) Load(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	var ids []string
	for _, e := range events {
		if id, ok := ticketOf(e); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT `+reportTicketsTable.selectList()+` FROM report_tickets WHERE ticket_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("read report tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := &reportTicket{}
		var started, ready, handedOver, canceled *time.Time
		if err := rows.Scan(&t.id, &t.number, &t.placedAt, &started, &ready, &handedOver, &canceled, &t.recalls, &t.payment, &t.unpaidReason); err != nil {
			return fmt.Errorf("read report tickets: %w", err)
		}
		t.startedAt, t.readyAt, t.handedOverAt, t.canceledAt = orNil(started), orNil(ready), orNil(handedOver), orNil(canceled)
		f.tickets[t.id], f.rows = t, append(f.rows, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read report tickets: %w", err)
	}
	return nil
}

// Add implements Fold.
func (f *kitchenReportsFold) Add(e eventstore.RecordedEvent) error {
	touch := func(id string) *reportTicket {
		t := f.tickets[id]
		if t != nil {
			t.changed = true
		}
		return t
	}
	switch ev := e.Event.(type) {
	case kitchen.TicketOpened:
		if f.tickets[ev.TicketID] != nil {
			return fmt.Errorf("ticket %s opened twice", ev.TicketID)
		}
		t := &reportTicket{id: ev.TicketID, number: ev.OrderNumber, placedAt: ev.PlacedAt, changed: true}
		for i, it := range ev.Items {
			t.dishes = append(t.dishes, []any{ev.TicketID, i + 1, it.Name, strings.Join(it.Options, ", "), it.Quantity})
		}
		f.tickets[t.id], f.rows = t, append(f.rows, t)
	case kitchen.TicketStarted:
		if t := touch(ev.TicketID); t != nil {
			t.startedAt = ev.StartedAt
		}
	case kitchen.TicketBumped:
		if t := touch(ev.TicketID); t != nil {
			t.readyAt = ev.BumpedAt
		}
	case kitchen.TicketRecalled:
		if t := touch(ev.TicketID); t != nil {
			t.readyAt, t.recalls = nil, t.recalls+1
		}
	case kitchen.TicketHandedOver:
		if t := touch(ev.TicketID); t != nil {
			t.handedOverAt, t.payment, t.unpaidReason = ev.HandedOverAt, string(ev.Payment), ev.UnpaidReason
		}
	case kitchen.TicketCanceled:
		if t := touch(ev.TicketID); t != nil {
			t.canceledAt = ev.CanceledAt
		}
	}
	return nil
}

// Changes implements Fold.
func (f *kitchenReportsFold) Changes(b *pgx.Batch) {
	var tickets, dishes [][]any
	for _, t := range f.rows {
		if t.changed {
			tickets = append(tickets, t.values())
		}
		dishes = append(dishes, t.dishes...)
	}
	reportTicketsTable.upsert(b, tickets)
	reportDishesTable.upsert(b, dishes)
}

// Rows implements Fold.
func (f *kitchenReportsFold) Rows() []TableRows {
	tickets := make([][]any, 0, len(f.rows))
	var dishes [][]any
	for _, t := range f.rows {
		tickets = append(tickets, t.values())
		dishes = append(dishes, t.dishes...)
	}
	return []TableRows{reportTicketsTable.rows(tickets), reportDishesTable.rows(dishes)}
}
