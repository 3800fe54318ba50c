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

// TicketStream names a kitchen ticket's stream; a ticket has its order's id.
func TicketStream(id string) string { return "ticket-" + id }

// OrderStream names an order's stream.
func OrderStream(id string) string { return "order-" + id }

var (
	ticketDecider = eventstore.Decider[kitchen.State, kitchen.Command]{Evolve: kitchen.Evolve, Decide: kitchen.Decide}
	orderDecider  = eventstore.Decider[ordering.State, ordering.Command]{Evolve: ordering.Evolve, Decide: ordering.Decide}
)

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
	const name = "kitchen-tickets"
	switch ev := e.Event.(type) {
	case ordering.OrderPlaced:
		order, err := foldTx(ctx, tx, p.Store, OrderStream(ev.OrderID))
		if err != nil {
			return err
		}
		var items []kitchen.Item
		for _, l := range order.Lines {
			items = append(items, kitchen.Item{Name: l.Name, Quantity: l.Quantity, Note: l.Note})
		}
		// The guests' order number, from the orders read model when it has it.
		var number int64
		if err := tx.QueryRow(ctx, `SELECT number FROM orders WHERE order_id = $1`, ev.OrderID).Scan(&number); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("order number: %w", err)
		}
		_, err = eventstore.HandleTx(ctx, tx, p.Store, TicketStream(ev.OrderID), ticketDecider, reaction(name, e),
			kitchen.Command(kitchen.OpenTicket{TicketID: ev.OrderID, OrderNumber: number, Items: items,
				Fulfilment: string(order.Fulfilment), PlacedAt: ev.PlacedAt, At: e.RecordedAt}))
		return refused(name, e, err)
	case ordering.OrderCanceled:
		_, err := eventstore.HandleTx(ctx, tx, p.Store, TicketStream(ev.OrderID), ticketDecider, reaction(name, e),
			kitchen.Command(kitchen.CancelTicket{Reason: ev.Reason, At: ev.CanceledAt}))
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil // canceled before it was placed: no ticket
		}
		return refused(name, e, err)
	}
	return nil
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
		_, err := eventstore.HandleTx(ctx, tx, p.Store, OrderStream(ev.TicketID), orderDecider, reaction(name, e),
			ordering.Command(ordering.NoteKitchenStarted{At: ev.StartedAt}))
		return refused(name, e, err)
	}
	return nil
}

// foldTx reads an order through the transaction.
func foldTx(ctx context.Context, tx pgx.Tx, store *eventstore.Store, stream string) (ordering.State, error) {
	events, err := store.ReadStreamTx(ctx, tx, stream)
	if err != nil {
		return ordering.State{}, err
	}
	var s ordering.State
	for _, e := range events {
		s = ordering.Evolve(s, e.Event)
	}
	return s, nil
}

// Policies lists the policies, given the store they write to.
func Policies(store *eventstore.Store) []Projection {
	return []Projection{KitchenTickets{Store: store}, OrderProgress{Store: store}}
}
