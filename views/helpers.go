package views

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// itemsLabel counts dishes for people: "1 item", "3 items".
func itemsLabel(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

// oobAttrs marks a live region rendered for a push: htmx swaps it into the
// element with the same id.
func oobAttrs(oob bool) templ.Attributes {
	if oob {
		return templ.Attributes{"hx-swap-oob": "true"}
	}
	return templ.Attributes{}
}

// ErasedPerson stands for a contact, address or name whose person used the
// right to be forgotten: the order's history stays whole without them.
const ErasedPerson = "erased customer"

// Phone shows a phone number, stored as digits with an optional leading +,
// in groups of three that people read back easily: "+351 912 345 678".
func Phone(p string) string {
	plus := strings.HasPrefix(p, "+")
	digits := strings.TrimPrefix(p, "+")
	var b strings.Builder
	if plus {
		b.WriteByte('+')
	}
	for i, r := range digits {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PhotoURL is where a dish's photo is served, square, size pixels a side.
func PhotoURL(id string, size int) string {
	return "/photos/" + id + "/" + strconv.Itoa(size) + ".jpg"
}
