package projections

import (
	"slices"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// Selective is a projection that acts on some event types only. The runner
// passes by a batch with none of them without a transaction of its own, so
// that a dish added to an order does not cost the staff list, the kitchen's
// reports and every policy a durable commit each. (A test holds each list
// to its projection: any other event makes it write nothing and name no
// topic.)
type Selective interface {
	// Handles lists, as zero values, the events the projection writes for
	// or names topics for.
	Handles() []domain.Event
}

// erasures are the events that erase a person.
func erasures() []domain.Event { return []domain.Event{customers.CustomerErased{}} }

// Handles implements Selective.
func (MenuProjection) Handles() []domain.Event {
	return slices.Concat(menu.Events(), menu.CategoryEvents(), []domain.Event{ordering.ItemAddedToOrder{}})
}

// Handles implements Selective: an order's own events, its ticket's, and
// the erasure of its guest.
func (OrdersProjection) Handles() []domain.Event {
	return slices.Concat(ordering.Events(), kitchen.Events(), erasures())
}

// Handles implements Selective.
func (StaffProjection) Handles() []domain.Event { return staff.Events() }

// Handles implements Selective: tickets, the stations the kitchen display
// shows them by, and the erasure of a guest.
func (TicketsProjection) Handles() []domain.Event {
	return slices.Concat(kitchen.Events(), kitchen.StationEvents(), erasures())
}

// Handles implements Selective.
func (CustomersProjection) Handles() []domain.Event { return customers.Events() }

// Handles implements Selective.
func (SettingsProjection) Handles() []domain.Event { return settings.Events() }

// Handles implements Selective.
func (PortionsProjection) Handles() []domain.Event { return menu.PortionEvents() }

// Handles implements Selective.
func (OrderReportsProjection) Handles() []domain.Event { return ordering.Events() }

// Handles implements Selective.
func (KitchenReportsProjection) Handles() []domain.Event { return kitchen.Events() }

// Handles implements Selective: a placed order opens or schedules its
// ticket, a canceled one cancels it.
func (KitchenTickets) Handles() []domain.Event {
	return []domain.Event{ordering.OrderPlaced{}, ordering.OrderCanceled{}}
}

// Handles implements Selective: a started ticket tells its order.
func (OrderProgress) Handles() []domain.Event { return []domain.Event{kitchen.TicketStarted{}} }

// Handles implements Selective: a canceled order gives its portions back.
func (PortionsBack) Handles() []domain.Event { return []domain.Event{ordering.OrderCanceled{}} }

// handledTypes are the stored type names of the events a selective
// projection acts on; nil for one that is not, which sees every event.
func handledTypes(p Projection) []string {
	if s, ok := p.(Selective); ok {
		return eventstore.TypeNames(s.Handles())
	}
	return nil
}

// relevance is what the runner asks of each event for a selective
// projection; nil for one that is not.
func relevance(types []string) func(eventstore.RecordedEvent) bool {
	if types == nil {
		return nil
	}
	return eventstore.OfTypes(types)
}
