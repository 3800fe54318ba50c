// Package settings is the decider for the restaurant's own settings: when it
// takes online orders (weekly opening hours and closed days) and whether the
// kitchen has paused them for a while (busy mode). It is pure: the clock
// comes in with the commands, and times carry the restaurant's time zone.
package settings

import (
	"fmt"
	"slices"
	"time"

	"restaurant/domain"
)

// DateLayout is how a day of the restaurant's calendar is written.
const DateLayout = "2006-01-02"

// Limits, exported so that forms can show them.
const (
	// MaxClosedDays bounds the closed days still to come.
	MaxClosedDays = 60
	// ClosedDaysAhead is how far ahead a closed day may be, in days.
	ClosedDaysAhead = 366
	// MaxPause is the longest pause with an end; longer ones last until
	// resumed.
	MaxPause = 4 * time.Hour
)

// State is the settings as their history makes them. The zero value is a
// restaurant that never set its hours: it takes orders around the clock.
type State struct {
	// HoursSet says opening hours were set; until then every day is open.
	HoursSet bool `json:"hours_set"`
	Week     Week `json:"week"`
	// Closed are the closed days, sorted (DateLayout).
	Closed []string `json:"closed"`
	// Paused says online orders are paused: until PausedUntil, or until
	// resumed when it is zero. A pause whose time has passed is over.
	Paused      bool      `json:"paused"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// Pace is the kitchen's pace as a manager set it; nil until then
	// (see KitchenPace).
	Pace *Pace `json:"pace,omitempty"`
	// FireByPrepTime is whether a manager turned fire by prep time on;
	// nil until one chose (see FiresByPrepTime).
	FireByPrepTime *bool `json:"fire_by_prep_time,omitempty"`
}

// PausedAt says whether online orders are paused at the time at.
func (s State) PausedAt(at time.Time) bool {
	return s.Paused && (s.PausedUntil.IsZero() || at.Before(s.PausedUntil))
}

// ClosedOn says whether the day (DateLayout) is a closed day.
func (s State) ClosedOn(date string) bool {
	_, found := slices.BinarySearch(s.Closed, date)
	return found
}

// UpcomingClosed are the closed days from the day of at on.
func (s State) UpcomingClosed(at time.Time) []string {
	i, _ := slices.BinarySearch(s.Closed, at.Format(DateLayout))
	return s.Closed[i:]
}

// Command is a request to change the settings. It is sealed so that Decide
// can handle every kind of command.
type Command interface{ command() }

// SetOpeningHours replaces the weekly hours with Week.
type SetOpeningHours struct {
	Week Week
}

// AddClosedDay closes the restaurant on Date (DateLayout). At is now, in
// the restaurant's time zone: a day that has passed cannot be closed.
type AddClosedDay struct {
	Date string
	At   time.Time
}

// RemoveClosedDay opens Date again as an ordinary day.
type RemoveClosedDay struct {
	Date string
}

// PauseOnlineOrders pauses online orders from At for For; zero For pauses
// them until resumed.
type PauseOnlineOrders struct {
	For time.Duration
	At  time.Time
}

// ResumeOnlineOrders ends a pause at At.
type ResumeOnlineOrders struct {
	At time.Time
}

func (SetOpeningHours) command()    {}
func (AddClosedDay) command()       {}
func (RemoveClosedDay) command()    {}
func (PauseOnlineOrders) command()  {}
func (ResumeOnlineOrders) command() {}

// Evolve applies one event to a state. It is the only place where state
// changes; it never writes into the input's slices.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case OpeningHoursSet:
		s.HoursSet, s.Week = true, e.Week
	case ClosedDayAdded:
		if i, found := slices.BinarySearch(s.Closed, e.Date); !found {
			s.Closed = slices.Insert(slices.Clone(s.Closed), i, e.Date)
		}
	case ClosedDayRemoved:
		if i, found := slices.BinarySearch(s.Closed, e.Date); found {
			s.Closed = slices.Delete(slices.Clone(s.Closed), i, i+1)
		}
	case OnlineOrdersPaused:
		s.Paused, s.PausedUntil = true, e.Until
	case OnlineOrdersResumed:
		s.Paused, s.PausedUntil = false, time.Time{}
	case PaceSet:
		p := e.Pace
		s.Pace = &p
	case FireByPrepTimeSet:
		on := e.On
		s.FireByPrepTime = &on
	}
	return s
}

// Decide checks a command against the current state and returns the events
// it causes, or a *domain.Error explaining why it cannot happen. A command
// whose effect is already in place decides no events.
func Decide(s State, c Command) ([]domain.Event, error) {
	switch c := c.(type) {
	case SetOpeningHours:
		week, err := c.Week.normalize()
		if err != nil {
			return nil, err
		}
		if s.HoursSet && week.equal(s.Week) {
			return nil, nil
		}
		return []domain.Event{OpeningHoursSet{Week: week}}, nil
	case AddClosedDay:
		return decideClosedDay(s, c)
	case RemoveClosedDay:
		if !s.ClosedOn(c.Date) {
			return nil, nil
		}
		return []domain.Event{ClosedDayRemoved(c)}, nil
	case PauseOnlineOrders:
		if c.For < 0 || c.For > MaxPause {
			return nil, domain.Invalid("minutes", "A pause lasts up to %d hours, or until resumed.", int(MaxPause.Hours()))
		}
		if c.For == 0 {
			if s.PausedAt(c.At) && s.PausedUntil.IsZero() {
				return nil, nil
			}
			return []domain.Event{OnlineOrdersPaused{PausedAt: c.At}}, nil
		}
		return []domain.Event{OnlineOrdersPaused{PausedAt: c.At, Until: c.At.Add(c.For)}}, nil
	case SetPace:
		return decidePace(s, c)
	case SetFireByPrepTime:
		return decideFireByPrepTime(s, c)
	case ResumeOnlineOrders:
		if !s.PausedAt(c.At) {
			return nil, nil
		}
		return []domain.Event{OnlineOrdersResumed{ResumedAt: c.At}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for the restaurant's settings.")
}

func decideClosedDay(s State, c AddClosedDay) ([]domain.Event, error) {
	day, err := time.ParseInLocation(DateLayout, c.Date, c.At.Location())
	if err != nil {
		return nil, domain.Invalid("date", "Enter a day like 2026-12-25.")
	}
	y, m, d := c.At.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, c.At.Location())
	switch {
	case day.Before(today):
		return nil, domain.Invalid("date", "That day has passed; choose today or a later day.")
	case day.After(today.AddDate(0, 0, ClosedDaysAhead)):
		return nil, domain.Invalid("date", "A closed day can be at most a year ahead.")
	case s.ClosedOn(c.Date):
		return nil, nil
	case len(s.UpcomingClosed(c.At)) >= MaxClosedDays:
		return nil, domain.Invalid("date", "At most %d closed days can be planned; remove one first.", MaxClosedDays)
	}
	return []domain.Event{ClosedDayAdded{Date: c.Date}}, nil
}

// Pace is how the kitchen keeps its promises: how many orders it cooks at
// once, how long a delivery takes on the road, from how long a wait guests
// are told the kitchen is busy, and from how long a wait it takes no more
// online orders (0: it always takes them), in minutes. Quotes are made
// from it (kitchen.ReadyAt).
type Pace struct {
	Parallel        int `json:"parallel"`
	DeliveryMinutes int `json:"delivery_minutes"`
	BusyAfter       int `json:"busy_after"`
	StopAfter       int `json:"stop_after"`
}

// DefaultPace is a kitchen's pace until a manager sets one.
var DefaultPace = Pace{Parallel: 3, DeliveryMinutes: 25, BusyAfter: 45}

// Bounds of a pace, exported so that forms can show them.
const (
	MaxParallel        = 50
	MaxDeliveryMinutes = 180
	MinBusyAfter       = 5
	MaxWaitMinutes     = 240
)

// KitchenPace is the pace as set, or the default.
func (s State) KitchenPace() Pace {
	if s.Pace == nil {
		return DefaultPace
	}
	return *s.Pace
}

// SetPace sets the kitchen's pace.
type SetPace struct {
	Pace Pace
}

func (SetPace) command() {}

// check says what is wrong with a pace, field by field.
func (p Pace) check() error {
	var problems []domain.FieldError
	wrong := func(field, format string, args ...any) {
		problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if p.Parallel < 1 || p.Parallel > MaxParallel {
		wrong("parallel", "The kitchen cooks from 1 to %d orders at once.", MaxParallel)
	}
	if p.DeliveryMinutes < 0 || p.DeliveryMinutes > MaxDeliveryMinutes {
		wrong("delivery_minutes", "A delivery takes from 0 to %d minutes on the road.", MaxDeliveryMinutes)
	}
	if p.BusyAfter < MinBusyAfter || p.BusyAfter > MaxWaitMinutes {
		wrong("busy_after", "Say the kitchen is busy from a wait of %d to %d minutes.", MinBusyAfter, MaxWaitMinutes)
	}
	if p.StopAfter != 0 && (p.StopAfter < p.BusyAfter || p.StopAfter > MaxWaitMinutes) {
		wrong("stop_after", "Stop taking orders from a wait no shorter than the busy one, up to %d minutes, or never (0).", MaxWaitMinutes)
	}
	return domain.Fields(problems...)
}

func decidePace(s State, c SetPace) ([]domain.Event, error) {
	if err := c.Pace.check(); err != nil {
		return nil, err
	}
	if s.Pace != nil && *s.Pace == c.Pace {
		return nil, nil
	}
	return []domain.Event{PaceSet(c)}, nil
}
