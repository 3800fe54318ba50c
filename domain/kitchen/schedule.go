package kitchen

import "time"

// Scheduled orders: a guest may ask for an order at a time for later,
// pickup at the counter or delivery at the door at DueAt. Its ticket is not
// opened when the order is placed but in time for it, when the time the
// order takes to cook (and, for a delivery, to travel) is left before DueAt
// (see FireAt). The ticket says it is scheduled, and for when, so the cooks
// see why it is on the screen now.

// Scheduled says the ticket is an order for later.
func (e TicketOpened) Scheduled() bool { return !e.DueAt.IsZero() }

// Since is when the ticket joined the kitchen's queue: the order's placing,
// or, for an order for later, the moment its ticket was opened. The queue's
// order, and a ticket's age on the screen, count from it.
func (e TicketOpened) Since() time.Time {
	if e.Scheduled() {
		return e.OpenedAt
	}
	return e.PlacedAt
}

// FireAt is when the ticket of an order for later due at dueAt is opened:
// cook before it, and the road's minutes (travel) before that for a
// delivery, so the food is ready, or at the door, at dueAt.
func FireAt(dueAt time.Time, cook, travel time.Duration) time.Time {
	return dueAt.Add(-cook - travel)
}
