package customers

import (
	"time"

	"restaurant/domain"
)

// Personal data in these events: a customer's Name, Email and Phone, an
// address's Nickname, Street, PostalCode, City and Instructions, and a
// passkey's Name, each tagged `personal:"true"`. They are plain strings
// here; the event store seals them with the customer's key (see
// domain.Personal), so that erasing the customer makes them unreadable in
// history that is never rewritten. Ids (customer, address, order, guest,
// passkey) and times are kept in clear, so that streams and projections can
// still be joined after an erasure.

// CustomerSignedUp records that a person opened an account. It is always the
// first event of a customer stream. Email and Phone are normalised (see
// NormalizeEmail and NormalizePhone). The password is not here: it lives
// hashed outside the event log, like a staff member's.
type CustomerSignedUp struct {
	CustomerID string    `json:"customer_id"`
	Name       string    `json:"name" personal:"true"`
	Email      string    `json:"email" personal:"true"`
	Phone      string    `json:"phone" personal:"true"`
	SignedUpAt time.Time `json:"signed_up_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CustomerSignedUp) EventType() string { return "customers.CustomerSignedUp" }

// DataSubject is whose key seals the personal fields: the customer's.
func (e CustomerSignedUp) DataSubject() string { return e.CustomerID }

// CustomerDetailsChanged records a customer's new name and phone. It carries
// both results, not what changed, so a reader needs no earlier event to show
// them.
type CustomerDetailsChanged struct {
	CustomerID string `json:"customer_id"`
	Name       string `json:"name" personal:"true"`
	Phone      string `json:"phone" personal:"true"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CustomerDetailsChanged) EventType() string { return "customers.CustomerDetailsChanged" }

// DataSubject is whose key seals the personal fields: the customer's.
func (e CustomerDetailsChanged) DataSubject() string { return e.CustomerID }

// AddressAdded records a new address in a customer's address book, trimmed.
// Whether it became the default is told by a DefaultAddressChosen after it.
type AddressAdded struct {
	CustomerID   string `json:"customer_id"`
	AddressID    string `json:"address_id"`
	Nickname     string `json:"nickname" personal:"true"`
	Street       string `json:"street" personal:"true"`
	PostalCode   string `json:"postal_code" personal:"true"`
	City         string `json:"city" personal:"true"`
	Instructions string `json:"instructions" personal:"true"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (AddressAdded) EventType() string { return "customers.AddressAdded" }

// DataSubject is whose key seals the personal fields: the customer's.
func (e AddressAdded) DataSubject() string { return e.CustomerID }

// AddressChanged records every field of an address as it now is; the address
// keeps its id, its place in the book and whether it is the default.
type AddressChanged struct {
	CustomerID   string `json:"customer_id"`
	AddressID    string `json:"address_id"`
	Nickname     string `json:"nickname" personal:"true"`
	Street       string `json:"street" personal:"true"`
	PostalCode   string `json:"postal_code" personal:"true"`
	City         string `json:"city" personal:"true"`
	Instructions string `json:"instructions" personal:"true"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (AddressChanged) EventType() string { return "customers.AddressChanged" }

// DataSubject is whose key seals the personal fields: the customer's.
func (e AddressChanged) DataSubject() string { return e.CustomerID }

// AddressRemoved records that an address left the address book. If it was the
// default, a DefaultAddressChosen for the oldest remaining address follows it;
// when none remains, the customer has no default.
type AddressRemoved struct {
	CustomerID string `json:"customer_id"`
	AddressID  string `json:"address_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (AddressRemoved) EventType() string { return "customers.AddressRemoved" }

// DefaultAddressChosen records which address an order is delivered to unless
// the customer says otherwise: chosen by the customer, or passed on by the
// rules (the first address added, the oldest left when the default goes).
type DefaultAddressChosen struct {
	CustomerID string `json:"customer_id"`
	AddressID  string `json:"address_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (DefaultAddressChosen) EventType() string { return "customers.DefaultAddressChosen" }

// GuestOrderAdopted records that an order a guest placed before signing up or
// in now belongs to the customer's account. GuestID is who placed it then.
type GuestOrderAdopted struct {
	CustomerID string    `json:"customer_id"`
	OrderID    string    `json:"order_id"`
	GuestID    string    `json:"guest_id"`
	AdoptedAt  time.Time `json:"adopted_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (GuestOrderAdopted) EventType() string { return "customers.GuestOrderAdopted" }

// PasskeyAdded records that the customer registered a passkey to sign in
// with. PasskeyID is the application's own random id for it, never the
// credential's bytes: the key itself is kept outside the event log. Name is
// what the customer called it, or the default (DefaultPasskeyName).
type PasskeyAdded struct {
	CustomerID string    `json:"customer_id"`
	PasskeyID  string    `json:"passkey_id"`
	Name       string    `json:"name" personal:"true"`
	AddedAt    time.Time `json:"added_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PasskeyAdded) EventType() string { return "customers.PasskeyAdded" }

// DataSubject is whose key seals the passkey's name: the customer's.
func (e PasskeyAdded) DataSubject() string { return e.CustomerID }

// PasskeyRemoved records that the customer took a passkey off the account,
// so that it signs no one in any more.
type PasskeyRemoved struct {
	CustomerID string    `json:"customer_id"`
	PasskeyID  string    `json:"passkey_id"`
	RemovedAt  time.Time `json:"removed_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PasskeyRemoved) EventType() string { return "customers.PasskeyRemoved" }

// CustomerErased records that the customer used the right to be forgotten.
// It is the last event of a customer stream: it carries nothing personal,
// and after it the state holds nothing personal either. Guests are the
// guests whose orders the account had adopted (the same person, by the same
// browser): their keys go with the customer's.
type CustomerErased struct {
	CustomerID string    `json:"customer_id"`
	Guests     []string  `json:"guests"`
	ErasedAt   time.Time `json:"erased_at"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (CustomerErased) EventType() string { return "customers.CustomerErased" }

// ErasedSubjects are the people whose keys are deleted: the customer and
// the guests the account adopted orders of.
func (e CustomerErased) ErasedSubjects() []string {
	return append([]string{e.CustomerID}, e.Guests...)
}

// EmailReserved records that an email address (known to its stream only by a
// keyed hash) belongs to a customer, so that no other account can use it.
type EmailReserved struct {
	CustomerID string `json:"customer_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (EmailReserved) EventType() string { return "customers.EmailReserved" }

// EmailReleased records that an email address is free again, after the
// customer who held it was erased.
type EmailReleased struct {
	CustomerID string `json:"customer_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (EmailReleased) EventType() string { return "customers.EmailReleased" }

// Events returns one zero value of every event type of a customer and of an
// email reservation, so that an event codec can register them all without
// this package knowing about it.
func Events() []domain.Event {
	return []domain.Event{
		CustomerSignedUp{},
		CustomerDetailsChanged{},
		AddressAdded{},
		AddressChanged{},
		AddressRemoved{},
		DefaultAddressChosen{},
		GuestOrderAdopted{},
		CustomerErased{},
		EmailReserved{},
		EmailReleased{},
		PasskeyAdded{},
		PasskeyRemoved{},
	}
}
