package views

import (
	"slices"
	"strconv"
	"strings"

	"restaurant/domain"
)

// OptionGroupView is a dish's group of choices as a guest's chooser shows
// it: radio buttons when it takes one choice at most, checkboxes otherwise.
type OptionGroupView struct {
	ID   string
	Name string
	// Field is the form field its choices are sent in.
	Field string
	// Rule says how many to choose: "choose 1", "optional, up to 3".
	Rule     string
	Required bool
	Single   bool
	Choices  []OptionChoiceView
}

// OptionChoiceView is one choice of a group.
type OptionChoiceView struct {
	ID   string
	Name string
	// PriceChange is what it adds, for people ("+€3.00", "−€2.00"); ""
	// when it costs nothing more.
	PriceChange string
	// Change is the price change in cents, for the add button's running
	// price (static/menu.js); the server prices the line itself.
	Change int64
	// Checked says the form starts with it chosen: the dish's usual
	// choice on the menu, the line's choice on the order.
	Checked bool
}

// Checked says whether a choice is chosen in a form sent back: as the
// guest sent it, or fallback when the form was not sent.
func (e *FormError) Checked(field, value string, fallback bool) bool {
	if e == nil {
		return fallback
	}
	if value == "" {
		return !slices.ContainsFunc(e.Lists[field], func(v string) bool { return v != "" })
	}
	return slices.Contains(e.Lists[field], value)
}

// Ticked says whether a checkbox is ticked in a form sent back: as the
// manager sent it, or fallback when the form was not sent.
func (e *FormError) Ticked(field string, fallback bool) bool {
	if e == nil {
		return fallback
	}
	return e.Values[field] != ""
}

// withOptions names a dish with its choices: "Margherita, Large (+€3.00)".
func withOptions(name, options string) string {
	if options == "" {
		return name
	}
	return name + ", " + options
}

// groupNames lists a dish's groups: "Size, Extras".
func groupNames(groups []StaffOptionGroup) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return strings.Join(names, ", ")
}

// optionFields are the form fields of a chooser's groups, whose messages
// show beside them.
func optionFields(groups []OptionGroupView) []string {
	fields := make([]string, len(groups))
	for i, g := range groups {
		fields[i] = g.Field
	}
	return fields
}

// anyChecked says whether a group starts with a choice.
func anyChecked(g OptionGroupView) bool {
	return slices.ContainsFunc(g.Choices, func(c OptionChoiceView) bool { return c.Checked })
}

// The option forms on a manager's dish, each named so that its messages
// show beside it.

// GroupAddForm adds a group of choices to the dish item.
func GroupAddForm(item string) string { return "group-add:" + item }

// GroupRenameForm renames the group g of the dish item.
func GroupRenameForm(item, g string) string { return "group-rename:" + item + "/" + g }

// GroupRulesForm sets the rules of the group g of the dish item.
func GroupRulesForm(item, g string) string { return "group-rules:" + item + "/" + g }

// GroupRemoveForm removes the group g of the dish item.
func GroupRemoveForm(item, g string) string { return "group-remove:" + item + "/" + g }

// ChoiceAddForm adds a choice to the group g of the dish item.
func ChoiceAddForm(item, g string) string { return "choice-add:" + item + "/" + g }

// ChoiceRemoveForm removes the choice c of the group g of the dish item.
func ChoiceRemoveForm(item, g, c string) string {
	return "choice-remove:" + item + "/" + g + "/" + c
}

// OptionFormOf says whether a form is one of the option forms of the dish
// item.
func OptionFormOf(form, item string) bool {
	_, rest, ok := strings.Cut(form, ":")
	return ok && (rest == item || strings.HasPrefix(rest, item+"/"))
}

// addPrice is what the add button says the dish costs as its form stands:
// the dish's price and the chosen choices' changes, times the quantity. The
// server prices the line itself when it is added; this is for the guest.
func addPrice(item MenuItemView, e *FormError) string {
	unit := item.Cents
	for _, g := range item.Groups {
		for _, c := range g.Choices {
			if e.Checked(g.Field, c.ID, c.Checked) {
				unit += c.Change
			}
		}
	}
	n, err := strconv.Atoi(e.Value("quantity", "1"))
	if err != nil || n < 1 || n > 99 {
		n = 1
	}
	return domain.Cents(unit).Times(n).String()
}
