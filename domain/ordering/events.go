package ordering

import (
	"time"

	"restaurant/domain"
)

// OrderOpened records that a guest started an order. It is always the first
// event of an order stream.
type OrderOpened struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	OpenedAt   time.Time `json:"opened_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OrderOpened) EventType() string { return "ordering.OrderOpened" }

// ItemAddedToOrder records that a guest put a dish in the order. Name,
// Options and UnitPrice are copied from the menu at that moment, so later
// menu changes never rewrite what the guest saw. UnitPrice is what one of the
// dish costs with its options: the dish's price plus every choice's price
// change. Schema version 2 brought Options; a version 1 event is a dish
// without options, read as such (see internal/contracts). Allergy says the
// Note is an allergy, not a wish: the kitchen must leave out what it names.
// It is optional and left out when false, so lines stored before it read
// as no allergy, and stored lines without one are written as they were.
type ItemAddedToOrder struct {
	OrderID    string         `json:"order_id"`
	LineID     string         `json:"line_id"`
	MenuItemID string         `json:"menu_item_id"`
	Name       string         `json:"name"`
	Quantity   int            `json:"quantity"`
	Note       string         `json:"note"`
	Allergy    bool           `json:"allergy,omitempty"`
	UnitPrice  domain.Money   `json:"unit_price"`
	Options    []ChosenOption `json:"options"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ItemAddedToOrder) EventType() string { return "ordering.ItemAddedToOrder" }

// ItemRemovedFromOrder records that a guest took a line out of the order.
type ItemRemovedFromOrder struct {
	OrderID string `json:"order_id"`
	LineID  string `json:"line_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ItemRemovedFromOrder) EventType() string { return "ordering.ItemRemovedFromOrder" }

// ItemQuantityChanged records the new quantity of a line; it carries the
// result, not a difference, so replaying it twice is harmless to read.
type ItemQuantityChanged struct {
	OrderID  string `json:"order_id"`
	LineID   string `json:"line_id"`
	Quantity int    `json:"quantity"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ItemQuantityChanged) EventType() string { return "ordering.ItemQuantityChanged" }

// ItemOptionsChanged records that a guest chose again how a line's dish is
// made. It carries the result, every choice and the unit price they make
// (the dish's price the line was added at, plus the choices' price changes
// as the menu had them at this moment), not a difference.
type ItemOptionsChanged struct {
	OrderID   string         `json:"order_id"`
	LineID    string         `json:"line_id"`
	Options   []ChosenOption `json:"options"`
	UnitPrice domain.Money   `json:"unit_price"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ItemOptionsChanged) EventType() string { return "ordering.ItemOptionsChanged" }

// PickupChosen records that the guest will collect the order at the
// restaurant; it replaces any delivery address given before.
type PickupChosen struct {
	OrderID string `json:"order_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PickupChosen) EventType() string { return "ordering.PickupChosen" }

// DeliveryAddressGiven records that the guest wants the order delivered, and
// where. It replaces a pickup choice or an earlier address. The address is
// personal data, sealed with the key of SubjectID: the order's owner, the
// guest or customer who opened it ("" in events written before addresses
// were sealed).
type DeliveryAddressGiven struct {
	OrderID   string  `json:"order_id"`
	SubjectID string  `json:"subject_id"`
	Address   Address `json:"address"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (DeliveryAddressGiven) EventType() string { return "ordering.DeliveryAddressGiven" }

// DataSubject is whose key seals the address: the order's owner.
func (e DeliveryAddressGiven) DataSubject() string { return e.SubjectID }

// ContactGiven records who is behind the order: the name the kitchen calls,
// for a delivery the phone the courier rings, and, when the guest gives one,
// the email that news of the order goes to. It replaces an earlier contact.
// Name, Phone and Email are personal data (the phone is stored as digits
// with an optional leading +, the email lowercased; "" when none was given),
// sealed with the key of SubjectID, the order's owner. Email came later and
// is left out when empty, so contacts stored before it read as without one.
type ContactGiven struct {
	OrderID   string `json:"order_id"`
	SubjectID string `json:"subject_id"`
	Name      string `json:"name" personal:"true"`
	Phone     string `json:"phone" personal:"true"`
	Email     string `json:"email,omitempty" personal:"true"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (ContactGiven) EventType() string { return "ordering.ContactGiven" }

// DataSubject is whose key seals the contact: the order's owner.
func (e ContactGiven) DataSubject() string { return e.SubjectID }

// OrderPlaced records that the guest sent the order to the kitchen. Total is
// what the guest agreed to pay, kept so that no later computation can change
// it. ScheduledFor is the time for later the order was placed for, as the
// guest was promised it; it is optional, zero (and left out) for an order as
// soon as possible, and so for every order placed before orders had times.
type OrderPlaced struct {
	OrderID      string       `json:"order_id"`
	PlacedAt     time.Time    `json:"placed_at"`
	Total        domain.Money `json:"total"`
	ScheduledFor time.Time    `json:"scheduled_for,omitzero"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OrderPlaced) EventType() string { return "ordering.OrderPlaced" }

// OrderCanceled records that the order will not be fulfilled, and why.
type OrderCanceled struct {
	OrderID    string    `json:"order_id"`
	Reason     string    `json:"reason"`
	CanceledAt time.Time `json:"canceled_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OrderCanceled) EventType() string { return "ordering.OrderCanceled" }

// OrderPreparationStarted: the kitchen began cooking the order, so it can no
// longer be canceled.
type OrderPreparationStarted struct {
	OrderID   string    `json:"order_id"`
	StartedAt time.Time `json:"started_at"`
}

// EventType implements domain.Event.
func (OrderPreparationStarted) EventType() string { return "ordering.OrderPreparationStarted" }

// OrderScheduled records that the guest asked for the order at a time for
// later, For: pickup at the counter then, or a delivery at the door. It
// replaces an earlier time.
type OrderScheduled struct {
	OrderID string    `json:"order_id"`
	For     time.Time `json:"scheduled_for"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OrderScheduled) EventType() string { return "ordering.OrderScheduled" }

// OrderScheduleCleared records that the guest wants the order as soon as
// possible again, rather than at the time they had asked for.
type OrderScheduleCleared struct {
	OrderID string `json:"order_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (OrderScheduleCleared) EventType() string { return "ordering.OrderScheduleCleared" }

// Events returns one zero value of every event type of an order, so that an
// event codec can register them all without this package knowing about it.
func Events() []domain.Event {
	return []domain.Event{
		OrderOpened{},
		ItemAddedToOrder{},
		ItemRemovedFromOrder{},
		ItemQuantityChanged{},
		PickupChosen{},
		DeliveryAddressGiven{},
		OrderPlaced{},
		OrderCanceled{},
		OrderPreparationStarted{},
		ContactGiven{},
		ItemOptionsChanged{},
		OrderScheduled{},
		OrderScheduleCleared{},
	}
}
