// Package settings is the decider for the restaurant's own settings: when it
// takes online orders (weekly opening hours and closed days) and whether the
// kitchen has paused them for a while (busy mode). It is pure: the clock
// comes in with the commands, and times carry the restaurant's time zone.
package settings

import (
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
