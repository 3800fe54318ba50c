package customers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"restaurant/domain"
)

// Limits on what a customer types. They are exported so that the forms can
// show them and a read model can size its columns.
const (
	MaxNameLength         = 80  // runes in a customer's name
	MaxNicknameLength     = 30  // runes in an address's nickname ("Home", "Office")
	MaxStreetLength       = 120 // runes in a street and house number
	MaxPostalCodeLength   = 12  // runes in a postal code
	MaxCityLength         = 60  // runes in a city
	MaxInstructionsLength = 200 // runes in delivery instructions
	MaxAddresses          = 20  // addresses in one address book, to bound a stream
	MaxPasskeyNameLength  = 60  // runes in the name a customer gives a passkey
	MaxPasskeys           = 10  // passkeys on one account, to bound a stream
)

// MaxEmailLength is the most bytes in an email address, as mail servers
// allow: the same for every context that keeps one.
const MaxEmailLength = domain.MaxEmailLength

// NormalizeEmail trims and lowercases an email address and checks its shape:
// one @, something before it, a domain with a dot after it, no spaces, at most
// MaxEmailLength bytes (domain.NormalizeEmail's rules, which an order's
// contact email follows too), and an address is needed. The application calls it before computing the keyed
// hash of the email reservation stream, so that "Ana@Example.com " and
// "ana@example.com" reserve the same stream; SignUp applies it again.
func NormalizeEmail(email string) (string, error) {
	if strings.TrimSpace(email) == "" {
		return "", domain.Invalid("email", "Please enter your email address.")
	}
	normalized, problem := domain.NormalizeEmail(email)
	if problem != "" {
		return "", domain.Invalid("email", "%s", problem)
	}
	return normalized, nil
}

// NormalizePhone checks a phone number as people write it (digits, spaces,
// +, -, parentheses; a + only in front) and returns it as digits with the
// leading + kept, so that "+31 (20) 123-4567" and "+31201234567" are equal.
func NormalizePhone(phone string) (string, error) {
	if strings.TrimSpace(phone) == "" {
		return "", domain.Invalid("phone", "Please enter your phone number.")
	}
	normalized, problem := domain.NormalizePhone(phone)
	if problem != "" {
		return "", domain.Invalid("phone", "%s", problem)
	}
	return normalized, nil
}

// normalizeName trims a customer's name and checks it.
func normalizeName(name string) (string, error) {
	return line("name", "Please enter your name.", "Your name", name, MaxNameLength)
}

// line trims a required one-line text field and checks that it is there,
// valid UTF-8 without control characters, and at most max runes long. what
// names the field at the start of a sentence; missing is said when it is
// empty.
func line(field, missing, what, value string, max int) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", domain.Invalid(field, "%s", missing)
	}
	return value, text(field, what, value, max, false)
}

// text checks a trimmed text field: valid UTF-8, no control characters (line
// breaks and tabs only where multiline allows them), at most max runes.
func text(field, what, value string, max int, multiline bool) error {
	if !utf8.ValidString(value) || strings.IndexFunc(value, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}) >= 0 {
		return domain.Invalid(field, "%s cannot contain control characters.", what)
	}
	if utf8.RuneCountInString(value) > max {
		return domain.Invalid(field, "%s can be at most %d characters long.", what, max)
	}
	return nil
}
