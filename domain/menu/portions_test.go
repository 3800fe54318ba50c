package menu

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

func TestPortions(t *testing.T) {
	dish := Evolve(State{}, added)
	removedDish := Evolve(dish, MenuItemRemoved{ItemID: id})
	set := PortionsLimitSet{ItemID: id, Portions: 3}
	took := func(order string, q int) PortionsTaken { return PortionsTaken{ItemID: id, OrderID: order, Quantity: q} }
	for _, tc := range []struct {
		name  string
		given []domain.Event
		when  PortionsCommand
		want  decidertest.Want
	}{
		{name: "limits a dish", when: SetPortions{ItemID: id, Portions: 3, Dish: dish}, want: decidertest.Want{Then: []domain.Event{set}}},
		{name: "zero portions", when: SetPortions{ItemID: id, Dish: dish}, want: decidertest.Want{Then: []domain.Event{PortionsLimitSet{ItemID: id}}}},
		{name: "the same count again changes nothing", given: []domain.Event{set}, when: SetPortions{ItemID: id, Portions: 3, Dish: dish}},
		{name: "a new count starts afresh", given: []domain.Event{set, took("o1", 2)}, when: SetPortions{ItemID: id, Portions: 12, Dish: dish},
			want: decidertest.Want{Then: []domain.Event{PortionsLimitSet{ItemID: id, Portions: 12}}}},
		{name: "too many", when: SetPortions{ItemID: id, Portions: 1000, Dish: dish}, want: decidertest.Want{Code: domain.EINVALID, Field: "portions"}},
		{name: "negative", when: SetPortions{ItemID: id, Portions: -1, Dish: dish}, want: decidertest.Want{Code: domain.EINVALID, Field: "portions"}},
		{name: "no such dish", when: SetPortions{ItemID: id, Portions: 3}, want: decidertest.Want{Code: domain.ENOTFOUND}},
		{name: "a removed dish", when: SetPortions{ItemID: id, Portions: 3, Dish: removedDish}, want: decidertest.Want{Code: domain.ECONFLICT}},
		{name: "clears the limit", given: []domain.Event{set}, when: ClearPortions{}, want: decidertest.Want{Then: []domain.Event{PortionsLimitCleared{ItemID: id}}}},
		{name: "clearing no limit changes nothing", when: ClearPortions{}},
		{name: "takes portions", given: []domain.Event{set}, when: TakePortions{OrderID: "o1", Name: "Margherita", Quantity: 2},
			want: decidertest.Want{Then: []domain.Event{took("o1", 2)}}},
		{name: "takes the last portions", given: []domain.Event{set, took("o1", 2)}, when: TakePortions{OrderID: "o2", Name: "Margherita", Quantity: 1},
			want: decidertest.Want{Then: []domain.Event{took("o2", 1)}}},
		{name: "a dish without a limit takes nothing", when: TakePortions{OrderID: "o1", Name: "Margherita", Quantity: 50}},
		{name: "an order takes once", given: []domain.Event{set, took("o1", 2)}, when: TakePortions{OrderID: "o1", Name: "Margherita", Quantity: 2}},
		{name: "more than are left", given: []domain.Event{set, took("o1", 1)}, when: TakePortions{OrderID: "o2", Name: "Margherita", Quantity: 3},
			want: decidertest.Want{Code: domain.ECONFLICT, Message: "Only 2 portions of Margherita are left"}},
		{name: "one left", given: []domain.Event{set, took("o1", 2)}, when: TakePortions{OrderID: "o2", Name: "Margherita", Quantity: 2},
			want: decidertest.Want{Code: domain.ECONFLICT, Message: "Only 1 portion of Margherita is left"}},
		{name: "none left", given: []domain.Event{set, took("o1", 3)}, when: TakePortions{OrderID: "o2", Name: "Margherita", Quantity: 1},
			want: decidertest.Want{Code: domain.ECONFLICT, Message: "Margherita is sold out"}},
		{name: "zero quantity", given: []domain.Event{set}, when: TakePortions{OrderID: "o2", Name: "Margherita"}, want: decidertest.Want{Code: domain.EINVALID, Field: "quantity"}},
		{name: "gives back what an order took", given: []domain.Event{set, took("o1", 2)}, when: ReturnPortions{OrderID: "o1"},
			want: decidertest.Want{Then: []domain.Event{PortionsReturned{ItemID: id, OrderID: "o1", Quantity: 2}}}},
		{name: "gives back once", given: []domain.Event{set, took("o1", 2), PortionsReturned{ItemID: id, OrderID: "o1", Quantity: 2}}, when: ReturnPortions{OrderID: "o1"}},
		{name: "an order that took nothing gives nothing", given: []domain.Event{set}, when: ReturnPortions{OrderID: "o1"}},
		{name: "nothing back to a count set since", given: []domain.Event{set, took("o1", 2), PortionsLimitSet{ItemID: id, Portions: 5}}, when: ReturnPortions{OrderID: "o1"}},
		{name: "nothing back once the limit is cleared", given: []domain.Event{set, took("o1", 2), PortionsLimitCleared{ItemID: id}}, when: ReturnPortions{OrderID: "o1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Portions
			for _, e := range tc.given {
				p = EvolvePortions(p, e)
			}
			got, err := DecidePortions(p, tc.when)
			decidertest.Check(t, got, err, tc.want)
		})
	}
}

func TestEvolvePortions(t *testing.T) {
	p := EvolvePortions(Portions{}, PortionsLimitSet{ItemID: id, Portions: 12})
	before := EvolvePortions(p, PortionsTaken{ItemID: id, OrderID: "o1", Quantity: 5})
	after := EvolvePortions(before, PortionsTaken{ItemID: id, OrderID: "o2", Quantity: 4})
	after = EvolvePortions(after, PortionsReturned{ItemID: id, OrderID: "o1", Quantity: 5})
	if want := (Portions{ItemID: id, Limited: true, Left: 8, Taken: map[string]int{"o2": 4}}); !reflect.DeepEqual(after, want) {
		t.Fatalf("got %#v, want %#v", after, want)
	}
	if !reflect.DeepEqual(before.Taken, map[string]int{"o1": 5}) || before.Left != 7 {
		t.Fatalf("an earlier state changed: %#v", before)
	}
	if c := EvolvePortions(after, PortionsLimitCleared{ItemID: id}); c.Limited || len(c.Taken) > 0 {
		t.Fatalf("cleared: %#v", c)
	}
}

func TestPortionEvents(t *testing.T) {
	for _, e := range PortionEvents() {
		rt := reflect.TypeOf(e)
		if e.EventType() != "menu."+rt.Name() || !strings.HasPrefix(rt.Name(), "Portions") {
			t.Errorf("event type %q of %s", e.EventType(), rt.Name())
		}
	}
	for _, e := range []domain.Event{PortionsLimitSet{ItemID: id, Portions: 12}, PortionsLimitCleared{ItemID: id},
		PortionsTaken{ItemID: id, OrderID: "o1", Quantity: 2}, PortionsReturned{ItemID: id, OrderID: "o1", Quantity: 2}} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(e))
		if err := json.Unmarshal(b, p.Interface()); err != nil || !reflect.DeepEqual(p.Elem().Interface(), e) {
			t.Errorf("round trip of %s: %v", b, err)
		}
	}
	if PortionsStream(id) == Stream(id) || strings.HasPrefix(PortionsStream(id), StreamPrefix) {
		t.Errorf("a dish's portions stream %q must not look like a menu item's", PortionsStream(id))
	}
}
