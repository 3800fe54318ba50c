package menu

import "restaurant/domain"

// MenuItemAdded records that the kitchen put a new dish on the menu. It
// carries every field so that the item can be rebuilt from this event alone.
//
// Schema version 2 files the dish under a category by id. Version 1 named
// its category in free text ("category"); its upcaster (internal/contracts)
// reads that text as the category it implies (ImpliedCategoryID), keeping
// the text in ImpliedCategory, and marks its allergens as never listed.
type MenuItemAdded struct {
	ItemID      string       `json:"item_id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	CategoryID  string       `json:"category_id"`
	Price       domain.Money `json:"price"`
	// Allergens the dish contains and the Diets it suits, in the order of
	// Allergens() and Diets(); none: omitted.
	Allergens []Allergen `json:"allergens,omitempty"`
	Diets     []Diet     `json:"diets,omitempty"`
	// AllergensUnlisted says the dish was stored before dishes listed
	// their allergens: it is free of nothing until a manager lists them.
	AllergensUnlisted bool `json:"allergens_unlisted,omitempty"`
	// ImpliedCategory is the free text a dish of schema version 1 was filed
	// under: the name of the category it implies until that is renamed.
	// Events written since leave it empty.
	ImpliedCategory string `json:"implied_category,omitempty"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemAdded) EventType() string { return "menu.MenuItemAdded" }

// MenuItemModified records that the kitchen rewrote an item's details. It is a
// full replacement, so a projection never has to merge partial changes. Its
// schema versions are MenuItemAdded's.
type MenuItemModified struct {
	ItemID            string       `json:"item_id"`
	Name              string       `json:"name"`
	Description       string       `json:"description"`
	CategoryID        string       `json:"category_id"`
	Price             domain.Money `json:"price"`
	Allergens         []Allergen   `json:"allergens,omitempty"`
	Diets             []Diet       `json:"diets,omitempty"`
	AllergensUnlisted bool         `json:"allergens_unlisted,omitempty"`
	ImpliedCategory   string       `json:"implied_category,omitempty"`
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
		MenuItemPhotoChanged{},
		MenuItemPhotoRemoved{},
		MenuItemPrepTimeSet{},
		OptionGroupAdded{},
		OptionGroupRenamed{},
		OptionGroupRulesSet{},
		OptionGroupRemoved{},
		OptionChoiceAdded{},
		OptionChoiceRemoved{},
	}
}

// CategoryAdded records that a manager opened a new section of the menu, at
// the end of the list.
type CategoryAdded struct {
	CategoryID string `json:"category_id"`
	Name       string `json:"name"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryAdded) EventType() string { return "menu.CategoryAdded" }

// CategoryRenamed records a category's new name.
type CategoryRenamed struct {
	CategoryID string `json:"category_id"`
	Name       string `json:"name"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryRenamed) EventType() string { return "menu.CategoryRenamed" }

// CategoryMoved records that a category now stands at Position in the list
// (1 is first); those between its old place and the new one close up.
type CategoryMoved struct {
	CategoryID string `json:"category_id"`
	Position   int    `json:"position"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryMoved) EventType() string { return "menu.CategoryMoved" }

// CategoryRemoved records that an empty category left the menu.
type CategoryRemoved struct {
	CategoryID string `json:"category_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryRemoved) EventType() string { return "menu.CategoryRemoved" }

// CategoryEvents returns one zero value of every event type of the list of
// categories, for an event codec to register.
func CategoryEvents() []domain.Event {
	return []domain.Event{CategoryAdded{}, CategoryRenamed{}, CategoryMoved{}, CategoryRemoved{}}
}
