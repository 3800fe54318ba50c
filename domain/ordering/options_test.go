package ordering

import (
	"testing"

	"restaurant/domain"
)

var (
	// sizes is a pizza's required size: small costs a euro less.
	sizes = []OptionGroup{{ID: "size", Name: "Size", Required: true, Min: 1, Max: 1, Choices: []OptionChoice{
		{ID: "regular", Name: "Regular", PriceChange: domain.Cents(0)},
		{ID: "large", Name: "Large", PriceChange: domain.Cents(300)},
		{ID: "small", Name: "Small", PriceChange: domain.Cents(-100)},
	}}}
	// extras are up to two, optional.
	extras = OptionGroup{ID: "extras", Name: "Extras", Max: 2, Choices: []OptionChoice{
		{ID: "basil", Name: "Fresh basil", PriceChange: domain.Cents(50)},
		{ID: "olives", Name: "Olives", PriceChange: domain.Cents(100)},
		{ID: "rocket", Name: "Rocket", PriceChange: domain.Cents(100)},
	}}
	pizzaGroups = append(sizes[:1:1], extras)

	chosenLarge  = ChosenOption{GroupID: "size", GroupName: "Size", ChoiceID: "large", ChoiceName: "Large", PriceChange: domain.Cents(300)}
	chosenSmall  = ChosenOption{GroupID: "size", GroupName: "Size", ChoiceID: "small", ChoiceName: "Small", PriceChange: domain.Cents(-100)}
	chosenBasil  = ChosenOption{GroupID: "extras", GroupName: "Extras", ChoiceID: "basil", ChoiceName: "Fresh basil", PriceChange: domain.Cents(50)}
	chosenOlives = ChosenOption{GroupID: "extras", GroupName: "Extras", ChoiceID: "olives", ChoiceName: "Olives", PriceChange: domain.Cents(100)}

	// bigPizza is a large margherita with basil and olives: 9.50 + 3 + 0.50 + 1.
	bigPizza = added(func(e *ItemAddedToOrder) {
		e.UnitPrice, e.Options = domain.Cents(1400), []ChosenOption{chosenLarge, chosenBasil, chosenOlives}
	})
)

// pick adds the pizza with its groups and the guest's picks.
func pick(picks Picks) AddItem {
	return add(func(c *AddItem) { c.Options, c.Picks = pizzaGroups, picks })
}

func TestAddItemWithOptions(t *testing.T) {
	runAll(t, []spec{
		{name: "prices the line with its choices, in the menu's order",
			given: given(opened), when: pick(Picks{"extras": {"olives", "basil"}, "size": {"large"}}), then: []domain.Event{bigPizza}},
		{name: "a choice sent twice counts once",
			given: given(opened), when: pick(Picks{"extras": {"basil", "olives", "basil"}, "size": {"large"}}), then: []domain.Event{bigPizza}},
		{name: "an optional group left out",
			given: given(opened), when: pick(Picks{"size": {"small"}, "extras": {""}}),
			then: []domain.Event{added(func(e *ItemAddedToOrder) { e.UnitPrice, e.Options = domain.Cents(850), []ChosenOption{chosenSmall} })}},
		{name: "a dish without groups takes no picks",
			given: given(opened), when: add(func(c *AddItem) { c.Picks = Picks{} }), then: []domain.Event{pizza}},
		{name: "a required group left out",
			given: given(opened), when: pick(Picks{"extras": {"basil"}}),
			wantErr: domain.EINVALID, wantField: "option-size", wantMessage: "Size: please choose 1."},
		{name: "two choices of a choose-1 group",
			given: given(opened), when: pick(Picks{"size": {"large", "small"}}),
			wantErr: domain.EINVALID, wantField: "option-size", wantMessage: "Size: please choose at most 1."},
		{name: "too many extras",
			given: given(opened), when: pick(Picks{"size": {"large"}, "extras": {"basil", "olives", "rocket"}}),
			wantErr: domain.EINVALID, wantField: "option-extras", wantMessage: "Extras: please choose at most 2."},
		{name: "too few of an optional group that asks for two once chosen",
			given: given(opened), when: add(func(c *AddItem) {
				c.Options, c.Picks = []OptionGroup{{ID: "sauces", Name: "Sauces", Min: 2, Max: 3, Choices: extras.Choices}}, Picks{"sauces": {"basil"}}
			}),
			wantErr: domain.EINVALID, wantField: "option-sauces", wantMessage: "Sauces: please choose 2 to 3."},
		{name: "a choice of another group",
			given: given(opened), when: pick(Picks{"size": {"basil"}}),
			wantErr: domain.EINVALID, wantField: "option-size", wantMessage: "Size: one of your choices is not offered"},
		{name: "a choice removed meanwhile",
			given: given(opened), when: pick(Picks{"size": {"large"}, "extras": {"anchovies"}}),
			wantErr: domain.EINVALID, wantField: "option-extras", wantMessage: "Extras: one of your choices is not offered"},
		{name: "a group of another dish",
			given: given(opened), when: pick(Picks{"size": {"large"}, "crust": {"thin"}}),
			wantErr: domain.EINVALID, wantField: "options", wantMessage: "not offered with this dish"},
		{name: "choices for a dish without groups",
			given: given(opened), when: add(func(c *AddItem) { c.Picks = Picks{"size": {"large"}} }),
			wantErr: domain.EINVALID, wantField: "options"},
		{name: "every group at fault at once, after the quantity",
			given: given(opened), when: add(func(c *AddItem) {
				c.Quantity, c.Options, c.Picks = 0, pizzaGroups, Picks{"extras": {"basil", "olives", "rocket"}}
			}),
			wantErr: domain.EINVALID, wantField: "quantity", wantFields: []string{"quantity", "option-size", "option-extras"}},
		{name: "choices that make the dish free",
			given: given(opened), when: add(func(c *AddItem) { c.UnitPrice, c.Options, c.Picks = domain.Cents(100), sizes, Picks{"size": {"small"}} }),
			wantErr: domain.EINVALID, wantField: "options"},
		{name: "a choice priced in another currency",
			given: given(opened), when: add(func(c *AddItem) {
				c.Options = []OptionGroup{{ID: "g", Name: "G", Max: 1, Choices: []OptionChoice{{ID: "c", Name: "C", PriceChange: domain.Money{Amount: 1, Currency: "USD"}}}}}
				c.Picks = Picks{"g": {"c"}}
			}),
			wantErr: domain.EINVALID, wantField: "options"},
		{name: "the choices count against the order's total",
			given: given(opened), when: add(func(c *AddItem) {
				c.Quantity, c.Options, c.Picks, c.Caps = 10, sizes, Picks{"size": {"large"}}, Caps{MaxTotal: domain.Cents(10000)}
			}),
			wantErr: domain.EINVALID, wantField: "quantity", wantMessage: "at most €100.00"},
	})
}

func TestChangeItemOptions(t *testing.T) {
	change := func(picks Picks) ChangeItemOptions {
		return ChangeItemOptions{LineID: "l1", Options: pizzaGroups, Picks: picks}
	}
	runAll(t, []spec{
		{name: "chooses again, at the dish's price the line was added at",
			given: given(opened, bigPizza), when: change(Picks{"size": {"small"}}),
			then: []domain.Event{ItemOptionsChanged{OrderID: oid, LineID: "l1", Options: []ChosenOption{chosenSmall}, UnitPrice: domain.Cents(850)}}},
		{name: "a line added without options takes some",
			given: given(opened, pizza), when: change(Picks{"size": {"large"}, "extras": {"basil"}}),
			then: []domain.Event{ItemOptionsChanged{OrderID: oid, LineID: "l1", Options: []ChosenOption{chosenLarge, chosenBasil}, UnitPrice: domain.Cents(1300)}}},
		{name: "a choice's price as the menu has it now",
			given: given(opened, bigPizza), when: ChangeItemOptions{LineID: "l1", Options: []OptionGroup{{ID: "size", Name: "Size", Required: true, Min: 1, Max: 1,
				Choices: []OptionChoice{{ID: "large", Name: "Large", PriceChange: domain.Cents(400)}}}}, Picks: Picks{"size": {"large"}}},
			then: []domain.Event{ItemOptionsChanged{OrderID: oid, LineID: "l1", UnitPrice: domain.Cents(1350),
				Options: []ChosenOption{{GroupID: "size", GroupName: "Size", ChoiceID: "large", ChoiceName: "Large", PriceChange: domain.Cents(400)}}}}},
		{name: "the same choices", given: given(opened, bigPizza), when: change(Picks{"size": {"large"}, "extras": {"olives", "basil"}}), then: nil},
		{name: "a required group left out", given: given(opened, bigPizza), when: change(Picks{"extras": {"basil"}}), wantErr: domain.EINVALID, wantField: "option-size"},
		{name: "an unknown line", given: given(opened, bigPizza), when: ChangeItemOptions{LineID: "l9", Options: pizzaGroups}, wantErr: domain.ENOTFOUND},
		{name: "a placed order", given: given(opened, bigPizza, pickup, placed), when: change(Picks{"size": {"small"}}), wantErr: domain.ECONFLICT},
		{name: "over the order's total",
			given: given(opened, pizza), when: ChangeItemOptions{LineID: "l1", Options: sizes, Picks: Picks{"size": {"large"}}, Caps: Caps{MaxTotal: domain.Cents(2000)}},
			wantErr: domain.EINVALID, wantField: "quantity"},
	})
}

func TestOptionsInTheOrder(t *testing.T) {
	s := fold(opened, bigPizza, ItemQuantityChanged{OrderID: oid, LineID: "l1", Quantity: 3})
	l, _ := s.Line("l1")
	if l.BasePrice() != domain.Cents(950) || l.Total() != domain.Cents(4200) || s.Total() != domain.Cents(4200) {
		t.Fatalf("a line of 3 large pizzas with extras: base %s, total %s, order %s", l.BasePrice(), l.Total(), s.Total())
	}
	before := s
	s = Evolve(s, ItemOptionsChanged{OrderID: oid, LineID: "l1", Options: []ChosenOption{chosenSmall}, UnitPrice: domain.Cents(850)})
	if l, _ := s.Line("l1"); l.Total() != domain.Cents(2550) || len(l.Options) != 1 || l.BasePrice() != domain.Cents(950) {
		t.Fatalf("after choosing a small one: %#v", l)
	}
	if l, _ := before.Line("l1"); len(l.Options) != 3 {
		t.Fatalf("the earlier state changed: %#v", l)
	}
	if picks := (Line{Options: []ChosenOption{chosenLarge, chosenBasil, chosenOlives}}).ChoiceIDs(); len(picks["size"]) != 1 || len(picks["extras"]) != 2 {
		t.Fatalf("the line's picks: %v", picks)
	}
}

func TestOptionGroupRule(t *testing.T) {
	for _, tc := range []struct {
		g    OptionGroup
		want string
	}{
		{OptionGroup{Required: true, Min: 1, Max: 1}, "choose 1"},
		{OptionGroup{Required: true, Min: 1, Max: 3}, "choose 1 to 3"},
		{OptionGroup{Required: true, Min: 2, Max: 2}, "choose 2"},
		{OptionGroup{Max: 3}, "optional, up to 3"},
		{OptionGroup{Max: 1}, "optional"},
		{OptionGroup{Min: 2, Max: 3}, "optional; if you do, choose 2 to 3"},
	} {
		if got := tc.g.Rule(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.g, got, tc.want)
		}
	}
}
