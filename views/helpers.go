package views

import (
	"strconv"

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
