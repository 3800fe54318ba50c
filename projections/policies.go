package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// Policies are subscribers that react to one context's events with another
// context's commands: the contexts meet through events only. A policy's
// commands commit in the same transaction as its checkpoint, with command
// ids derived from the event, so each event is reacted to exactly once,
// across replays and restarts.

// reaction is the metadata of a policy's command caused by an event.
func reaction(policy string, e eventstore.RecordedEvent) eventstore.Metadata {
	return reactionTo(policy, e.EventID, e.CorrelationID)
}

// reactionTo is the metadata of a policy's command caused by the event of
// that id and correlation: the same command id whenever the policy reacts
// to it, at once or later.
func reactionTo(policy string, eventID, correlationID uuid.UUID) eventstore.Metadata {
	return eventstore.Metadata{
		CommandID:     uuid.NewSHA1(eventID, []byte(policy)),
		CorrelationID: correlationID,
		CausationID:   eventID,
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
// the order is canceled. An order placed for later gets its ticket in time
// for it rather than at once (see TicketScheduler).
type KitchenTickets struct{ Store *eventstore.Store }

// kitchenTicketsPolicy names the kitchen policy in its commands' ids and
// actor.
const kitchenTicketsPolicy = "kitchen-tickets"

// Name implements Projection.
func (KitchenTickets) Name() string { return "policy:" + kitchenTicketsPolicy }

// Tables implements Projection: a policy keeps no read model, and is never
// rebuilt; its schedule of orders for later is its own state.
func (KitchenTickets) Tables() []string { return nil }

// Apply implements Projection.
func (p KitchenTickets) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return p.ApplyBatch(ctx, tx, []eventstore.RecordedEvent{e})
}

// Topics implements Notifier: the schedulers of every process hear of an
// order placed for later, which may be due before any they knew of.
func (KitchenTickets) Topics(e eventstore.RecordedEvent) []live.Topic {
	if ev, ok := e.Event.(ordering.OrderPlaced); ok && !ev.ScheduledFor.IsZero() {
		return []live.Topic{live.ScheduleTopic()}
	}
	return nil
}

// ApplyBatch implements BatchApplier: the placed orders of a batch, and
// their numbers, are read in one query each, and a new ticket is appended
// without reading its (empty) stream first.
func (p KitchenTickets) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	const name = kitchenTicketsPolicy
	var placed []string
	for _, e := range events {
		if ev, ok := e.Event.(ordering.OrderPlaced); ok {
			placed = append(placed, ev.OrderID)
		}
	}
	orders, numbers, err := placedOrders(ctx, tx, p.Store, placed)
	if err != nil {
		return err
	}
	fireAt, err := fireTimes(ctx, tx, p.Store, orders)
	if err != nil {
		return err
	}
	facts, err := opening(ctx, tx, p.Store, orders)
	if err != nil {
		return err
	}
	for i, e := range events {
		var err error
		switch ev := e.Event.(type) {
		case ordering.OrderPlaced:
			if ev.ScheduledFor.IsZero() {
				err = openTicket(ctx, tx, p.Store, reaction(name, e), ticketFor(orders[ev.OrderID], numbers[ev.OrderID], e.RecordedAt, facts))
			} else {
				err = scheduleTicket(ctx, tx, e, ev, fireAt[ev.OrderID])
			}
			err = refused(name, e, err)
		case ordering.OrderCanceled:
			// A ticket still to open is not opened; one the scheduler is
			// opening now is waited for, and canceled below.
			if err = unscheduleTicket(ctx, tx, ev.OrderID); err != nil {
				break
			}
			_, err = eventstore.HandleTx(ctx, tx, p.Store, kitchen.Stream(ev.OrderID), kitchen.Decider, reaction(name, e),
				kitchen.Command(kitchen.CancelTicket{Reason: ev.Reason, At: ev.CanceledAt}))
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				err = nil // canceled before it was placed, or before its time: no ticket
			}
			err = refused(name, e, err)
		}
		if err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	return nil
}

// placedOrders reads orders as their streams fold, and the guests' order
// numbers, from the orders read model when it has them.
func placedOrders(ctx context.Context, tx pgx.Tx, store *eventstore.Store, ids []string) (map[string]ordering.State, map[string]int64, error) {
	orders, numbers := map[string]ordering.State{}, map[string]int64{}
	if len(ids) == 0 {
		return orders, numbers, nil
	}
	streams := make([]string, len(ids))
	for i, id := range ids {
		streams[i] = ordering.Stream(id)
	}
	read, err := store.ReadStreamsTx(ctx, tx, streams)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		orders[id] = eventstore.Fold(ordering.Evolve, read[ordering.Stream(id)])
	}
	// The orders projection gives each order its number when it reads the
	// order's opening, and may be a moment behind this policy (an order
	// opened and placed in one batch): the ticket waits for its number a
	// little, as the kitchen calls orders by it. This transaction has
	// written nothing yet, so no reader of the log waits on it meanwhile.
	// A number still missing then (the orders projection stopped) does not
	// hold the kitchen up: the ticket shows the order's id instead.
	missing := ids
	for wait := time.Now().Add(numberWait); ; {
		if err := readNumbers(ctx, tx, missing, numbers); err != nil {
			return nil, nil, err
		}
		missing = slices.DeleteFunc(slices.Clone(missing), func(id string) bool { return numbers[id] != 0 })
		if len(missing) == 0 || time.Now().After(wait) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	if len(missing) > 0 {
		slog.Warn("tickets opened before their orders had a number", "orders", missing)
	}
	return orders, numbers, nil
}

// numberWait is how long a ticket waits for its order's number.
const numberWait = 5 * time.Second

// readNumbers reads the numbers the orders projection gave these orders.
func readNumbers(ctx context.Context, tx pgx.Tx, ids []string, numbers map[string]int64) error {
	rows, err := tx.Query(ctx, `SELECT order_id, number FROM orders WHERE order_id = ANY($1)`, ids)
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
	return nil
}

// ticketFor is the kitchen's command that opens a placed order's ticket at
// the time at: at once for an order as soon as possible, in time for an
// order for later; facts route each dish by its menu id and, when the
// kitchen fires by prep time, give each its prep time.
func ticketFor(order ordering.State, number int64, at time.Time, facts openingFacts) kitchen.OpenTicket {
	var items []kitchen.Item
	var prep []time.Duration
	for _, l := range order.Lines {
		items = append(items, kitchen.Item{LineID: l.LineID, Name: l.Name, Quantity: l.Quantity, Note: l.Note, Allergy: l.Allergy,
			Options: optionNames(l.Options), Station: facts.station(l.MenuItemID)})
		if facts.prep != nil {
			prep = append(prep, facts.prep(l.MenuItemID))
		}
	}
	return kitchen.OpenTicket{TicketID: order.OrderID, OrderNumber: number, Items: items, Fulfilment: string(order.Fulfilment),
		SubjectID: order.CustomerID, ContactName: order.Contact.Name, PlacedAt: order.PlacedAt, At: at, DueAt: order.ScheduledFor, PrepTimes: prep}
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
func openTicket(ctx context.Context, tx pgx.Tx, store *eventstore.Store, meta eventstore.Metadata, cmd kitchen.OpenTicket) error {
	events, err := kitchen.Decide(kitchen.State{}, cmd)
	if err != nil {
		return err
	}
	_, err = store.AppendTx(ctx, tx, kitchen.Stream(cmd.TicketID), eventstore.NoStream, meta, events...)
	if errors.Is(err, eventstore.ErrConflict) {
		_, err = eventstore.HandleTx(ctx, tx, store, kitchen.Stream(cmd.TicketID), kitchen.Decider, meta, kitchen.Command(cmd))
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
