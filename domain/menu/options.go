package menu

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"restaurant/domain"
)

// Limits on a dish's options, exported so that forms can show them. They
// keep a dish's chooser short enough to read on a phone.
const (
	MaxOptionGroups     = 6  // per dish
	MaxOptionChoices    = 12 // per group
	MaxOptionNameLength = 40 // runes in a group's or a choice's name
	// MaxPriceChange is how far one choice may move a dish's price, in
	// cents either way (€50.00).
	MaxPriceChange = 5000
)

// OptionGroup is a set of choices a guest makes about a dish: "Size: choose
// 1", "Extras: up to 3". A required group needs at least Min choices; one
// that is not may be left out, and when it is not, takes Min to Max.
type OptionGroup struct {
	ID       string
	Name     string
	Required bool
	Min, Max int
	Choices  []OptionChoice
}

// OptionChoice is one choice of a group and what it adds to the dish's
// price (zero, or negative for a smaller size).
type OptionChoice struct {
	ID          string
	Name        string
	PriceChange domain.Money
}

// Group finds a group of the dish by id.
func (s State) Group(id string) (OptionGroup, bool) {
	i := s.groupIndex(id)
	if i < 0 {
		return OptionGroup{}, false
	}
	return s.Options[i], true
}

func (s State) groupIndex(id string) int {
	return slices.IndexFunc(s.Options, func(g OptionGroup) bool { return g.ID == id })
}

func (g OptionGroup) choiceIndex(id string) int {
	return slices.IndexFunc(g.Choices, func(c OptionChoice) bool { return c.ID == id })
}

// AddOptionGroup gives a dish a new group of choices, without choices yet.
// GroupID is chosen by the caller, unique within the dish.
type AddOptionGroup struct {
	GroupID  string
	Name     string
	Required bool
	Min, Max int
}

// RenameOptionGroup changes what a group is called.
type RenameOptionGroup struct {
	GroupID string
	Name    string
}

// SetOptionGroupRules sets whether a group is required and how many of its
// choices a guest takes.
type SetOptionGroupRules struct {
	GroupID  string
	Required bool
	Min, Max int
}

// RemoveOptionGroup takes a group and its choices off the dish.
type RemoveOptionGroup struct {
	GroupID string
}

// AddOptionChoice adds a choice to a group. ChoiceID is chosen by the
// caller, unique within the dish.
type AddOptionChoice struct {
	GroupID     string
	ChoiceID    string
	Name        string
	PriceChange domain.Money
}

// RemoveOptionChoice takes a choice out of its group.
type RemoveOptionChoice struct {
	GroupID  string
	ChoiceID string
}

func (AddOptionGroup) command()      {}
func (RenameOptionGroup) command()   {}
func (SetOptionGroupRules) command() {}
func (RemoveOptionGroup) command()   {}
func (AddOptionChoice) command()     {}
func (RemoveOptionChoice) command()  {}

// evolveOptions applies an option event to a dish's groups. It never
// writes into the input's slices: changes go to fresh copies.
func evolveOptions(s State, e domain.Event) State {
	switch e := e.(type) {
	case OptionGroupAdded:
		s.Options = append(slices.Clone(s.Options), OptionGroup{ID: e.GroupID, Name: e.Name, Required: e.Required, Min: e.Min, Max: e.Max})
	case OptionGroupRenamed:
		s = s.withGroup(e.GroupID, func(g *OptionGroup) { g.Name = e.Name })
	case OptionGroupRulesSet:
		s = s.withGroup(e.GroupID, func(g *OptionGroup) { g.Required, g.Min, g.Max = e.Required, e.Min, e.Max })
	case OptionGroupRemoved:
		if i := s.groupIndex(e.GroupID); i >= 0 {
			s.Options = slices.Concat(s.Options[:i:i], s.Options[i+1:])
		}
	case OptionChoiceAdded:
		s = s.withGroup(e.GroupID, func(g *OptionGroup) {
			g.Choices = append(slices.Clone(g.Choices), OptionChoice{ID: e.ChoiceID, Name: e.Name, PriceChange: e.PriceChange})
		})
	case OptionChoiceRemoved:
		s = s.withGroup(e.GroupID, func(g *OptionGroup) {
			if i := g.choiceIndex(e.ChoiceID); i >= 0 {
				g.Choices = slices.Concat(g.Choices[:i:i], g.Choices[i+1:])
			}
		})
	}
	return s
}

// withGroup changes one group in a copy of the dish's groups.
func (s State) withGroup(id string, change func(*OptionGroup)) State {
	if i := s.groupIndex(id); i >= 0 {
		s.Options = slices.Clone(s.Options)
		change(&s.Options[i])
	}
	return s
}

// decideOptions decides a command on a dish's options.
func decideOptions(s State, c Command) ([]domain.Event, error) {
	switch c := c.(type) {
	case AddOptionGroup:
		return decideAddGroup(s, c)
	case RenameOptionGroup:
		return decideRenameGroup(s, c)
	case SetOptionGroupRules:
		return decideGroupRules(s, c)
	case RemoveOptionGroup:
		if _, found := s.Group(c.GroupID); !found {
			return nil, errNoGroup
		}
		return []domain.Event{OptionGroupRemoved{ItemID: s.ItemID, GroupID: c.GroupID}}, nil
	case AddOptionChoice:
		return decideAddChoice(s, c)
	case RemoveOptionChoice:
		g, found := s.Group(c.GroupID)
		if !found {
			return nil, errNoGroup
		}
		if g.choiceIndex(c.ChoiceID) < 0 {
			return nil, domain.NotFound("%s has no such choice.", g.Name)
		}
		return []domain.Event{OptionChoiceRemoved{ItemID: s.ItemID, GroupID: c.GroupID, ChoiceID: c.ChoiceID}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for menu items.")
}

var errNoGroup = domain.NotFound("This dish has no such group of options.")

func decideAddGroup(s State, c AddOptionGroup) ([]domain.Event, error) {
	if strings.TrimSpace(c.GroupID) == "" {
		return nil, domain.Invalid("group_name", "The group needs an id.")
	}
	if _, found := s.Group(c.GroupID); found {
		return nil, domain.Conflict("This dish already has that group of options.")
	}
	if len(s.Options) >= MaxOptionGroups {
		return nil, domain.Invalid("group_name", "A dish can have at most %d groups of options.", MaxOptionGroups)
	}
	name, nameProblem := s.groupName(c.GroupID, c.Name)
	problems := append(nameProblem, groupRules(c.Required, c.Min, c.Max)...)
	if err := domain.Fields(problems...); err != nil {
		return nil, err
	}
	return []domain.Event{OptionGroupAdded{ItemID: s.ItemID, GroupID: c.GroupID, Name: name, Required: c.Required, Min: c.Min, Max: c.Max}}, nil
}

func decideRenameGroup(s State, c RenameOptionGroup) ([]domain.Event, error) {
	g, found := s.Group(c.GroupID)
	if !found {
		return nil, errNoGroup
	}
	name, problems := s.groupName(c.GroupID, c.Name)
	if err := domain.Fields(problems...); err != nil {
		return nil, err
	}
	if name == g.Name {
		return nil, nil
	}
	return []domain.Event{OptionGroupRenamed{ItemID: s.ItemID, GroupID: c.GroupID, Name: name}}, nil
}

func decideGroupRules(s State, c SetOptionGroupRules) ([]domain.Event, error) {
	g, found := s.Group(c.GroupID)
	if !found {
		return nil, errNoGroup
	}
	if err := domain.Fields(groupRules(c.Required, c.Min, c.Max)...); err != nil {
		return nil, err
	}
	if g.Required == c.Required && g.Min == c.Min && g.Max == c.Max {
		return nil, nil
	}
	return []domain.Event{OptionGroupRulesSet{ItemID: s.ItemID, GroupID: c.GroupID, Required: c.Required, Min: c.Min, Max: c.Max}}, nil
}

func decideAddChoice(s State, c AddOptionChoice) ([]domain.Event, error) {
	g, found := s.Group(c.GroupID)
	if !found {
		return nil, errNoGroup
	}
	switch {
	case strings.TrimSpace(c.ChoiceID) == "":
		return nil, domain.Invalid("choice_name", "The choice needs an id.")
	case s.hasChoice(c.ChoiceID):
		return nil, domain.Conflict("This dish already has that choice.")
	case len(g.Choices) >= MaxOptionChoices:
		return nil, domain.Invalid("choice_name", "A group can have at most %d choices.", MaxOptionChoices)
	}
	name := strings.TrimSpace(c.Name)
	var problems []domain.FieldError
	if p := optionName(name, "choice"); p != "" {
		problems = append(problems, domain.FieldError{Field: "choice_name", Message: p})
	} else if slices.ContainsFunc(g.Choices, func(o OptionChoice) bool { return strings.EqualFold(o.Name, name) }) {
		problems = append(problems, domain.FieldError{Field: "choice_name", Message: fmt.Sprintf("%s already has a choice called %s.", g.Name, name)})
	}
	switch change := c.PriceChange; {
	case change.Currency != domain.EUR:
		problems = append(problems, domain.FieldError{Field: "price_change", Message: "The price change must be in euros."})
	case change.Amount > MaxPriceChange || change.Amount < -MaxPriceChange:
		problems = append(problems, domain.FieldError{Field: "price_change",
			Message: fmt.Sprintf("A choice can change the price by at most %s either way.", domain.Cents(MaxPriceChange))})
	}
	if err := domain.Fields(problems...); err != nil {
		return nil, err
	}
	return []domain.Event{OptionChoiceAdded{ItemID: s.ItemID, GroupID: c.GroupID, ChoiceID: c.ChoiceID, Name: name, PriceChange: c.PriceChange}}, nil
}

// hasChoice says whether any group of the dish has a choice with the id.
func (s State) hasChoice(id string) bool {
	return slices.ContainsFunc(s.Options, func(g OptionGroup) bool { return g.choiceIndex(id) >= 0 })
}

// groupName trims a group's name and checks it, unique among the dish's
// other groups whatever its case.
func (s State) groupName(groupID, name string) (string, []domain.FieldError) {
	name = strings.TrimSpace(name)
	if p := optionName(name, "group"); p != "" {
		return name, []domain.FieldError{{Field: "group_name", Message: p}}
	}
	if slices.ContainsFunc(s.Options, func(g OptionGroup) bool { return g.ID != groupID && strings.EqualFold(g.Name, name) }) {
		return name, []domain.FieldError{{Field: "group_name", Message: fmt.Sprintf("%s already has a group called %s.", s.Name, name)}}
	}
	return name, nil
}

// optionName says what is wrong with a group's or a choice's trimmed name,
// or "".
func optionName(name, what string) string {
	switch {
	case name == "":
		return fmt.Sprintf("Please give the %s a name.", what)
	case utf8.RuneCountInString(name) > MaxOptionNameLength:
		return fmt.Sprintf("The name can be at most %d characters long.", MaxOptionNameLength)
	}
	return ""
}

// groupRules checks how many choices a group asks for, every rule broken
// at once.
func groupRules(required bool, min, max int) []domain.FieldError {
	var problems []domain.FieldError
	switch {
	case min < 0:
		problems = append(problems, domain.FieldError{Field: "min", Message: "The minimum cannot be below 0."})
	case required && min < 1:
		problems = append(problems, domain.FieldError{Field: "min", Message: "A required group needs a minimum of at least 1."})
	case min > max && max >= 1:
		problems = append(problems, domain.FieldError{Field: "min", Message: "The minimum cannot be more than the maximum."})
	}
	switch {
	case max < 1:
		problems = append(problems, domain.FieldError{Field: "max", Message: "The maximum must be at least 1."})
	case max > MaxOptionChoices:
		problems = append(problems, domain.FieldError{Field: "max", Message: fmt.Sprintf("The maximum can be at most %d.", MaxOptionChoices)})
	}
	return problems
}
