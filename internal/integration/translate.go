package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// Translator turns recorded domain events into integration messages. It
// reads what a message needs beyond its event (the order's lines and
// contact, the dish's name) from the streams as they stood at the event,
// never later: a message sent again after a crash carries the same body,
// but for personal data erased in between, which reads as "".
type Translator struct {
	Store *eventstore.Store
	// NumberWait bounds how long a translation waits for the orders
	// projection to pass an order's event, which gives the order its
	// number; zero: five seconds. A translation still without it fails,
	// and the relay tries again later.
	NumberWait time.Duration
}

// OrdersProjection names the read model that numbers orders.
const OrdersProjection = "orders"

// ErrNumberPending says the orders projection has not yet passed the event,
// so the order's number is not known yet.
var ErrNumberPending = errors.New("the orders projection has not numbered the order yet")

// Translated lists, as zero values, the events with a public counterpart:
// every other event translates to nothing, so a reader of the log may pass
// them by.
func Translated() []domain.Event {
	return []domain.Event{ordering.OrderPlaced{}, ordering.OrderCanceled{}, kitchen.TicketBumped{}, kitchen.TicketHandedOver{},
		kitchen.TicketDelivered{}, menu.MenuItemSoldOut{}, menu.MenuItemBackInStock{}}
}

// Translate gives an event's integration messages: nil for an event with no
// public counterpart.
func (t *Translator) Translate(ctx context.Context, e eventstore.RecordedEvent) ([]Message, error) {
	body, typ, err := t.body(ctx, e)
	if err != nil || body == nil {
		return nil, err
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("translate event %d (%s): %w", e.Position, e.Type, err)
	}
	return []Message{{ID: e.EventID.String(), Type: typ, Stream: e.StreamID, Position: e.Position,
		OccurredAt: e.RecordedAt.UTC(), Body: data}}, nil
}

func (t *Translator) body(ctx context.Context, e eventstore.RecordedEvent) (any, string, error) {
	switch ev := e.Event.(type) {
	case ordering.OrderPlaced:
		o, err := t.order(ctx, ev.OrderID, e)
		if err != nil {
			return nil, "", err
		}
		lines := make([]OrderLine, 0, len(o.state.Lines))
		for _, l := range o.state.Lines {
			options := make([]string, 0, len(l.Options))
			for _, c := range l.Options {
				options = append(options, c.ChoiceName)
			}
			lines = append(lines, OrderLine{DishID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity, Options: options})
		}
		return OrderPlacedV1{OrderID: ev.OrderID, Number: o.number, PlacedAt: ev.PlacedAt.UTC(), Fulfilment: string(o.state.Fulfilment),
			ScheduledFor: utc(ev.ScheduledFor), Total: money(ev.Total), Lines: lines, Contact: o.contact}, OrderPlaced, nil
	case ordering.OrderCanceled:
		o, err := t.order(ctx, ev.OrderID, e)
		if err != nil {
			return nil, "", err
		}
		return OrderCanceledV1{OrderID: ev.OrderID, Number: o.number, Reason: ev.Reason, CanceledAt: ev.CanceledAt.UTC(), Contact: o.contact}, OrderCanceled, nil
	case kitchen.TicketBumped:
		o, err := t.order(ctx, ev.TicketID, e)
		if err != nil {
			return nil, "", err
		}
		return OrderReadyV1{OrderID: ev.TicketID, Number: o.number, ReadyAt: ev.BumpedAt.UTC(), Fulfilment: string(o.state.Fulfilment),
			Contact: o.contact}, OrderReady, nil
	case kitchen.TicketHandedOver:
		o, err := t.order(ctx, ev.TicketID, e)
		if err != nil {
			return nil, "", err
		}
		if ev.OutForDelivery {
			return OrderOutForDeliveryV1{OrderID: ev.TicketID, Number: o.number, At: ev.HandedOverAt.UTC(), Contact: o.contact}, OrderOutForDelivery, nil
		}
		return OrderHandedOverV1{OrderID: ev.TicketID, Number: o.number, At: ev.HandedOverAt.UTC(), Payment: string(ev.Payment)}, OrderHandedOver, nil
	case kitchen.TicketDelivered:
		o, err := t.order(ctx, ev.TicketID, e)
		if err != nil {
			return nil, "", err
		}
		ticket, err := t.upTo(ctx, e.StreamID, e)
		if err != nil {
			return nil, "", err
		}
		s := eventstore.Fold(kitchen.Evolve, ticket)
		return OrderDeliveredV1{OrderID: ev.TicketID, Number: o.number, At: ev.DeliveredAt.UTC(), Payment: string(s.Payment)}, OrderDelivered, nil
	case menu.MenuItemSoldOut:
		name, err := t.dishName(ctx, e)
		return ItemSoldOutV1{DishID: ev.ItemID, Name: name, At: e.RecordedAt.UTC()}, ItemSoldOut, err
	case menu.MenuItemBackInStock:
		name, err := t.dishName(ctx, e)
		return ItemBackInStockV1{DishID: ev.ItemID, Name: name, At: e.RecordedAt.UTC()}, ItemBackInStock, err
	}
	return nil, "", nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func money(m domain.Money) Money { return Money{Amount: m.Amount, Currency: m.Currency} }

// upTo reads a stream's events up to and including e, as they stood when
// e was recorded. The store's global order is gapless: every event before
// e in it has committed by the time e is read, so this is the same on
// every reading.
func (t *Translator) upTo(ctx context.Context, stream string, e eventstore.RecordedEvent) ([]eventstore.RecordedEvent, error) {
	events, err := t.Store.ReadStream(ctx, stream, 0)
	if err != nil {
		return nil, err
	}
	at := e.Cursor()
	out := events[:0]
	for _, ev := range events {
		if !at.Less(ev.Cursor()) {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (t *Translator) dishName(ctx context.Context, e eventstore.RecordedEvent) (string, error) {
	events, err := t.upTo(ctx, e.StreamID, e)
	if err != nil {
		return "", err
	}
	return eventstore.Fold(menu.Evolve, events).Name, nil
}

type order struct {
	state   ordering.State
	number  int64
	contact Contact
}

// order is an order as it stood at e, with its number and contact.
func (t *Translator) order(ctx context.Context, orderID string, e eventstore.RecordedEvent) (order, error) {
	events, err := t.upTo(ctx, ordering.Stream(orderID), e)
	if err != nil {
		return order{}, err
	}
	s := eventstore.Fold(ordering.Evolve, events)
	number, err := t.number(ctx, orderID, e)
	if err != nil {
		return order{}, err
	}
	email, err := t.contactEmail(ctx, s, e)
	if err != nil {
		return order{}, err
	}
	return order{state: s, number: number, contact: Contact{Name: s.Contact.Name, Email: email}}, nil
}

// number is the order's number as the guest sees it, which the orders
// projection gives when it reads the order's opening. Like the kitchen's
// tickets, the message waits for the projection to have passed the event
// (it may be a moment behind the relay); an order that projection passed
// without a number goes out with 0.
func (t *Translator) number(ctx context.Context, orderID string, e eventstore.RecordedEvent) (int64, error) {
	wait := t.NumberWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		passed, err := t.Store.Checkpoint(ctx, OrdersProjection)
		if err != nil {
			return 0, err
		}
		var number int64
		err = t.Store.Pool().QueryRow(ctx, `SELECT number FROM orders WHERE order_id = $1`, orderID).Scan(&number)
		switch {
		case err == nil:
			return number, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return 0, fmt.Errorf("number of order %s: %w", orderID, err)
		case !passed.Less(e.Cursor()):
			return 0, nil // passed, and the order has no number
		case time.Now().After(deadline):
			return 0, fmt.Errorf("order %s at position %d: %w", orderID, e.Position, ErrNumberPending)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// contactEmail is the address to send an order's updates to: the one the
// guest gave with the order's contact, else the account email of the
// customer who placed it, as it was at e, when they signed up; "" for a
// guest who gave none, or a person erased since.
func (t *Translator) contactEmail(ctx context.Context, o ordering.State, e eventstore.RecordedEvent) (string, error) {
	if o.Contact.Email != "" {
		return o.Contact.Email, nil
	}
	if o.CustomerID == "" {
		return "", nil
	}
	events, err := t.upTo(ctx, customers.Stream(o.CustomerID), e)
	if err != nil {
		return "", err
	}
	c := eventstore.Fold(customers.Evolve, events)
	if c.Status() != customers.StatusActive {
		return "", nil
	}
	return c.Email(), nil
}
