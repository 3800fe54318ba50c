package customers

import (
	"strings"

	"restaurant/domain"
)

// EmailStreamPrefix begins the stream id of every email reservation. It
// begins with StreamPrefix too, so SignUp refuses customer ids that would make
// a customer's stream look like a reservation's; a reader that lists customer
// streams by StreamPrefix must skip these.
const EmailStreamPrefix = "customer-email-"

// EmailStream is the stream id of the reservation of one email address. key
// is a keyed hash of the address normalised by NormalizeEmail, computed by the
// application with a secret key: the stream id, which is never encrypted or
// erased, then says nothing about the address, and this package needs no
// key and does no hashing.
func EmailStream(key string) string { return EmailStreamPrefix + key }

// Reservation is an email address's reservation as its history makes it: free
// (never reserved, or released) or held by one customer. The zero value is
// free.
type Reservation struct {
	holder string // the customer id, "" when free
}

// Holder is the customer who holds the email now, "" when it is free.
func (r Reservation) Holder() string { return r.holder }

// Reserved says whether a customer holds the email now.
func (r Reservation) Reserved() bool { return r.holder != "" }

// ReservationCommand is a request to change an email reservation. It is
// sealed so that DecideReservation can handle every kind of command.
type ReservationCommand interface{ reservationCommand() }

// ReserveEmail claims an email address for a customer who is signing up. The
// application appends the first reservation of a stream expecting no stream,
// and a later one at the revision it read, so that of two sign-ups with the
// same email at the same moment exactly one wins; the other is refused by the
// store, or by this decider once it reads the winner's reservation.
type ReserveEmail struct {
	CustomerID string
}

// ReleaseEmail frees an email address when the customer who held it is
// erased, so that the address can sign up again.
type ReleaseEmail struct {
	CustomerID string
}

func (ReserveEmail) reservationCommand() {}
func (ReleaseEmail) reservationCommand() {}

// EvolveReservation applies one event to a reservation; events of other
// types leave it as it was.
func EvolveReservation(r Reservation, e domain.Event) Reservation {
	switch e := e.(type) {
	case EmailReserved:
		r.holder = e.CustomerID
	case EmailReleased:
		if r.holder == e.CustomerID {
			r.holder = ""
		}
	}
	return r
}

// DecideReservation checks a reservation command against the reservation and
// returns the events it causes, or a *domain.Error. Repeating a reservation
// or a release that is already in place decides no events, so a retried
// sign-up or erasure is harmless.
func DecideReservation(r Reservation, c ReservationCommand) ([]domain.Event, error) {
	switch c := c.(type) {
	case ReserveEmail:
		if strings.TrimSpace(c.CustomerID) == "" {
			return nil, domain.Invalid("customer_id", "The reservation needs the id of the customer signing up.")
		}
		switch r.holder {
		case "":
			return []domain.Event{EmailReserved(c)}, nil
		case c.CustomerID:
			return nil, nil
		}
		return nil, domain.Conflict("This email already has an account.")
	case ReleaseEmail:
		if strings.TrimSpace(c.CustomerID) == "" {
			return nil, domain.Invalid("customer_id", "The release needs the id of the customer who holds the email.")
		}
		switch r.holder {
		case "":
			return nil, nil
		case c.CustomerID:
			return []domain.Event{EmailReleased(c)}, nil
		}
		return nil, domain.Conflict("This email belongs to another account, so it cannot be released.")
	}
	return nil, domain.Invalid("", "This action is not available for email reservations.")
}
