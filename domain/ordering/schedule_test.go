package ordering

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/domain/settings"
)

// forLater asks for the order an hour after it was opened.
var forLater = OrderScheduled{OrderID: oid, For: t0.Add(time.Hour)}

var lisbon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		panic(err)
	}
	return loc
}()

// lisbonAt is a wall-clock time in Lisbon; 2026-03-03 is a Tuesday.
func lisbonAt(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, lisbon)
	if err != nil {
		panic(err)
	}
	return t
}

// hours are lunch and dinner from Tuesday to Sunday, Monday closed, and
// Thursday 5 March a closed day: the settings as a manager sets them.
var hours = func() settings.State {
	var week settings.Week
	for _, d := range []time.Weekday{time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		week[d] = []settings.Range{{Opens: 12 * 60, Closes: 14*60 + 30}, {Opens: 18 * 60, Closes: 22 * 60}}
	}
	s := settings.Evolve(settings.State{}, settings.OpeningHoursSet{Week: week})
	return settings.Evolve(s, settings.ClosedDayAdded{Date: "2026-03-05"})
}()

// teaTime is Tuesday 17:00, between lunch and dinner: closed now.
var teaTime = Window{Now: lisbonAt("2026-03-03", "17:00"), Hours: hours}

func scheduleAt(date, clock string) ScheduleFor {
	return ScheduleFor{For: lisbonAt(date, clock), Window: teaTime}
}

func TestScheduleFor(t *testing.T) {
	at := func(date, clock string) OrderScheduled {
		return OrderScheduled{OrderID: oid, For: lisbonAt(date, clock).UTC()}
	}
	quoted := teaTime
	quoted.Ready = lisbonAt("2026-03-03", "18:37")
	anyHour := Window{Now: teaTime.Now}
	runAll(t, []spec{
		{name: "a time within the hours", given: given(opened), when: scheduleAt("2026-03-03", "19:30"), then: []domain.Event{at("2026-03-03", "19:30")}},
		{name: "when dinner opens", given: given(opened), when: scheduleAt("2026-03-03", "18:00"), then: []domain.Event{at("2026-03-03", "18:00")}},
		{name: "tomorrow's lunch", given: given(opened), when: scheduleAt("2026-03-04", "12:15"), then: []domain.Event{at("2026-03-04", "12:15")}},
		{name: "another time replaces the first", given: given(opened, at("2026-03-03", "19:30")), when: scheduleAt("2026-03-03", "20:00"),
			then: []domain.Event{at("2026-03-03", "20:00")}},
		{name: "the same time again", given: given(opened, at("2026-03-03", "19:30")), when: scheduleAt("2026-03-03", "19:30")},
		{name: "the lead exactly", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-03", "17:30"), Window: anyHour},
			then: []domain.Event{at("2026-03-03", "17:30")}},
		{name: "seven days ahead exactly", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-10", "17:00"), Window: anyHour},
			then: []domain.Event{at("2026-03-10", "17:00")}},
		{name: "in the past", given: given(opened), when: scheduleAt("2026-03-03", "13:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "That time has passed; choose a later one."},
		{name: "now", given: given(opened), when: scheduleAt("2026-03-03", "17:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "That time has passed"},
		{name: "within the lead", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-03", "17:15"), Window: anyHour},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "That is too soon; the earliest we can manage is today at 17:30."},
		{name: "before the kitchen's quote", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-03", "18:30"), Window: quoted},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "the earliest we can manage is today at 18:45."},
		{name: "the quote's slot", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-03", "18:45"), Window: quoted},
			then: []domain.Event{at("2026-03-03", "18:45")}},
		{name: "off the quarter hour", given: given(opened), when: scheduleAt("2026-03-03", "19:20"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "Choose a time on the quarter hour, such as 19:30."},
		{name: "with seconds", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-03", "19:30").Add(time.Second), Window: teaTime},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "quarter hour"},
		{name: "more than seven days ahead", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-10", "17:15"), Window: anyHour},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "Orders can be asked for up to 7 days ahead; choose an earlier time."},
		{name: "between lunch and dinner", given: given(opened), when: scheduleAt("2026-03-04", "16:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "We are closed tomorrow at 16:00; choose a time within our opening hours."},
		{name: "when dinner ends", given: given(opened), when: scheduleAt("2026-03-03", "22:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "We are closed today at 22:00"},
		{name: "a closed weekday", given: given(opened), when: scheduleAt("2026-03-09", "19:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "We are closed on Monday at 19:00; choose a time within our opening hours."},
		{name: "a closed day", given: given(opened), when: scheduleAt("2026-03-05", "19:00"), wantErr: domain.EINVALID, wantField: ScheduleField,
			wantMessage: "We are closed all day on Thursday; choose another day."},
		{name: "a placed order", given: given(opened, pizza, pickup, placed), when: scheduleAt("2026-03-03", "19:30"), wantErr: domain.ECONFLICT},
		{name: "the week after", given: given(opened), when: ScheduleFor{For: lisbonAt("2026-03-11", "10:00"), Window: Window{Now: lisbonAt("2026-03-04", "12:00"), Hours: hours}},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "We are closed on Wednesday 11 March at 10:00"},
		{name: "a canceled order", given: given(opened, cancel), when: scheduleAt("2026-03-03", "19:30"), wantErr: domain.ECONFLICT},
		{name: "no order", when: scheduleAt("2026-03-03", "19:30"), wantErr: domain.ENOTFOUND},
	})
}

func TestClearSchedule(t *testing.T) {
	runAll(t, []spec{
		{name: "as soon as possible again", given: given(opened, forLater), when: ClearSchedule{}, then: []domain.Event{OrderScheduleCleared{OrderID: oid}}},
		{name: "already as soon as possible", given: given(opened), when: ClearSchedule{}},
		{name: "cleared twice", given: given(opened, forLater, OrderScheduleCleared{OrderID: oid}), when: ClearSchedule{}},
		{name: "a placed order", given: given(opened, pizza, pickup, forLater, placed), when: ClearSchedule{}, wantErr: domain.ECONFLICT},
	})
}

// TestPlacingForLater: an order for later is placed while the restaurant
// is closed now, but not while online orders are paused, and its time is
// checked again when it is placed.
func TestPlacingForLater(t *testing.T) {
	const closed = "We are closed now; ordering opens today at 18:00."
	dinner := OrderScheduled{OrderID: oid, For: lisbonAt("2026-03-03", "19:30").UTC()}
	ready := given(opened, pizza, pickup, anaName, dinner)
	now := teaTime.Now.UTC()
	placedForDinner := OrderPlaced{OrderID: oid, PlacedAt: now, Total: domain.Cents(1900), ScheduledFor: dinner.For}
	noDinner := func() settings.State { // the hours changed since: lunch only
		var week settings.Week
		week[time.Tuesday] = []settings.Range{{Opens: 12 * 60, Closes: 15 * 60}}
		return settings.Evolve(hours, settings.OpeningHoursSet{Week: week})
	}()
	runAll(t, []spec{
		{name: "while open", given: ready, when: PlaceOrder{At: now, Window: teaTime}, then: []domain.Event{placedForDinner}},
		{name: "while closed now", given: ready, when: PlaceOrder{At: now, Closed: closed, Window: teaTime}, then: []domain.Event{placedForDinner}},
		{name: "while the kitchen is full", given: ready, when: PlaceOrder{At: now, Closed: "The kitchen is full for now.", Window: teaTime},
			then: []domain.Event{placedForDinner}},
		{name: "while paused", given: ready, when: PlaceOrder{At: now, Closed: "We are not taking online orders right now.", Paused: true, Window: teaTime},
			wantErr: domain.ECONFLICT, wantMessage: "We are not taking online orders right now."},
		{name: "as soon as possible while closed", given: given(opened, pizza, pickup, anaName), when: PlaceOrder{At: now, Closed: closed, Window: teaTime},
			wantErr: domain.ECONFLICT, wantMessage: closed},
		{name: "as soon as possible again while closed", given: given(opened, pizza, pickup, anaName, dinner, OrderScheduleCleared{OrderID: oid}),
			when: PlaceOrder{At: now, Closed: closed, Window: teaTime}, wantErr: domain.ECONFLICT, wantMessage: closed},
		{name: "the hours changed since", given: ready, when: PlaceOrder{At: now, Window: Window{Now: teaTime.Now, Hours: noDinner}},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "We are closed today at 19:30; choose a time within our opening hours."},
		{name: "the time passed since", given: ready, when: PlaceOrder{At: now, Window: Window{Now: lisbonAt("2026-03-03", "19:45"), Hours: hours}},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "That time has passed"},
		{name: "the kitchen's queue grew since", given: ready,
			when:    PlaceOrder{At: now, Window: Window{Now: teaTime.Now, Ready: lisbonAt("2026-03-03", "19:40"), Hours: hours}},
			wantErr: domain.EINVALID, wantField: ScheduleField, wantMessage: "the earliest we can manage is today at 19:45."},
		{name: "what the order lacks is told before its time", given: given(opened, pizza, dinner), when: PlaceOrder{At: now, Window: Window{Now: lisbonAt("2026-03-04", "10:00")}},
			wantErr: domain.EINVALID, wantField: ""},
	})
}

// TestOpeningWhileClosed: a guest may start an order while the restaurant
// is closed, to place it for later, unless online orders are paused or it
// does not open again within a week.
func TestOpeningWhileClosed(t *testing.T) {
	const closed = "We are closed now; ordering opens today at 18:00."
	now := teaTime.Now.UTC()
	open := func(paused bool, opens time.Time) OpenOrder {
		return OpenOrder{OrderID: oid, CustomerID: "cust-1", At: now, Closed: closed, Paused: paused, Opens: opens}
	}
	openedNow := OrderOpened{OrderID: oid, CustomerID: "cust-1", OpenedAt: now}
	runAll(t, []spec{
		{name: "opens later today", when: open(false, lisbonAt("2026-03-03", "18:00")), then: []domain.Event{openedNow}},
		{name: "opens in a week", when: open(false, now.Add(MaxAhead)), then: []domain.Event{openedNow}},
		{name: "opens in more than a week", when: open(false, now.Add(MaxAhead+time.Minute)), wantErr: domain.ECONFLICT, wantMessage: closed},
		{name: "never opens", when: open(false, time.Time{}), wantErr: domain.ECONFLICT, wantMessage: closed},
		{name: "paused", when: open(true, lisbonAt("2026-03-03", "18:00")), wantErr: domain.ECONFLICT, wantMessage: closed},
	})
}

func TestSlots(t *testing.T) {
	clocks := func(ts []time.Time) string {
		var out []string
		for _, t := range ts {
			out = append(out, t.In(lisbon).Format("Mon 15:04"))
		}
		return strings.Join(out, ", ")
	}
	late := Window{Now: lisbonAt("2026-03-03", "21:10"), Hours: hours}
	for _, tc := range []struct {
		name string
		w    Window
		n    int
		want string
	}{
		{name: "from dinner's opening", w: teaTime, n: 3, want: "Tue 18:00, Tue 18:15, Tue 18:30"},
		{name: "from the next quarter hour after the lead", w: Window{Now: lisbonAt("2026-03-03", "18:07"), Hours: hours}, n: 2, want: "Tue 18:45, Tue 19:00"},
		{name: "from the kitchen's quote", w: Window{Now: teaTime.Now, Ready: lisbonAt("2026-03-03", "19:01"), Hours: hours}, n: 2, want: "Tue 19:15, Tue 19:30"},
		{name: "on to tomorrow's lunch", w: late, n: 4, want: "Tue 21:45, Wed 12:00, Wed 12:15, Wed 12:30"},
		{name: "past a closed day and a closed Monday", w: Window{Now: lisbonAt("2026-03-04", "22:00"), Hours: hours}, n: 1, want: "Fri 12:00"},
		{name: "none in a week", w: Window{Now: teaTime.Now, Hours: settings.Evolve(settings.State{}, settings.OpeningHoursSet{})}, n: 5, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.w.Slots(tc.n)
			if clocks(got) != tc.want {
				t.Fatalf("slots %s, want %s", clocks(got), tc.want)
			}
			for _, s := range got {
				if err := tc.w.Check(s); err != nil {
					t.Errorf("slot %s is refused: %v", s, err)
				}
			}
		})
	}
	// Tuesday's dinner, four days of lunch and dinner (not Thursday, a
	// closed day, nor Monday), and next Tuesday's lunch.
	if n := len(teaTime.Slots(1000)); n != 16+4*26+10 {
		t.Errorf("a week of lunches and dinners has %d slots", n)
	}
}

// An order placed as soon as possible is stored as orders were before
// they had times.
func TestAnOrderAsSoonAsPossibleIsStoredAsBefore(t *testing.T) {
	if b, _ := json.Marshal(placed); strings.Contains(string(b), "scheduled_for") {
		t.Errorf("an order as soon as possible is stored as %s", b)
	}
}
