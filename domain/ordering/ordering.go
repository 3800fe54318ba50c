// Package ordering is the decider for one order: a guest opens it, fills it
// with menu items, chooses pickup or delivery, then places or cancels it. It is
// pure: state is rebuilt by folding events with Evolve, and Decide turns a
// command into new events or a rejection a guest can read.
package ordering

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"restaurant/domain"
)

// Limits on an order. Those a guest meets in the order forms are exported so
// that the forms can show them.
const (
	MaxQuantity           = 99  // per line, so a typo cannot order a thousand pizzas
	MaxLines              = 50  // per order, to bound the size of one stream
	MaxNoteLength         = 200 // runes in a line's note to the kitchen
	MaxReasonLength       = 200 // runes in a cancel reason
	maxStreetLength       = 120
	maxCityLength         = 60
	maxPostalLength       = 12
	maxInstructionsLength = 200
)

// Status is where an order is in its life. It is a string so that it reads
// well in logs, templates and projections.
type Status string

// The statuses of an order. StatusNone is an order that was never opened.
const (
	StatusNone     Status = ""
	StatusOpen     Status = "open"
	StatusPlaced   Status = "placed"
	StatusCanceled Status = "canceled"
)

// Fulfilment is how the guest gets the food.
type Fulfilment string

// The ways to fulfil an order. FulfilmentNone means the guest has not chosen
// yet, which blocks placing the order.
const (
	FulfilmentNone     Fulfilment = ""
	FulfilmentPickup   Fulfilment = "pickup"
	FulfilmentDelivery Fulfilment = "delivery"
)

// Line is one dish in an order, with the name, the choices and the unit price
// the menu had when the guest added it, so the order never changes behind the
// guest's back. UnitPrice is what one of it costs, its choices included.
// Allergy says the Note names an allergy: what the kitchen must leave out.
type Line struct {
	LineID     string         `json:"line_id"`
	MenuItemID string         `json:"menu_item_id"`
	Name       string         `json:"name"`
	Quantity   int            `json:"quantity"`
	Note       string         `json:"note"`
	Allergy    bool           `json:"allergy"`
	UnitPrice  domain.Money   `json:"unit_price"`
	Options    []ChosenOption `json:"options"`
}

// Total is what the line costs: unit price times quantity.
func (l Line) Total() domain.Money { return l.UnitPrice.Times(l.Quantity) }

// Address is where a delivery goes. Every field is stored trimmed.
type Address struct {
	Street       string `json:"street" personal:"true"`
	City         string `json:"city" personal:"true"`
	PostalCode   string `json:"postal_code" personal:"true"`
	Instructions string `json:"instructions" personal:"true"`
}

// State is an order as its history makes it. The zero value is an order that
// was never opened. Lines is never changed in place by Evolve, so a state kept
// from an earlier revision stays valid.
type State struct {
	OrderID         string
	CustomerID      string
	Status          Status
	Lines           []Line
	Fulfilment      Fulfilment
	DeliveryAddress Address // set only when Fulfilment is FulfilmentDelivery
	// Contact is the person behind the order, needed before placing it.
	Contact      Contact
	OpenedAt     time.Time
	PlacedAt     time.Time
	CanceledAt   time.Time
	CancelReason string
	// KitchenStarted says the kitchen began cooking: too late to cancel.
	KitchenStarted bool
	// ScheduledFor is the time for later the guest asked for; zero: as
	// soon as possible.
	ScheduledFor time.Time
}

// Total is what the order costs now, the sum of its lines; an empty order
// costs zero euros rather than a Money without a currency.
func (s State) Total() domain.Money {
	total := domain.Cents(0)
	for _, l := range s.Lines {
		total = total.Plus(l.Total())
	}
	return total
}

// Line finds a line by id, so that callers need not search Lines themselves.
func (s State) Line(id string) (Line, bool) {
	i := s.lineIndex(id)
	if i < 0 {
		return Line{}, false
	}
	return s.Lines[i], true
}

// ItemCount is the number of dishes in the order, counting quantities, as a
// basket badge shows it.
func (s State) ItemCount() int {
	n := 0
	for _, l := range s.Lines {
		n += l.Quantity
	}
	return n
}

func (s State) lineIndex(id string) int {
	return slices.IndexFunc(s.Lines, func(l Line) bool { return l.LineID == id })
}

// Command is a request to change an order. It is sealed so that Decide can
// handle every kind of command.
type Command interface{ command() }

// OpenOrder starts an order for a customer. OrderID and At come from the
// caller so that this package stays free of randomness and clocks. Closed
// is why the restaurant takes no online orders at At (its opening hours, a
// pause), as its settings say; empty when it takes them. Paused says Closed
// is a pause, and Opens is when orders are taken again (zero: not known):
// outside the hours an order is still opened, to be placed for later, when
// ForLater says so.
type OpenOrder struct {
	OrderID    string
	CustomerID string
	At         time.Time
	Closed     string
	Paused     bool
	Opens      time.Time
}

// AddItem puts a dish in the order. The caller looked Name, UnitPrice (the
// dish's price on the menu, before any choice) and Options (the dish's
// groups of choices) up in the menu; the order checks the guest's Picks
// against them, prices the line itself, and keeps all of it as it was at
// that moment. LineID comes from the caller so that the same dish can appear
// twice with different notes or choices, or once for an allergy and once
// without. Allergy says the note names an allergy, so it needs a note.
type AddItem struct {
	LineID     string
	MenuItemID string
	Name       string
	Quantity   int
	Note       string
	Allergy    bool
	UnitPrice  domain.Money
	Options    []OptionGroup
	Picks      Picks
	// Caps bound the order the dish goes into.
	Caps Caps
}

// ChangeItemOptions chooses again how a line's dish is made. Options are
// the dish's groups of choices as the menu offers them now, looked up by
// the caller; the line keeps the dish's price it was added at, and takes the
// new choices' price changes.
type ChangeItemOptions struct {
	LineID  string
	Options []OptionGroup
	Picks   Picks
	// Caps bound the order the line is in.
	Caps Caps
}

// RemoveItem takes a line out of the order.
type RemoveItem struct {
	LineID string
}

// ChangeQuantity sets the quantity of a line.
type ChangeQuantity struct {
	LineID   string
	Quantity int
	// Caps bound the order the line is in.
	Caps Caps
}

// ChoosePickup says the guest will collect the order at the restaurant.
type ChoosePickup struct{}

// GiveDeliveryAddress says the guest wants the order delivered to Address.
type GiveDeliveryAddress struct {
	Address Address
}

// GiveContact says who is behind the order: a name for the kitchen to call,
// a phone, which a delivery needs, and optionally an email for news of the
// order. All three are personal data.
type GiveContact struct {
	Name  string
	Phone string
	Email string
}

// PlaceOrder sends the order to the kitchen at the time At. Unavailable is
// what the menu says at that moment of the dishes that cannot be ordered
// (menu item id to why: "sold out", "no longer on the menu"): an order
// holding one of them is not placed. Each line keeps the price it was added
// at, the price the guest saw. Closed is why the restaurant takes no online
// orders at At, as for OpenOrder, or why the kitchen takes none now (too
// full). Paused says Closed is a pause (busy mode), which holds every order;
// anything else holds orders as soon as possible only: an order for later
// is placed all the same, its time checked again against Window, since the
// hours or the kitchen's queue may have changed since it was chosen.
type PlaceOrder struct {
	At          time.Time
	Unavailable map[string]string
	Closed      string
	Paused      bool
	Window      Window
}

// CancelOrder calls the order off, with an optional reason, at the time At.
// KitchenStarted is what the kitchen's ticket says at that moment, read
// under the same lock as the kitchen's start (the order may not have heard
// of the start yet).
type CancelOrder struct {
	Reason         string
	At             time.Time
	KitchenStarted bool
}

// NoteKitchenStarted tells the order that the kitchen began cooking it (a
// policy sends it when the order's ticket is started).
type NoteKitchenStarted struct {
	At time.Time
}

func (NoteKitchenStarted) command() {}

func (OpenOrder) command()           {}
func (AddItem) command()             {}
func (RemoveItem) command()          {}
func (ChangeQuantity) command()      {}
func (ChangeItemOptions) command()   {}
func (ChoosePickup) command()        {}
func (GiveDeliveryAddress) command() {}
func (GiveContact) command()         {}
func (PlaceOrder) command()          {}
func (CancelOrder) command()         {}

// Evolve applies one event to a state. It is the only place where state
// changes; events of other types leave the state as it was. It never writes
// into the input's Lines: changes go to a fresh copy.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case OrderOpened:
		return State{
			OrderID:    e.OrderID,
			CustomerID: e.CustomerID,
			Status:     StatusOpen,
			OpenedAt:   e.OpenedAt,
		}
	case ItemAddedToOrder:
		lines := make([]Line, len(s.Lines), len(s.Lines)+1)
		copy(lines, s.Lines)
		s.Lines = append(lines, Line{
			LineID:     e.LineID,
			MenuItemID: e.MenuItemID,
			Name:       e.Name,
			Quantity:   e.Quantity,
			Note:       e.Note,
			Allergy:    e.Allergy,
			UnitPrice:  e.UnitPrice,
			Options:    e.Options,
		})
	case ItemRemovedFromOrder:
		if i := s.lineIndex(e.LineID); i >= 0 {
			s.Lines = slices.Concat(s.Lines[:i:i], s.Lines[i+1:])
		}
	case ItemQuantityChanged:
		if i := s.lineIndex(e.LineID); i >= 0 {
			s.Lines = slices.Clone(s.Lines)
			s.Lines[i].Quantity = e.Quantity
		}
	case ItemOptionsChanged:
		if i := s.lineIndex(e.LineID); i >= 0 {
			s.Lines = slices.Clone(s.Lines)
			s.Lines[i].Options, s.Lines[i].UnitPrice = e.Options, e.UnitPrice
		}
	case PickupChosen:
		s.Fulfilment = FulfilmentPickup
		s.DeliveryAddress = Address{}
	case DeliveryAddressGiven:
		s.Fulfilment = FulfilmentDelivery
		s.DeliveryAddress = e.Address
	case ContactGiven:
		s.Contact = Contact{Name: e.Name, Phone: e.Phone, Email: e.Email}
	case OrderPlaced:
		s.Status = StatusPlaced
		s.PlacedAt = e.PlacedAt
	case OrderCanceled:
		s.Status = StatusCanceled
		s.CanceledAt = e.CanceledAt
		s.CancelReason = e.Reason
	case OrderPreparationStarted:
		s.KitchenStarted = true
	case OrderScheduled:
		s.ScheduledFor = e.For
	case OrderScheduleCleared:
		s.ScheduledFor = time.Time{}
	}
	return s
}

// Decide checks a command against the current state and returns the events it
// causes, or a *domain.Error explaining why it cannot happen. The state is
// checked before the input, so a guest looking at a stale page learns that the
// order moved on rather than that a field is wrong. Repeating a command whose
// effect is already in place decides no events, so a double-clicked button is
// harmless.
func Decide(s State, c Command) ([]domain.Event, error) {
	if c, ok := c.(OpenOrder); ok {
		return decideOpen(s, c)
	}
	if s.Status == StatusNone {
		return nil, domain.NotFound("There is no such order.")
	}
	if c, ok := c.(CancelOrder); ok {
		return decideCancel(s, c)
	}
	if _, ok := c.(NoteKitchenStarted); ok {
		// Told by the kitchen's events; an order canceled meanwhile, or one
		// already noted, needs nothing more.
		if s.Status != StatusPlaced || s.KitchenStarted {
			return nil, nil
		}
		return []domain.Event{OrderPreparationStarted{OrderID: s.OrderID, StartedAt: c.(NoteKitchenStarted).At}}, nil
	}
	switch s.Status {
	case StatusPlaced:
		return nil, domain.Conflict("This order was already placed; it can no longer be changed.")
	case StatusCanceled:
		return nil, domain.Conflict("This order was canceled; it can no longer be changed.")
	}
	switch c := c.(type) {
	case AddItem:
		return decideAdd(s, c)
	case RemoveItem:
		if _, ok := s.Line(c.LineID); !ok {
			return nil, domain.NotFound("That item is not in your order.")
		}
		return []domain.Event{ItemRemovedFromOrder{OrderID: s.OrderID, LineID: c.LineID}}, nil
	case ChangeQuantity:
		l, ok := s.Line(c.LineID)
		if !ok {
			return nil, domain.NotFound("That item is not in your order.")
		}
		if err := checkQuantity(c.Quantity); err != nil {
			return nil, err
		}
		if c.Quantity == l.Quantity {
			return nil, nil
		}
		e := ItemQuantityChanged{OrderID: s.OrderID, LineID: c.LineID, Quantity: c.Quantity}
		if err := c.Caps.allow(s, Evolve(s, e)); err != nil {
			return nil, err
		}
		return []domain.Event{e}, nil
	case ChangeItemOptions:
		return decideChangeOptions(s, c)
	case ChoosePickup:
		if s.Fulfilment == FulfilmentPickup {
			return nil, nil
		}
		return []domain.Event{PickupChosen{OrderID: s.OrderID}}, nil
	case GiveDeliveryAddress:
		a, err := c.Address.normalize()
		if err != nil {
			return nil, err
		}
		if s.Fulfilment == FulfilmentDelivery && a == s.DeliveryAddress {
			return nil, nil
		}
		return []domain.Event{DeliveryAddressGiven{OrderID: s.OrderID, SubjectID: s.CustomerID, Address: a}}, nil
	case GiveContact:
		contact, err := Contact(c).normalize(s.Fulfilment == FulfilmentDelivery)
		if err != nil {
			return nil, err
		}
		if contact == s.Contact {
			return nil, nil
		}
		return []domain.Event{ContactGiven{OrderID: s.OrderID, SubjectID: s.CustomerID, Name: contact.Name, Phone: contact.Phone, Email: contact.Email}}, nil
	case PlaceOrder:
		return decidePlace(s, c)
	case ScheduleFor:
		return decideSchedule(s, c)
	case ClearSchedule:
		return decideClearSchedule(s)
	}
	return nil, domain.Invalid("", "This action is not available for orders.")
}

func decideOpen(s State, c OpenOrder) ([]domain.Event, error) {
	if s.Status != StatusNone {
		return nil, domain.Conflict("This order is already open.")
	}
	if c.Closed != "" && !ForLater(c.At, c.Opens, c.Paused) {
		return nil, domain.Conflict("%s", c.Closed)
	}
	if strings.TrimSpace(c.OrderID) == "" {
		return nil, domain.Invalid("order_id", "The order needs an id.")
	}
	if strings.TrimSpace(c.CustomerID) == "" {
		return nil, domain.Invalid("customer_id", "Please sign in before starting an order.")
	}
	return []domain.Event{OrderOpened{OrderID: c.OrderID, CustomerID: c.CustomerID, OpenedAt: c.At}}, nil
}

func decideAdd(s State, c AddItem) ([]domain.Event, error) {
	name := strings.TrimSpace(c.Name)
	note := strings.TrimSpace(c.Note)
	switch {
	case strings.TrimSpace(c.LineID) == "":
		return nil, domain.Invalid("line_id", "The order line needs an id.")
	case strings.TrimSpace(c.MenuItemID) == "":
		return nil, domain.Invalid("menu_item_id", "Please choose an item from the menu.")
	case name == "":
		return nil, domain.Invalid("menu_item_id", "This menu item has no name, so it cannot be ordered.")
	case c.UnitPrice.Amount <= 0 || c.UnitPrice.Currency != domain.EUR:
		return nil, domain.Invalid("menu_item_id", "This menu item has no valid price, so it cannot be ordered.")
	}
	var noteErr error
	switch {
	case utf8.RuneCountInString(note) > MaxNoteLength:
		noteErr = domain.Invalid("note", "The note can be at most %d characters long.", MaxNoteLength)
	case c.Allergy && note == "":
		noteErr = domain.Invalid("note", "Please say which allergy, e.g. \"no nuts\", so the kitchen knows what to leave out.")
	}
	chosen, unit, optionsErr := pricedLine(c.UnitPrice, c.Options, c.Picks)
	if err := domain.Fields(fieldErrors(checkQuantity(c.Quantity), noteErr, optionsErr)...); err != nil {
		return nil, err
	}
	if _, ok := s.Line(c.LineID); ok {
		return nil, domain.Conflict("This item was already added to your order.")
	}
	if len(s.Lines) >= MaxLines {
		return nil, domain.Conflict("An order can hold at most %d different items.", MaxLines)
	}
	e := ItemAddedToOrder{
		OrderID:    s.OrderID,
		LineID:     c.LineID,
		MenuItemID: c.MenuItemID,
		Name:       name,
		Quantity:   c.Quantity,
		Note:       note,
		Allergy:    c.Allergy,
		UnitPrice:  unit,
		Options:    chosen,
	}
	if err := c.Caps.allow(s, Evolve(s, e)); err != nil {
		return nil, err
	}
	return []domain.Event{e}, nil
}

func decideChangeOptions(s State, c ChangeItemOptions) ([]domain.Event, error) {
	l, ok := s.Line(c.LineID)
	if !ok {
		return nil, domain.NotFound("That item is not in your order.")
	}
	chosen, unit, err := pricedLine(l.BasePrice(), c.Options, c.Picks)
	if err != nil {
		return nil, err
	}
	if sameChoices(chosen, l.Options) {
		return nil, nil
	}
	e := ItemOptionsChanged{OrderID: s.OrderID, LineID: l.LineID, Options: chosen, UnitPrice: unit}
	if err := c.Caps.allow(s, Evolve(s, e)); err != nil {
		return nil, err
	}
	return []domain.Event{e}, nil
}

func decidePlace(s State, c PlaceOrder) ([]domain.Event, error) {
	later := !s.ScheduledFor.IsZero()
	if c.Closed != "" && (c.Paused || !later) {
		return nil, domain.Conflict("%s", c.Closed)
	}
	if len(s.Lines) == 0 {
		return nil, domain.Invalid("", "Add at least one item before placing your order.")
	}
	if s.Fulfilment == FulfilmentNone {
		return nil, domain.Invalid("", "Choose pickup or delivery before placing your order.")
	}
	if err := domain.Fields(s.Contact.missing(s.Fulfilment)...); err != nil {
		return nil, err
	}
	if later {
		if err := c.Window.Check(s.ScheduledFor); err != nil {
			return nil, err
		}
	}
	var gone []string
	for _, l := range s.Lines {
		if why, ok := c.Unavailable[l.MenuItemID]; ok {
			gone = append(gone, fmt.Sprintf("%s (%s)", l.Name, why))
		}
	}
	switch len(gone) {
	case 0:
		return []domain.Event{OrderPlaced{OrderID: s.OrderID, PlacedAt: c.At, Total: s.Total(), ScheduledFor: s.ScheduledFor}}, nil
	case 1:
		return nil, domain.Conflict("Sorry, %s can no longer be ordered; remove it to place your order.", gone[0])
	}
	return nil, domain.Conflict("Sorry, %s can no longer be ordered; remove them to place your order.", strings.Join(gone, ", "))
}

func decideCancel(s State, c CancelOrder) ([]domain.Event, error) {
	if s.Status == StatusCanceled {
		return nil, domain.Conflict("This order was already canceled.")
	}
	if s.KitchenStarted || c.KitchenStarted {
		return nil, domain.Conflict("The kitchen has already started on this order; it can no longer be canceled.")
	}
	reason := strings.TrimSpace(c.Reason)
	if utf8.RuneCountInString(reason) > MaxReasonLength {
		return nil, domain.Invalid("reason", "The reason can be at most %d characters long.", MaxReasonLength)
	}
	return []domain.Event{OrderCanceled{OrderID: s.OrderID, Reason: reason, CanceledAt: c.At}}, nil
}

func checkQuantity(q int) error {
	if q < 1 || q > MaxQuantity {
		return domain.Invalid("quantity", "Quantity must be between 1 and %d.", MaxQuantity)
	}
	return nil
}

// normalize trims every field and checks the rules, returning the trimmed
// address or every rule broken at once, in form order.
func (a Address) normalize() (Address, error) {
	a = Address{
		Street:       strings.TrimSpace(a.Street),
		City:         strings.TrimSpace(a.City),
		PostalCode:   strings.TrimSpace(a.PostalCode),
		Instructions: strings.TrimSpace(a.Instructions),
	}
	var problems []domain.FieldError
	check := func(field, value, missing, what string, max int) {
		switch {
		case value == "" && missing != "":
			problems = append(problems, domain.FieldError{Field: field, Message: missing})
		case utf8.RuneCountInString(value) > max:
			problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf("%s can be at most %d characters long.", what, max)})
		}
	}
	check("street", a.Street, "Please enter the street and house number.", "The street", maxStreetLength)
	check("postal_code", a.PostalCode, "Please enter the postal code.", "The postal code", maxPostalLength)
	check("city", a.City, "Please enter the city.", "The city", maxCityLength)
	check("instructions", a.Instructions, "", "Delivery instructions", maxInstructionsLength)
	return a, domain.Fields(problems...)
}

// CommandName names a command the web layer can offer as a form.
type CommandName string

// The names of the commands on an open or placed order, as used in URLs.
const (
	CmdAddItem             CommandName = "add-item"
	CmdRemoveItem          CommandName = "remove-item"
	CmdChangeQuantity      CommandName = "change-quantity"
	CmdChangeOptions       CommandName = "change-options"
	CmdChoosePickup        CommandName = "choose-pickup"
	CmdGiveDeliveryAddress CommandName = "add-delivery-address"
	CmdGiveContact         CommandName = "give-contact"
	CmdPlace               CommandName = "place"
	CmdCancel              CommandName = "cancel"
	CmdSchedule            CommandName = "schedule"
	CmdClearSchedule       CommandName = "clear-schedule"
)

// Allowed lists the commands that could succeed on s now, with suitable
// input, so that the web layer shows only the forms a guest can use. It
// mirrors the state checks of Decide.
func Allowed(s State) []CommandName {
	var names []CommandName
	switch s.Status {
	case StatusOpen:
		if len(s.Lines) < MaxLines {
			names = append(names, CmdAddItem)
		}
		if len(s.Lines) > 0 {
			names = append(names, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions)
		}
		names = append(names, CmdChoosePickup, CmdGiveDeliveryAddress, CmdGiveContact, CmdSchedule, CmdClearSchedule)
		if len(s.Lines) > 0 && s.Fulfilment != FulfilmentNone && len(s.Contact.missing(s.Fulfilment)) == 0 {
			names = append(names, CmdPlace)
		}
		names = append(names, CmdCancel)
	case StatusPlaced:
		if !s.KitchenStarted {
			names = append(names, CmdCancel)
		}
	}
	return names
}
