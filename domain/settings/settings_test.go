package settings

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

// spec is one given/when/then case.
type spec struct {
	name    string
	given   []domain.Event
	when    Command
	then    []domain.Event
	wantErr string
	field   string
	message string
}

func run(t *testing.T, tc spec) {
	t.Helper()
	got, err := Decide(fold(tc.given...), tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.field, Message: tc.message})
}

func fold(events ...domain.Event) State {
	var s State
	for _, e := range events {
		s = Evolve(s, e)
	}
	return s
}

var amsterdam = mustLocation("Europe/Amsterdam")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in Amsterdam; 2026-03-02 is a Monday.
func at(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, amsterdam)
	if err != nil {
		panic(err)
	}
	return t
}

func r(opens, closes string) Range {
	o, ok1 := ParseClock(opens)
	c, ok2 := ParseClock(closes)
	if !ok1 || !ok2 {
		panic(opens + "–" + closes)
	}
	return Range{Opens: o, Closes: c}
}

// lunchAndDinner opens Tuesday to Saturday for lunch and dinner, Sunday
// for dinner; Monday is closed.
func lunchAndDinner() Week {
	var w Week
	for _, d := range []time.Weekday{time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday} {
		w[d] = []Range{r("12:00", "14:30"), r("18:00", "22:00")}
	}
	w[time.Sunday] = []Range{r("17:00", "21:00")}
	return w
}

var hoursSet = OpeningHoursSet{Week: lunchAndDinner()}

func TestSetOpeningHours(t *testing.T) {
	unsorted := lunchAndDinner()
	unsorted[time.Tuesday] = []Range{r("18:00", "22:00"), r("12:00", "14:30")}
	overlapping := lunchAndDinner()
	overlapping[time.Wednesday] = []Range{r("12:00", "15:00"), r("14:30", "22:00")}
	backwards := lunchAndDinner()
	backwards[time.Friday] = []Range{r("18:00", "01:00")}
	empty := lunchAndDinner()
	empty[time.Thursday] = []Range{r("12:00", "12:00")}
	crowded := lunchAndDinner()
	crowded[time.Saturday] = []Range{r("08:00", "09:00"), r("10:00", "11:00"), r("12:00", "13:00"), r("14:00", "15:00"), r("16:00", "17:00")}
	twoDays := lunchAndDinner()
	twoDays[time.Monday] = []Range{r("14:00", "12:00")}
	twoDays[time.Sunday] = []Range{r("10:00", "12:00"), r("11:00", "13:00")}
	allNight := Week{time.Friday: {r("18:00", "24:00")}, time.Saturday: {r("00:00", "02:00")}}
	for _, tc := range []spec{
		{name: "sets the week", when: SetOpeningHours{Week: lunchAndDinner()}, then: []domain.Event{hoursSet}},
		{name: "sorts each day's ranges", when: SetOpeningHours{Week: unsorted}, then: []domain.Event{hoursSet}},
		{name: "a range up to midnight, the next from midnight", when: SetOpeningHours{Week: allNight}, then: []domain.Event{OpeningHoursSet{Week: allNight}}},
		{name: "a week closed every day", when: SetOpeningHours{}, then: []domain.Event{OpeningHoursSet{}}},
		{name: "the same week again changes nothing", given: []domain.Event{hoursSet}, when: SetOpeningHours{Week: unsorted}},
		{name: "overlapping ranges", when: SetOpeningHours{Week: overlapping}, wantErr: domain.EINVALID, field: "hours_wednesday", message: "overlaps"},
		{name: "a range past midnight", when: SetOpeningHours{Week: backwards}, wantErr: domain.EINVALID, field: "hours_friday", message: "ends at 24:00"},
		{name: "an empty range", when: SetOpeningHours{Week: empty}, wantErr: domain.EINVALID, field: "hours_thursday"},
		{name: "too many ranges", when: SetOpeningHours{Week: crowded}, wantErr: domain.EINVALID, field: "hours_saturday", message: "at most 4"},
		{name: "every day at fault, Monday first", when: SetOpeningHours{Week: twoDays}, wantErr: domain.EINVALID, field: "hours_monday"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	_, err := Decide(State{}, SetOpeningHours{Week: twoDays})
	if de := err.(*domain.Error); len(de.Fields) != 2 || de.Fields[1].Field != "hours_sunday" {
		t.Errorf("want Monday's and Sunday's messages, got %#v", de.Fields)
	}
}

func TestClosedDays(t *testing.T) {
	now := at("2026-03-02", "10:00")
	christmas := ClosedDayAdded{Date: "2026-12-25"}
	var many []domain.Event
	for i := range MaxClosedDays {
		many = append(many, ClosedDayAdded{Date: now.AddDate(0, 0, i+1).Format(DateLayout)})
	}
	for _, tc := range []spec{
		{name: "closes a day", when: AddClosedDay{Date: "2026-12-25", At: now}, then: []domain.Event{christmas}},
		{name: "closes today", when: AddClosedDay{Date: "2026-03-02", At: now}, then: []domain.Event{ClosedDayAdded{Date: "2026-03-02"}}},
		{name: "closing it again changes nothing", given: []domain.Event{christmas}, when: AddClosedDay{Date: "2026-12-25", At: now}},
		{name: "a day that has passed", when: AddClosedDay{Date: "2026-03-01", At: now}, wantErr: domain.EINVALID, field: "date", message: "passed"},
		{name: "more than a year ahead", when: AddClosedDay{Date: "2027-03-04", At: now}, wantErr: domain.EINVALID, field: "date", message: "a year"},
		{name: "not a date", when: AddClosedDay{Date: "25/12/2026", At: now}, wantErr: domain.EINVALID, field: "date"},
		{name: "no such day", when: AddClosedDay{Date: "2026-02-30", At: now}, wantErr: domain.EINVALID, field: "date"},
		{name: "too many closed days", given: many, when: AddClosedDay{Date: "2026-12-25", At: now}, wantErr: domain.EINVALID, field: "date", message: "remove one"},
		{name: "days that passed do not count", given: many, when: AddClosedDay{Date: "2026-12-25", At: now.AddDate(0, 0, 2)}, then: []domain.Event{christmas}},
		{name: "opens a closed day", given: []domain.Event{christmas}, when: RemoveClosedDay{Date: "2026-12-25"}, then: []domain.Event{ClosedDayRemoved{Date: "2026-12-25"}}},
		{name: "opening an open day changes nothing", when: RemoveClosedDay{Date: "2026-12-25"}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	s := fold(christmas, ClosedDayAdded{Date: "2026-04-06"}, ClosedDayAdded{Date: "2026-01-01"}, ClosedDayRemoved{Date: "2026-04-06"})
	if want := []string{"2026-01-01", "2026-12-25"}; !reflect.DeepEqual(s.Closed, want) {
		t.Errorf("closed days %v, want %v", s.Closed, want)
	}
	if got := s.UpcomingClosed(now); !reflect.DeepEqual(got, []string{"2026-12-25"}) {
		t.Errorf("upcoming %v", got)
	}
}

func TestPauses(t *testing.T) {
	now := at("2026-03-03", "19:15")
	paused := OnlineOrdersPaused{PausedAt: now, Until: now.Add(30 * time.Minute)}
	untilResumed := OnlineOrdersPaused{PausedAt: now}
	for _, tc := range []spec{
		{name: "pauses for 30 minutes", when: PauseOnlineOrders{For: 30 * time.Minute, At: now}, then: []domain.Event{paused}},
		{name: "pauses until resumed", when: PauseOnlineOrders{At: now}, then: []domain.Event{untilResumed}},
		{name: "a longer pause replaces a shorter one", given: []domain.Event{paused}, when: PauseOnlineOrders{For: time.Hour, At: now},
			then: []domain.Event{OnlineOrdersPaused{PausedAt: now, Until: now.Add(time.Hour)}}},
		{name: "until resumed twice changes nothing", given: []domain.Event{untilResumed}, when: PauseOnlineOrders{At: now.Add(time.Minute)}},
		{name: "until resumed after a pause that ended", given: []domain.Event{paused}, when: PauseOnlineOrders{At: now.Add(time.Hour)},
			then: []domain.Event{OnlineOrdersPaused{PausedAt: now.Add(time.Hour)}}},
		{name: "too long", when: PauseOnlineOrders{For: 5 * time.Hour, At: now}, wantErr: domain.EINVALID, field: "minutes"},
		{name: "negative", when: PauseOnlineOrders{For: -time.Minute, At: now}, wantErr: domain.EINVALID, field: "minutes"},
		{name: "resumes", given: []domain.Event{paused}, when: ResumeOnlineOrders{At: now.Add(time.Minute)},
			then: []domain.Event{OnlineOrdersResumed{ResumedAt: now.Add(time.Minute)}}},
		{name: "resumes a pause until resumed", given: []domain.Event{untilResumed}, when: ResumeOnlineOrders{At: now.Add(time.Hour)},
			then: []domain.Event{OnlineOrdersResumed{ResumedAt: now.Add(time.Hour)}}},
		{name: "resuming after the pause ended changes nothing", given: []domain.Event{paused}, when: ResumeOnlineOrders{At: now.Add(30 * time.Minute)}},
		{name: "resuming when not paused changes nothing", when: ResumeOnlineOrders{At: now}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestOrderingAt(t *testing.T) {
	hours := fold(hoursSet, ClosedDayAdded{Date: "2026-03-05"})
	for _, tc := range []struct {
		name    string
		s       State
		at      time.Time
		open    bool
		reason  string
		changes time.Time
		opens   time.Time
	}{
		{name: "no hours set: open", s: State{}, at: at("2026-03-02", "03:00"), open: true, changes: at("2026-03-10", "00:00")},
		{name: "no hours set, a closed day ahead", s: fold(ClosedDayAdded{Date: "2026-03-04"}), at: at("2026-03-02", "03:00"),
			open: true, changes: at("2026-03-04", "00:00")},
		{name: "no hours set, on a closed day", s: fold(ClosedDayAdded{Date: "2026-03-02"}), at: at("2026-03-02", "03:00"),
			reason: "We are closed now; ordering opens tomorrow at 00:00.", changes: at("2026-03-03", "00:00"), opens: at("2026-03-03", "00:00")},
		{name: "open at lunch", s: hours, at: at("2026-03-03", "12:00"), open: true, changes: at("2026-03-03", "14:30")},
		{name: "between lunch and dinner", s: hours, at: at("2026-03-03", "14:30"),
			reason: "We are closed now; ordering opens today at 18:00.", changes: at("2026-03-03", "18:00"), opens: at("2026-03-03", "18:00")},
		{name: "a closed Monday", s: hours, at: at("2026-03-02", "12:00"),
			reason: "We are closed now; ordering opens tomorrow at 12:00.", changes: at("2026-03-03", "12:00"), opens: at("2026-03-03", "12:00")},
		{name: "late on Sunday", s: hours, at: at("2026-03-01", "21:30"),
			reason: "We are closed now; ordering opens on Tuesday at 12:00.", changes: at("2026-03-03", "12:00"), opens: at("2026-03-03", "12:00")},
		{name: "the day before a closed day", s: hours, at: at("2026-03-04", "23:00"),
			reason: "We are closed now; ordering opens on Friday at 12:00.", changes: at("2026-03-06", "12:00"), opens: at("2026-03-06", "12:00")},
		{name: "a closed week", s: fold(hoursSet, ClosedDayAdded{Date: "2026-03-10"}, ClosedDayAdded{Date: "2026-03-11"},
			ClosedDayAdded{Date: "2026-03-12"}, ClosedDayAdded{Date: "2026-03-13"}, ClosedDayAdded{Date: "2026-03-14"},
			ClosedDayAdded{Date: "2026-03-15"}), at: at("2026-03-09", "23:00"),
			reason: "We are closed now; ordering opens on Tuesday 17 March at 12:00.", changes: at("2026-03-17", "12:00"), opens: at("2026-03-17", "12:00")},
		{name: "never open", s: fold(OpeningHoursSet{}), at: at("2026-03-03", "12:00"), reason: "We are not taking online orders for now."},
		{name: "open past midnight", s: fold(OpeningHoursSet{Week: Week{time.Friday: {r("18:00", "24:00")}, time.Saturday: {r("00:00", "02:00")}}}),
			at: at("2026-03-06", "23:00"), open: true, changes: at("2026-03-07", "02:00")},
		{name: "paused, back later today", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "19:15"), Until: at("2026-03-03", "19:45")}),
			at: at("2026-03-03", "19:20"), reason: "We are not taking online orders right now; back at 19:45.", changes: at("2026-03-03", "19:45"), opens: at("2026-03-03", "19:45")},
		{name: "paused past closing", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "21:30"), Until: at("2026-03-03", "22:30")}),
			at: at("2026-03-03", "21:40"), reason: "We are not taking online orders right now; ordering opens tomorrow at 12:00.", changes: at("2026-03-03", "22:30"),
			opens: at("2026-03-04", "12:00")},
		{name: "paused until the next range", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "14:00"), Until: at("2026-03-03", "15:00")}),
			at: at("2026-03-03", "14:10"), reason: "We are not taking online orders right now; back at 18:00.", changes: at("2026-03-03", "15:00"), opens: at("2026-03-03", "18:00")},
		{name: "paused until resumed", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "19:15")}),
			at: at("2026-03-03", "19:20"), reason: "We are not taking online orders right now; please try again later."},
		{name: "a pause that ended", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "19:15"), Until: at("2026-03-03", "19:45")}),
			at: at("2026-03-03", "19:45"), open: true, changes: at("2026-03-03", "22:00")},
		{name: "resumed", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "19:15")}, OnlineOrdersResumed{ResumedAt: at("2026-03-03", "19:30")}),
			at: at("2026-03-03", "19:31"), open: true, changes: at("2026-03-03", "22:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.OrderingAt(tc.at)
			if got.Open != tc.open || got.Reason != tc.reason || !got.Changes.Equal(tc.changes) || !got.Opens.Equal(tc.opens) {
				t.Errorf("got open %v, %q, changes %v, opens %v\nwant open %v, %q, changes %v, opens %v",
					got.Open, got.Reason, got.Changes, got.Opens, tc.open, tc.reason, tc.changes, tc.opens)
			}
		})
	}
}

// TestOpenAt: a time an order is due at is within the hours or not, and
// on a closed day or not, whatever a pause says.
func TestOpenAt(t *testing.T) {
	hours := fold(hoursSet, ClosedDayAdded{Date: "2026-03-05"})
	for _, tc := range []struct {
		name            string
		s               State
		at              time.Time
		open, closedDay bool
	}{
		{name: "no hours set", s: State{}, at: at("2026-03-02", "03:00"), open: true},
		{name: "no hours set, a closed day", s: fold(ClosedDayAdded{Date: "2026-03-02"}), at: at("2026-03-02", "03:00"), closedDay: true},
		{name: "when lunch opens", s: hours, at: at("2026-03-03", "12:00"), open: true},
		{name: "the last minute of lunch", s: hours, at: at("2026-03-03", "14:29"), open: true},
		{name: "when lunch closes", s: hours, at: at("2026-03-03", "14:30")},
		{name: "between lunch and dinner", s: hours, at: at("2026-03-03", "16:00")},
		{name: "a Monday, closed every week", s: hours, at: at("2026-03-02", "19:00")},
		{name: "a closed day", s: hours, at: at("2026-03-05", "19:00"), closedDay: true},
		{name: "past midnight", s: fold(OpeningHoursSet{Week: Week{time.Friday: {r("18:00", "24:00")}, time.Saturday: {r("00:00", "02:00")}}}),
			at: at("2026-03-07", "01:45"), open: true},
		{name: "paused", s: fold(hoursSet, OnlineOrdersPaused{PausedAt: at("2026-03-03", "19:15")}), at: at("2026-03-03", "19:30"), open: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if open, closedDay := tc.s.OpenAt(tc.at); open != tc.open || closedDay != tc.closedDay {
				t.Errorf("open %v, closed day %v; want %v, %v", open, closedDay, tc.open, tc.closedDay)
			}
		})
	}
}

func TestOrderingAcrossDaylightSaving(t *testing.T) {
	// 2026-03-29: Amsterdam's clocks go from 02:00 to 03:00.
	s := fold(OpeningHoursSet{Week: Week{time.Sunday: {r("12:00", "14:00")}}})
	got := s.OrderingAt(at("2026-03-28", "23:00"))
	if got.Reason != "We are closed now; ordering opens tomorrow at 12:00." || got.Changes.Sub(at("2026-03-28", "23:00")) != 12*time.Hour {
		t.Errorf("got %q, in %v", got.Reason, got.Changes.Sub(at("2026-03-28", "23:00")))
	}
}

func TestParseRanges(t *testing.T) {
	for in, want := range map[string][]Range{
		"":                           nil,
		" Closed ":                   nil,
		"12:00-14:30":                {r("12:00", "14:30")},
		"12:00–14:30, 18:00 - 22:00": {r("12:00", "14:30"), r("18:00", "22:00")},
		"9.30-11, 18 to 24":          {r("09:30", "11:00"), r("18:00", "24:00")},
	} {
		got, err := ParseRanges(time.Monday, in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRanges(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"noon", "12:00", "12:00-25:00", "12:60-13:00", "12-", "1200-1400", "-1:00-2:00"} {
		_, err := ParseRanges(time.Tuesday, in)
		decidertest.Check(t, nil, err, decidertest.Want{Code: domain.EINVALID, Field: "hours_tuesday", Message: "12:00–14:30"})
	}
	if got := FormatRanges([]Range{r("12:00", "14:30"), r("18:00", "24:00")}); got != "12:00–14:30, 18:00–24:00" {
		t.Errorf("FormatRanges: %q", got)
	}
}

func TestEvents(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*(,omitzero)?$`)
	for _, e := range Events() {
		rt := reflect.TypeOf(e)
		if e.EventType() != "settings."+rt.Name() {
			t.Errorf("event type %q does not match %s", e.EventType(), rt.Name())
		}
		for i := range rt.NumField() {
			if j := rt.Field(i).Tag.Get("json"); !tag.MatchString(j) {
				t.Errorf("%s.%s has json tag %q, want snake_case", rt.Name(), rt.Field(i).Name, j)
			}
		}
	}
	now := at("2026-03-03", "19:15").UTC()
	for _, e := range []domain.Event{hoursSet, ClosedDayAdded{Date: "2026-12-25"}, ClosedDayRemoved{Date: "2026-12-25"},
		OnlineOrdersPaused{PausedAt: now, Until: now.Add(time.Hour)}, OnlineOrdersPaused{PausedAt: now}, OnlineOrdersResumed{ResumedAt: now}, PaceSet{Pace: DefaultPace},
		FireByPrepTimeSet{On: true}, FireByPrepTimeSet{}} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(e))
		if err := json.Unmarshal(b, p.Interface()); err != nil {
			t.Fatal(err)
		}
		if got := p.Elem().Interface(); !reflect.DeepEqual(got, e) {
			t.Errorf("round trip of %s\n got: %#v\nwant: %#v", b, got, e)
		}
	}
	b, _ := json.Marshal(hoursSet)
	if !strings.Contains(string(b), `{"opens":"12:00","closes":"14:30"}`) {
		t.Errorf("hours should read as clocks: %s", b)
	}
	if b, _ := json.Marshal(OnlineOrdersPaused{PausedAt: now}); strings.Contains(string(b), "until") {
		t.Errorf("a pause until resumed has no end: %s", b)
	}
}

func TestPace(t *testing.T) {
	busy := Pace{Parallel: 4, DeliveryMinutes: 30, BusyAfter: 40, StopAfter: 75}
	set := PaceSet{Pace: busy}
	for _, tc := range []spec{
		{name: "a first pace", when: SetPace{Pace: busy}, then: []domain.Event{set}},
		{name: "the same again", given: []domain.Event{set}, when: SetPace{Pace: busy}},
		{name: "the default, set", when: SetPace{Pace: DefaultPace}, then: []domain.Event{PaceSet{Pace: DefaultPace}}},
		{name: "never stop", given: []domain.Event{set}, when: SetPace{Pace: Pace{Parallel: 4, DeliveryMinutes: 30, BusyAfter: 40}},
			then: []domain.Event{PaceSet{Pace: Pace{Parallel: 4, DeliveryMinutes: 30, BusyAfter: 40}}}},
		{name: "no stoves", when: SetPace{Pace: Pace{Parallel: 0, DeliveryMinutes: 30, BusyAfter: 40}}, wantErr: domain.EINVALID, field: "parallel",
			message: "The kitchen cooks from 1 to 50 orders at once."},
		{name: "a delivery of four hours", when: SetPace{Pace: Pace{Parallel: 3, DeliveryMinutes: 240, BusyAfter: 40}}, wantErr: domain.EINVALID, field: "delivery_minutes"},
		{name: "busy at once", when: SetPace{Pace: Pace{Parallel: 3, BusyAfter: 2}}, wantErr: domain.EINVALID, field: "busy_after"},
		{name: "stop before busy", when: SetPace{Pace: Pace{Parallel: 3, BusyAfter: 40, StopAfter: 30}}, wantErr: domain.EINVALID, field: "stop_after"},
		{name: "every field wrong at once", when: SetPace{Pace: Pace{Parallel: -1, DeliveryMinutes: -1, BusyAfter: 0, StopAfter: 999}}, wantErr: domain.EINVALID, field: "parallel"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	if got := fold().KitchenPace(); got != DefaultPace {
		t.Fatalf("a kitchen that never set its pace has %+v", got)
	}
	if got := fold(set).KitchenPace(); got != busy {
		t.Fatalf("the pace set is read back as %+v", got)
	}
	_, err := Decide(State{}, SetPace{Pace: Pace{Parallel: -1, DeliveryMinutes: -1, BusyAfter: 0, StopAfter: 999}})
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 4 {
		t.Fatalf("a pace wrong in four fields says so once per field: %v", err)
	}
}

func TestFireByPrepTime(t *testing.T) {
	on, off := FireByPrepTimeSet{On: true}, FireByPrepTimeSet{On: false}
	for _, tc := range []spec{
		{name: "turned off", when: SetFireByPrepTime{On: false}, then: []domain.Event{off}},
		{name: "turned on, as the default may say", when: SetFireByPrepTime{On: true}, then: []domain.Event{on}},
		{name: "on again", given: []domain.Event{on}, when: SetFireByPrepTime{On: true}},
		{name: "off again", given: []domain.Event{off}, when: SetFireByPrepTime{On: false}},
		{name: "off after on", given: []domain.Event{on}, when: SetFireByPrepTime{On: false}, then: []domain.Event{off}},
		{name: "on after off", given: []domain.Event{on, off}, when: SetFireByPrepTime{On: true}, then: []domain.Event{on}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	for _, tc := range []struct {
		name     string
		given    []domain.Event
		stations bool
		want     bool
	}{
		{name: "never chosen, with stations", stations: true, want: true},
		{name: "never chosen, without stations", stations: false, want: false},
		{name: "turned off, with stations", given: []domain.Event{off}, stations: true, want: false},
		{name: "turned on, without stations", given: []domain.Event{on}, stations: false, want: true},
	} {
		s := fold(tc.given...)
		if got := s.FiresByPrepTime(tc.stations); got != tc.want {
			t.Errorf("%s: fires by prep time %v, want %v", tc.name, got, tc.want)
		}
		if s.FireByPrepTimeChosen() != (len(tc.given) > 0) {
			t.Errorf("%s: chosen %v", tc.name, s.FireByPrepTimeChosen())
		}
	}
	// The settings read model keeps the state as JSON: a choice survives it,
	// and a state stored before there was one reads as never chosen.
	b, _ := json.Marshal(fold(off))
	var back State
	if err := json.Unmarshal(b, &back); err != nil || !back.FireByPrepTimeChosen() || back.FiresByPrepTime(true) {
		t.Errorf("%s reads back as %+v (%v)", b, back, err)
	}
	var before State
	if err := json.Unmarshal([]byte(`{"hours_set":false,"week":[[],[],[],[],[],[],[]],"closed":null,"paused":false}`), &before); err != nil || before.FireByPrepTimeChosen() {
		t.Errorf("a state stored before reads as %+v (%v)", before, err)
	}
}
