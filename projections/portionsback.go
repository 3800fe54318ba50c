package projections

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// PortionsBack gives a canceled order's portions back to its dishes. Taking
// portions must happen as the order is placed (no more may be taken than
// there are); giving them back may come a moment later, since a count that
// is briefly too low oversells nothing.
type PortionsBack struct{ Store *eventstore.Store }

// Name implements Projection.
func (PortionsBack) Name() string { return "policy:portions-back" }

// Tables implements Projection: a policy keeps no tables.
func (PortionsBack) Tables() []string { return nil }

// Apply implements Projection.
func (p PortionsBack) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	return p.ApplyBatch(ctx, tx, []eventstore.RecordedEvent{e})
}

// giveBack is one dish's portions to give back for one canceled order.
type giveBack struct {
	event   int
	orderID string
	stream  string
}

// ApplyBatch implements BatchApplier: the batch's canceled orders are read
// in one query, and every dish's stream is locked in name order before any
// is decided on, as placing locks them, so the two never deadlock.
func (p PortionsBack) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	const name = "portions-back"
	canceled := map[string]int{} // order stream to the event that canceled it
	for i, e := range events {
		if ev, ok := e.Event.(ordering.OrderCanceled); ok {
			canceled[ordering.Stream(ev.OrderID)] = i
		}
	}
	if len(canceled) == 0 {
		return nil
	}
	streams := make([]string, 0, len(canceled))
	for s := range canceled {
		streams = append(streams, s)
	}
	orders, err := p.Store.ReadStreamsTx(ctx, tx, streams)
	if err != nil {
		return err
	}
	var work []giveBack
	for stream, i := range canceled {
		var order ordering.State
		placed := false
		for _, e := range orders[stream] {
			order = ordering.Evolve(order, e.Event)
			_, isPlaced := e.Event.(ordering.OrderPlaced)
			placed = placed || isPlaced
		}
		if !placed {
			continue // an order canceled before it was placed took nothing
		}
		seen := map[string]bool{}
		for _, l := range order.Lines {
			if !seen[l.MenuItemID] {
				seen[l.MenuItemID] = true
				work = append(work, giveBack{event: i, orderID: order.OrderID, stream: menu.PortionsStream(l.MenuItemID)})
			}
		}
	}
	slices.SortFunc(work, func(a, b giveBack) int {
		return cmp.Or(cmp.Compare(a.stream, b.stream), cmp.Compare(a.orderID, b.orderID))
	})
	locks := make([]string, len(work))
	for i, w := range work {
		locks[i] = w.stream
	}
	if err := p.Store.LockTx(ctx, tx, locks...); err != nil {
		return err
	}
	for _, w := range work {
		e := events[w.event]
		meta := reaction(name, e)
		meta.CommandID = uuid.NewSHA1(e.EventID, []byte(name+"\x00"+w.stream))
		_, err := eventstore.HandleTx(ctx, tx, p.Store, w.stream, menu.PortionsDecider, meta,
			menu.PortionsCommand(menu.ReturnPortions{OrderID: w.orderID}))
		if err = refused(name, e, err); err != nil {
			return &AtEvent{Index: w.event, Err: err}
		}
	}
	return nil
}
