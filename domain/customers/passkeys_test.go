package customers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
)

var (
	addLaptop     = AddPasskey{PasskeyID: "p1", Name: "  Work laptop ", At: t0}
	laptop        = PasskeyAdded{CustomerID: cid, PasskeyID: "p1", Name: "Work laptop", AddedAt: t0}
	laptopRemoved = PasskeyRemoved{CustomerID: cid, PasskeyID: "p1", RemovedAt: t1}
)

// passkeys returns n distinct passkeys.
func passkeys(n int) []domain.Event {
	var es []domain.Event
	for i := range n {
		es = append(es, PasskeyAdded{CustomerID: cid, PasskeyID: fmt.Sprintf("k%d", i), Name: fmt.Sprintf("Key %d", i), AddedAt: t0})
	}
	return es
}

func TestAddPasskey(t *testing.T) {
	longest := strings.Repeat("é", MaxPasskeyNameLength)
	dec1 := time.Date(2026, 12, 1, 23, 30, 0, 0, time.FixedZone("Lisbon summer", 3600)) // 22:30 UTC
	runAll(t, []spec{
		{name: "a name, trimmed", given: given(signedUp), when: addLaptop, then: given(laptop)},
		{name: "no name takes the day it was added", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: " \t ", At: dec1},
			then: given(PasskeyAdded{CustomerID: cid, PasskeyID: "p2", Name: "Passkey added 1 Dec 2026", AddedAt: dec1})},
		{name: "a name of the longest length", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: longest, At: t1},
			then: given(PasskeyAdded{CustomerID: cid, PasskeyID: "p2", Name: longest, AddedAt: t1})},
		{name: "a second passkey", given: given(signedUp, laptop), when: AddPasskey{PasskeyID: "p2", Name: "Phone", At: t1},
			then: given(PasskeyAdded{CustomerID: cid, PasskeyID: "p2", Name: "Phone", AddedAt: t1})},
		{name: "the same passkey again is a retry", given: given(signedUp, laptop), when: addLaptop},
		{name: "another name under a used id", given: given(signedUp, laptop), when: AddPasskey{PasskeyID: "p1", Name: "Phone", At: t1},
			wantErr: domain.ECONFLICT, wantMessage: "already on your account"},
		{name: "a removed passkey's id again", given: given(signedUp, laptop, laptopRemoved), when: addLaptop, then: given(laptop)},
		{name: "as many as an account holds", given: given(signedUp, passkeys(MaxPasskeys)), when: addLaptop,
			wantErr: domain.ECONFLICT, wantMessage: "at most 10 passkeys"},
		{name: "one fewer than an account holds", given: given(signedUp, passkeys(MaxPasskeys-1)), when: addLaptop, then: given(laptop)},
		{name: "no id", given: given(signedUp), when: AddPasskey{PasskeyID: " ", Name: "Phone", At: t1}, wantErr: domain.EINVALID, wantField: "passkey_id"},
		{name: "a name too long", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: longest + "e", At: t1},
			wantErr: domain.EINVALID, wantField: "name", wantMessage: "at most 60"},
		{name: "a name with a line break", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: "Work\nlaptop", At: t1},
			wantErr: domain.EINVALID, wantField: "name", wantMessage: "control characters"},
		{name: "a name with a NUL", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: "Work\x00", At: t1},
			wantErr: domain.EINVALID, wantField: "name", wantMessage: "control characters"},
		{name: "a name of broken bytes", given: given(signedUp), when: AddPasskey{PasskeyID: "p2", Name: "Work \xff", At: t1},
			wantErr: domain.EINVALID, wantField: "name"},
	})
}

func TestRemovePasskey(t *testing.T) {
	runAll(t, []spec{
		{name: "a passkey", given: given(signedUp, laptop), when: RemovePasskey{PasskeyID: "p1", At: t1}, then: given(laptopRemoved)},
		{name: "an unknown passkey", given: given(signedUp, laptop), when: RemovePasskey{PasskeyID: "nope", At: t1},
			wantErr: domain.ENOTFOUND, wantMessage: "That passkey is not on your account."},
		{name: "twice", given: given(signedUp, laptop, laptopRemoved), when: RemovePasskey{PasskeyID: "p1", At: t1},
			wantErr: domain.ENOTFOUND, wantMessage: "not on your account"},
		{name: "on an account without passkeys", given: given(signedUp), when: RemovePasskey{PasskeyID: "p1", At: t1}, wantErr: domain.ENOTFOUND},
	})
}

func TestEvolvePasskeys(t *testing.T) {
	phone := PasskeyAdded{CustomerID: cid, PasskeyID: "p2", Name: "Phone", AddedAt: t1}
	s := fold(signedUp, laptop, phone, laptop)
	want := []Passkey{{PasskeyID: "p1", Name: "Work laptop", AddedAt: t0}, {PasskeyID: "p2", Name: "Phone", AddedAt: t1}}
	if got := s.Passkeys(); !reflect.DeepEqual(got, want) {
		t.Fatalf("passkeys\n got: %#v\nwant: %#v", got, want)
	}
	if p, ok := s.Passkey("p2"); !ok || p.Name != "Phone" {
		t.Errorf("Passkey(p2) = %#v, %v", p, ok)
	}
	s.Passkeys()[0].Name = "Changed"
	if p, _ := s.Passkey("p1"); p.Name != "Work laptop" {
		t.Errorf("changing a returned copy changed the state: %#v", s)
	}

	// Removing never writes into an earlier state's passkeys, and
	// removing an unknown passkey changes nothing.
	before := fold(signedUp, laptop, phone)
	before.passkeys = append(make([]Passkey, 0, 10), before.passkeys...)
	removed := Evolve(before, laptopRemoved)
	if got := before.Passkeys(); !reflect.DeepEqual(got, want) {
		t.Fatalf("removal changed the earlier state: %#v", got)
	}
	if got := removed.Passkeys(); len(got) != 1 || got[0].PasskeyID != "p2" {
		t.Errorf("after removal: %#v", got)
	}
	b := Evolve(before, PasskeyAdded{CustomerID: cid, PasskeyID: "b", Name: "B", AddedAt: t1})
	c := Evolve(before, PasskeyAdded{CustomerID: cid, PasskeyID: "c", Name: "C", AddedAt: t1})
	if b.passkeys[2].PasskeyID != "b" || c.passkeys[2].PasskeyID != "c" {
		t.Errorf("two states evolved from one share passkeys: %q %q", b.passkeys[2].PasskeyID, c.passkeys[2].PasskeyID)
	}
	if s := Evolve(before, PasskeyRemoved{CustomerID: cid, PasskeyID: "nope", RemovedAt: t1}); !reflect.DeepEqual(s, before) {
		t.Errorf("removing an unknown passkey changed the state: %#v", s)
	}
	if s := fold(signedUp, laptop, laptopRemoved); s.Passkeys() != nil {
		t.Errorf("passkeys after removing the only one: %#v", s.Passkeys())
	}
}

// TestPasskeyNameIsPersonal: the name a customer gives a passkey is marked
// for the event codec to encrypt; ids and times are not.
func TestPasskeyNameIsPersonal(t *testing.T) {
	for _, e := range []domain.Event{PasskeyAdded{}, PasskeyRemoved{}} {
		rt := reflect.TypeOf(e)
		for i := range rt.NumField() {
			f := rt.Field(i)
			if got, want := f.Tag.Get("personal") == "true", f.Name == "Name"; got != want {
				t.Errorf("%s.%s personal = %v, want %v", rt.Name(), f.Name, got, want)
			}
		}
	}
}
