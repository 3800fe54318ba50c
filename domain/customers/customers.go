// Package customers is the decider for the restaurant's customers: the person
// behind an order, their address book, the guest orders taken into their
// account, and their right to be forgotten. A second, tiny aggregate reserves
// each email address for one account (see email.go). It is pure: ids, times
// and the email's keyed hash come in with the commands, state is rebuilt by
// folding events with Evolve, and Decide turns a command into new events or a
// rejection a customer can read.
package customers

import (
	"slices"
	"strings"
	"time"

	"restaurant/domain"
)

// StreamPrefix begins the stream id of every customer, so that the event
// store and the projections can tell customer streams from others.
const StreamPrefix = "customer-"

// Stream is the stream id of one customer's events.
func Stream(customerID string) string { return StreamPrefix + customerID }

// Status is where a customer is in their life. It is a string so that it
// reads well in logs, templates and projections.
type Status string

// The statuses of a customer. StatusNone is a customer who never signed up.
const (
	StatusNone   Status = ""
	StatusActive Status = "active"
	StatusErased Status = "erased"
)

// Address is one entry of a customer's address book, every field trimmed.
type Address struct {
	AddressID    string
	Nickname     string
	Street       string
	PostalCode   string
	City         string
	Instructions string
}

// State is a customer as their history makes them. The zero value is a
// customer who never signed up. Its fields are unexported so that only Evolve
// changes it, and Evolve never writes into the slices of an earlier state, so
// a state kept from an earlier revision stays valid. Once erased, a state
// holds the customer id, the status and the time of erasure, nothing else.
type State struct {
	customerID     string
	status         Status
	name           string
	email          string
	phone          string
	signedUpAt     time.Time
	addresses      []Address // in the order they were added
	defaultAddress string    // an address id, or "" when the book is empty
	adopted        []string  // order ids, in the order they were adopted
	guests         []string  // the guests whose orders were adopted, each once
	passkeys       []Passkey // in the order they were added
	erasedAt       time.Time
}

// CustomerID is the id the customer signed up with.
func (s State) CustomerID() string { return s.customerID }

// Status says whether the customer signed up, and whether they were erased.
func (s State) Status() Status { return s.status }

// Name is the customer's name, trimmed.
func (s State) Name() string { return s.name }

// Email is the customer's email address, normalised by NormalizeEmail; it is
// what the application hashes to find the customer's email reservation.
func (s State) Email() string { return s.email }

// Phone is the customer's phone number, normalised by NormalizePhone.
func (s State) Phone() string { return s.phone }

// SignedUpAt is when the customer signed up.
func (s State) SignedUpAt() time.Time { return s.signedUpAt }

// ErasedAt is when the customer was erased, zero if they were not.
func (s State) ErasedAt() time.Time { return s.erasedAt }

// Addresses is the address book in the order the addresses were added. It is
// a copy, so the caller may change it freely.
func (s State) Addresses() []Address { return slices.Clone(s.addresses) }

// Address finds an address by id, so that callers need not search the book.
func (s State) Address(id string) (Address, bool) {
	i := s.addressIndex(id)
	if i < 0 {
		return Address{}, false
	}
	return s.addresses[i], true
}

// Default is the address orders go to unless the customer says otherwise;
// false when the address book is empty.
func (s State) Default() (Address, bool) { return s.Address(s.defaultAddress) }

// AdoptedOrders are the ids of the guest orders taken into the account, in
// the order they were adopted. It is a copy.
func (s State) AdoptedOrders() []string { return slices.Clone(s.adopted) }

// HasAdopted says whether a guest order was already taken into the account.
func (s State) HasAdopted(orderID string) bool { return slices.Contains(s.adopted, orderID) }

// Guests are the guests whose orders the account adopted, each once, in the
// order they first came in: the same person, whose contacts on those orders
// are sealed with the guest's key. It is a copy.
func (s State) Guests() []string { return slices.Clone(s.guests) }

func (s State) addressIndex(id string) int {
	return slices.IndexFunc(s.addresses, func(a Address) bool { return a.AddressID == id })
}

// Command is a request to change a customer. It is sealed so that Decide can
// handle every kind of command.
type Command interface{ command() }

// SignUp opens an account. CustomerID and At come from the caller, so that
// this package stays free of randomness and clocks. The application reserves
// the email (ReserveEmail) before it appends the sign-up, and keeps the
// password, hashed, outside the event log.
type SignUp struct {
	CustomerID string
	Name       string
	Email      string
	Phone      string
	At         time.Time
}

// ChangeDetails sets the customer's name and phone. The email is not here:
// changing it means moving its reservation, which is a flow of its own.
type ChangeDetails struct {
	Name  string
	Phone string
}

// AddAddress puts an address in the address book. AddressID comes from the
// caller; the first address becomes the default.
type AddAddress struct {
	AddressID    string
	Nickname     string
	Street       string
	PostalCode   string
	City         string
	Instructions string
}

// ChangeAddress rewrites an address of the book, keeping its id.
type ChangeAddress struct {
	AddressID    string
	Nickname     string
	Street       string
	PostalCode   string
	City         string
	Instructions string
}

// RemoveAddress takes an address out of the book; if it was the default, the
// oldest remaining address becomes the default.
type RemoveAddress struct {
	AddressID string
}

// ChooseDefaultAddress makes an address of the book the default.
type ChooseDefaultAddress struct {
	AddressID string
}

// AdoptGuestOrder takes an order placed as a guest into the account, when the
// guest signs up or in. OrderID and GuestID come from the guest's browser,
// where the guest id was kept while they ordered.
type AdoptGuestOrder struct {
	OrderID string
	GuestID string
	At      time.Time
}

// Erase forgets the customer: the right to be forgotten. The application also
// releases the email reservation, so the address can sign up again.
type Erase struct {
	At time.Time
}

func (SignUp) command()               {}
func (ChangeDetails) command()        {}
func (AddAddress) command()           {}
func (ChangeAddress) command()        {}
func (RemoveAddress) command()        {}
func (ChooseDefaultAddress) command() {}
func (AdoptGuestOrder) command()      {}
func (Erase) command()                {}

// The passkey commands, AddPasskey and RemovePasskey, are in passkeys.go.

// Evolve applies one event to a state. It is the only place where state
// changes; events of other types leave the state as it was, and so does every
// event after an erasure, so that nothing personal can come back. It never
// writes into the input's slices: changes go to a fresh copy.
func Evolve(s State, e domain.Event) State {
	if s.status == StatusErased {
		return s
	}
	switch e := e.(type) {
	case CustomerSignedUp:
		return State{
			customerID: e.CustomerID,
			status:     StatusActive,
			name:       e.Name,
			email:      e.Email,
			phone:      e.Phone,
			signedUpAt: e.SignedUpAt,
		}
	case CustomerDetailsChanged:
		s.name, s.phone = e.Name, e.Phone
	case AddressAdded:
		s.addresses = slices.Concat(s.addresses, []Address{{
			AddressID:    e.AddressID,
			Nickname:     e.Nickname,
			Street:       e.Street,
			PostalCode:   e.PostalCode,
			City:         e.City,
			Instructions: e.Instructions,
		}})
	case AddressChanged:
		if i := s.addressIndex(e.AddressID); i >= 0 {
			s.addresses = slices.Clone(s.addresses)
			s.addresses[i] = Address{
				AddressID:    e.AddressID,
				Nickname:     e.Nickname,
				Street:       e.Street,
				PostalCode:   e.PostalCode,
				City:         e.City,
				Instructions: e.Instructions,
			}
		}
	case AddressRemoved:
		if i := s.addressIndex(e.AddressID); i >= 0 {
			s.addresses = slices.Concat(s.addresses[:i:i], s.addresses[i+1:])
		}
		if s.defaultAddress == e.AddressID {
			s.defaultAddress = ""
		}
	case DefaultAddressChosen:
		if s.addressIndex(e.AddressID) >= 0 {
			s.defaultAddress = e.AddressID
		}
	case GuestOrderAdopted:
		if !s.HasAdopted(e.OrderID) {
			s.adopted = slices.Concat(s.adopted, []string{e.OrderID})
		}
		if e.GuestID != "" && !slices.Contains(s.guests, e.GuestID) {
			s.guests = slices.Concat(s.guests, []string{e.GuestID})
		}
	case PasskeyAdded:
		if _, ok := s.Passkey(e.PasskeyID); !ok {
			s.passkeys = slices.Concat(s.passkeys, []Passkey{{PasskeyID: e.PasskeyID, Name: e.Name, AddedAt: e.AddedAt}})
		}
	case PasskeyRemoved:
		if i := slices.IndexFunc(s.passkeys, func(p Passkey) bool { return p.PasskeyID == e.PasskeyID }); i >= 0 {
			s.passkeys = slices.Concat(s.passkeys[:i:i], s.passkeys[i+1:])
		}
	case CustomerErased:
		return State{customerID: s.customerID, status: StatusErased, erasedAt: e.ErasedAt}
	}
	return s
}

// Decide checks a command against the current state and returns the events it
// causes, or a *domain.Error explaining why it cannot happen. The state is
// checked before the input, so a customer looking at a stale page learns that
// the account moved on rather than that a field is wrong. Repeating a command
// whose effect is already in place decides no events, so a double-clicked
// button is harmless.
func Decide(s State, c Command) ([]domain.Event, error) {
	switch s.status {
	case StatusErased:
		return nil, domain.Conflict("This account was erased.")
	case StatusNone:
		if c, ok := c.(SignUp); ok {
			return decideSignUp(c)
		}
		return nil, domain.NotFound("There is no such customer.")
	}
	switch c := c.(type) {
	case SignUp:
		return nil, domain.Conflict("This customer has already signed up.")
	case ChangeDetails:
		name, err := normalizeName(c.Name)
		if err != nil {
			return nil, err
		}
		phone, err := NormalizePhone(c.Phone)
		if err != nil {
			return nil, err
		}
		if name == s.name && phone == s.phone {
			return nil, nil
		}
		return []domain.Event{CustomerDetailsChanged{CustomerID: s.customerID, Name: name, Phone: phone}}, nil
	case AddAddress:
		return decideAddAddress(s, Address(c))
	case ChangeAddress:
		return decideChangeAddress(s, Address(c))
	case RemoveAddress:
		return decideRemoveAddress(s, c)
	case ChooseDefaultAddress:
		if _, ok := s.Address(c.AddressID); !ok {
			return nil, domain.NotFound("That address is not in your address book.")
		}
		if s.defaultAddress == c.AddressID {
			return nil, nil
		}
		return []domain.Event{DefaultAddressChosen{CustomerID: s.customerID, AddressID: c.AddressID}}, nil
	case AdoptGuestOrder:
		if strings.TrimSpace(c.OrderID) == "" {
			return nil, domain.Invalid("order_id", "The guest order needs an id.")
		}
		if strings.TrimSpace(c.GuestID) == "" {
			return nil, domain.Invalid("guest_id", "The guest order needs the id of the guest who placed it.")
		}
		if s.HasAdopted(c.OrderID) {
			return nil, nil
		}
		return []domain.Event{GuestOrderAdopted{CustomerID: s.customerID, OrderID: c.OrderID, GuestID: c.GuestID, AdoptedAt: c.At}}, nil
	case AddPasskey:
		return decideAddPasskey(s, c)
	case RemovePasskey:
		return decideRemovePasskey(s, c)
	case Erase:
		return []domain.Event{CustomerErased{CustomerID: s.customerID, Guests: s.Guests(), ErasedAt: c.At}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for customers.")
}

func decideSignUp(c SignUp) ([]domain.Event, error) {
	switch {
	case strings.TrimSpace(c.CustomerID) == "":
		return nil, domain.Invalid("customer_id", "The customer needs an id.")
	case strings.HasPrefix(Stream(c.CustomerID), EmailStreamPrefix):
		// Such a customer's stream would be an email reservation's.
		return nil, domain.Invalid("customer_id", "A customer id cannot begin with %s.", strings.TrimPrefix(EmailStreamPrefix, StreamPrefix))
	}
	name, err := normalizeName(c.Name)
	if err != nil {
		return nil, err
	}
	email, err := NormalizeEmail(c.Email)
	if err != nil {
		return nil, err
	}
	phone, err := NormalizePhone(c.Phone)
	if err != nil {
		return nil, err
	}
	return []domain.Event{CustomerSignedUp{CustomerID: c.CustomerID, Name: name, Email: email, Phone: phone, SignedUpAt: c.At}}, nil
}

func decideAddAddress(s State, in Address) ([]domain.Event, error) {
	if strings.TrimSpace(in.AddressID) == "" {
		return nil, domain.Invalid("address_id", "The address needs an id.")
	}
	if old, ok := s.Address(in.AddressID); ok {
		if a, err := normalizeAddress(in); err == nil && a == old {
			return nil, nil // the same address, added again by a retry
		}
		return nil, domain.Conflict("An address with this id is already in your address book.")
	}
	if len(s.addresses) >= MaxAddresses {
		return nil, domain.Conflict("An address book can hold at most %d addresses; remove one to add another.", MaxAddresses)
	}
	a, err := normalizeAddress(in)
	if err != nil {
		return nil, err
	}
	if err := s.checkNickname(a); err != nil {
		return nil, err
	}
	events := []domain.Event{AddressAdded{
		CustomerID:   s.customerID,
		AddressID:    a.AddressID,
		Nickname:     a.Nickname,
		Street:       a.Street,
		PostalCode:   a.PostalCode,
		City:         a.City,
		Instructions: a.Instructions,
	}}
	if s.defaultAddress == "" {
		events = append(events, DefaultAddressChosen{CustomerID: s.customerID, AddressID: a.AddressID})
	}
	return events, nil
}

func decideChangeAddress(s State, in Address) ([]domain.Event, error) {
	old, ok := s.Address(in.AddressID)
	if !ok {
		return nil, domain.NotFound("That address is not in your address book.")
	}
	a, err := normalizeAddress(in)
	if err != nil {
		return nil, err
	}
	if err := s.checkNickname(a); err != nil {
		return nil, err
	}
	if a == old {
		return nil, nil
	}
	return []domain.Event{AddressChanged{
		CustomerID:   s.customerID,
		AddressID:    a.AddressID,
		Nickname:     a.Nickname,
		Street:       a.Street,
		PostalCode:   a.PostalCode,
		City:         a.City,
		Instructions: a.Instructions,
	}}, nil
}

func decideRemoveAddress(s State, c RemoveAddress) ([]domain.Event, error) {
	if _, ok := s.Address(c.AddressID); !ok {
		return nil, domain.NotFound("That address is not in your address book.")
	}
	events := []domain.Event{AddressRemoved{CustomerID: s.customerID, AddressID: c.AddressID}}
	if s.defaultAddress == c.AddressID {
		for _, a := range s.addresses { // oldest first
			if a.AddressID != c.AddressID {
				events = append(events, DefaultAddressChosen{CustomerID: s.customerID, AddressID: a.AddressID})
				break
			}
		}
	}
	return events, nil
}

// checkNickname refuses a nickname another address of the book already has,
// ignoring case and surrounding spaces (a is normalised, so already trimmed).
func (s State) checkNickname(a Address) error {
	for _, other := range s.addresses {
		if other.AddressID != a.AddressID && strings.EqualFold(other.Nickname, a.Nickname) {
			return domain.Invalid("nickname", "You already have an address called %s; please choose another nickname.", other.Nickname)
		}
	}
	return nil
}

// normalizeAddress trims every field and checks the rules, returning the
// trimmed address or the first rule broken, in form order.
func normalizeAddress(a Address) (Address, error) {
	var err error
	if a.Nickname, err = line("nickname", "Please give the address a nickname, like Home or Office.", "The nickname", a.Nickname, MaxNicknameLength); err != nil {
		return Address{}, err
	}
	if a.Street, err = line("street", "Please enter the street and house number.", "The street", a.Street, MaxStreetLength); err != nil {
		return Address{}, err
	}
	if a.PostalCode, err = line("postal_code", "Please enter the postal code.", "The postal code", a.PostalCode, MaxPostalCodeLength); err != nil {
		return Address{}, err
	}
	if a.City, err = line("city", "Please enter the city.", "The city", a.City, MaxCityLength); err != nil {
		return Address{}, err
	}
	a.Instructions = strings.TrimSpace(a.Instructions)
	if err := text("instructions", "Delivery instructions", a.Instructions, MaxInstructionsLength, true); err != nil {
		return Address{}, err
	}
	return a, nil
}

// CommandName names a command the web layer can offer as a form.
type CommandName string

// The names of the commands on a customer, as used in URLs.
const (
	CmdSignUp               CommandName = "sign-up"
	CmdChangeDetails        CommandName = "change-details"
	CmdAddAddress           CommandName = "add-address"
	CmdChangeAddress        CommandName = "change-address"
	CmdRemoveAddress        CommandName = "remove-address"
	CmdChooseDefaultAddress CommandName = "choose-default-address"
	CmdAdoptGuestOrder      CommandName = "adopt-guest-order"
	CmdAddPasskey           CommandName = "add-passkey"
	CmdRemovePasskey        CommandName = "remove-passkey"
	CmdErase                CommandName = "erase"
)

// Allowed lists the commands that could succeed on s now, with suitable
// input, so that the web layer shows only the forms a customer can use. It
// mirrors the state checks of Decide.
func Allowed(s State) []CommandName {
	switch s.status {
	case StatusNone:
		return []CommandName{CmdSignUp}
	case StatusActive:
		names := []CommandName{CmdChangeDetails}
		if len(s.addresses) < MaxAddresses {
			names = append(names, CmdAddAddress)
		}
		if len(s.addresses) > 0 {
			names = append(names, CmdChangeAddress, CmdRemoveAddress, CmdChooseDefaultAddress)
		}
		names = append(names, CmdAdoptGuestOrder)
		if len(s.passkeys) < MaxPasskeys {
			names = append(names, CmdAddPasskey)
		}
		if len(s.passkeys) > 0 {
			names = append(names, CmdRemovePasskey)
		}
		return append(names, CmdErase)
	}
	return nil
}
