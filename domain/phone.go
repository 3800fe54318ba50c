package domain

import (
	"fmt"
	"strings"
)

// Limits on a phone number, for every context that keeps one.
const (
	MinPhoneDigits = 6  // digits in a phone number, fewer is a typo
	MaxPhoneDigits = 20 // digits in a phone number, with any country code
)

// NormalizePhone reads a phone number as people type it (digits, spaces, +,
// -, ( and )) and returns it as kept: its digits, with a leading + when
// given. An empty number returns "" with no problem; the caller says whether
// one is needed. problem is a sentence saying what is wrong, or "".
func NormalizePhone(phone string) (normalized, problem string) {
	phone = strings.TrimSpace(phone)
	var b strings.Builder
	digits := 0
	for i, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '+':
			return "", "A + can only begin a phone number."
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return "", "A phone number can hold only digits, spaces, +, -, ( and )."
		}
	}
	if phone != "" && (digits < MinPhoneDigits || digits > MaxPhoneDigits) {
		return "", fmt.Sprintf("A phone number has %d to %d digits.", MinPhoneDigits, MaxPhoneDigits)
	}
	return b.String(), ""
}
