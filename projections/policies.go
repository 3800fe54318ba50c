package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// Policies are subscribers that react to one context's events with another
// context's commands: the contexts meet through events only. A policy's
// commands commit in the same transaction as its checkpoint, with command
// ids derived from the event, so each event is reacted to exactly once,
// across replays and restarts.

// reaction is the metadata of a policy's command caused by an event.
func reaction(policy string, e eventstore.RecordedEvent) eventstore.Metadata {
	return eventstore.Metadata{
		CommandID:     uuid.NewSHA1(e.EventID, []byte(policy)),
		CorrelationID: e.CorrelationID,
		CausationID:   e.EventID,
		Actor:         "policy:" + policy,
	}
}

// refused says a policy's command was refused by the domain: the world moved
// on (a ticket handed over before its order's cancel arrived). It is logged,
// not retried: retrying would refuse again.
func refused(policy string, e eventstore.RecordedEvent, err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		slog.Warn("policy command refused", "policy", policy, "event", e.Position, "type", e.Type, "reason", de.Message)
		return nil
	}
	return err
}

// KitchenTickets opens a ticket for every placed order and cancels it when
// the order is canceled.
type KitchenTickets struct{ Store *eventstore.Store }

// Name implements Projection.
func (KitchenTickets) Name() string { return "policy:kitchen-tickets" }

// Tables implements Projection: a policy keeps no tables.
func (KitchenTickets) Tables() []string { return nil }

// Apply implements Projection.
func (p KitchenTickets) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return p.ApplyBatch(ctx, tx, []eventstore.RecordedEvent{e})
}

// ApplyBatch implements BatchApplier: the placed orders of a batch, and
// their numbers, are read in one query each, and a new ticket is appended
// without reading its (empty) stream first.
func (p KitchenTickets) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	const name = "kitchen-tickets"
	var placed []string
	for _, e := range events {
		if ev, ok := e.Event.(ordering.OrderPlaced); ok {
			placed = append(placed, ev.OrderID)
		}
	}
	var orders map[string][]eventstore.RecordedEvent
	numbers := map[string]int64{}
	if len(placed) > 0 {
		streams := make([]string, len(placed))
		for i, id := range placed {
			streams[i] = ordering.Stream(id)
		}
		var err error
		if orders, err = p.Store.ReadStreamsTx(ctx, tx, streams); err != nil {
			return err
		}
		// The guests' order numbers, from the orders read model when it has
		// them.
		rows, err := tx.Query(ctx, `SELECT order_id, number FROM orders WHERE order_id = ANY($1)`, placed)
		if err != nil {
			return fmt.Errorf("order numbers: %w", err)
		}
		for rows.Next() {
			var id string
			var number int64
			if err := rows.Scan(&id, &number); err != nil {
				rows.Close()
				return fmt.Errorf("order numbers: %w", err)
			}
			numbers[id] = number
		}
		if rows.Close(); rows.Err() != nil {
			return fmt.Errorf("order numbers: %w", rows.Err())
		}
	}
	for i, e := range events {
		var err error
		switch ev := e.Event.(type) {
		case ordering.OrderPlaced:
			var order ordering.State
			for _, oe := range orders[ordering.Stream(ev.OrderID)] {
				order = ordering.Evolve(order, oe.Event)
			}
			var items []kitchen.Item
			for _, l := range order.Lines {
				items = append(items, kitchen.Item{LineID: l.LineID, Name: l.Name, Quantity: l.Quantity, Note: l.Note, Allergy: l.Allergy, Options: optionNames(l.Options)})
			}
			err = p.openTicket(ctx, tx, reaction(name, e), kitchen.OpenTicket{TicketID: ev.OrderID, OrderNumber: numbers[ev.OrderID],
				Items: items, Fulfilment: string(order.Fulfilment), SubjectID: order.CustomerID, ContactName: order.Contact.Name, PlacedAt: ev.PlacedAt, At: e.RecordedAt})
			err = refused(name, e, err)
		case ordering.OrderCanceled:
			_, err = eventstore.HandleTx(ctx, tx, p.Store, kitchen.Stream(ev.OrderID), kitchen.Decider, reaction(name, e),
				kitchen.Command(kitchen.CancelTicket{Reason: ev.Reason, At: ev.CanceledAt}))
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				err = nil // canceled before it was placed: no ticket
			}
			err = refused(name, e, err)
		}
		if err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	return nil
}

// optionNames are a line's choices as the cooks read them; nil for none.
func optionNames(options []ordering.ChosenOption) []string {
	var names []string
	for _, o := range options {
		names = append(names, o.ChoiceName)
	}
	return names
}

// openTicket appends a new ticket's events as decided on an empty stream.
// The stream is new but for a repeat of the same reaction (answered as a
// duplicate by the command's id): should it hold anything else, the
// command is decided again on what it holds.
func (p KitchenTickets) openTicket(ctx context.Context, tx pgx.Tx, meta eventstore.Metadata, cmd kitchen.OpenTicket) error {
	events, err := kitchen.Decide(kitchen.State{}, cmd)
	if err != nil {
		return err
	}
	_, err = p.Store.AppendTx(ctx, tx, kitchen.Stream(cmd.TicketID), eventstore.NoStream, meta, events...)
	if errors.Is(err, eventstore.ErrConflict) {
		_, err = eventstore.HandleTx(ctx, tx, p.Store, kitchen.Stream(cmd.TicketID), kitchen.Decider, meta, kitchen.Command(cmd))
	}
	return err
}

// OrderProgress tells an order when the kitchen starts it, which closes the
// window for canceling.
type OrderProgress struct{ Store *eventstore.Store }

// Name implements Projection.
func (OrderProgress) Name() string { return "policy:order-progress" }

// Tables implements Projection: a policy keeps no tables.
func (OrderProgress) Tables() []string { return nil }

// Apply implements Projection.
func (p OrderProgress) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	const name = "order-progress"
	if ev, ok := e.Event.(kitchen.TicketStarted); ok {
		_, err := eventstore.HandleTx(ctx, tx, p.Store, ordering.Stream(ev.TicketID), ordering.Decider, reaction(name, e),
			ordering.Command(ordering.NoteKitchenStarted{At: ev.StartedAt}))
		return refused(name, e, err)
	}
	return nil
}

// Policies lists the policies, given the store they write to.
func Policies(store *eventstore.Store) []Projection {
	return []Projection{KitchenTickets{Store: store}, OrderProgress{Store: store}, PortionsBack{Store: store}}
}
