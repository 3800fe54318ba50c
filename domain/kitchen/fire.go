package kitchen

import (
	"slices"
	"strings"
	"time"

	"restaurant/domain"
)

// Fire by prep time: each station gets its dishes of a ticket when they
// must start for the whole order to be ready together, so a 4-minute salad
// waits while a 12-minute pizza cooks. For a ticket opened at T whose
// slowest dish takes C, a dish of p fires at T + (C − p); the slowest fire
// at once. The times are decided once, when the ticket opens, from the
// dishes' prep times as the menu had them, and kept in the dishes
// (Item.FireAt), so history says when each fired and why. A dish whose
// prep time is unknown (0) fires at once and holds no other. A held dish
// cannot be marked done until it fires; a cook or the expo may fire it
// early (FireLine), and a recall fires every dish still held.

// FireTimes are when the dishes of a ticket opened at at fire, from their
// prep times (0: unknown): zero for a dish that fires at once, so a ticket
// whose dishes all take as long, or whose times are unknown, holds none.
func FireTimes(at time.Time, prep []time.Duration) []time.Time {
	out := make([]time.Time, len(prep))
	if len(prep) == 0 {
		return out
	}
	slowest := slices.Max(prep)
	for i, p := range prep {
		if p > 0 && p < slowest {
			out[i] = at.Add(slowest - p)
		}
	}
	return out
}

// TicketLineFired records that a held dish fired before its time: a cook
// or the expo said "Fire now", or the ticket was recalled (ByRecall), which
// fires every dish still held. Station is the dish's station, as in
// TicketLineBumped. A dish that reached its fire time has no such event:
// its FireAt says when it fired.
type TicketLineFired struct {
	TicketID string    `json:"ticket_id"`
	LineID   string    `json:"line_id"`
	Station  string    `json:"station,omitempty"`
	FiredAt  time.Time `json:"fired_at"`
	ByRecall bool      `json:"by_recall,omitempty"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketLineFired) EventType() string { return "kitchen.TicketLineFired" }

// FireLine says a held dish, the order's line LineID, is to be cooked now,
// at the time At, rather than at its fire time.
type FireLine struct {
	LineID string
	At     time.Time
}

func (FireLine) command() {}

// CmdFireLine is a held dish's button, as used in URLs.
const CmdFireLine LineCommandName = "fire"

// decideFireLine fires a held dish now. A dish that is not held (it fired
// at its time, was fired already, or was never held) is refused, so that
// a cook learns that someone else fired it.
func decideFireLine(s State, c FireLine) ([]domain.Event, error) {
	switch s.Status {
	case StatusReady:
		return nil, domain.Conflict("This ticket is already ready.")
	case StatusHandedOver, StatusOutForDelivery, StatusDelivered, StatusCanceled:
		return nil, finished(s)
	}
	if strings.TrimSpace(c.LineID) == "" {
		return nil, domain.Invalid("line_id", "Say which dish of the ticket is meant.")
	}
	if err := checkLine(s, c.LineID); err != nil {
		return nil, err
	}
	if !LineHeld(s, c.LineID, c.At) {
		return nil, domain.Conflict("This dish is not held: it has fired already, so it can be cooked now.")
	}
	return []domain.Event{TicketLineFired{TicketID: s.TicketID, LineID: c.LineID, Station: s.stationOf(c.LineID), FiredAt: c.At}}, nil
}

// firedByRecall are the events that fire every dish of s still held at at,
// as a recall does.
func firedByRecall(s State, at time.Time) []domain.Event {
	var events []domain.Event
	for _, it := range s.Items {
		if waiting(s, it.LineID, at) {
			events = append(events, TicketLineFired{TicketID: s.TicketID, LineID: it.LineID, Station: it.Station, FiredAt: at, ByRecall: true})
		}
	}
	return events
}

// LineHeld says whether the dish lineID of s is held at the time at: its
// ticket is being cooked, and the dish has a fire time still to come and
// was not fired early. Dishes without a line id are never held (they are
// bumped whole with their ticket).
func LineHeld(s State, lineID string, at time.Time) bool {
	return (s.Status == StatusQueued || s.Status == StatusPreparing) && waiting(s, lineID, at)
}

// waiting says whether the dish lineID of s has a fire time still to come
// at the time at, and was not fired early, whatever became of its ticket.
func waiting(s State, lineID string, at time.Time) bool {
	if lineID == "" || slices.Contains(s.FiredLines, lineID) {
		return false
	}
	for _, it := range s.Items {
		if it.LineID == lineID {
			return !it.FireAt.IsZero() && at.Before(it.FireAt)
		}
	}
	return false
}

// LineFiredEarly says whether the dish lineID was fired before its time.
func LineFiredEarly(s State, lineID string) bool {
	return lineID != "" && slices.Contains(s.FiredLines, lineID)
}
