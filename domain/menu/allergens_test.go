package menu

import (
	"strings"
	"testing"

	"restaurant/domain"
)

func TestAllergensAndDiets(t *testing.T) {
	with := func(allergens []Allergen, diets ...Diet) AddMenuItem {
		return addWith(func(c *AddMenuItem) { c.Allergens, c.Diets = allergens, diets })
	}
	then := func(allergens []Allergen, diets ...Diet) []domain.Event {
		return []domain.Event{addedWith(func(e *MenuItemAdded) { e.Allergens, e.Diets = allergens, diets })}
	}
	for _, tc := range []spec{
		{name: "none", when: with(nil), then: then(nil)},
		{name: "put in the annex's order, each once",
			when: with([]Allergen{Sulphites, Milk, Gluten, Milk}, Vegetarian, Vegetarian),
			then: then([]Allergen{Gluten, Milk, Sulphites}, Vegetarian)},
		{name: "all fourteen", when: with(Allergens()), then: then(Allergens())},
		{name: "vegan and gluten-free", when: with([]Allergen{Soybeans, Sesame}, GlutenFree, Vegan), then: then([]Allergen{Soybeans, Sesame}, Vegan, GlutenFree)},
		{name: "vegetarian with milk and eggs", when: with([]Allergen{Milk, Eggs}, Vegetarian), then: then([]Allergen{Eggs, Milk}, Vegetarian)},
		{name: "gluten-free with nuts", when: with([]Allergen{Nuts}, GlutenFree), then: then([]Allergen{Nuts}, GlutenFree)},
		{name: "an unknown allergen", when: with([]Allergen{"shellfish"}), wantErr: domain.EINVALID, wantField: "allergens"},
		{name: "an allergen in capitals", when: with([]Allergen{"Milk"}), wantErr: domain.EINVALID, wantField: "allergens"},
		{name: "an unknown diet", when: with(nil, "halal"), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "vegan with milk", when: with([]Allergen{Milk}, Vegan), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "vegan with eggs", when: with([]Allergen{Eggs}, Vegan), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "gluten-free with gluten", when: with([]Allergen{Gluten}, GlutenFree), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "vegetarian with fish", when: with([]Allergen{Fish}, Vegetarian), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "vegan with molluscs", when: with([]Allergen{Molluscs}, Vegan), wantErr: domain.EINVALID, wantField: "diets"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// TestLabellingMessages: a refusal says what contradicts what.
func TestLabellingMessages(t *testing.T) {
	for _, tc := range []struct {
		allergens []Allergen
		diets     []Diet
		says      string
	}{
		{[]Allergen{Milk, Eggs}, []Diet{Vegan}, "A vegan dish cannot contain milk or eggs: untick vegan or the allergen."},
		{[]Allergen{Milk}, []Diet{Vegan}, "A vegan dish cannot contain milk"},
		{[]Allergen{Gluten}, []Diet{GlutenFree}, "A gluten-free dish cannot contain cereals containing gluten"},
		{[]Allergen{Crustaceans}, []Diet{Vegetarian}, "A dish with crustaceans is neither vegetarian nor vegan"},
		{[]Allergen{"shellfish"}, nil, `"shellfish" is not one of the 14 allergens of EU Regulation 1169/2011.`},
		{nil, []Diet{"keto"}, `"keto" is not a diet we label`},
	} {
		_, err := checkLabelling(tc.allergens, tc.diets)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v %v: %v, want it to say %q", tc.allergens, tc.diets, err, tc.says)
		}
	}
}

func TestLabels(t *testing.T) {
	if n := len(Allergens()); n != 14 {
		t.Fatalf("%d allergens, want the annex's 14", n)
	}
	for _, a := range Allergens() {
		if a.Label() == "" {
			t.Errorf("%s has no words", a)
		}
	}
	if Gluten.Label() != "cereals containing gluten" {
		t.Errorf("gluten reads %q", Gluten.Label())
	}
	for _, d := range Diets() {
		if d.Label() == "" {
			t.Errorf("%s has no words", d)
		}
	}
}

func TestFilters(t *testing.T) {
	if !Vegetarian.SuitedBy([]Diet{Vegan}) || Vegan.SuitedBy([]Diet{Vegetarian}) || GlutenFree.SuitedBy(nil) || !GlutenFree.SuitedBy([]Diet{Vegan, GlutenFree}) {
		t.Error("diets suit the wrong dishes")
	}
	if !Free([]Allergen{Gluten}, true, Milk) || Free([]Allergen{Gluten, Milk}, true, Milk) || !Free(nil, true) {
		t.Error("a dish with its allergens listed is free of the wrong ones")
	}
	if Free(nil, false, Milk) || !Free(nil, false) {
		t.Error("a dish whose allergens were never listed is said to be free of them")
	}
}
