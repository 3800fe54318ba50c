package kitchen

import "restaurant/domain"

// StationAdded records that a manager set up a place in the kitchen that
// cooks its own dishes ("Pizza oven", "Bar"), with a screen of its own.
type StationAdded struct {
	StationID string `json:"station_id"`
	Name      string `json:"name"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (StationAdded) EventType() string { return "kitchen.StationAdded" }

// StationRenamed records that a station is called something else now.
type StationRenamed struct {
	StationID string `json:"station_id"`
	Name      string `json:"name"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (StationRenamed) EventType() string { return "kitchen.StationRenamed" }

// StationRemoved records that a station cooks no more; tickets opened
// before keep their dishes' station, so history still says who cooked them.
type StationRemoved struct {
	StationID string `json:"station_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (StationRemoved) EventType() string { return "kitchen.StationRemoved" }

// CategoryRouted records that the dishes of a menu category go to a
// station, from the next ticket on; a category routed elsewhere before
// leaves that station.
type CategoryRouted struct {
	StationID  string `json:"station_id"`
	CategoryID string `json:"category_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryRouted) EventType() string { return "kitchen.CategoryRouted" }

// DishRouted records that one dish goes to a station whatever its
// category's route; a dish routed elsewhere before leaves that station.
type DishRouted struct {
	StationID string `json:"station_id"`
	DishID    string `json:"dish_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (DishRouted) EventType() string { return "kitchen.DishRouted" }

// CategoryUnrouted records that a category's dishes no longer go to the
// station: they follow the default station again.
type CategoryUnrouted struct {
	StationID  string `json:"station_id"`
	CategoryID string `json:"category_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CategoryUnrouted) EventType() string { return "kitchen.CategoryUnrouted" }

// DishUnrouted records that a dish follows its category's route again.
type DishUnrouted struct {
	StationID string `json:"station_id"`
	DishID    string `json:"dish_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (DishUnrouted) EventType() string { return "kitchen.DishUnrouted" }

// StationEvents returns one zero value of every event of the stations, so
// that an event codec can register them all.
func StationEvents() []domain.Event {
	return []domain.Event{StationAdded{}, StationRenamed{}, StationRemoved{}, CategoryRouted{}, DishRouted{}, CategoryUnrouted{}, DishUnrouted{}}
}
