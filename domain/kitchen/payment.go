package kitchen

import (
	"strings"
	"unicode/utf8"

	"restaurant/domain"
)

// Payment is how an order was paid when it was handed over. It is a type so
// that nobody invents a method; PaymentNotRecorded is a hand-over from before
// the kitchen asked.
type Payment string

// The ways an order is paid at hand-over. Card is at the counter, or to the
// courier on delivery for a delivery order.
const (
	PaymentNotRecorded Payment = ""
	PaymentCash        Payment = "cash"
	PaymentCard        Payment = "card"
	PaymentUnpaid      Payment = "unpaid"
)

// Payments are the methods a hand-over may record, in the order the screen
// offers them.
var Payments = []Payment{PaymentCash, PaymentCard, PaymentUnpaid}

// MaxUnpaidReasonLength is the most runes the reason an order went unpaid
// may have, exported so a form can show the limit.
const MaxUnpaidReasonLength = 200

// ParsePayment reads a payment method as a form or JSON sends it: cash,
// card or unpaid; anything else, or nothing, is refused naming the field.
func ParsePayment(s string) (Payment, error) {
	switch p := Payment(strings.TrimSpace(s)); p {
	case PaymentCash, PaymentCard, PaymentUnpaid:
		return p, nil
	case PaymentNotRecorded:
		return "", domain.Invalid("payment", "Choose how the order was paid: cash, card or unpaid.")
	}
	return "", domain.Invalid("payment", "Payment is cash, card or unpaid.")
}

// checkPayment validates a hand-over's payment: a method chosen, and a reason
// when the order went unpaid (and only then). It returns the reason trimmed.
func checkPayment(p Payment, reason string) (string, error) {
	if _, err := ParsePayment(string(p)); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if p != PaymentUnpaid {
		return "", nil
	}
	if reason == "" {
		return "", domain.Invalid("unpaid_reason", "Say why the order was not paid, such as \"guest left without paying\".")
	}
	if utf8.RuneCountInString(reason) > MaxUnpaidReasonLength {
		return "", domain.Invalid("unpaid_reason", "The reason can be at most %d characters long.", MaxUnpaidReasonLength)
	}
	return reason, nil
}
