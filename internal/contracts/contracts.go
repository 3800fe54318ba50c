// Package contracts is the event contract of the whole system: every event
// type the services write, at its current schema version, with the upcasters
// that read older versions. Changing an event's shape means a new version
// here and an upcaster from the old one, never a rewrite of history.
package contracts

import (
	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// versions are the event types past their first schema version, at their
// current one; every other type is at version 1.
var versions = map[string]int{
	menu.MenuItemAdded{}.EventType():    2,
	menu.MenuItemModified{}.EventType(): 2,
}

// Codec returns a codec that knows every event type.
func Codec() *eventstore.Codec {
	c := eventstore.NewCodec()
	for _, group := range [][]domain.Event{menu.Events(), ordering.Events(), staff.Events(), kitchen.Events(), customers.Events(), menu.CategoryEvents(),
		menu.PortionEvents(), settings.Events()} {
		for _, e := range group {
			c.Register(e, max(versions[e.EventType()], 1))
		}
	}
	c.Upcast(menu.MenuItemAdded{}.EventType(), 1, dishFiledByCategoryID)
	c.Upcast(menu.MenuItemModified{}.EventType(), 1, dishFiledByCategoryID)
	return c
}
