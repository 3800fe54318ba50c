package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/projections"
	"restaurant/views"
)

// The command URIs of a dish's options, for managers. Each goes back to the
// dish with its options unfolded.

func (d Deps) addOptionGroup(w http.ResponseWriter, r *http.Request) {
	d.optionCommand(func(r *http.Request) string { return views.GroupAddForm(chi.URLParam(r, "itemID")) },
		func(_ *http.Request, in input, id uuid.UUID) (menu.Command, error) {
			required, min, max, err := groupRules(in)
			return menu.AddOptionGroup{GroupID: optionID(in.values["group_name"], id), Name: in.values["group_name"],
				Required: required, Min: min, Max: max}, err
		})(w, r)
}

func (d Deps) renameOptionGroup(w http.ResponseWriter, r *http.Request) {
	d.optionCommand(groupForm(views.GroupRenameForm), func(r *http.Request, in input, _ uuid.UUID) (menu.Command, error) {
		return menu.RenameOptionGroup{GroupID: chi.URLParam(r, "groupID"), Name: in.values["group_name"]}, nil
	})(w, r)
}

func (d Deps) setOptionGroupRules(w http.ResponseWriter, r *http.Request) {
	d.optionCommand(groupForm(views.GroupRulesForm), func(r *http.Request, in input, _ uuid.UUID) (menu.Command, error) {
		required, min, max, err := groupRules(in)
		return menu.SetOptionGroupRules{GroupID: chi.URLParam(r, "groupID"), Required: required, Min: min, Max: max}, err
	})(w, r)
}

func (d Deps) removeOptionGroup(w http.ResponseWriter, r *http.Request) {
	d.optionCommand(groupForm(views.GroupRemoveForm), func(r *http.Request, _ input, _ uuid.UUID) (menu.Command, error) {
		return menu.RemoveOptionGroup{GroupID: chi.URLParam(r, "groupID")}, nil
	})(w, r)
}

func (d Deps) addOptionChoice(w http.ResponseWriter, r *http.Request) {
	d.optionCommand(groupForm(views.ChoiceAddForm), func(r *http.Request, in input, id uuid.UUID) (menu.Command, error) {
		change, err := parseSignedEuros("price_change", in.values["price_change"])
		return menu.AddOptionChoice{GroupID: chi.URLParam(r, "groupID"), ChoiceID: optionID(in.values["choice_name"], id),
			Name: in.values["choice_name"], PriceChange: change}, err
	})(w, r)
}

func (d Deps) removeOptionChoice(w http.ResponseWriter, r *http.Request) {
	form := func(r *http.Request) string {
		return views.ChoiceRemoveForm(chi.URLParam(r, "itemID"), chi.URLParam(r, "groupID"), chi.URLParam(r, "choiceID"))
	}
	d.optionCommand(form, func(r *http.Request, _ input, _ uuid.UUID) (menu.Command, error) {
		if err := checkDishID(chi.URLParam(r, "choiceID")); err != nil {
			return nil, domain.NotFound("There is no such choice.")
		}
		return menu.RemoveOptionChoice{GroupID: chi.URLParam(r, "groupID"), ChoiceID: chi.URLParam(r, "choiceID")}, nil
	})(w, r)
}

// optionCommand is a command on a dish's options; a group in the address
// must have the shape of an id, or there is no such group.
func (d Deps) optionCommand(form func(*http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (menu.Command, error)) http.HandlerFunc {
	return d.menuCommandTo(form, func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error) {
		if g := chi.URLParam(r, "groupID"); g != "" && !dishID.MatchString(g) {
			return chi.URLParam(r, "itemID"), nil, domain.NotFound("This dish has no such group of options.")
		}
		cmd, err := build(r, in, id)
		return chi.URLParam(r, "itemID"), cmd, err
	}, func(itemID string) string { return "/staff/menu?options=" + itemID + "#options-" + itemID })
}

// groupForm names the form of the group in the address.
func groupForm(name func(item, group string) string) func(*http.Request) string {
	return func(r *http.Request) string { return name(chi.URLParam(r, "itemID"), chi.URLParam(r, "groupID")) }
}

// optionID makes a readable id for a group or a choice that never
// collides: its name's slug and a part of the command's id.
func optionID(name string, id uuid.UUID) string {
	return strings.TrimPrefix(menu.Slug(name)+"-"+id.String()[:6], "-")
}

// groupRules reads a group's rules from a form: the required box, and the
// least and most choices as whole numbers, every field's message at once.
func groupRules(in input) (required bool, min, max int, err error) {
	switch strings.ToLower(strings.TrimSpace(in.values["required"])) {
	case "", "false", "off", "0":
	default:
		required = true
	}
	var problems []domain.FieldError
	number := func(field string) int {
		n, err := strconv.Atoi(strings.TrimSpace(in.values[field]))
		if err != nil {
			problems = append(problems, domain.FieldError{Field: field, Message: "Enter a whole number, like 1."})
		}
		return n
	}
	min, max = number("min"), number("max")
	return required, min, max, domain.Fields(problems...)
}

// parseSignedEuros reads a price change as people type it: "1.50", "+2",
// "-1,00", "−2"; empty is no change.
func parseSignedEuros(field, s string) (domain.Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return domain.Cents(0), nil
	}
	sign := int64(1)
	if rest, ok := cutAnyPrefix(s, "-", "−"); ok {
		sign, s = -1, rest
	} else if rest, ok := strings.CutPrefix(s, "+"); ok {
		s = rest
	}
	m, err := parseAmount(field, "Enter a price change in euros, like 1.50 or -2.", s)
	return domain.Cents(sign * m.Amount), err
}

func cutAnyPrefix(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}

// staffOptionGroups are a dish's groups as the manager's page shows them.
func staffOptionGroups(it projections.MenuItem) []views.StaffOptionGroup {
	var out []views.StaffOptionGroup
	rules := dishOptions(it)
	for i, g := range it.Options {
		sg := views.StaffOptionGroup{ID: g.ID, Name: g.Name, Required: g.Required, Min: strconv.Itoa(g.Min), Max: strconv.Itoa(g.Max),
			Rule: rules[i].Rule()}
		if g.Required {
			sg.Rule = "required, " + sg.Rule
		}
		for _, c := range g.Choices {
			change := signedPrice(c.PriceChange)
			if change == "" {
				change = "no change"
			}
			sg.Choices = append(sg.Choices, views.StaffOptionChoice{ID: c.ID, Name: c.Name, PriceChange: change})
		}
		if need := max(g.Min, 1); g.Required && len(g.Choices) < need {
			sg.Warning = fmt.Sprintf("Guests cannot add %s until %s has at least %d choice(s).", it.Name, g.Name, need)
		}
		out = append(out, sg)
	}
	return out
}

// staffMenuForms are the names of every form on the manager's menu page,
// whose messages can show beside it.
func staffMenuForms(items []views.StaffMenuItem) map[string]bool {
	forms := map[string]bool{"add": true}
	for _, it := range items {
		forms["dish-"+it.ID], forms[views.GroupAddForm(it.ID)] = true, true
		for _, g := range it.Groups {
			for _, f := range []func(item, group string) string{views.GroupRenameForm, views.GroupRulesForm, views.GroupRemoveForm, views.ChoiceAddForm} {
				forms[f(it.ID, g.ID)] = true
			}
			for _, c := range g.Choices {
				forms[views.ChoiceRemoveForm(it.ID, g.ID, c.ID)] = true
			}
		}
	}
	return forms
}
