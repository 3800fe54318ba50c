package views

import (
	"slices"
	"strconv"
	"strings"

	"restaurant/domain/menu"
)

// inWords lists words for people: "milk", "eggs and milk", "gluten, eggs
// and milk".
func inWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// allergensInWords names a dish's allergens as the annex does.
func allergensInWords(as []menu.Allergen) string {
	words := make([]string, len(as))
	for i, a := range as {
		words[i] = a.Label()
	}
	return inWords(words)
}

// dietsInWords names a dish's diets, capitalised as labels are.
func dietsInWords(ds []menu.Diet) []string {
	words := make([]string, len(ds))
	for i, d := range ds {
		words[i] = capitalised(d.Label())
	}
	return words
}

func capitalised(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dishesLabel counts dishes: "no dishes", "1 dish", "3 dishes".
func dishesLabel(n int) string {
	switch n {
	case 0:
		return "no dishes"
	case 1:
		return "1 dish"
	}
	return strconv.Itoa(n) + " dishes"
}

// ticked says whether a checkbox of a list field is ticked: as the manager
// sent it, when the form comes back refused, or as the dish has it.
func ticked[T ~string](e *FormError, field string, have []T, value T) bool {
	if e != nil {
		if sent, ok := e.Values[field]; ok {
			return slices.Contains(strings.Split(sent, ","), string(value))
		}
		if e.Values != nil {
			return false // a refused form with none ticked
		}
	}
	return slices.Contains(have, value)
}
