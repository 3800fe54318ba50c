package views

import (
	"net/url"
	"slices"

	"restaurant/domain/menu"
	"restaurant/internal/live"
)

// MenuFilter is what a guest filters the menu by: dishes without some
// allergens, suiting some diets. It lives in the address
// (/?without=milk&diet=vegetarian), so it works without JavaScript and can
// be shared.
type MenuFilter struct {
	Without []menu.Allergen
	Diets   []menu.Diet
}

// Filter parameters of the menu's address.
const (
	WithoutParam = "without"
	DietParam    = "diet"
)

// Active says whether the filter hides anything.
func (f MenuFilter) Active() bool { return len(f.Without) > 0 || len(f.Diets) > 0 }

// Query is the filter as the address writes it, in a stable order.
func (f MenuFilter) Query() url.Values {
	q := url.Values{}
	for _, a := range f.Without {
		q.Add(WithoutParam, string(a))
	}
	for _, d := range f.Diets {
		q.Add(DietParam, string(d))
	}
	return q
}

// Href is the menu filtered so.
func (f MenuFilter) Href() string {
	if !f.Active() {
		return "/"
	}
	return "/?" + f.Query().Encode()
}

// withoutAllergen is the menu's address with one allergen's filter taken off.
func (f MenuFilter) withoutAllergen(a menu.Allergen) string {
	f.Without = slices.DeleteFunc(slices.Clone(f.Without), func(x menu.Allergen) bool { return x == a })
	return f.Href()
}

// withoutDiet is the menu's address with one diet's filter taken off.
func (f MenuFilter) withoutDiet(d menu.Diet) string {
	f.Diets = slices.DeleteFunc(slices.Clone(f.Diets), func(x menu.Diet) bool { return x == d })
	return f.Href()
}

// liveHref is where the menu's socket follows it: the region it is sent
// is filtered as the page is.
func (f MenuFilter) liveHref() string {
	href := live.Href(live.MenuTopic())
	if f.Active() {
		href += "&" + f.Query().Encode()
	}
	return href
}

// navWithSections is the page's header with a link to each category shown.
func (v MenuView) navWithSections() Nav {
	n := v.Nav
	n.Sections = make([]Section, len(v.Categories))
	for i, c := range v.Categories {
		n.Sections[i] = Section{ID: c.ID, Name: c.Name}
	}
	return n
}
