package accounts

import (
	"testing"

	"restaurant/domain"
)

func TestCheckPasswordRefusesTheCommonAndTheUsername(t *testing.T) {
	for _, tc := range []struct {
		username, password string
		ok                 bool
	}{
		{"noor", "correct horse battery", true},
		{"noor", "tomatoes and basil", true},
		{"noor", "password123", false},
		{"noor", "Password2026!", false},
		{"noor", "P@ssw0rd2026", false},
		{"noor", "1234567890", false},
		{"noor", "qwertyuiop", false},
		{"noor", "!!iloveyou!!", false},
		{"noor", "abababababab", false},
		{"noor", "Restaurant1", false},
		{"noor", "NOOR is my name", false},
		{"noor", "my name is Noor!", false},
		{"noor", "short", false},
	} {
		err := CheckPassword(tc.username, tc.password)
		if tc.ok != (err == nil) {
			t.Errorf("%q for %s: %v", tc.password, tc.username, err)
		}
		if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q: %v is not a rejection a form can show", tc.password, err)
		}
	}
	if n := len(commonPasswords()); n < 1000 {
		t.Fatalf("only %d common passwords", n)
	}
}
