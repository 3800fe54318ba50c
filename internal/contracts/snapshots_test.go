package contracts_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/contracts"
)

// stored is an event as the store hands it to Evolve: encoded by the
// contract and decoded again.
func stored(t *testing.T, e domain.Event) domain.Event {
	t.Helper()
	c := contracts.Codec()
	typ, v, data, err := c.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := c.Decode(typ, v, data)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func foldStored[S any](t *testing.T, evolve func(S, domain.Event) S, events ...domain.Event) S {
	t.Helper()
	var s S
	for _, e := range events {
		s = evolve(s, stored(t, e))
	}
	return s
}

// roundTrip fails unless the state survives encoding/json unchanged, as a
// snapshot must.
func roundTrip[S any](t *testing.T, state S) {
	t.Helper()
	data, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	var back S
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, state) {
		t.Errorf("%T does not survive JSON:\n got %#v\nwant %#v", state, back, state)
	}
	var zero S
	if reflect.DeepEqual(state, zero) {
		t.Errorf("%T folded to its zero value: the test proves nothing", state)
	}
}

// TestSnapshottedStatesRoundTrip folds, for every decider that lets the
// event store snapshot it, a history that sets every part of its state,
// and checks that the state encodes and decodes to an equal value: what a
// snapshot holds is what folding would give.
func TestSnapshottedStatesRoundTrip(t *testing.T) {
	paused := time.Date(2026, 12, 1, 18, 30, 0, 0, time.FixedZone("", 3600))
	t.Run("settings", func(t *testing.T) {
		var week settings.Week
		week[1] = []settings.Range{{Opens: 12 * 60, Closes: 15 * 60}, {Opens: 19 * 60, Closes: 23 * 60}}
		s := foldStored(t, settings.Decider.Evolve,
			settings.OpeningHoursSet{Week: week},
			settings.ClosedDayAdded{Date: "2026-12-25"}, settings.ClosedDayAdded{Date: "2026-12-31"},
			settings.ClosedDayRemoved{Date: "2026-12-31"},
			settings.OnlineOrdersPaused{PausedAt: paused, Until: paused.Add(time.Hour)},
			settings.PaceSet{Pace: settings.Pace{Parallel: 4, DeliveryMinutes: 30, BusyAfter: 40, StopAfter: 90}},
			settings.FireByPrepTimeSet{On: true})
		roundTrip(t, s)
		// Every day closed again leaves an empty list, which must stay one.
		roundTrip(t, settings.Decider.Evolve(s, stored(t, settings.ClosedDayRemoved{Date: "2026-12-25"})))
	})
	t.Run("stations", func(t *testing.T) {
		s := foldStored(t, kitchen.StationsDecider.Evolve,
			kitchen.StationAdded{StationID: "grill", Name: "Grill"}, kitchen.StationAdded{StationID: "cold", Name: "Cold"},
			kitchen.StationAdded{StationID: "bar", Name: "Bar"},
			kitchen.StationRenamed{StationID: "cold", Name: "Garde manger"},
			kitchen.CategoryRouted{StationID: "grill", CategoryID: "mains"},
			kitchen.DishRouted{StationID: "cold", DishID: "salad"}, kitchen.DishRouted{StationID: "cold", DishID: "soup"},
			kitchen.DishUnrouted{StationID: "cold", DishID: "soup"},
			kitchen.CategoryRouted{StationID: "bar", CategoryID: "drinks"}, kitchen.CategoryUnrouted{StationID: "bar", CategoryID: "drinks"},
			kitchen.StationRemoved{StationID: "bar"})
		if s.Name("bar") != "Bar" || len(s.List()) != 2 {
			t.Fatalf("stations folded to %+v", s.List())
		}
		roundTrip(t, s)
	})
	t.Run("dish", func(t *testing.T) {
		s := foldStored(t, menu.Decider.Evolve,
			menu.MenuItemAdded{ItemID: "soup", Name: "Soup", Description: "Hot", CategoryID: "starters", Price: domain.Cents(650),
				Allergens: []menu.Allergen{menu.Gluten, menu.Eggs}, Diets: []menu.Diet{menu.Vegetarian}},
			menu.OptionGroupAdded{ItemID: "soup", GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1},
			menu.OptionChoiceAdded{ItemID: "soup", GroupID: "size", ChoiceID: "big", Name: "Big", PriceChange: domain.Cents(200)},
			menu.OptionChoiceAdded{ItemID: "soup", GroupID: "size", ChoiceID: "small", Name: "Small", PriceChange: domain.Cents(-100)},
			menu.OptionChoiceRemoved{ItemID: "soup", GroupID: "size", ChoiceID: "small"},
			menu.OptionGroupAdded{ItemID: "soup", GroupID: "extra", Name: "Extras", Max: 2},
			menu.OptionGroupRemoved{ItemID: "soup", GroupID: "extra"},
			menu.MenuItemPhotoChanged{ItemID: "soup", PhotoID: "p1"},
			menu.MenuItemPrepTimeSet{ItemID: "soup", Minutes: 12},
			menu.MenuItemSoldOut{ItemID: "soup"})
		roundTrip(t, s)
		roundTrip(t, menu.Decider.Evolve(s, stored(t, menu.MenuItemRemoved{ItemID: "soup"})))
	})
	t.Run("portions", func(t *testing.T) {
		s := foldStored(t, menu.PortionsDecider.Evolve,
			menu.PortionsLimitSet{ItemID: "soup", Portions: 20},
			menu.PortionsTaken{ItemID: "soup", OrderID: "o1", Quantity: 2}, menu.PortionsTaken{ItemID: "soup", OrderID: "o2", Quantity: 1},
			menu.PortionsReturned{ItemID: "soup", OrderID: "o1", Quantity: 2})
		roundTrip(t, s)
		roundTrip(t, menu.PortionsDecider.Evolve(s, stored(t, menu.PortionsLimitCleared{ItemID: "soup"})))
	})
}

// TestSnapshotsOnlyWithoutPersonalData lists every decider and whether the
// store may snapshot it: snapshots are not sealed, so no decider whose
// events carry personal data may opt in.
func TestSnapshotsOnlyWithoutPersonalData(t *testing.T) {
	for _, d := range []struct {
		name     string
		snapshot int
		events   []domain.Event
		want     bool
	}{
		{"settings", settings.Decider.Snapshot, settings.Events(), true},
		{"stations", kitchen.StationsDecider.Snapshot, kitchen.StationEvents(), true},
		{"dish", menu.Decider.Snapshot, menu.Events(), true},
		{"portions", menu.PortionsDecider.Snapshot, menu.PortionEvents(), true},
		// Folded by a scope across streams, not loaded as one stream.
		{"categories", menu.CategoriesDecider.Snapshot, menu.CategoryEvents(), false},
		// An order holds its guest's contact, a customer their email.
		{"order", ordering.Decider.Snapshot, ordering.Events(), false},
		{"customer", customers.Decider.Snapshot, customers.Events(), false},
		{"email reservation", customers.ReservationDecider.Snapshot, customers.Events(), false},
		// Short streams, each a ticket or a member of staff.
		{"ticket", kitchen.Decider.Snapshot, kitchen.Events(), false},
		{"staff", staff.Decider.Snapshot, staff.Events(), false},
	} {
		if got := d.snapshot > 0; got != d.want {
			t.Errorf("%s: snapshotted %v, want %v", d.name, got, d.want)
		}
		if d.snapshot == 0 {
			continue
		}
		for _, e := range d.events {
			if _, personal := e.(domain.Personal); personal {
				t.Errorf("%s is snapshotted, but its event %s carries personal data", d.name, e.EventType())
			}
		}
	}
}
