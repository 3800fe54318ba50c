package ordering

import (
	"time"

	"restaurant/domain"
)

// An order for later: rather than as soon as possible, a guest may ask for
// the order at a time of their choosing, for pickup at the counter or, for
// a delivery, at the door. Times are slots on the restaurant's wall clock,
// every SlotStep, from MinLead after now (or the kitchen's quote, whichever
// is later) up to MaxAhead, within the opening hours and not on a closed
// day. A placed order keeps its time.

// The rules of a time for later, exported so that forms can show them.
const (
	SlotStep = 15 * time.Minute
	MinLead  = 30 * time.Minute
	MaxAhead = 7 * 24 * time.Hour
)

// ScheduleField names the input of a time for later, so that a refusal is
// shown beside it.
const ScheduleField = "scheduled_for"

// Hours says whether the restaurant is open at a moment, as its settings
// tell it: open says t lies within the opening hours, closedDay that t's
// day is a closed day. The settings context answers it (settings.State),
// so that ordering needs no other context to decide.
type Hours interface {
	OpenAt(t time.Time) (open, closedDay bool)
}

// Window is what a time for later is checked against: Now, in the
// restaurant's time zone, whose wall clock the slots are on; Ready, when
// the kitchen could have the order ready (at the door, for a delivery) were
// it placed now, its quote (zero: none, the lead alone counts); and the
// restaurant's Hours (nil: open around the clock).
type Window struct {
	Now   time.Time
	Ready time.Time
	Hours Hours
}

// Earliest is the first slot an order may be asked for.
func (w Window) Earliest() time.Time {
	earliest := w.Now.Add(MinLead)
	if w.Ready.After(earliest) {
		earliest = w.Ready
	}
	return slotFrom(earliest.In(w.Now.Location()))
}

// Check says why an order cannot be asked for at t, on ScheduleField, or
// nil when it can.
func (w Window) Check(t time.Time) error {
	t = t.In(w.Now.Location())
	switch earliest := w.Earliest(); {
	case !onSlot(t):
		return domain.Invalid(ScheduleField, "Choose a time on the quarter hour, such as 19:30.")
	case !t.After(w.Now):
		return domain.Invalid(ScheduleField, "That time has passed; choose a later one.")
	case t.Before(earliest):
		return domain.Invalid(ScheduleField, "That is too soon; the earliest we can manage is %s.", domain.When(w.Now, earliest))
	case t.After(w.Now.Add(MaxAhead)):
		return domain.Invalid(ScheduleField, "Orders can be asked for up to %d days ahead; choose an earlier time.", int(MaxAhead.Hours()/24))
	}
	if w.Hours == nil {
		return nil
	}
	switch open, closedDay := w.Hours.OpenAt(t); {
	case closedDay:
		return domain.Invalid(ScheduleField, "We are closed all day %s; choose another day.", domain.Day(w.Now, t))
	case !open:
		return domain.Invalid(ScheduleField, "We are closed %s; choose a time within our opening hours.", domain.When(w.Now, t))
	}
	return nil
}

// Slots are the first n times an order may be asked for, earliest first,
// as a form offers them.
func (w Window) Slots(n int) []time.Time {
	var out []time.Time
	last := w.Now.Add(MaxAhead)
	for t := w.Earliest(); len(out) < n && !t.After(last); t = t.Add(SlotStep) {
		if w.Check(t) == nil {
			out = append(out, t)
		}
	}
	return out
}

// onSlot says t is on the grid of slots of its wall clock.
func onSlot(t time.Time) bool {
	return t.Minute()%int(SlotStep/time.Minute) == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// slotFrom is the first slot at or after t, on t's wall clock.
func slotFrom(t time.Time) time.Time {
	step := int(SlotStep / time.Minute)
	y, m, d := t.Date()
	slot := time.Date(y, m, d, t.Hour(), t.Minute()/step*step, 0, 0, t.Location())
	if slot.Before(t) {
		slot = slot.Add(SlotStep)
	}
	return slot
}

// ForLater says whether a restaurant that takes no orders now (outside its
// hours, on a closed day) takes orders for later: it is not paused, and
// it opens again within MaxAhead of now. A guest may then open an order and
// place it for a time within the hours.
func ForLater(now, opens time.Time, paused bool) bool {
	return !paused && !opens.IsZero() && !opens.After(now.Add(MaxAhead))
}

// ScheduleFor asks for the order at For, a time for later, checked against
// Window as the restaurant and its kitchen stand now.
type ScheduleFor struct {
	For    time.Time
	Window Window
}

// ClearSchedule asks for the order as soon as possible again.
type ClearSchedule struct{}

func (ScheduleFor) command()   {}
func (ClearSchedule) command() {}

func decideSchedule(s State, c ScheduleFor) ([]domain.Event, error) {
	if err := c.Window.Check(c.For); err != nil {
		return nil, err
	}
	if s.ScheduledFor.Equal(c.For) {
		return nil, nil
	}
	return []domain.Event{OrderScheduled{OrderID: s.OrderID, For: c.For.UTC()}}, nil
}

func decideClearSchedule(s State) ([]domain.Event, error) {
	if s.ScheduledFor.IsZero() {
		return nil, nil
	}
	return []domain.Event{OrderScheduleCleared{OrderID: s.OrderID}}, nil
}
