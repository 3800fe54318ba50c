package settings

import (
	"time"

	"restaurant/domain"
)

// Ordering says whether online orders are taken at a moment and, when they
// are not, why and when they will be again, in words for guests.
type Ordering struct {
	Open bool
	// Reason is why not: "We are closed now; ordering opens today at
	// 18:00." It is empty when Open.
	Reason string
	// Paused says a pause (busy mode) is why; PausedUntil is its end, zero
	// for a pause until resumed.
	Paused      bool
	PausedUntil time.Time
	// Changes is when this answer next changes by the clock alone (a range
	// opens or ends, a pause is over); zero when it does not.
	Changes time.Time
	// Opens is when orders are taken again, as Reason says it, for clients
	// that tell the time themselves; zero when open, or when no one knows
	// (a pause until resumed, no hours ahead).
	Opens time.Time
}

// horizonDays is how far ahead the next opening is looked for.
const horizonDays = ClosedDaysAhead + 7

// OrderingAt says whether online orders are taken at the time at, which
// carries the restaurant's time zone: the opening hours are its wall clock.
func (s State) OrderingAt(at time.Time) Ordering {
	if s.PausedAt(at) {
		o := Ordering{Paused: true, PausedUntil: s.PausedUntil, Changes: s.PausedUntil}
		o.Reason = "We are not taking online orders right now; please try again later."
		if !s.PausedUntil.IsZero() {
			until := s.PausedUntil.In(at.Location())
			if back, _, ok := s.span(until); !ok {
				o.Reason = "We are not taking online orders right now."
			} else if back = latest(back, until); domain.SameDay(back, at) {
				o.Reason, o.Opens = "We are not taking online orders right now; back at "+back.Format("15:04")+".", back
			} else {
				o.Reason, o.Opens = "We are not taking online orders right now; ordering opens "+domain.When(at, back)+".", back
			}
		}
		return o
	}
	start, end, ok := s.span(at)
	switch {
	case !ok:
		return Ordering{Reason: "We are not taking online orders for now."}
	case start.After(at):
		return Ordering{Reason: "We are closed now; ordering opens " + domain.When(at, start) + ".", Changes: start, Opens: start}
	}
	// Ranges that follow on without a gap (24:00, then 00:00) are one.
	for range 7 {
		next, nextEnd, ok := s.span(end)
		if !ok || next.After(end) {
			break
		}
		end = nextEnd
	}
	return Ordering{Open: true, Changes: end}
}

// span finds the first opening range that ends after at, and when it
// starts and ends; ok is false when there is none within the horizon.
func (s State) span(at time.Time) (start, end time.Time, ok bool) {
	y, m, d := at.Date()
	for i := range horizonDays {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, at.Location())
		if s.ClosedOn(day.Format(DateLayout)) {
			continue
		}
		for _, r := range s.rangesOn(day.Weekday()) {
			if end := wall(day, r.Closes); end.After(at) {
				return wall(day, r.Opens), end, true
			}
		}
	}
	return time.Time{}, time.Time{}, false
}

// allDay is a day of a restaurant that never set its hours.
var allDay = []Range{{Opens: 0, Closes: EndOfDay}}

func (s State) rangesOn(d time.Weekday) []Range {
	if !s.HoursSet {
		return allDay
	}
	return s.Week[d]
}

// wall is the moment the clock on the wall shows c on day; 24:00 is the
// next day's midnight.
func wall(day time.Time, c Clock) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, day.Location())
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// OpenAt says whether t, which carries the restaurant's time zone, lies
// within the opening hours, and whether its day is a closed day. A pause is
// not asked about: it holds the orders of now, not the times orders are
// due. It answers ordering.Hours, so that an order for later is checked
// against the hours without the ordering context reading the settings.
func (s State) OpenAt(t time.Time) (open, closedDay bool) {
	if s.ClosedOn(t.Format(DateLayout)) {
		return false, true
	}
	c := Clock(t.Hour()*60 + t.Minute())
	for _, r := range s.rangesOn(t.Weekday()) {
		if r.Opens <= c && c < r.Closes {
			return true, false
		}
	}
	return false, false
}
