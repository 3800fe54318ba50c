package views

// SignUpView is the sign-up form, with what was typed and what to fix.
type SignUpView struct {
	Nav       Nav
	CommandID string
	Error     *FormError // Form "sign-up"
}

// CustomerSignInView is the customers' sign-in form.
type CustomerSignInView struct {
	Nav     Nav
	Email   string
	Next    string
	Message string
}

// CustomerAccountView is a customer's account page: their details and
// address book.
type CustomerAccountView struct {
	Nav       Nav
	Name      string
	Email     string
	Phone     string
	Addresses []CustomerAddressView
	// Error belongs to the form "details", "address-new" or
	// "address-<id>".
	Error     *FormError
	CommandID func() string
}

// CustomerAddressView is one address of the book, with its forms.
type CustomerAddressView struct {
	ID           string
	Nickname     string
	Street       string
	PostalCode   string
	City         string
	Instructions string
	Default      bool
}

// Href is where the address's commands live.
func (a CustomerAddressView) Href() string { return "/account/addresses/" + a.ID }

// MyOrdersView lists a customer's orders, newest first.
type MyOrdersView struct {
	Nav       Nav
	Message   string // why ordering again did not work
	Orders    []MyOrderView
	CommandID func() string
}

// MyOrderView is one order in a customer's list.
type MyOrderView struct {
	ID       string
	Number   int64
	Status   string
	Items    int
	Total    string
	OpenedAt string
}

// Href is the order's page.
func (o MyOrderView) Href() string { return "/orders/" + o.ID }
