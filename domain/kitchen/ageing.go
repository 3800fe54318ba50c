package kitchen

import (
	"time"

	"restaurant/domain"
)

// Ageing is when an open ticket asks for attention, and when it is late,
// counted from its order's placing. The kitchen display marks tickets by
// it, the prep-time report counts late tickets by it, and the board replay
// marks tickets as the display did; it lives here so that all of them read
// the same thresholds.
type Ageing struct {
	Attention time.Duration
	Late      time.Duration
}

// DefaultAgeing is a kitchen's usual patience.
var DefaultAgeing = Ageing{Attention: 8 * time.Minute, Late: 12 * time.Minute}

// Of is how an open ticket of this age is marked: "", "attention" or "late".
//
// An open kitchen display changes these marks by itself, at the moments the
// page gives it (each open ticket's data-waiting-at and data-late-at, and
// the server's clock as data-now on the board; see static/live.js), while
// every page and push renders them as they are when rendered. The screen,
// rather than a push the server would schedule for each threshold, does
// it because it is the screen's own matter: a display with nothing new to
// show costs the server nothing, a thousand displays are not pushed the
// whole board at each ticket's threshold, and a display whose connection
// is down still turns a ticket LATE on time. The server's clock is the one
// that counts, so a tablet whose clock is off still turns on time.
func (a Ageing) Of(age time.Duration) string {
	switch {
	case age >= a.Late:
		return "late"
	case age >= a.Attention:
		return "attention"
	}
	return ""
}

// HappenedAt is when a ticket's event happened by the restaurant's clock,
// as the command that caused it said: a ticket is on the board from its
// order's placing. Events of other kinds say false.
func HappenedAt(e domain.Event) (time.Time, bool) {
	switch e := e.(type) {
	case TicketOpened:
		return e.PlacedAt, true
	case TicketStarted:
		return e.StartedAt, true
	case TicketBumped:
		return e.BumpedAt, true
	case TicketRecalled:
		return e.RecalledAt, true
	case TicketLineBumped:
		return e.BumpedAt, true
	case TicketLineRecalled:
		return e.RecalledAt, true
	case TicketHandedOver:
		return e.HandedOverAt, true
	case TicketCanceled:
		return e.CanceledAt, true
	case TicketDelivered:
		return e.DeliveredAt, true
	}
	return time.Time{}, false
}
