// Package kitchen is the decider for one kitchen ticket: the cooks' view of a
// placed order, from the moment it reaches the kitchen screen until the food
// is handed over or the ticket is canceled. There is one ticket per placed
// order, and the ticket id is the order id. It is pure: state is rebuilt by
// folding events with Evolve, and Decide turns a command into new events or a
// rejection kitchen staff can read. Times come in commands; there is no clock.
package kitchen

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"restaurant/domain"
)

// RecallWindow is how long after a bump a ticket can still be recalled. Past
// it the food has most likely left the pass, so a recall would be a mistake.
const RecallWindow = 30 * time.Minute

// guestCanceled is why a command that would start a ticket is refused when
// the guest canceled the order first.
const guestCanceled = "The guest canceled this order; do not start it."

// MaxReasonLength is the most runes a cancel reason may have, exported so a
// form can show the limit.
const MaxReasonLength = 200

// The ways an order reaches the guest, as a ticket's Fulfilment holds them.
// The cooks need to know, because a delivery is packed differently.
const (
	FulfilmentPickup   = "pickup"
	FulfilmentDelivery = "delivery"
)

// Status is where a ticket is in its life. It is a string so that it reads
// well in logs, templates and projections.
type Status string

// The statuses of a ticket. StatusNone is a ticket that was never opened.
const (
	StatusNone       Status = ""
	StatusQueued     Status = "queued"
	StatusPreparing  Status = "preparing"
	StatusReady      Status = "ready"
	StatusHandedOver Status = "handed_over"
	StatusCanceled   Status = "canceled"
	// A delivery order handed over is out for delivery, with the courier,
	// until it is delivered.
	StatusOutForDelivery Status = "out_for_delivery"
	StatusDelivered      Status = "delivered"
)

// Item is one dish to cook, as the order had it when it was placed. It has no
// price: the kitchen does not need one. Options are how the guest chose to
// have it made ("Large", "Olives"), by the choices' names; tickets opened
// before dishes had options have none. Allergy says the Note names an
// allergy, what the cooks must leave out; it is optional, false on tickets
// opened before guests could say so, and left out of the stored form when
// false. LineID is the order's line the dish came from, which a cook marks
// done on its own (BumpLine); tickets opened before dishes were marked one
// by one have none, and are bumped whole. Station is the id of the station
// that cooks it, routed when the ticket opened (see Stations.Route), so
// history says where each dish went; "" on tickets opened before there were
// stations, or while there were none: the whole kitchen. FireAt is when a
// dish held back by fire by prep time fires (see FireTimes), decided when
// the ticket opened; zero, and left out, for a dish that fires at once, as
// on every ticket opened before dishes were held.
type Item struct {
	LineID   string    `json:"line_id,omitempty"`
	Name     string    `json:"name"`
	Quantity int       `json:"quantity"`
	Note     string    `json:"note"`
	Allergy  bool      `json:"allergy,omitempty"`
	Options  []string  `json:"options"`
	Station  string    `json:"station,omitempty"`
	FireAt   time.Time `json:"fire_at,omitzero"`
}

// State is a ticket as its history makes it. The zero value is a ticket that
// was never opened. Items and DoneLines are never changed in place by
// Evolve, so a state kept from an earlier revision stays valid.
type State struct {
	TicketID     string
	OrderNumber  int64
	Items        []Item
	Fulfilment   string
	ContactName  string // "" on tickets opened before orders had a contact
	Status       Status
	PlacedAt     time.Time
	OpenedAt     time.Time
	StartedAt    time.Time // kept across a recall: the cooking began then
	BumpedAt     time.Time // zero unless Status is StatusReady or later
	HandedOverAt time.Time
	DeliveredAt  time.Time
	CanceledAt   time.Time
	// Payment is how the order was paid at hand-over, UnpaidReason why it
	// was not; PaymentNotRecorded before the hand-over, or for one from
	// before the kitchen asked.
	Payment      Payment
	UnpaidReason string
	Recalls      int       // how often the ticket came back, a hint of trouble
	DueAt        time.Time // an order for later's time; zero for one as soon as possible
	// DoneLines are the line ids of the dishes marked done, in the order
	// they were; a recall of the ticket keeps them, so the cook undoes the
	// one dish to make again.
	DoneLines []string
	// FiredLines are the line ids of the held dishes fired before their
	// time (TicketLineFired).
	FiredLines []string
}

// Command is a request to change a ticket. It is sealed so that Decide can
// handle every kind of command.
type Command interface{ command() }

// OpenTicket puts a placed order on the kitchen screen. A policy reacting to
// the placed order sends it, possibly more than once, so opening a ticket that
// exists is harmless. TicketID is the order id. ContactName is the name the
// order was placed under, so the cooks can call the guest (personal data),
// and SubjectID whose it is: the order's owner, whose key seals it.
type OpenTicket struct {
	TicketID    string
	OrderNumber int64
	Items       []Item
	Fulfilment  string
	SubjectID   string
	ContactName string
	PlacedAt    time.Time
	At          time.Time
	DueAt       time.Time // an order for later's time (see Scheduled)
	// PrepTimes are how long each dish of Items takes to make (0:
	// unknown), index by index, to fire each by its prep time (see
	// FireTimes); nil fires every dish at once.
	PrepTimes []time.Duration
}

// StartTicket says a cook began preparing the ticket at the time At.
// OrderCanceled is what the order says at that moment, read under the same
// lock as the guest's cancel (the ticket may not have heard of it yet).
type StartTicket struct {
	At            time.Time
	OrderCanceled bool
}

// BumpTicket says the food is ready at the time At.
type BumpTicket struct {
	At time.Time
}

// RecallTicket brings a bumped ticket back to the cooking screen at the time
// At, which also decides whether the recall window is still open. Redo
// (the expo's recall) brings every dish marked done back undone too, each
// with its TicketLineRecalled, so every station that made one makes it
// again; without it the dishes stay marked and a cook undoes the one to
// make again.
type RecallTicket struct {
	At   time.Time
	Redo bool
}

// HandOverTicket says the food left the kitchen at the time At, paid by
// Payment (UnpaidReason says why an unpaid order was not). A delivery order
// goes to the courier, out for delivery.
type HandOverTicket struct {
	Payment      Payment
	UnpaidReason string
	At           time.Time
}

// DeliverTicket says the courier gave a delivery order to the guest at the
// time At.
type DeliverTicket struct {
	At time.Time
}

// CancelTicket stops work on the ticket at the time At, with an optional
// reason for the cooks. It follows a canceled order; it is not a kitchen
// button.
type CancelTicket struct {
	Reason string
	At     time.Time
}

func (OpenTicket) command()     {}
func (StartTicket) command()    {}
func (BumpTicket) command()     {}
func (RecallTicket) command()   {}
func (HandOverTicket) command() {}
func (DeliverTicket) command()  {}
func (CancelTicket) command()   {}
func (BumpLine) command()       {}
func (RecallLine) command()     {}

// Starting is a command that may start a queued ticket. It is decided
// knowing whether the guest canceled the order, read under the same lock as
// the guest's cancel: KnowingOrder returns the command with that answer.
type Starting interface {
	Command
	KnowingOrder(canceled bool) Command
}

// KnowingOrder implements Starting.
func (c StartTicket) KnowingOrder(canceled bool) Command {
	c.OrderCanceled = canceled
	return c
}

// Evolve applies one event to a state. It is the only place where state
// changes; events of other types leave the state as it was. It never writes
// into the input's or the event's Items: the state gets its own copy.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case TicketOpened:
		return State{
			TicketID:    e.TicketID,
			OrderNumber: e.OrderNumber,
			Items:       slices.Clone(e.Items),
			Fulfilment:  e.Fulfilment,
			ContactName: e.ContactName,
			Status:      StatusQueued,
			PlacedAt:    e.PlacedAt,
			OpenedAt:    e.OpenedAt,
			DueAt:       e.DueAt,
		}
	case TicketStarted:
		s.Status = StatusPreparing
		s.StartedAt = e.StartedAt
	case TicketBumped:
		s.Status = StatusReady
		s.BumpedAt = e.BumpedAt
	case TicketRecalled:
		s.Status = StatusPreparing
		s.BumpedAt = time.Time{}
		s.Recalls++
	case TicketHandedOver:
		s.Status = e.Status()
		s.HandedOverAt = e.HandedOverAt
		s.Payment, s.UnpaidReason = e.Payment, e.UnpaidReason
	case TicketDelivered:
		s.Status = StatusDelivered
		s.DeliveredAt = e.DeliveredAt
	case TicketCanceled:
		s.Status = StatusCanceled
		s.CanceledAt = e.CanceledAt
	case TicketLineBumped:
		s.DoneLines = append(slices.Clip(s.DoneLines), e.LineID)
	case TicketLineFired:
		s.FiredLines = append(slices.Clip(s.FiredLines), e.LineID)
	case TicketLineRecalled:
		var done []string
		for _, id := range s.DoneLines {
			if id != e.LineID {
				done = append(done, id)
			}
		}
		s.DoneLines = done
	}
	return s
}

// Decide checks a command against the current state and returns the events it
// causes, or a *domain.Error explaining why it cannot happen. The state is
// checked before the input, so a cook looking at a stale screen learns that
// the ticket moved on. Repeating a command whose effect is already in place
// decides no events, so a double tap on a kitchen screen is harmless.
func Decide(s State, c Command) ([]domain.Event, error) {
	if c, ok := c.(OpenTicket); ok {
		return decideOpen(s, c)
	}
	if s.Status == StatusNone {
		return nil, domain.NotFound("There is no such ticket.")
	}
	switch c := c.(type) {
	case StartTicket:
		if c.OrderCanceled && s.Status == StatusQueued {
			return nil, domain.Conflict(guestCanceled)
		}
		switch s.Status {
		case StatusQueued:
			return []domain.Event{TicketStarted{TicketID: s.TicketID, StartedAt: c.At}}, nil
		case StatusPreparing:
			return nil, nil
		case StatusReady:
			return nil, domain.Conflict("This ticket is already ready.")
		}
		return nil, finished(s)
	case BumpTicket:
		switch s.Status {
		case StatusQueued, StatusPreparing:
			return []domain.Event{TicketBumped{TicketID: s.TicketID, BumpedAt: c.At}}, nil
		case StatusReady:
			return nil, nil
		}
		return nil, finished(s)
	case RecallTicket:
		switch s.Status {
		case StatusReady:
			if !withinRecallWindow(s, c.At) {
				return nil, domain.Conflict("This ticket was bumped more than 30 minutes ago.")
			}
			events := []domain.Event{TicketRecalled{TicketID: s.TicketID, RecalledAt: c.At}}
			if c.Redo {
				for _, line := range s.DoneLines {
					events = append(events, TicketLineRecalled{TicketID: s.TicketID, LineID: line, Station: s.stationOf(line), RecalledAt: c.At})
				}
			}
			// The ticket is late now: nothing of it waits any more.
			return append(events, firedByRecall(s, c.At)...), nil
		case StatusPreparing:
			return nil, nil
		case StatusQueued:
			return nil, domain.Conflict("This ticket has not been bumped yet, so there is nothing to recall.")
		}
		return nil, finished(s)
	case HandOverTicket:
		return decideHandOver(s, c)
	case DeliverTicket:
		return decideDeliver(s, c)
	case BumpLine:
		return decideBumpLine(s, c)
	case RecallLine:
		return decideRecallLine(s, c)
	case FireLine:
		return decideFireLine(s, c)
	case CancelTicket:
		switch s.Status {
		case StatusQueued, StatusPreparing, StatusReady:
			reason := strings.TrimSpace(c.Reason)
			if utf8.RuneCountInString(reason) > MaxReasonLength {
				return nil, domain.Invalid("reason", "The reason can be at most %d characters long.", MaxReasonLength)
			}
			return []domain.Event{TicketCanceled{TicketID: s.TicketID, Reason: reason, CanceledAt: c.At}}, nil
		case StatusCanceled:
			return nil, nil
		}
		return nil, finished(s)
	}
	return nil, domain.Invalid("", "This action is not available for tickets.")
}

// decideOpen turns a placed order into a ticket. An existing ticket decides
// nothing, before any input check, so that a policy running twice is harmless.
func decideOpen(s State, c OpenTicket) ([]domain.Event, error) {
	if s.Status != StatusNone {
		return nil, nil
	}
	if strings.TrimSpace(c.TicketID) == "" {
		return nil, domain.Invalid("ticket_id", "The ticket needs an id.")
	}
	if len(c.Items) == 0 {
		return nil, domain.Invalid("items", "A ticket needs at least one dish to cook.")
	}
	if len(c.PrepTimes) != 0 && len(c.PrepTimes) != len(c.Items) {
		return nil, domain.Invalid("items", "Every dish on a ticket needs its prep time, or none does.")
	}
	var fire []time.Time
	if len(c.PrepTimes) > 0 {
		fire = FireTimes(c.At, c.PrepTimes)
	}
	items := make([]Item, len(c.Items))
	for i, it := range c.Items {
		it.FireAt = time.Time{}
		if fire != nil && it.LineID != "" {
			it.FireAt = fire[i]
		}
		it.Name = strings.TrimSpace(it.Name)
		it.Note = strings.TrimSpace(it.Note)
		if it.Name == "" {
			return nil, domain.Invalid("items", "Every dish on a ticket needs a name.")
		}
		if it.Quantity < 1 {
			return nil, domain.Invalid("items", "Every dish on a ticket needs a quantity of at least 1.")
		}
		items[i] = it
	}
	if c.Fulfilment != FulfilmentPickup && c.Fulfilment != FulfilmentDelivery {
		return nil, domain.Invalid("fulfilment", "A ticket is either for pickup or for delivery.")
	}
	return []domain.Event{TicketOpened{
		TicketID:    c.TicketID,
		OrderNumber: c.OrderNumber,
		Items:       items,
		Fulfilment:  c.Fulfilment,
		SubjectID:   c.SubjectID,
		ContactName: strings.TrimSpace(c.ContactName),
		PlacedAt:    c.PlacedAt,
		OpenedAt:    c.At,
		DueAt:       c.DueAt,
	}}, nil
}

// decideHandOver gives the food to the guest or the courier, recording how
// the order was paid. A second tap decides nothing, whatever it says of the
// payment: the first one stands.
func decideHandOver(s State, c HandOverTicket) ([]domain.Event, error) {
	switch s.Status {
	case StatusReady:
		reason, err := checkPayment(c.Payment, c.UnpaidReason)
		if err != nil {
			return nil, err
		}
		return []domain.Event{TicketHandedOver{TicketID: s.TicketID, HandedOverAt: c.At, Payment: c.Payment, UnpaidReason: reason,
			OutForDelivery: s.Fulfilment == FulfilmentDelivery}}, nil
	case StatusHandedOver, StatusOutForDelivery, StatusDelivered:
		return nil, nil
	case StatusQueued, StatusPreparing:
		return nil, domain.Conflict("Bump the ticket before handing it over.")
	}
	return nil, finished(s)
}

// decideDeliver ends a delivery's journey. Unlike the kitchen's buttons, a
// second Delivered is refused: the courier who pressed it should know that
// someone already did.
func decideDeliver(s State, c DeliverTicket) ([]domain.Event, error) {
	if s.Status == StatusCanceled {
		return nil, finished(s)
	}
	if s.Fulfilment != FulfilmentDelivery {
		return nil, domain.Conflict("This order is for pickup; there is nothing to deliver.")
	}
	switch s.Status {
	case StatusOutForDelivery:
		return []domain.Event{TicketDelivered{TicketID: s.TicketID, DeliveredAt: c.At}}, nil
	case StatusDelivered:
		return nil, domain.Conflict("This order was already delivered.")
	case StatusHandedOver:
		return nil, domain.Conflict("This order was handed over before deliveries were followed; there is nothing to mark.")
	}
	return nil, domain.Conflict("Hand the order to the courier before marking it delivered.")
}

// finished explains why a handed-over or canceled ticket takes no more
// commands.
func finished(s State) error {
	if s.Status == StatusCanceled {
		return domain.Conflict("This ticket was canceled.")
	}
	return domain.Conflict("This ticket was already handed over.")
}

// withinRecallWindow says whether a ready ticket can still be recalled at
// now: at most RecallWindow after it was bumped, the boundary included.
func withinRecallWindow(s State, now time.Time) bool {
	return now.Sub(s.BumpedAt) <= RecallWindow
}

// CommandName names a button the kitchen screen can offer.
type CommandName string

// The names of the kitchen buttons, as used in URLs. CmdReady is the bump.
// Cancel is not among them: a ticket is canceled when its order is.
const (
	CmdStart    CommandName = "start"
	CmdReady    CommandName = "ready"
	CmdRecall   CommandName = "recall"
	CmdHandOver CommandName = "hand-over"
	// CmdDelivered is the courier's or staff's: a delivery order reached
	// the guest.
	CmdDelivered CommandName = "delivered"
)

// Allowed lists the kitchen buttons that would change s at the time now, so
// that the screen shows only the buttons a cook can use. It mirrors the state
// checks of Decide; now is needed because a recall is only possible within
// RecallWindow of the bump.
func Allowed(s State, now time.Time) []CommandName {
	switch s.Status {
	case StatusQueued:
		return []CommandName{CmdStart, CmdReady}
	case StatusPreparing:
		return []CommandName{CmdReady}
	case StatusReady:
		if withinRecallWindow(s, now) {
			return []CommandName{CmdRecall, CmdHandOver}
		}
		return []CommandName{CmdHandOver}
	case StatusOutForDelivery:
		return []CommandName{CmdDelivered}
	}
	return nil
}
