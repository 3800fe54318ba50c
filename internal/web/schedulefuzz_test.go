package web

import (
	"errors"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
)

// FuzzTimeForLater reads a time for later as the schedule command does and
// decides it: whatever is sent, a refusal is a 4xx on scheduled_for; a time
// accepted is on the quarter hour of the restaurant's clock, from half an
// hour ahead up to a week, within the hours and not on a closed day.
func FuzzTimeForLater(f *testing.F) {
	for _, s := range []string{"2026-03-03T19:30", "2026-03-03T19:20", "2026-03-04T12:00", " 2026-03-03T18:00 ", "2026-03-04T20:00:00+01:00",
		"2026-03-03T17:15", "2026-02-30T19:00", "2026-03-03T24:00", "tonight", "", "\x00", "9999-12-31T23:45", "2026-03-05T19:00"} {
		f.Add(s)
	}
	now := lisbonAt("2026-03-03", "17:00")
	var week settings.Week
	for _, d := range []time.Weekday{time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		week[d] = []settings.Range{{Opens: 12 * 60, Closes: 14*60 + 30}, {Opens: 18 * 60, Closes: 22 * 60}}
	}
	hours := settings.Evolve(settings.Evolve(settings.State{}, settings.OpeningHoursSet{Week: week}), settings.ClosedDayAdded{Date: "2026-03-05"})
	f.Fuzz(func(t *testing.T, s string) {
		at, err := parseSlot(s, lisbon)
		if err == nil {
			var events []any
			var decided []ordering.OrderScheduled
			es, derr := ordering.Decide(openOrder(), ordering.ScheduleFor{For: at, Window: ordering.Window{Now: now, Hours: hours}})
			for _, e := range es {
				events = append(events, e)
				decided = append(decided, e.(ordering.OrderScheduled))
			}
			err = derr
			for _, e := range decided {
				local := e.For.In(lisbon)
				open, closedDay := hours.OpenAt(local)
				if local.Minute()%15 != 0 || local.Second() != 0 || local.Before(now.Add(ordering.MinLead)) || local.After(now.Add(ordering.MaxAhead)) || !open || closedDay {
					t.Fatalf("%q was accepted as %v", s, local)
				}
			}
			text(t, "time for later", events)
		}
		if err != nil {
			clientError(t, "time for later", err)
			if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Field != ordering.ScheduleField {
				t.Fatalf("%q is refused, but not on scheduled_for: %v", s, err)
			}
		}
	})
}
