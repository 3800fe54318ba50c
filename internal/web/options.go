package web

import (
	"strings"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/views"
)

// optionViews are a dish's groups of choices for a guest's chooser; checked
// says which choices the form starts with.
func optionViews(groups []ordering.OptionGroup, checked func(g ordering.OptionGroup, c ordering.OptionChoice) bool) []views.OptionGroupView {
	var out []views.OptionGroupView
	for _, g := range groups {
		gv := views.OptionGroupView{ID: g.ID, Name: g.Name, Field: ordering.OptionField(g.ID), Rule: g.Rule(), Required: g.Required, Single: g.Max == 1}
		for _, c := range g.Choices {
			gv.Choices = append(gv.Choices, views.OptionChoiceView{ID: c.ID, Name: c.Name, PriceChange: signedPrice(c.PriceChange), Change: c.PriceChange.Amount, Checked: checked(g, c)})
		}
		out = append(out, gv)
	}
	return out
}

// usualChoice is what the menu's chooser starts with: in a group that takes
// exactly one choice, the first that costs nothing more, the dish as the
// menu prices it. Other groups start empty.
func usualChoice(g ordering.OptionGroup, c ordering.OptionChoice) bool {
	if !g.Required || g.Min != 1 || g.Max != 1 {
		return false
	}
	for _, first := range g.Choices {
		if first.PriceChange.Amount == 0 {
			return first.ID == c.ID
		}
	}
	return false
}

// lineChoice says which choices a line's options form starts with: the
// line's own.
func lineChoice(l ordering.Line) func(ordering.OptionGroup, ordering.OptionChoice) bool {
	return func(g ordering.OptionGroup, c ordering.OptionChoice) bool {
		for _, o := range l.Options {
			if o.GroupID == g.ID && o.ChoiceID == c.ID {
				return true
			}
		}
		return false
	}
}

// signedPrice shows a price change: "+€3.00", "−€2.00", or "" for none.
func signedPrice(m domain.Money) string {
	switch {
	case m.Amount > 0:
		return "+" + m.String()
	case m.Amount < 0:
		return "−" + domain.Money{Amount: -m.Amount, Currency: m.Currency}.String()
	}
	return ""
}

// optionLabels are a line's choices for people, each with what it added:
// "Large (+€3.00)", "Chilli oil".
func optionLabels(options []ordering.ChosenOption) []string {
	var out []string
	for _, o := range options {
		label := o.ChoiceName
		if p := signedPrice(o.PriceChange); p != "" {
			label += " (" + p + ")"
		}
		out = append(out, label)
	}
	return out
}

// dishTitle names a dish with its choices: "Margherita, Large, Olives".
func dishTitle(name string, options []ordering.ChosenOption) string {
	parts := []string{name}
	for _, o := range options {
		parts = append(parts, o.ChoiceName)
	}
	return strings.Join(parts, ", ")
}
