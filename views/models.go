package views

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
// the guest's input kept.
type FormError struct {
	Form    string            // which form: "add-<item>", "line-<id>", "delivery", "place", "cancel"
	Field   string            // which field, when one is at fault
	Message string            // what to do about it
	Values  map[string]string // what the guest typed
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

// FieldMessage returns the message if it is about the field.
func (e *FormError) FieldMessage(field string) string {
	if e == nil || e.Field != field {
		return ""
	}
	return e.Message
}

// GeneralMessage returns the message if it is about no one field.
func (e *FormError) GeneralMessage(fields ...string) string {
	if e == nil {
		return ""
	}
	for _, f := range fields {
		if e.Field == f {
			return ""
		}
	}
	return e.Message
}

// MenuItemView is one dish on the menu page.
type MenuItemView struct {
	ID          string
	Name        string
	Description string
	Price       string
	SoldOut     bool
	Popular     bool
}

// CategoryView is one section of the menu.
type CategoryView struct {
	Name  string
	Items []MenuItemView
}

// MenuView is the menu page.
type MenuView struct {
	Nav        Nav
	Categories []CategoryView
	// AddAction is where the add forms post: the guest's open order, or
	// the command that opens one.
	AddAction string
	Flash     string
	// FlashItem is the dish the flash is about: the page returns to it, so
	// the message shows there too.
	FlashItem string
	Error     *FormError
	// CommandID is a fresh idempotency key per form on the page.
	CommandID func() string
}

// OrderLineView is one line of an order.
type OrderLineView struct {
	ID        string
	Name      string
	Note      string
	Quantity  int
	UnitPrice string
	Total     string
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
	// Can holds the commands valid now; the page shows only their forms.
	Can       map[string]bool
	Flash     string
	Error     *FormError
	CommandID func() string
}
