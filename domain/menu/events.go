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

// OptionGroupAdded records that a dish got a group of choices for guests
// ("Size: choose 1", "Extras: up to 3"), without choices yet.
type OptionGroupAdded struct {
	ItemID   string `json:"item_id"`
	GroupID  string `json:"group_id"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionGroupAdded) EventType() string { return "menu.OptionGroupAdded" }

// OptionGroupRenamed records a group's new name. Orders keep the name the
// group had when the guest chose.
type OptionGroupRenamed struct {
	ItemID  string `json:"item_id"`
	GroupID string `json:"group_id"`
	Name    string `json:"name"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionGroupRenamed) EventType() string { return "menu.OptionGroupRenamed" }

// OptionGroupRulesSet records whether a group is required and how many of
// its choices a guest takes, replacing what it asked before.
type OptionGroupRulesSet struct {
	ItemID   string `json:"item_id"`
	GroupID  string `json:"group_id"`
	Required bool   `json:"required"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionGroupRulesSet) EventType() string { return "menu.OptionGroupRulesSet" }

// OptionGroupRemoved records that a group and its choices are no longer
// offered with the dish.
type OptionGroupRemoved struct {
	ItemID  string `json:"item_id"`
	GroupID string `json:"group_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionGroupRemoved) EventType() string { return "menu.OptionGroupRemoved" }

// OptionChoiceAdded records a new choice of a group and how it changes the
// dish's price (zero, or negative for a smaller size).
type OptionChoiceAdded struct {
	ItemID      string       `json:"item_id"`
	GroupID     string       `json:"group_id"`
	ChoiceID    string       `json:"choice_id"`
	Name        string       `json:"name"`
	PriceChange domain.Money `json:"price_change"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionChoiceAdded) EventType() string { return "menu.OptionChoiceAdded" }

// OptionChoiceRemoved records that a choice is no longer offered.
type OptionChoiceRemoved struct {
	ItemID   string `json:"item_id"`
	GroupID  string `json:"group_id"`
	ChoiceID string `json:"choice_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OptionChoiceRemoved) EventType() string { return "menu.OptionChoiceRemoved" }

// Events returns one zero value of every event type of a menu item, so that an
// event codec can register them all without this package knowing about it.
func Events() []domain.Event {
	return []domain.Event{
		MenuItemAdded{},
		MenuItemModified{},
		MenuItemRemoved{},
		MenuItemSoldOut{},
		MenuItemBackInStock{},
		OptionGroupAdded{},
		OptionGroupRenamed{},
		OptionGroupRulesSet{},
		OptionGroupRemoved{},
		OptionChoiceAdded{},
		OptionChoiceRemoved{},
	}
}
