package settings

import (
	"time"

	"restaurant/domain"
)

// OpeningHoursSet records the hours a week in which online orders are taken,
// all seven days at once, so that the week is always whole: a day without
// ranges is closed.
type OpeningHoursSet struct {
	Week Week `json:"week"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OpeningHoursSet) EventType() string { return "settings.OpeningHoursSet" }

// ClosedDayAdded records a day, in the restaurant's calendar, on which no
// orders are taken whatever the weekly hours say (a holiday).
type ClosedDayAdded struct {
	Date string `json:"date"` // 2006-01-02
}

// EventType returns the stable stored name, independent of the Go type name.
func (ClosedDayAdded) EventType() string { return "settings.ClosedDayAdded" }

// ClosedDayRemoved records that a closed day is an ordinary day again.
type ClosedDayRemoved struct {
	Date string `json:"date"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ClosedDayRemoved) EventType() string { return "settings.ClosedDayRemoved" }

// OnlineOrdersPaused records that the kitchen is too busy for online orders
// (busy mode): until Until, or, when Until is zero, until they are resumed.
type OnlineOrdersPaused struct {
	PausedAt time.Time `json:"paused_at"`
	Until    time.Time `json:"until,omitzero"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OnlineOrdersPaused) EventType() string { return "settings.OnlineOrdersPaused" }

// OnlineOrdersResumed records that a pause ended before its time.
type OnlineOrdersResumed struct {
	ResumedAt time.Time `json:"resumed_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OnlineOrdersResumed) EventType() string { return "settings.OnlineOrdersResumed" }

// PaceSet records the kitchen's pace, from which quotes are made.
type PaceSet struct {
	Pace Pace `json:"pace"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PaceSet) EventType() string { return "settings.PaceSet" }

// Events returns one zero value of every event type of the restaurant's
// settings, so that an event codec can register them all.
func Events() []domain.Event {
	return []domain.Event{OpeningHoursSet{}, ClosedDayAdded{}, ClosedDayRemoved{}, OnlineOrdersPaused{}, OnlineOrdersResumed{}, PaceSet{}, FireByPrepTimeSet{}}
}
