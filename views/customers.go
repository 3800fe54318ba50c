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
	// Passkeys offers "Sign in with a passkey" (to browsers that can).
	Passkeys bool
}

// CustomerAccountView is a customer's account page: their details and
// address book.
type CustomerAccountView struct {
	Nav       Nav
	Name      string
	Email     string
	Phone     string
	Addresses []CustomerAddressView
	Passkeys  []CustomerPasskeyView
	// CanAddPasskey offers adding a passkey (to browsers that can): the
	// site is reached by a name and the account has room for one more.
	CanAddPasskey bool
	// PasskeysFull says why no passkey can be added, when the account
	// holds as many as it may.
	PasskeysFull string
	// Error belongs to the form "details", "address-new", "address-<id>"
	// or "passkey-<id>".
	Error     *FormError
	CommandID func() string
}

// CustomerPasskeyView is one passkey on the account page.
type CustomerPasskeyView struct {
	ID       string
	Name     string
	AddedOn  string // "1 Dec 2026"
	LastUsed string // "1 Dec 2026 19:04 UTC", or "never"
}

// Href is where the passkey's commands live.
func (p CustomerPasskeyView) Href() string { return "/account/passkeys/" + p.ID }

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
