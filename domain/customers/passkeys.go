package customers

import (
	"slices"
	"strings"
	"time"

	"restaurant/domain"
)

// Passkey is one passkey on a customer's account, as the customer knows it:
// an id of the application's own and the name they gave it. The key itself
// (its credential id and public key) is the application's to keep, outside
// the event log; this package never sees it.
type Passkey struct {
	PasskeyID string
	Name      string
	AddedAt   time.Time
}

// AddPasskey records a passkey the customer has just registered. PasskeyID
// is random and comes from the caller, never the credential's own bytes; an
// empty Name is given a default that says when the passkey was added.
type AddPasskey struct {
	PasskeyID string
	Name      string
	At        time.Time
}

// RemovePasskey takes a passkey off the account: it signs no one in after.
type RemovePasskey struct {
	PasskeyID string
	At        time.Time
}

func (AddPasskey) command()    {}
func (RemovePasskey) command() {}

// DefaultPasskeyName is the name of a passkey the customer did not name:
// "Passkey added 1 Dec 2026", the day in UTC.
func DefaultPasskeyName(at time.Time) string {
	return "Passkey added " + at.UTC().Format("2 Jan 2006")
}

// NormalizePasskeyName trims a passkey's name and checks it: one line
// without control characters, at most MaxPasskeyNameLength runes. An empty
// name stays empty; AddPasskey then gives the default.
func NormalizePasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	return name, text("name", "A passkey's name", name, MaxPasskeyNameLength, false)
}

// Passkeys are the passkeys on the account, in the order they were added.
// It is a copy.
func (s State) Passkeys() []Passkey { return slices.Clone(s.passkeys) }

// Passkey finds a passkey of the account by id.
func (s State) Passkey(id string) (Passkey, bool) {
	for _, p := range s.passkeys {
		if p.PasskeyID == id {
			return p, true
		}
	}
	return Passkey{}, false
}

func decideAddPasskey(s State, c AddPasskey) ([]domain.Event, error) {
	if strings.TrimSpace(c.PasskeyID) == "" {
		return nil, domain.Invalid("passkey_id", "The passkey needs an id.")
	}
	name, err := NormalizePasskeyName(c.Name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = DefaultPasskeyName(c.At)
	}
	if old, ok := s.Passkey(c.PasskeyID); ok {
		if old.Name == name {
			return nil, nil // the same passkey, added again by a retry
		}
		return nil, domain.Conflict("A passkey with this id is already on your account.")
	}
	if len(s.passkeys) >= MaxPasskeys {
		return nil, domain.Conflict("An account can hold at most %d passkeys; remove one to add another.", MaxPasskeys)
	}
	return []domain.Event{PasskeyAdded{CustomerID: s.customerID, PasskeyID: c.PasskeyID, Name: name, AddedAt: c.At}}, nil
}

func decideRemovePasskey(s State, c RemovePasskey) ([]domain.Event, error) {
	if _, ok := s.Passkey(c.PasskeyID); !ok {
		return nil, domain.NotFound("That passkey is not on your account.")
	}
	return []domain.Event{PasskeyRemoved{CustomerID: s.customerID, PasskeyID: c.PasskeyID, RemovedAt: c.At}}, nil
}
