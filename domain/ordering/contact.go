package ordering

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"restaurant/domain"
)

// Limits on the person behind an order, exported so that the contact form
// can show them.
const (
	MaxContactNameLength = 80 // runes in a contact's name
)

// The messages of a missing contact, said by GiveContact and PlaceOrder alike.
const (
	needName  = "Tell us your name, so the kitchen can call you."
	needPhone = "Tell us a phone number, so the courier can reach you."
)

// Contact is the person behind an order: whom the kitchen calls at the
// counter, whom the courier phones, and where news of the order is emailed
// (optional). Every field is personal data.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`           // digits, with a leading + when given so
	Email string `json:"email,omitempty"` // lowercased; "" when none was given
}

// normalize trims and checks a contact, returning it as stored (the phone as
// digits with an optional leading +, the email lowercased) or every rule
// broken at once, in form order. A phone is needed only when the order goes
// out for delivery; an email never is.
func (c Contact) normalize(delivery bool) (Contact, error) {
	var problems []domain.FieldError
	name, msg := contactName(c.Name)
	if msg != "" {
		problems = append(problems, domain.FieldError{Field: "name", Message: msg})
	}
	phone, msg := contactPhone(c.Phone)
	if msg == "" && phone == "" && delivery {
		msg = needPhone
	}
	if msg != "" {
		problems = append(problems, domain.FieldError{Field: "phone", Message: msg})
	}
	email, msg := domain.NormalizeEmail(c.Email)
	if msg != "" {
		problems = append(problems, domain.FieldError{Field: "email", Message: msg})
	}
	return Contact{Name: name, Phone: phone, Email: email}, domain.Fields(problems...)
}

// missing says what an order still needs to know of its contact before it
// is placed, as field errors for the contact form.
func (c Contact) missing(f Fulfilment) []domain.FieldError {
	var problems []domain.FieldError
	if c.Name == "" {
		problems = append(problems, domain.FieldError{Field: "name", Message: needName})
	}
	if f == FulfilmentDelivery && c.Phone == "" {
		problems = append(problems, domain.FieldError{Field: "phone", Message: needPhone})
	}
	return problems
}

// contactName trims a name and checks it; the message says what is wrong.
func contactName(name string) (string, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, needName
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return name, "Your name cannot contain line breaks or control characters."
	case utf8.RuneCountInString(name) > MaxContactNameLength:
		return name, fmt.Sprintf("Your name can be at most %d characters long.", MaxContactNameLength)
	}
	return name, ""
}

// contactPhone reads a phone number as people write it (digits, spaces, +,
// -, parentheses; a + only in front) as digits with the leading + kept, so
// that "+351 912 345 678" and "+351912345678" are the same. An empty phone
// is not wrong here: whether one is needed depends on the order.
func contactPhone(phone string) (string, string) { return domain.NormalizePhone(phone) }
