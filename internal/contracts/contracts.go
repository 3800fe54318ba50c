// Package contracts is the event contract of the whole system: every event
// type the services write, at its current schema version, with the upcasters
// that read older versions. Changing an event's shape means a new version
// here and an upcaster from the old one, never a rewrite of history.
package contracts

import (
	"encoding/json"
	"fmt"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// versions are the event types past their first schema version, at the
// version this program writes; every other type is at version 1.
var versions = map[string]int{
	menu.MenuItemAdded{}.EventType():    2,
	menu.MenuItemModified{}.EventType(): 2,
	// 2: the dish's options, priced into unit_price.
	ordering.ItemAddedToOrder{}.EventType(): 2,
}

// upcasters read each old version of a type as the next one.
var upcasters = []struct {
	eventType string
	from      int
	up        eventstore.Upcaster
}{
	{menu.MenuItemAdded{}.EventType(), 1, dishFiledByCategoryID},
	{menu.MenuItemModified{}.EventType(), 1, dishFiledByCategoryID},
	{ordering.ItemAddedToOrder{}.EventType(), 1, itemAddedWithoutOptions},
}

// Events lists every event type the contract knows, as zero values.
func Events() []domain.Event {
	var all []domain.Event
	for _, group := range [][]domain.Event{menu.Events(), ordering.Events(), staff.Events(), kitchen.Events(), kitchen.StationEvents(), customers.Events(), menu.CategoryEvents(),
		menu.PortionEvents(), settings.Events()} {
		all = append(all, group...)
	}
	return all
}

// Codec returns a codec that knows every event type.
func Codec() *eventstore.Codec {
	c := eventstore.NewCodec()
	for _, e := range Events() {
		c.Register(e, max(versions[e.EventType()], 1))
	}
	for _, u := range upcasters {
		c.Upcast(u.eventType, u.from, u.up)
	}
	return c
}

// itemAddedWithoutOptions reads an ordering.ItemAddedToOrder of version 1,
// written before dishes had options, as version 2: the same line with no
// options. Its unit_price was the dish's price alone, which is what a line
// without options costs in version 2 too, so it stays as it is.
func itemAddedWithoutOptions(data json.RawMessage) (json.RawMessage, error) {
	var v1 map[string]json.RawMessage
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, fmt.Errorf("read version 1: %w", err)
	}
	if v1 == nil {
		v1 = map[string]json.RawMessage{}
	}
	v1["options"] = json.RawMessage(`[]`)
	return json.Marshal(v1)
}
