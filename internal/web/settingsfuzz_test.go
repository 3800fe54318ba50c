package web

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/settings"
)

// FuzzSettingsCommands reads the settings' forms and the portions field as
// the handlers do: whatever is typed, a refusal is a 4xx; hours that are
// accepted are sorted, within the day and apart, and read back the same
// when shown; a pause lasts at most its limit; a form and a JSON object
// decide alike.
func FuzzSettingsCommands(f *testing.F) {
	f.Add("12:00-14:30, 18:00-22:00", "", "closed", "15", "2026-12-25", "12")
	f.Add("9.30-11, 18 to 24", "00:00-24:00", "12-", "until-resumed", "2026-02-30", "-1")
	f.Add("18:00-01:00", "12:00-15:00, 14:00-22:00", "24:00-24:00", "300", "christmas", "1e3")
	f.Add("1-2,3-4,5-6,7-8,9-10", "–", "\x00", "0", "", " 7 ")
	at := time.Date(2026, 3, 3, 19, 15, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, monday, tuesday, sunday, minutes, date, portions string) {
		fields := map[string]string{"hours_monday": monday, "hours_tuesday": tuesday, "hours_sunday": sunday,
			"minutes": minutes, "date": date, "portions": portions}
		var decided [][]domain.Event
		for _, in := range bothWays(t, fields) {
			var events []domain.Event
			decide := func(what string, cmd settings.Command, err error) {
				if err == nil {
					var e []domain.Event
					e, err = settings.Decide(settings.State{}, cmd)
					events = append(events, e...)
				}
				if err != nil {
					clientError(t, what, err)
				}
			}
			cmd, err := openingHoursCommand(in)
			decide("hours", cmd, err)
			pause, err := pauseCommand(in, at)
			decide("pause", pause, err)
			decide("closed day", settings.AddClosedDay{Date: in.values["date"], At: at}, nil)
			if n, err := portionsField(in); err != nil {
				clientError(t, "portions", err)
			} else if e, err := menu.DecidePortions(menu.Portions{}, menu.SetPortions{ItemID: "x", Portions: n, Dish: existingDish()}); err != nil {
				clientError(t, "portions", err)
			} else {
				events = append(events, e...)
			}
			for _, e := range events {
				keepsItsRules(t, e)
			}
			decided = append(decided, events)
		}
		if len(decided) == 2 && !reflect.DeepEqual(decided[0], decided[1]) {
			t.Fatalf("the form decided %+v, the JSON object %+v", decided[0], decided[1])
		}
	})
}

// keepsItsRules holds one decided event to the rules it must keep.
func keepsItsRules(t *testing.T, e domain.Event) {
	t.Helper()
	switch e := e.(type) {
	case settings.OpeningHoursSet:
		for day, ranges := range e.Week {
			if !slices.IsSortedFunc(ranges, func(a, b settings.Range) int { return int(a.Opens - b.Opens) }) {
				t.Fatalf("%s's hours are not sorted: %v", time.Weekday(day), ranges)
			}
			for i, r := range ranges {
				if r.Opens < 0 || r.Closes > settings.EndOfDay || r.Closes <= r.Opens || (i > 0 && r.Opens < ranges[i-1].Closes) {
					t.Fatalf("%s's hours break a rule: %v", time.Weekday(day), ranges)
				}
			}
			if back, err := settings.ParseRanges(time.Weekday(day), settings.FormatRanges(ranges)); err != nil || !slices.Equal(back, ranges) {
				t.Fatalf("%v, shown as %q, reads as %v (%v)", ranges, settings.FormatRanges(ranges), back, err)
			}
		}
	case settings.OnlineOrdersPaused:
		if !e.Until.IsZero() && (e.Until.Sub(e.PausedAt) <= 0 || e.Until.Sub(e.PausedAt) > settings.MaxPause) {
			t.Fatalf("a pause from %v until %v", e.PausedAt, e.Until)
		}
	case menu.PortionsLimitSet:
		if e.Portions < 0 || e.Portions > menu.MaxPortions {
			t.Fatalf("a limit of %d portions", e.Portions)
		}
	}
}
