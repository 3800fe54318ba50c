package ordering

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"restaurant/domain"
)

// OptionGroup is a group of choices of a dish as the menu offers it at the
// moment the guest chooses: the caller looks it up, as it looks up the
// dish's price, and the order checks the guest's choice against it. A
// required group needs at least Min choices; one that is not may be left
// out, and when it is not, takes Min to Max.
type OptionGroup struct {
	ID       string
	Name     string
	Required bool
	Min, Max int
	Choices  []OptionChoice
}

// OptionChoice is one choice of a group, and what it adds to the dish's
// price (zero, or negative for a smaller size).
type OptionChoice struct {
	ID          string
	Name        string
	PriceChange domain.Money
}

// ChosenOption is one choice a line was ordered with, with the names and the
// price change the menu had then, so the order never changes behind the
// guest's back.
type ChosenOption struct {
	GroupID     string       `json:"group_id"`
	GroupName   string       `json:"group_name"`
	ChoiceID    string       `json:"choice_id"`
	ChoiceName  string       `json:"choice_name"`
	PriceChange domain.Money `json:"price_change"`
}

// Picks are a guest's choices of a dish: by group id, the ids of the
// choices taken. An empty id is no choice (the "none" of an optional group).
type Picks map[string][]string

// OptionFieldPrefix begins the name of the form field of a group's choices:
// OptionField("size") is "option-size". A refusal names the field of the
// group at fault, so the form shows the message beside that group.
const OptionFieldPrefix = "option-"

// OptionField is the form field of a group's choices.
func OptionField(groupID string) string { return OptionFieldPrefix + groupID }

// Rule says, for guests, how many choices the group takes: "choose 1", "up
// to 3", "choose 2 to 3"; "optional" when it may be left out.
func (g OptionGroup) Rule() string {
	var r string
	switch {
	case g.Min == g.Max:
		r = fmt.Sprintf("choose %d", g.Max)
	case g.Min <= 0:
		r = fmt.Sprintf("up to %d", g.Max)
	default:
		r = fmt.Sprintf("choose %d to %d", g.Min, g.Max)
	}
	switch {
	case g.Required:
		return r
	case g.Min <= 0 && g.Max == 1:
		return "optional"
	case g.Min <= 0:
		return "optional, " + r
	}
	return "optional; if you do, " + r
}

// ChooseOptions checks a guest's picks against the dish's groups as the
// menu offers them now, and returns the choices in the menu's order. Every
// group at fault is refused at once, on its own field: a required group left
// out, too few or too many choices, a choice that is not the group's (of
// another group or dish, or removed meanwhile).
func ChooseOptions(groups []OptionGroup, picks Picks) ([]ChosenOption, error) {
	var problems []domain.FieldError
	known := map[string]bool{}
	var chosen []ChosenOption
	for _, g := range groups {
		known[g.ID] = true
		taken, foreign := g.take(picks[g.ID])
		field := OptionField(g.ID)
		n := len(taken)
		switch {
		case foreign:
			problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf("%s: one of your choices is not offered (any more); please choose again.", g.Name)})
		case n == 0 && g.Required, n > 0 && n < g.Min:
			problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf("%s: please %s.", g.Name, g.need())})
		case n > g.Max:
			problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf("%s: please choose at most %d.", g.Name, g.Max)})
		}
		for _, c := range taken {
			if c.PriceChange.Currency != domain.EUR {
				return nil, domain.Invalid("options", "The choices of this dish have no valid price, so it cannot be ordered.")
			}
			chosen = append(chosen, ChosenOption{GroupID: g.ID, GroupName: g.Name, ChoiceID: c.ID, ChoiceName: c.Name, PriceChange: c.PriceChange})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(picks)) {
		if !known[id] && slices.ContainsFunc(picks[id], func(c string) bool { return c != "" }) {
			problems = append(problems, domain.FieldError{Field: "options", Message: "Some of your choices are not offered with this dish; please choose again."})
			break
		}
	}
	if err := domain.Fields(problems...); err != nil {
		return nil, err
	}
	return chosen, nil
}

// take is the group's choices among ids, in the group's order and each
// once; foreign says some id is not one of the group's choices.
func (g OptionGroup) take(ids []string) (taken []OptionChoice, foreign bool) {
	for _, id := range ids {
		if id != "" && !slices.ContainsFunc(g.Choices, func(c OptionChoice) bool { return c.ID == id }) {
			foreign = true
		}
	}
	for _, c := range g.Choices {
		if slices.Contains(ids, c.ID) {
			taken = append(taken, c)
		}
	}
	return taken, foreign
}

// need says how many choices the group needs: "choose 1", "choose at least
// 2", "choose 2 to 3".
func (g OptionGroup) need() string {
	switch min := max(g.Min, 1); {
	case min == g.Max:
		return fmt.Sprintf("choose %d", min)
	case g.Max >= min:
		return fmt.Sprintf("choose %d to %d", min, g.Max)
	default:
		return fmt.Sprintf("choose at least %d", min)
	}
}

// priceWith is a price with the choices' price changes added.
func priceWith(base domain.Money, options []ChosenOption) domain.Money {
	for _, o := range options {
		base = base.Plus(o.PriceChange)
	}
	return base
}

// BasePrice is the dish's price the line was added at, without its
// options.
func (l Line) BasePrice() domain.Money {
	base := l.UnitPrice
	for _, o := range l.Options {
		base = base.Plus(domain.Money{Amount: -o.PriceChange.Amount, Currency: o.PriceChange.Currency})
	}
	return base
}

// ChoiceIDs are the line's choices as picks, to choose them again.
func (l Line) ChoiceIDs() Picks {
	picks := Picks{}
	for _, o := range l.Options {
		picks[o.GroupID] = append(picks[o.GroupID], o.ChoiceID)
	}
	return picks
}

// sameChoices says whether two lists of choices are the same choices.
func sameChoices(a, b []ChosenOption) bool {
	return slices.EqualFunc(a, b, func(x, y ChosenOption) bool { return x == y })
}

// pricedLine prices a line of a dish at base with the guest's picks: the
// choices, and the unit price they make, which must be more than zero.
func pricedLine(base domain.Money, groups []OptionGroup, picks Picks) ([]ChosenOption, domain.Money, error) {
	chosen, err := ChooseOptions(groups, picks)
	if err != nil {
		return nil, domain.Money{}, err
	}
	unit := priceWith(base, chosen)
	if unit.Amount <= 0 {
		return nil, domain.Money{}, domain.Invalid("options", "With these choices the dish would cost nothing; please choose again.")
	}
	return chosen, unit, nil
}

// fieldErrors gathers the field problems of several refusals, in order.
func fieldErrors(errs ...error) []domain.FieldError {
	var problems []domain.FieldError
	for _, err := range errs {
		var de *domain.Error
		if errors.As(err, &de) {
			problems = append(problems, de.FieldErrors()...)
		}
	}
	return problems
}
