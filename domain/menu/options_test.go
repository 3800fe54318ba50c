package menu

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"restaurant/domain"
)

var (
	size      = OptionGroupAdded{ItemID: id, GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1}
	extras    = OptionGroupAdded{ItemID: id, GroupID: "extras", Name: "Extras", Max: 3}
	large     = OptionChoiceAdded{ItemID: id, GroupID: "size", ChoiceID: "large", Name: "Large", PriceChange: domain.Cents(300)}
	small     = OptionChoiceAdded{ItemID: id, GroupID: "size", ChoiceID: "small", Name: "Small", PriceChange: domain.Cents(-200)}
	basil     = OptionChoiceAdded{ItemID: id, GroupID: "extras", ChoiceID: "basil", Name: "Fresh basil", PriceChange: domain.Cents(0)}
	addSize   = AddOptionGroup{GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1}
	addLarge  = AddOptionChoice{GroupID: "size", ChoiceID: "large", Name: "Large", PriceChange: domain.Cents(300)}
	withSizes = []domain.Event{added, size, large}
)

func groupWith(f func(*AddOptionGroup)) AddOptionGroup {
	c := addSize
	f(&c)
	return c
}

func choiceWith(f func(*AddOptionChoice)) AddOptionChoice {
	c := addLarge
	f(&c)
	return c
}

func TestAddOptionGroup(t *testing.T) {
	groups := func(n int) []domain.Event {
		es := []domain.Event{added}
		for i := range n {
			es = append(es, OptionGroupAdded{ItemID: id, GroupID: string(rune('a' + i)), Name: string(rune('A' + i)), Max: 1})
		}
		return es
	}
	for _, tc := range []spec{
		{name: "adds a required group", given: []domain.Event{added}, when: addSize, then: []domain.Event{size}},
		{name: "adds an optional group with no minimum", given: []domain.Event{added},
			when: AddOptionGroup{GroupID: "extras", Name: " Extras ", Max: 3}, then: []domain.Event{extras}},
		{name: "an optional group may ask for a minimum once chosen", given: []domain.Event{added},
			when: AddOptionGroup{GroupID: "sauces", Name: "Sauces", Min: 2, Max: 3},
			then: []domain.Event{OptionGroupAdded{ItemID: id, GroupID: "sauces", Name: "Sauces", Min: 2, Max: 3}}},
		{name: "while sold out", given: []domain.Event{added, MenuItemSoldOut{ItemID: id}}, when: addSize, then: []domain.Event{size}},
		{name: "the sixth group", given: groups(5), when: addSize,
			then: []domain.Event{size}},
		{name: "a seventh group", given: groups(6), when: addSize, wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "no name", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Name = " " }), wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "a name of 41 runes", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Name = strings.Repeat("é", 41) }), wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "a name the dish has in another case", given: []domain.Event{added, size}, when: groupWith(func(c *AddOptionGroup) { c.GroupID, c.Name = "size-2", "SIZE" }),
			wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "the minimum above the maximum", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Min, c.Max = 3, 2 }), wantErr: domain.EINVALID, wantField: "min"},
		{name: "a maximum of zero", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Required, c.Min, c.Max = false, 0, 0 }), wantErr: domain.EINVALID, wantField: "max"},
		{name: "a maximum above the most choices", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Max = 13 }), wantErr: domain.EINVALID, wantField: "max"},
		{name: "a negative minimum", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Required, c.Min = false, -1 }), wantErr: domain.EINVALID, wantField: "min"},
		{name: "required with a minimum of zero", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.Min = 0 }), wantErr: domain.EINVALID, wantField: "min"},
		{name: "the same id again", given: []domain.Event{added, size}, when: groupWith(func(c *AddOptionGroup) { c.Name = "Crust" }), wantErr: domain.ECONFLICT},
		{name: "no id", given: []domain.Event{added}, when: groupWith(func(c *AddOptionGroup) { c.GroupID = "" }), wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "a dish never added", when: addSize, wantErr: domain.ENOTFOUND},
		{name: "a removed dish", given: []domain.Event{added, MenuItemRemoved{ItemID: id}}, when: addSize, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

// TestEveryRuleOfAGroupAtOnce: a form with a bad name and bad numbers gets
// a message for each field.
func TestEveryRuleOfAGroupAtOnce(t *testing.T) {
	_, err := Decide(Evolve(State{}, added), AddOptionGroup{GroupID: "g", Name: "", Min: 4, Max: 13})
	var de *domain.Error
	if !errors.As(err, &de) || len(de.FieldErrors()) != 2 || de.FieldErrors()[0].Field != "group_name" || de.FieldErrors()[1].Field != "max" {
		t.Fatalf("a group broken twice: %v", err)
	}
}

func TestChangeOptionGroup(t *testing.T) {
	for _, tc := range []spec{
		{name: "renames", given: withSizes, when: RenameOptionGroup{GroupID: "size", Name: " Pizza size "},
			then: []domain.Event{OptionGroupRenamed{ItemID: id, GroupID: "size", Name: "Pizza size"}}},
		{name: "the same name", given: withSizes, when: RenameOptionGroup{GroupID: "size", Name: "Size "}, then: nil},
		{name: "its own name in another case", given: withSizes, when: RenameOptionGroup{GroupID: "size", Name: "SIZE"},
			then: []domain.Event{OptionGroupRenamed{ItemID: id, GroupID: "size", Name: "SIZE"}}},
		{name: "another group's name", given: append(withSizes, extras), when: RenameOptionGroup{GroupID: "size", Name: "extras"}, wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "an empty name", given: withSizes, when: RenameOptionGroup{GroupID: "size"}, wantErr: domain.EINVALID, wantField: "group_name"},
		{name: "rename an unknown group", given: withSizes, when: RenameOptionGroup{GroupID: "crust", Name: "Crust"}, wantErr: domain.ENOTFOUND},
		{name: "sets the rules", given: withSizes, when: SetOptionGroupRules{GroupID: "size", Min: 0, Max: 2},
			then: []domain.Event{OptionGroupRulesSet{ItemID: id, GroupID: "size", Min: 0, Max: 2}}},
		{name: "the same rules", given: withSizes, when: SetOptionGroupRules{GroupID: "size", Required: true, Min: 1, Max: 1}, then: nil},
		{name: "rules that break", given: withSizes, when: SetOptionGroupRules{GroupID: "size", Required: true, Min: 2, Max: 1}, wantErr: domain.EINVALID, wantField: "min"},
		{name: "rules of an unknown group", given: withSizes, when: SetOptionGroupRules{GroupID: "crust", Max: 1}, wantErr: domain.ENOTFOUND},
		{name: "removes", given: withSizes, when: RemoveOptionGroup{GroupID: "size"}, then: []domain.Event{OptionGroupRemoved{ItemID: id, GroupID: "size"}}},
		{name: "removes a removed group", given: append(withSizes, OptionGroupRemoved{ItemID: id, GroupID: "size"}), when: RemoveOptionGroup{GroupID: "size"}, wantErr: domain.ENOTFOUND},
		{name: "on a removed dish", given: append(withSizes, MenuItemRemoved{ItemID: id}), when: RemoveOptionGroup{GroupID: "size"}, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestOptionChoices(t *testing.T) {
	full := []domain.Event{added, size}
	for i := range MaxOptionChoices {
		full = append(full, OptionChoiceAdded{ItemID: id, GroupID: "size", ChoiceID: string(rune('a' + i)), Name: string(rune('A' + i)), PriceChange: domain.Cents(0)})
	}
	for _, tc := range []spec{
		{name: "adds a choice", given: []domain.Event{added, size}, when: addLarge, then: []domain.Event{large}},
		{name: "a smaller size costs less", given: []domain.Event{added, size},
			when: AddOptionChoice{GroupID: "size", ChoiceID: "small", Name: "Small", PriceChange: domain.Cents(-200)}, then: []domain.Event{small}},
		{name: "a choice that costs nothing more", given: []domain.Event{added, extras},
			when: AddOptionChoice{GroupID: "extras", ChoiceID: "basil", Name: " Fresh basil ", PriceChange: domain.Cents(0)}, then: []domain.Event{basil}},
		{name: "a change of €50.00", given: []domain.Event{added, size}, when: choiceWith(func(c *AddOptionChoice) { c.PriceChange = domain.Cents(-5000) }),
			then: []domain.Event{OptionChoiceAdded{ItemID: id, GroupID: "size", ChoiceID: "large", Name: "Large", PriceChange: domain.Cents(-5000)}}},
		{name: "a change above €50.00", given: []domain.Event{added, size}, when: choiceWith(func(c *AddOptionChoice) { c.PriceChange = domain.Cents(5001) }), wantErr: domain.EINVALID, wantField: "price_change"},
		{name: "a change in another currency", given: []domain.Event{added, size}, when: choiceWith(func(c *AddOptionChoice) { c.PriceChange = domain.Money{Amount: 1, Currency: "USD"} }), wantErr: domain.EINVALID, wantField: "price_change"},
		{name: "a name the group has in another case", given: withSizes, when: choiceWith(func(c *AddOptionChoice) { c.ChoiceID, c.Name = "large-2", "LARGE" }), wantErr: domain.EINVALID, wantField: "choice_name"},
		{name: "a name another group has", given: append(withSizes, extras), when: AddOptionChoice{GroupID: "extras", ChoiceID: "large-2", Name: "Large", PriceChange: domain.Cents(0)},
			then: []domain.Event{OptionChoiceAdded{ItemID: id, GroupID: "extras", ChoiceID: "large-2", Name: "Large", PriceChange: domain.Cents(0)}}},
		{name: "an id another group has", given: append(withSizes, extras), when: AddOptionChoice{GroupID: "extras", ChoiceID: "large", Name: "Big", PriceChange: domain.Cents(0)}, wantErr: domain.ECONFLICT},
		{name: "no name", given: []domain.Event{added, size}, when: choiceWith(func(c *AddOptionChoice) { c.Name = "" }), wantErr: domain.EINVALID, wantField: "choice_name"},
		{name: "a name of 41 runes", given: []domain.Event{added, size}, when: choiceWith(func(c *AddOptionChoice) { c.Name = strings.Repeat("ü", 41) }), wantErr: domain.EINVALID, wantField: "choice_name"},
		{name: "a thirteenth choice", given: full, when: addLarge, wantErr: domain.EINVALID, wantField: "choice_name"},
		{name: "to an unknown group", given: []domain.Event{added}, when: addLarge, wantErr: domain.ENOTFOUND},
		{name: "removes a choice", given: withSizes, when: RemoveOptionChoice{GroupID: "size", ChoiceID: "large"},
			then: []domain.Event{OptionChoiceRemoved{ItemID: id, GroupID: "size", ChoiceID: "large"}}},
		{name: "removes a choice of another group", given: append(withSizes, extras), when: RemoveOptionChoice{GroupID: "extras", ChoiceID: "large"}, wantErr: domain.ENOTFOUND},
		{name: "removes a removed choice", given: append(withSizes, OptionChoiceRemoved{ItemID: id, GroupID: "size", ChoiceID: "large"}),
			when: RemoveOptionChoice{GroupID: "size", ChoiceID: "large"}, wantErr: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestEvolveOptions(t *testing.T) {
	fold := func(es ...domain.Event) State {
		var s State
		for _, e := range es {
			s = Evolve(s, e)
		}
		return s
	}
	before := fold(added, size, large, small, extras, basil)
	want := []OptionGroup{
		{ID: "size", Name: "Size", Required: true, Min: 1, Max: 1, Choices: []OptionChoice{
			{ID: "large", Name: "Large", PriceChange: domain.Cents(300)}, {ID: "small", Name: "Small", PriceChange: domain.Cents(-200)}}},
		{ID: "extras", Name: "Extras", Max: 3, Choices: []OptionChoice{{ID: "basil", Name: "Fresh basil", PriceChange: domain.Cents(0)}}},
	}
	if !reflect.DeepEqual(before.Options, want) {
		t.Fatalf("options\n got: %#v\nwant: %#v", before.Options, want)
	}
	after := before
	for _, e := range []domain.Event{
		OptionChoiceRemoved{ItemID: id, GroupID: "size", ChoiceID: "large"},
		OptionGroupRenamed{ItemID: id, GroupID: "size", Name: "Pizza size"},
		OptionGroupRulesSet{ItemID: id, GroupID: "size", Min: 0, Max: 2},
		OptionGroupRemoved{ItemID: id, GroupID: "extras"},
		MenuItemModified{ItemID: id, Name: "M", CategoryID: "c", Price: domain.Cents(1)},
	} {
		after = Evolve(after, e)
	}
	if !reflect.DeepEqual(after.Options, []OptionGroup{{ID: "size", Name: "Pizza size", Max: 2, Choices: []OptionChoice{{ID: "small", Name: "Small", PriceChange: domain.Cents(-200)}}}}) {
		t.Fatalf("after the changes: %#v", after.Options)
	}
	// The earlier state is as it was: Evolve changed copies.
	if !reflect.DeepEqual(before.Options, want) {
		t.Fatalf("an earlier state changed: %#v", before.Options)
	}
}
