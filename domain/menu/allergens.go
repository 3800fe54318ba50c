package menu

import (
	"slices"
	"strings"

	"restaurant/domain"
)

// Allergen is one of the fourteen substances that EU Regulation 1169/2011
// (annex II) says a guest must be told of. Its value is the stored word,
// which never changes.
type Allergen string

// The allergens of annex II, in the annex's order.
const (
	Gluten      Allergen = "gluten" // cereals containing gluten
	Crustaceans Allergen = "crustaceans"
	Eggs        Allergen = "eggs"
	Fish        Allergen = "fish"
	Peanuts     Allergen = "peanuts"
	Soybeans    Allergen = "soybeans"
	Milk        Allergen = "milk"
	Nuts        Allergen = "nuts"
	Celery      Allergen = "celery"
	Mustard     Allergen = "mustard"
	Sesame      Allergen = "sesame"
	Sulphites   Allergen = "sulphites"
	Lupin       Allergen = "lupin"
	Molluscs    Allergen = "molluscs"
)

var allergenLabels = map[Allergen]string{
	Gluten: "cereals containing gluten", Crustaceans: "crustaceans", Eggs: "eggs", Fish: "fish",
	Peanuts: "peanuts", Soybeans: "soybeans", Milk: "milk", Nuts: "nuts", Celery: "celery",
	Mustard: "mustard", Sesame: "sesame", Sulphites: "sulphites", Lupin: "lupin", Molluscs: "molluscs",
}

// Allergens lists every allergen in the annex's order, so that forms,
// filters and the menu show them alike.
func Allergens() []Allergen {
	return []Allergen{Gluten, Crustaceans, Eggs, Fish, Peanuts, Soybeans, Milk, Nuts, Celery, Mustard, Sesame, Sulphites, Lupin, Molluscs}
}

// Label is the allergen in words, as the annex names it ("cereals
// containing gluten"), in lower case.
func (a Allergen) Label() string { return allergenLabels[a] }

// Diet is a dietary label a dish may carry. Its value is the stored word.
type Diet string

// The dietary labels a manager may give a dish.
const (
	Vegetarian Diet = "vegetarian"
	Vegan      Diet = "vegan"
	GlutenFree Diet = "gluten-free"
)

var dietLabels = map[Diet]string{Vegetarian: "vegetarian", Vegan: "vegan", GlutenFree: "gluten-free"}

// Diets lists every dietary label, in the order forms show them.
func Diets() []Diet { return []Diet{Vegetarian, Vegan, GlutenFree} }

// Label is the diet in words, in lower case.
func (d Diet) Label() string { return dietLabels[d] }

// SuitedBy says whether a dish labelled with diets suits a guest who keeps
// d: a vegan dish is vegetarian too.
func (d Diet) SuitedBy(diets []Diet) bool {
	return slices.Contains(diets, d) || d == Vegetarian && slices.Contains(diets, Vegan)
}

// Free says whether a dish holds none of without, given its allergens and
// whether they are listed: a dish whose allergens were never listed is free
// of nothing.
func Free(allergens []Allergen, listed bool, without ...Allergen) bool {
	if len(without) == 0 {
		return true
	}
	if !listed {
		return false
	}
	for _, a := range without {
		if slices.Contains(allergens, a) {
			return false
		}
	}
	return true
}

// labelling is a dish's allergens and diets, checked and in canonical order.
type labelling struct {
	allergens []Allergen
	diets     []Diet
}

// checkLabelling refuses an allergen or a diet nobody knows, and a diet
// that the dish's allergens contradict; it returns each list once, in the
// order of Allergens and Diets, nil when empty.
func checkLabelling(allergens []Allergen, diets []Diet) (labelling, error) {
	var l labelling
	for _, a := range allergens {
		if a.Label() == "" {
			return l, domain.Invalid("allergens", "%q is not one of the 14 allergens of EU Regulation 1169/2011.", string(a))
		}
	}
	for _, d := range diets {
		if d.Label() == "" {
			return l, domain.Invalid("diets", "%q is not a diet we label: choose vegetarian, vegan or gluten-free.", string(d))
		}
	}
	for _, a := range Allergens() {
		if slices.Contains(allergens, a) {
			l.allergens = append(l.allergens, a)
		}
	}
	for _, d := range Diets() {
		if slices.Contains(diets, d) {
			l.diets = append(l.diets, d)
		}
	}
	has := func(as ...Allergen) []string {
		var found []string
		for _, a := range as {
			if slices.Contains(l.allergens, a) {
				found = append(found, a.Label())
			}
		}
		return found
	}
	if found := has(Fish, Crustaceans, Molluscs); len(found) > 0 && (slices.Contains(l.diets, Vegetarian) || slices.Contains(l.diets, Vegan)) {
		return l, domain.Invalid("diets", "A dish with %s is neither vegetarian nor vegan: untick the diet or the allergen.", strings.Join(found, " and "))
	}
	if found := has(Milk, Eggs); len(found) > 0 && slices.Contains(l.diets, Vegan) {
		return l, domain.Invalid("diets", "A vegan dish cannot contain %s: untick vegan or the allergen.", strings.Join(found, " or "))
	}
	if slices.Contains(l.allergens, Gluten) && slices.Contains(l.diets, GlutenFree) {
		return l, domain.Invalid("diets", "A gluten-free dish cannot contain cereals containing gluten: untick gluten-free or the allergen.")
	}
	return l, nil
}
