package menu

import (
	"restaurant/domain"
)

// A dish's prep time is how long the kitchen takes to make one, from
// starting it to ready: the kitchen's quotes add up the dishes of the
// orders ahead. A dish whose prep time was never set counts
// DefaultPrepMinutes.

// Bounds of a dish's prep time, in minutes.
const (
	MinPrepMinutes     = 1
	MaxPrepMinutes     = 120
	DefaultPrepMinutes = 10
)

// SetPrepTime says how many minutes the kitchen takes to make the dish.
type SetPrepTime struct {
	Minutes int
}

func (SetPrepTime) command() {}

// MenuItemPrepTimeSet records how many minutes a dish takes to make.
type MenuItemPrepTimeSet struct {
	ItemID  string `json:"item_id"`
	Minutes int    `json:"minutes"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemPrepTimeSet) EventType() string { return "menu.MenuItemPrepTimeSet" }

// PrepMinutes is how long the dish takes to make: as set, or the default.
func (s State) PrepMinutes() int {
	if s.PrepTime == 0 {
		return DefaultPrepMinutes
	}
	return s.PrepTime
}

func decidePrepTime(s State, c SetPrepTime) ([]domain.Event, error) {
	if c.Minutes < MinPrepMinutes || c.Minutes > MaxPrepMinutes {
		return nil, domain.Invalid("prep_minutes", "A dish takes from %d to %d minutes to make.", MinPrepMinutes, MaxPrepMinutes)
	}
	if s.PrepTime == c.Minutes {
		return nil, nil
	}
	return []domain.Event{MenuItemPrepTimeSet{ItemID: s.ItemID, Minutes: c.Minutes}}, nil
}
