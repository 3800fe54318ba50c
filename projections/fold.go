package projections

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// Folder is a read model that a rebuild may fold in memory from the whole
// log and write at the end with COPY, rather than apply event by event: the
// rows it writes are the rows its Apply would have left. (The test that
// compares a rebuild with the live read models holds both ways to it.)
type Folder interface {
	Projection
	NewFold() Fold
}

// Fold takes a rebuild's events in order, then gives the rows they make,
// for the rebuild to COPY into the projection's new tables.
type Fold interface {
	Add(e eventstore.RecordedEvent) error
	Rows() []TableRows
}

// TableRows are a fold's rows for one of its tables. A fold gives a table
// before the tables whose rows refer to it.
type TableRows struct {
	Table   string
	Columns []string
	Rows    [][]any
}

// NewFold implements Folder.
func (OrdersProjection) NewFold() Fold {
	return &ordersFold{orders: map[string]*orderRow{}, owned: map[string][]*orderRow{}}
}

// NewFold implements Folder.
func (TicketsProjection) NewFold() Fold { return &ticketsFold{tickets: map[string]*ticketRow{}} }

type orderRow struct {
	id, customer, status, fulfilment, cancelReason, kitchenStatus string
	contactName, contactPhone                                     string
	contactErased                                                 bool
	number                                                        int64
	address                                                       any // json text, or nil
	itemCount                                                     int
	total                                                         int64
	openedAt, updatedAt                                           time.Time
	placedAt, canceledAt, scheduledFor                            any // time.Time, or nil
	version                                                       int
	lines                                                         []lineRow // in seq order
}

type lineRow struct {
	lineID, menuItemID, name, note, currency string
	allergy                                  bool
	options                                  string // json text, as optionsJSON makes it
	seq, quantity                            int
	unitAmount                               int64
}

// ordersFold is OrdersProjection's Apply, in memory.
type ordersFold struct {
	orders map[string]*orderRow
	opened []*orderRow            // in the order they were opened: their numbers
	owned  map[string][]*orderRow // by owner, for erasures
}

func (f *ordersFold) Add(e eventstore.RecordedEvent) error {
	touch := func(id string) *orderRow {
		o := f.orders[id]
		if o != nil {
			o.version, o.updatedAt = e.Version, e.RecordedAt
		}
		return o
	}
	kitchenStatus := func(id string, s kitchen.Status) {
		if o := f.orders[id]; o != nil {
			o.kitchenStatus, o.updatedAt = string(s), e.RecordedAt
		}
	}
	switch ev := e.Event.(type) {
	case ordering.OrderOpened:
		if f.orders[ev.OrderID] != nil {
			return fmt.Errorf("order %s opened twice", ev.OrderID)
		}
		o := &orderRow{id: ev.OrderID, number: int64(len(f.opened) + 1), customer: ev.CustomerID,
			status: string(ordering.StatusOpen), openedAt: ev.OpenedAt, version: e.Version, updatedAt: e.RecordedAt}
		f.orders[ev.OrderID], f.opened = o, append(f.opened, o)
		f.owned[o.customer] = append(f.owned[o.customer], o)
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
			currency: ev.UnitPrice.Currency, seq: seq, quantity: ev.Quantity, unitAmount: ev.UnitPrice.Amount})
		o.totals()
	case ordering.ItemOptionsChanged:
		options, err := optionsJSON(ev.Options)
		if err != nil {
			return err
		}
		if o := touch(ev.OrderID); o != nil {
			for i := range o.lines {
				if o.lines[i].lineID == ev.LineID {
					o.lines[i].options, o.lines[i].unitAmount, o.lines[i].currency = options, ev.UnitPrice.Amount, ev.UnitPrice.Currency
				}
			}
			o.totals()
		}
	case ordering.ItemRemovedFromOrder:
		if o := touch(ev.OrderID); o != nil {
			o.lines = slices.DeleteFunc(o.lines, func(l lineRow) bool { return l.lineID == ev.LineID })
			o.totals()
		}
	case ordering.ItemQuantityChanged:
		if o := touch(ev.OrderID); o != nil {
			for i := range o.lines {
				if o.lines[i].lineID == ev.LineID {
					o.lines[i].quantity = ev.Quantity
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

// erase is eraseOrderContacts.
func (f *ordersFold) erase(subjects []string) error {
	blank, err := json.Marshal(ordering.Address{})
	if err != nil {
		return err
	}
	for _, subject := range subjects {
		for _, o := range f.owned[subject] {
			if o.contactName != "" {
				o.contactName, o.contactPhone, o.contactErased = "", "", true
			}
			if o.address != nil {
				o.address = string(blank)
			}
		}
	}
	return nil
}

// totals is recomputeTotals.
func (o *orderRow) totals() {
	o.itemCount, o.total = 0, 0
	for _, l := range o.lines {
		o.itemCount += l.quantity
		o.total += int64(l.quantity) * l.unitAmount
	}
}

func (f *ordersFold) Rows() []TableRows {
	orders := make([][]any, 0, len(f.opened))
	var lines [][]any
	for _, o := range f.opened {
		orders = append(orders, []any{o.id, o.number, o.customer, o.status, o.fulfilment, o.address, o.itemCount, o.total,
			"EUR", o.openedAt, o.placedAt, o.canceledAt, o.cancelReason, o.version, o.updatedAt, o.kitchenStatus,
			o.contactName, o.contactPhone, o.contactErased, o.scheduledFor})
		for _, l := range o.lines {
			lines = append(lines, []any{o.id, l.lineID, l.seq, l.menuItemID, l.name, l.quantity, l.note, l.allergy, l.unitAmount, l.currency, l.options})
		}
	}
	out := []TableRows{
		{Table: "orders", Columns: []string{"order_id", "number", "customer_id", "status", "fulfilment",
			"delivery_address", "item_count", "total_amount", "total_currency", "opened_at", "placed_at", "canceled_at",
			"cancel_reason", "version", "updated_at", "kitchen_status", "contact_name", "contact_phone", "contact_erased", "scheduled_for"}, Rows: orders},
		{Table: "order_lines", Columns: []string{"order_id", "line_id", "seq", "menu_item_id", "name",
			"quantity", "note", "allergy", "unit_amount", "unit_currency", "options"}, Rows: lines},
	}
	if len(f.opened) > 0 {
		out = append(out, TableRows{Table: "order_numbers", Columns: []string{"last"}, Rows: [][]any{{len(f.opened)}}})
	}
	return out
}

type ticketRow struct {
	id, items, fulfilment, subject, contactName, status, cancelReason string
	number                                                            int64
	placedAt, openedAt, updatedAt                                     time.Time
	startedAt, bumpedAt, handedOverAt, canceled, dueAt                any // time.Time, or nil
	doneLines, firedLines                                             []string
}

// ticketsFold is TicketsProjection's Apply, in memory.
type ticketsFold struct {
	tickets map[string]*ticketRow
	opened  []*ticketRow
}

func (f *ticketsFold) Add(e eventstore.RecordedEvent) error {
	touch := func(id string, s kitchen.Status) *ticketRow {
		t := f.tickets[id]
		if t != nil {
			t.status, t.updatedAt = string(s), e.RecordedAt
		}
		return t
	}
	switch ev := e.Event.(type) {
	case kitchen.TicketOpened:
		if f.tickets[ev.TicketID] != nil {
			return fmt.Errorf("ticket %s opened twice", ev.TicketID)
		}
		items, err := json.Marshal(ev.Items)
		if err != nil {
			return err
		}
		t := &ticketRow{id: ev.TicketID, number: ev.OrderNumber, items: string(items), fulfilment: ev.Fulfilment, subject: ev.SubjectID, contactName: ev.ContactName,
			status: string(kitchen.StatusQueued), placedAt: ev.Since(), openedAt: ev.OpenedAt, dueAt: dueAt(ev), updatedAt: e.RecordedAt}
		f.tickets[ev.TicketID], f.opened = t, append(f.opened, t)
	case kitchen.TicketStarted:
		if t := touch(ev.TicketID, kitchen.StatusPreparing); t != nil {
			t.startedAt = ev.StartedAt
		}
	case kitchen.TicketBumped:
		if t := touch(ev.TicketID, kitchen.StatusReady); t != nil {
			t.bumpedAt = ev.BumpedAt
		}
	case kitchen.TicketRecalled:
		if t := touch(ev.TicketID, kitchen.StatusPreparing); t != nil {
			t.bumpedAt = nil
		}
	case kitchen.TicketHandedOver:
		if t := touch(ev.TicketID, ev.Status()); t != nil {
			t.handedOverAt = ev.HandedOverAt
		}
	case kitchen.TicketDelivered:
		touch(ev.TicketID, kitchen.StatusDelivered)
	case kitchen.TicketCanceled:
		if t := touch(ev.TicketID, kitchen.StatusCanceled); t != nil {
			t.canceled, t.cancelReason = ev.CanceledAt, ev.Reason
		}
	case kitchen.TicketLineBumped:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.doneLines, t.updatedAt = append(t.doneLines, ev.LineID), e.RecordedAt
		}
	case kitchen.TicketLineRecalled:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.doneLines = slices.DeleteFunc(t.doneLines, func(id string) bool { return id == ev.LineID })
			t.updatedAt = e.RecordedAt
		}
	case kitchen.TicketLineFired:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.firedLines, t.updatedAt = append(t.firedLines, ev.LineID), e.RecordedAt
		}
	case domain.Erasure:
		for _, t := range f.opened {
			if slices.Contains(ev.ErasedSubjects(), t.subject) {
				t.contactName = ""
			}
		}
	}
	return nil
}

func (f *ticketsFold) Rows() []TableRows {
	rows := make([][]any, 0, len(f.opened))
	for _, t := range f.opened {
		done, fired := t.doneLines, t.firedLines
		if done == nil {
			done = []string{} // as the column's default has it
		}
		if fired == nil {
			fired = []string{}
		}
		rows = append(rows, []any{t.id, t.number, t.items, t.fulfilment, t.subject, t.contactName, t.status, t.placedAt, t.openedAt,
			t.startedAt, t.bumpedAt, t.handedOverAt, t.canceled, t.cancelReason, t.updatedAt, done, t.dueAt, fired})
	}
	return []TableRows{{Table: "tickets", Columns: []string{"ticket_id", "order_number", "items", "fulfilment", "subject_id", "contact_name", "status",
		"placed_at", "opened_at", "started_at", "bumped_at", "handed_over_at", "canceled_at", "cancel_reason", "updated_at", "done_lines", "due_at", "fired_lines"}, Rows: rows}}
}
