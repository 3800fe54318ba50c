package kitchen

import (
	"slices"
	"strings"
	"time"

	"restaurant/domain"
)

// BumpLine says one dish of the ticket, the order's line LineID, is done at
// the time At. A dish of a queued ticket starts the ticket too, so like
// StartTicket it is decided knowing whether the guest canceled the order
// (OrderCanceled). The ticket's last open dish makes the ticket ready.
type BumpLine struct {
	LineID        string
	At            time.Time
	OrderCanceled bool
}

// KnowingOrder implements Starting.
func (c BumpLine) KnowingOrder(canceled bool) Command {
	c.OrderCanceled = canceled
	return c
}

// RecallLine says a dish marked done is not done after all, at the time At.
// It is only possible while the ticket is not ready: a ready ticket is
// recalled whole first.
type RecallLine struct {
	LineID string
	At     time.Time
}

// decideBumpLine marks a dish done. Unlike the ticket's own buttons, a dish
// marked twice is refused rather than ignored: two cooks marking the same
// dish should know that one of them did it.
func decideBumpLine(s State, c BumpLine) ([]domain.Event, error) {
	switch s.Status {
	case StatusReady:
		return nil, domain.Conflict("This ticket is already ready.")
	case StatusHandedOver, StatusOutForDelivery, StatusDelivered, StatusCanceled:
		return nil, finished(s)
	}
	if err := checkLine(s, c.LineID); err != nil {
		return nil, err
	}
	if slices.Contains(s.DoneLines, c.LineID) {
		return nil, domain.Conflict("This dish is already marked done.")
	}
	if LineHeld(s, c.LineID, c.At) {
		return nil, domain.Conflict("This dish is held until its fire time; fire it now first to cook it early.")
	}
	var events []domain.Event
	if s.Status == StatusQueued {
		if c.OrderCanceled {
			return nil, domain.Conflict(guestCanceled)
		}
		events = append(events, TicketStarted{TicketID: s.TicketID, StartedAt: c.At})
	}
	events = append(events, TicketLineBumped{TicketID: s.TicketID, LineID: c.LineID, Station: s.stationOf(c.LineID), BumpedAt: c.At})
	if openLines(s) == 1 {
		events = append(events, TicketBumped{TicketID: s.TicketID, BumpedAt: c.At})
	}
	return events, nil
}

// decideRecallLine undoes a dish marked done.
func decideRecallLine(s State, c RecallLine) ([]domain.Event, error) {
	switch s.Status {
	case StatusReady:
		return nil, domain.Conflict("This ticket is ready; recall the ticket before undoing one of its dishes.")
	case StatusHandedOver, StatusOutForDelivery, StatusDelivered, StatusCanceled:
		return nil, finished(s)
	}
	if err := checkLine(s, c.LineID); err != nil {
		return nil, err
	}
	if !slices.Contains(s.DoneLines, c.LineID) {
		return nil, domain.Conflict("This dish is not marked done, so there is nothing to undo.")
	}
	return []domain.Event{TicketLineRecalled{TicketID: s.TicketID, LineID: c.LineID, Station: s.stationOf(c.LineID), RecalledAt: c.At}}, nil
}

// checkLine says whether lineID names a dish of the ticket that can be
// marked on its own.
func checkLine(s State, lineID string) error {
	if strings.TrimSpace(lineID) == "" {
		return domain.Invalid("line_id", "Say which dish of the ticket is meant.")
	}
	if !slices.ContainsFunc(s.Items, func(it Item) bool { return it.LineID == lineID }) {
		return domain.NotFound("There is no such dish on this ticket.")
	}
	return nil
}

// openLines counts the dishes of the ticket not marked done. A dish of a
// ticket opened before dishes had line ids can never be marked, so such a
// ticket is only ever bumped whole.
func openLines(s State) int {
	n := 0
	for _, it := range s.Items {
		if it.LineID == "" || !slices.Contains(s.DoneLines, it.LineID) {
			n++
		}
	}
	return n
}

// LineCommandName names a button a dish on the kitchen screen can offer.
type LineCommandName string

// The buttons of one dish, as used in URLs: mark it done, or undo that.
const (
	CmdBumpLine   LineCommandName = "bump"
	CmdRecallLine LineCommandName = "recall"
)

// LineAllowed lists the buttons of the dish lineID that would change s at
// the time at, so that the screen shows only those a cook can use: a held
// dish can only be fired. It mirrors the checks of Decide; dishes without a
// line id have none.
func LineAllowed(s State, lineID string, at time.Time) []LineCommandName {
	if checkLine(s, lineID) != nil {
		return nil
	}
	switch s.Status {
	case StatusQueued, StatusPreparing:
		if slices.Contains(s.DoneLines, lineID) {
			return []LineCommandName{CmdRecallLine}
		}
		if LineHeld(s, lineID, at) {
			return []LineCommandName{CmdFireLine}
		}
		return []LineCommandName{CmdBumpLine}
	}
	return nil
}

// LineDone says whether the dish lineID is marked done.
func LineDone(s State, lineID string) bool {
	return lineID != "" && slices.Contains(s.DoneLines, lineID)
}

// stationOf is the station of the dish lineID; "" for the whole kitchen.
func (s State) stationOf(lineID string) string {
	for _, it := range s.Items {
		if it.LineID == lineID {
			return it.Station
		}
	}
	return ""
}
