package accounts

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// A sign-in with an unknown username must cost what a wrong password for a
// real one costs: the dummy hash is at the cost real passwords are hashed at.
func TestTheDummyHashCostsWhatARealOneDoes(t *testing.T) {
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil {
		t.Fatalf("the dummy hash is not a bcrypt hash: %v", err)
	}
	if cost != bcrypt.DefaultCost {
		t.Fatalf("the dummy hash has cost %d, passwords are hashed at %d", cost, bcrypt.DefaultCost)
	}
	if err := bcrypt.CompareHashAndPassword(dummyHash, []byte("no such user, no such password")); err != nil {
		t.Fatalf("the dummy hash is not of its phrase: %v", err)
	}
}
