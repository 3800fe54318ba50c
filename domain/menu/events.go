package menu

import "restaurant/domain"

// MenuItemAdded records that the kitchen put a new dish on the menu. It
// carries every field so that the item can be rebuilt from this event alone.
type MenuItemAdded struct {
	ItemID      string       `json:"item_id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Category    string       `json:"category"`
	Price       domain.Money `json:"price"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemAdded) EventType() string { return "menu.MenuItemAdded" }

// MenuItemModified records that the kitchen rewrote an item's details. It is a
// full replacement, so a projection never has to merge partial changes.
type MenuItemModified struct {
	ItemID      string       `json:"item_id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Category    string       `json:"category"`
	Price       domain.Money `json:"price"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemModified) EventType() string { return "menu.MenuItemModified" }

// MenuItemRemoved records that the kitchen took an item off the menu for good.
// The history stays, so past orders can still be explained.
type MenuItemRemoved struct {
	ItemID string `json:"item_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemRemoved) EventType() string { return "menu.MenuItemRemoved" }

// MenuItemSoldOut records that the kitchen ran out of an item for now, so
// guests can no longer order it until it is back in stock.
type MenuItemSoldOut struct {
	ItemID string `json:"item_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemSoldOut) EventType() string { return "menu.MenuItemSoldOut" }

// MenuItemBackInStock records that a sold-out item can be ordered again.
type MenuItemBackInStock struct {
	ItemID string `json:"item_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemBackInStock) EventType() string { return "menu.MenuItemBackInStock" }

// Events returns one zero value of every event type of a menu item, so that an
// event codec can register them all without this package knowing about it.
func Events() []domain.Event {
	return []domain.Event{
		MenuItemAdded{},
		MenuItemModified{},
		MenuItemRemoved{},
		MenuItemSoldOut{},
		MenuItemBackInStock{},
		MenuItemPhotoChanged{},
		MenuItemPhotoRemoved{},
	}
}
