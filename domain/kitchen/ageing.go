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
	case TicketHandedOver:
		return e.HandedOverAt, true
	case TicketCanceled:
		return e.CanceledAt, true
	}
	return time.Time{}, false
}
