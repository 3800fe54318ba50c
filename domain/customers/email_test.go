package customers

import (
	"testing"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

func foldReservation(es ...domain.Event) Reservation {
	var r Reservation
	for _, e := range es {
		r = EvolveReservation(r, e)
	}
	return r
}

func TestDecideReservation(t *testing.T) {
	reservedByAna := EmailReserved{CustomerID: "ana"}
	releasedByAna := EmailReleased{CustomerID: "ana"}
	for _, tc := range []struct {
		name        string
		given       []domain.Event
		when        ReservationCommand
		then        []domain.Event
		wantErr     string
		wantField   string
		wantMessage string
	}{
		{name: "a free email", when: ReserveEmail{CustomerID: "ana"}, then: []domain.Event{reservedByAna}},
		{name: "again by the same customer", given: []domain.Event{reservedByAna}, when: ReserveEmail{CustomerID: "ana"}},
		{name: "by another customer", given: []domain.Event{reservedByAna}, when: ReserveEmail{CustomerID: "bea"}, wantErr: domain.ECONFLICT, wantMessage: "This email already has an account."},
		{name: "after a release", given: []domain.Event{reservedByAna, releasedByAna}, when: ReserveEmail{CustomerID: "bea"}, then: []domain.Event{EmailReserved{CustomerID: "bea"}}},
		{name: "again after a release, by the same customer", given: []domain.Event{reservedByAna, releasedByAna}, when: ReserveEmail{CustomerID: "ana"}, then: []domain.Event{reservedByAna}},
		{name: "without a customer", when: ReserveEmail{CustomerID: " "}, wantErr: domain.EINVALID, wantField: "customer_id"},
		{name: "release by the holder", given: []domain.Event{reservedByAna}, when: ReleaseEmail{CustomerID: "ana"}, then: []domain.Event{releasedByAna}},
		{name: "release twice", given: []domain.Event{reservedByAna, releasedByAna}, when: ReleaseEmail{CustomerID: "ana"}},
		{name: "release of a never reserved email", when: ReleaseEmail{CustomerID: "ana"}},
		{name: "release by a former holder", given: []domain.Event{reservedByAna, releasedByAna, EmailReserved{CustomerID: "bea"}}, when: ReleaseEmail{CustomerID: "ana"},
			wantErr: domain.ECONFLICT, wantMessage: "another account"},
		{name: "release without a customer", given: []domain.Event{reservedByAna}, when: ReleaseEmail{}, wantErr: domain.EINVALID, wantField: "customer_id"},
		{name: "an unknown command", when: nil, wantErr: domain.EINVALID, wantMessage: "not available"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecideReservation(foldReservation(tc.given...), tc.when)
			decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.wantField, Message: tc.wantMessage})
		})
	}
}

func TestEvolveReservation(t *testing.T) {
	if r := foldReservation(); r.Reserved() || r.Holder() != "" {
		t.Errorf("zero reservation: %#v", r)
	}
	if r := foldReservation(EmailReserved{CustomerID: "ana"}); !r.Reserved() || r.Holder() != "ana" {
		t.Errorf("reserved: %#v", r)
	}
	if r := foldReservation(EmailReserved{CustomerID: "ana"}, EmailReleased{CustomerID: "ana"}); r.Reserved() {
		t.Errorf("released: %#v", r)
	}
	if r := foldReservation(EmailReserved{CustomerID: "ana"}, EmailReleased{CustomerID: "ana"}, EmailReserved{CustomerID: "bea"}); r.Holder() != "bea" {
		t.Errorf("reserved again: %#v", r)
	}
	// A release by someone who does not hold the email frees nothing.
	if r := foldReservation(EmailReserved{CustomerID: "bea"}, EmailReleased{CustomerID: "ana"}); r.Holder() != "bea" {
		t.Errorf("a stray release: %#v", r)
	}
	if r := foldReservation(EmailReserved{CustomerID: "ana"}, signedUp, erased); r.Holder() != "ana" {
		t.Errorf("customer events changed a reservation: %#v", r)
	}
}
