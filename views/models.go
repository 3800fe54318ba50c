package views

import (
	"slices"
	"strings"

	"restaurant/domain/menu"
)

// Nav is what the header shows: the guest's latest order, when there is one.
type Nav struct {
	// Account is which account link the header shows: none on staff
	// pages, "Sign in" or "Your account" on the customers' pages.
	Account     AccountLink
	OrderHref   string
	OrderNumber int64
	OrderOpen   bool
	OrderItems  int
	OrderTotal  string
	// Sections are the page's parts the header jumps to: the menu's
	// categories.
	Sections []Section
}

// Section is a part of a page with its own heading, "cat-" + ID.
type Section struct {
	ID, Name string
}

// AccountLink is the header's link to a customer's account.
type AccountLink int

// The account links: none, "Sign in", "Your account".
const (
	AccountNone AccountLink = iota
	AccountSignIn
	AccountSignedIn
)

// FormError is a rejected form, shown next to the form it came from with
// the guest's input kept. Every field at fault has its message next to it at
// once, so a guest fixes them all in one go.
type FormError struct {
	Form    string            // which form: "add-<item>", "line-<id>", "delivery", "contact", "place", "cancel"
	Field   string            // the first field at fault, when one is
	Message string            // what to do about it (every field's message, when several are at fault)
	Fields  []FieldMessage    // each field at fault, in form order
	Values  map[string]string // what the guest typed
	// Lists are every value of the fields that hold several (the choices
	// of a group of options), as the guest sent them.
	Lists map[string][]string
}

// FieldMessage is what to do about one field of a form.
type FieldMessage struct {
	Field   string
	Message string
}

// For returns the error if it belongs to the form, else nil.
func (e *FormError) For(form string) *FormError {
	if e == nil || e.Form != form {
		return nil
	}
	return e
}

// Value returns what the guest typed into a field, or the fallback.
func (e *FormError) Value(field, fallback string) string {
	if e == nil {
		return fallback
	}
	if v, ok := e.Values[field]; ok {
		return v
	}
	return fallback
}

// fields is every field at fault: Fields, or the one Field.
func (e *FormError) fields() []FieldMessage {
	if len(e.Fields) > 0 {
		return e.Fields
	}
	if e.Field != "" {
		return []FieldMessage{{Field: e.Field, Message: e.Message}}
	}
	return nil
}

// FieldMessage returns what is wrong with the field, if anything.
func (e *FormError) FieldMessage(field string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.fields() {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// GeneralMessage returns what is not shown next to one of the fields the
// form has: the message about no field, or those about fields elsewhere.
func (e *FormError) GeneralMessage(fields ...string) string {
	if e == nil {
		return ""
	}
	at := e.fields()
	if len(at) == 0 {
		return e.Message
	}
	var rest []string
	for _, f := range at {
		if !slices.Contains(fields, f.Field) {
			rest = append(rest, f.Message)
		}
	}
	return strings.Join(rest, " ")
}

// MenuItemView is one dish on the menu page.
type MenuItemView struct {
	ID          string
	Name        string
	Description string
	Price       string
	Cents       int64 // the price in cents, for the add button's running price
	SoldOut     bool
	Popular     bool
	Allergens   []menu.Allergen
	Diets       []menu.Diet
	// AllergensUnlisted: nobody listed the dish's allergens yet.
	AllergensUnlisted bool
	Photo             string // the photo's id, "" for none
	// Left counts down a dish cooked in limited portions ("3 left").
	Left string
	// Groups are the dish's choices, chosen when adding it.
	Groups []OptionGroupView
}

// CategoryView is one section of the menu; ID is the category's, stable,
// for the section's anchor.
type CategoryView struct {
	ID    string
	Name  string
	Items []MenuItemView
}

// MenuView is the menu page.
type MenuView struct {
	Nav        Nav
	Categories []CategoryView
	// Filter is what the guest filters by; Shown and Total count the dishes
	// it shows and the dishes on the menu.
	Filter       MenuFilter
	Shown, Total int
	// AddAction is where the add forms post: the guest's open order, or
	// the command that opens one.
	AddAction string
	Flash     string
	// FlashItem is the dish the flash is about: the page returns to it, and
	// the flash shows at the foot of the screen, where the guest is.
	FlashItem string
	Error     *FormError
	// CommandID is a fresh idempotency key per form on the page.
	CommandID func() string
	// Ordering says whether online orders are taken now; when not, the
	// menu says why and offers no add forms.
	Ordering OrderingView
}

// OrderLineView is one line of an order.
type OrderLineView struct {
	ID   string
	Name string
	Note string
	// Allergy says the note names an allergy: shown in words and with a
	// sign, never by colour alone.
	Allergy   bool
	Quantity  int
	UnitPrice string
	Total     string
	// Options are how the guest chose the dish ("Large (+€3.00)").
	Options []string
	// Groups are the dish's choices as the menu has them now, with the
	// line's chosen, to choose again; none when it cannot be.
	Groups []OptionGroupView
	// Notice is what the menu says now of the dish, if the guest should
	// know before placing (sold out, gone, another price).
	Notice string
}

// AddressView is a delivery address.
type AddressView struct {
	Street       string
	City         string
	PostalCode   string
	Instructions string
}

// ContactView is the person behind an order: a name, and a phone.
type ContactView struct {
	Name  string
	Phone string
	// Email is where news of the order goes, "" for none.
	Email string
	// Given says the order has it; else it is what the form starts with.
	Given bool
}

// OrderView is the order page.
type OrderView struct {
	Nav Nav
	// ID is the order's id; Live says the page follows it (once placed).
	ID           string
	Live         bool
	Href         string // the order's URI; command URIs hang below it
	Number       int64
	Status       string
	StatusText   string
	StatusDetail string
	Lines        []OrderLineView
	ItemCount    int
	Total        string
	Fulfilment   string
	Address      AddressView
	// Contact is the order's contact, or what its form starts with.
	Contact ContactView
	// SavedAddresses are a signed-in customer's address book, to deliver
	// to one of them.
	SavedAddresses []SavedAddressView
	// Can holds the commands valid now; the page shows only their forms.
	Can map[string]bool
	// Closed is why an open order cannot be placed now (the restaurant's
	// hours, a pause, a kitchen too full), or "".
	Closed string
	// Quote is when the order will be ready (placed now, or where it
	// stands in the kitchen's queue), in words; Busy says the wait is long.
	Quote     string
	QuoteBusy bool
	// When is the order's time: as soon as possible, or for later.
	When WhenView
	// LaterHint says an order that cannot be placed now may be placed for
	// a time for later (the restaurant is closed, or the kitchen full).
	LaterHint bool
	Flash     string
	Error     *FormError
	CommandID func() string
}

// WhenView is when an order is asked for, and the times it may be.
type WhenView struct {
	// Scheduled is the time for later the order is asked for, in words
	// ("at 19:30", "tomorrow at 12:30"); "" for as soon as possible.
	Scheduled string
	// Value is that time as the form sends it ("2026-03-03T19:30").
	Value string
	// Days are the times a guest may choose, day by day.
	Days []SlotDay
}

// SlotDay is one day's times for later, as a select groups them.
type SlotDay struct {
	Label string // "Today", "Tomorrow", "Friday 6 March"
	Slots []Slot
}

// Slot is one time for later: Value as the form sends it, Label as a
// guest reads it ("19:30").
type Slot struct {
	Value, Label string
}

// SavedAddressView is an address of the customer's book, as a choice.
type SavedAddressView struct {
	ID      string
	Label   string // "Work: Rua Augusta 10, 1100-053 Lisboa"
	Default bool
}

// typedAddressMessage is what the typed delivery address form says at its
// top: a message of no field of its own, and one about a saved address
// when there is no address book to show it beside.
func typedAddressMessage(v OrderView, e *FormError) string {
	if len(v.SavedAddresses) > 0 {
		return e.GeneralMessage("street", "city", "postal_code", "instructions", "address_id")
	}
	return e.GeneralMessage("street", "city", "postal_code", "instructions")
}
