package kitchen

import (
	"time"

	"restaurant/domain"
)

// TicketOpened records that a placed order reached the kitchen screen. It
// copies what the cooks need from the order (number, dishes, pickup or
// delivery) so that the kitchen never has to read another stream to cook. It
// is always the first event of a ticket stream. ContactName is whom the
// cooks call at the counter (personal data, sealed with the key of
// SubjectID, the order's owner); it is optional, absent from the tickets of
// orders placed before orders had a contact, which read as "".
type TicketOpened struct {
	TicketID    string    `json:"ticket_id"`
	OrderNumber int64     `json:"order_number"`
	Items       []Item    `json:"items"`
	Fulfilment  string    `json:"fulfilment"`
	SubjectID   string    `json:"subject_id"`
	ContactName string    `json:"contact_name" personal:"true"`
	PlacedAt    time.Time `json:"placed_at"`
	OpenedAt    time.Time `json:"opened_at"`
	// DueAt is the time an order for later is due (see Scheduled); it is
	// optional, zero and left out for an order as soon as possible.
	DueAt time.Time `json:"due_at,omitzero"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketOpened) EventType() string { return "kitchen.TicketOpened" }

// DataSubject is whose key seals the contact's name: the order's owner.
func (e TicketOpened) DataSubject() string { return e.SubjectID }

// TicketStarted records that a cook began preparing the ticket, so the screen
// can show it as in progress and how long it has been cooking.
type TicketStarted struct {
	TicketID  string    `json:"ticket_id"`
	StartedAt time.Time `json:"started_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketStarted) EventType() string { return "kitchen.TicketStarted" }

// TicketBumped records that the food is ready: the cook "bumped" the ticket
// off the cooking screen to the pass.
type TicketBumped struct {
	TicketID string    `json:"ticket_id"`
	BumpedAt time.Time `json:"bumped_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketBumped) EventType() string { return "kitchen.TicketBumped" }

// TicketRecalled records that a bumped ticket came back on the cooking
// screen, usually because it was bumped by mistake or a dish needs redoing.
type TicketRecalled struct {
	TicketID   string    `json:"ticket_id"`
	RecalledAt time.Time `json:"recalled_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketRecalled) EventType() string { return "kitchen.TicketRecalled" }

// TicketLineBumped records that one dish of the ticket is done, so the cooks
// see what is left of it. The ticket's last open dish bumped is followed, in
// the same decision, by TicketBumped: the ticket is then ready as if it had
// been bumped whole. Station is the station that cooked it, the dish's
// own (Item.Station); optional, "" for the whole kitchen and in events
// written before there were stations.
type TicketLineBumped struct {
	TicketID string    `json:"ticket_id"`
	LineID   string    `json:"line_id"`
	Station  string    `json:"station,omitempty"`
	BumpedAt time.Time `json:"bumped_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketLineBumped) EventType() string { return "kitchen.TicketLineBumped" }

// TicketLineRecalled records that a dish marked done was not done after all
// (tapped by mistake, or to be made again), while the ticket was not ready,
// or with the ticket when the expo recalled it to be made again. Station is
// the dish's station, as in TicketLineBumped.
type TicketLineRecalled struct {
	TicketID   string    `json:"ticket_id"`
	LineID     string    `json:"line_id"`
	Station    string    `json:"station,omitempty"`
	RecalledAt time.Time `json:"recalled_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketLineRecalled) EventType() string { return "kitchen.TicketLineRecalled" }

// TicketHandedOver records that the food left the kitchen: collected by the
// guest, which ends the ticket's life, or given to the courier, when
// OutForDelivery says it is on the road until TicketDelivered. Payment is how
// the order was paid, and UnpaidReason why it was not; all three are
// optional and left out when empty, so hand-overs from before they were
// asked read as "not recorded" (and a delivery then as simply handed over).
type TicketHandedOver struct {
	TicketID       string    `json:"ticket_id"`
	HandedOverAt   time.Time `json:"handed_over_at"`
	Payment        Payment   `json:"payment,omitempty"`
	UnpaidReason   string    `json:"unpaid_reason,omitempty"`
	OutForDelivery bool      `json:"out_for_delivery,omitempty"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketHandedOver) EventType() string { return "kitchen.TicketHandedOver" }

// Status is where the hand-over leaves the ticket: out for delivery with the
// courier, or handed over for good.
func (e TicketHandedOver) Status() Status {
	if e.OutForDelivery {
		return StatusOutForDelivery
	}
	return StatusHandedOver
}

// TicketDelivered records that the courier gave a delivery order to the
// guest: the end of its journey after the kitchen.
type TicketDelivered struct {
	TicketID    string    `json:"ticket_id"`
	DeliveredAt time.Time `json:"delivered_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketDelivered) EventType() string { return "kitchen.TicketDelivered" }

// TicketCanceled records that the ticket will not be cooked or handed over,
// and why, so that the cooks stop working on it.
type TicketCanceled struct {
	TicketID   string    `json:"ticket_id"`
	Reason     string    `json:"reason"`
	CanceledAt time.Time `json:"canceled_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (TicketCanceled) EventType() string { return "kitchen.TicketCanceled" }

// Events returns one zero value of every event type of a ticket, so that an
// event codec can register them all without this package knowing about it.
func Events() []domain.Event {
	return []domain.Event{
		TicketOpened{},
		TicketStarted{},
		TicketBumped{},
		TicketRecalled{},
		TicketHandedOver{},
		TicketCanceled{},
		TicketLineBumped{},
		TicketLineRecalled{},
		TicketDelivered{},
		TicketLineFired{},
	}
}
