package kitchen

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"restaurant/domain"
)

var (
	ovenAdded   = StationAdded{StationID: "oven", Name: "Pizza oven"}
	lineAdded   = StationAdded{StationID: "line", Name: "Line"}
	barAdded    = StationAdded{StationID: "bar", Name: "Bar"}
	pizzaToOven = CategoryRouted{StationID: "oven", CategoryID: "pizza"}
)

func stations(es ...domain.Event) Stations {
	var s Stations
	for _, e := range es {
		s = EvolveStations(s, e)
	}
	return s
}

func TestDecideStations(t *testing.T) {
	three := given(lineAdded, ovenAdded, barAdded)
	tests := []struct {
		name    string
		given   []domain.Event
		when    StationCommand
		then    []domain.Event
		wantErr string
		field   string
	}{
		{name: "adds", when: AddStation{StationID: "oven", Name: "  Pizza   oven "}, then: given(ovenAdded)},
		{name: "a name taken in another case", given: three, when: AddStation{StationID: "oven2", Name: "pizza OVEN"}, wantErr: domain.EINVALID, field: "name"},
		{name: "no name", when: AddStation{StationID: "x", Name: " "}, wantErr: domain.EINVALID, field: "name"},
		{name: "a name too long", when: AddStation{StationID: "x", Name: string(make([]byte, 41))}, wantErr: domain.EINVALID, field: "name"},
		{name: "a bad id", when: AddStation{StationID: "Pizza Oven", Name: "Pizza oven"}, wantErr: domain.EINVALID, field: "station_id"},
		{name: "an id used before, even removed", given: given(ovenAdded, StationRemoved{StationID: "oven"}), when: AddStation{StationID: "oven", Name: "Oven"}, wantErr: domain.ECONFLICT},
		{name: "renames", given: three, when: RenameStation{StationID: "bar", Name: "Drinks"}, then: given(StationRenamed{StationID: "bar", Name: "Drinks"})},
		{name: "renamed as it is", given: three, when: RenameStation{StationID: "bar", Name: "Bar"}},
		{name: "renamed as another", given: three, when: RenameStation{StationID: "bar", Name: "line"}, wantErr: domain.EINVALID, field: "name"},
		{name: "an unknown station", given: three, when: RenameStation{StationID: "grill", Name: "Grill"}, wantErr: domain.ENOTFOUND},
		{name: "routes a category", given: three, when: RouteCategory{StationID: "oven", CategoryID: "pizza"}, then: given(pizzaToOven)},
		{name: "routes a category again", given: given(lineAdded, ovenAdded, pizzaToOven), when: RouteCategory{StationID: "oven", CategoryID: "pizza"}},
		{name: "routes no category", given: three, when: RouteCategory{StationID: "oven"}, wantErr: domain.EINVALID, field: "category_id"},
		{name: "routes a dish", given: three, when: RouteDish{StationID: "bar", DishID: "spritz"}, then: given(DishRouted{StationID: "bar", DishID: "spritz"})},
		{name: "routes no dish", given: three, when: RouteDish{StationID: "bar"}, wantErr: domain.EINVALID, field: "dish_id"},
		{name: "unroutes a category", given: given(ovenAdded, pizzaToOven), when: Unroute{StationID: "oven", CategoryID: "pizza"},
			then: given(CategoryUnrouted{StationID: "oven", CategoryID: "pizza"})},
		{name: "unroutes a route it does not have", given: given(ovenAdded, pizzaToOven), when: Unroute{StationID: "oven", DishID: "pizza"}},
		{name: "unroutes nothing named", given: given(ovenAdded), when: Unroute{StationID: "oven"}, wantErr: domain.EINVALID},
		{name: "removes", given: three, when: RemoveStation{StationID: "bar"}, then: given(StationRemoved{StationID: "bar"})},
		{name: "removes one with routes", given: given(ovenAdded, pizzaToOven), when: RemoveStation{StationID: "oven"}, wantErr: domain.ECONFLICT},
		{name: "removes one removed", given: given(ovenAdded, StationRemoved{StationID: "oven"}), when: RemoveStation{StationID: "oven"}, wantErr: domain.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecideStations(stations(tc.given...), tc.when)
			if tc.wantErr != "" {
				var de *domain.Error
				if domain.ErrorCode(err) != tc.wantErr || !errors.As(err, &de) || de.Field != tc.field || de.Message == "" {
					t.Fatalf("got %v, %v; want %s on %q", got, err, tc.wantErr, tc.field)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.then) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tc.then)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	routed := stations(lineAdded, ovenAdded, barAdded, pizzaToOven, CategoryRouted{StationID: "bar", CategoryID: "drinks"},
		DishRouted{StationID: "line", DishID: "calzone"})
	tests := []struct {
		name           string
		stations       Stations
		dish, category string
		want           string
	}{
		{"no stations: the whole kitchen", Stations{}, "margherita", "pizza", ""},
		{"by its category", routed, "margherita", "pizza", "oven"},
		{"the dish's own route wins", routed, "calzone", "pizza", "line"},
		{"another category", routed, "lager", "drinks", "bar"},
		{"unrouted: the first station", routed, "tiramisu", "desserts", "line"},
		{"a category moved", stations(lineAdded, ovenAdded, pizzaToOven, CategoryRouted{StationID: "line", CategoryID: "pizza"}), "margherita", "pizza", "line"},
		{"a category unrouted", stations(lineAdded, ovenAdded, pizzaToOven, CategoryUnrouted{StationID: "oven", CategoryID: "pizza"}), "margherita", "pizza", "line"},
		{"the first removed: the next is the default", stations(lineAdded, ovenAdded, StationRemoved{StationID: "line"}), "tiramisu", "desserts", "oven"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.stations.Route(tc.dish, tc.category); got != tc.want {
				t.Fatalf("Route(%q, %q) = %q, want %q", tc.dish, tc.category, got, tc.want)
			}
		})
	}
}

func TestStationNamesAndCooks(t *testing.T) {
	s := stations(lineAdded, ovenAdded, StationRenamed{StationID: "oven", Name: "Oven"}, barAdded, StationRemoved{StationID: "bar"})
	for id, want := range map[string]string{"": DefaultStationName, "oven": "Oven", "bar": "Bar", "grill": ""} {
		if got := s.Name(id); got != want {
			t.Errorf("Name(%q) = %q, want %q", id, got, want)
		}
	}
	for _, tc := range []struct {
		station, dish string
		want          bool
	}{{"oven", "oven", true}, {"oven", "line", false}, {"line", "", true}, {"line", "bar", true}, {"oven", "bar", false}} {
		if got := s.Cooks(tc.station, tc.dish); got != tc.want {
			t.Errorf("Cooks(%q, %q) = %v, want %v", tc.station, tc.dish, got, tc.want)
		}
	}
}

func TestLinesSayTheirStation(t *testing.T) {
	items := []Item{{LineID: "a", Name: "Margherita", Quantity: 1, Station: "oven"}, {LineID: "b", Name: "Lager", Quantity: 1, Station: "bar"}}
	open := TicketOpened{TicketID: tid, Items: items, Fulfilment: FulfilmentPickup, PlacedAt: placedAt, OpenedAt: t0}
	pizza := TicketLineBumped{TicketID: tid, LineID: "a", Station: "oven", BumpedAt: t2}
	beer := TicketLineBumped{TicketID: tid, LineID: "b", Station: "bar", BumpedAt: t2}
	ready := TicketBumped{TicketID: tid, BumpedAt: t2}
	runAll(t, []spec{
		{name: "a bump says the station", given: given(open, started), when: BumpLine{LineID: "a", At: t2}, then: given(pizza)},
		{name: "an undo says the station", given: given(open, started, pizza), when: RecallLine{LineID: "a", At: t3},
			then: given(TicketLineRecalled{TicketID: tid, LineID: "a", Station: "oven", RecalledAt: t3})},
		{name: "the expo's recall undoes every dish", given: given(open, started, pizza, beer, ready), when: RecallTicket{At: t3, Redo: true},
			then: given(TicketRecalled{TicketID: tid, RecalledAt: t3}, TicketLineRecalled{TicketID: tid, LineID: "a", Station: "oven", RecalledAt: t3},
				TicketLineRecalled{TicketID: tid, LineID: "b", Station: "bar", RecalledAt: t3})},
		{name: "the display's recall keeps them", given: given(open, started, pizza, beer, ready), when: RecallTicket{At: t3},
			then: given(TicketRecalled{TicketID: tid, RecalledAt: t3})},
	})
	s := fold(open, started, pizza, beer, ready, TicketRecalled{TicketID: tid, RecalledAt: t3},
		TicketLineRecalled{TicketID: tid, LineID: "a", RecalledAt: t3}, TicketLineRecalled{TicketID: tid, LineID: "b", RecalledAt: t3})
	if len(s.DoneLines) != 0 || s.Status != StatusPreparing {
		t.Fatalf("after the expo's recall: %v, done %v", s.Status, s.DoneLines)
	}
}

// Every event of the stations has a stable name of its type, and survives
// a JSON round trip with every field set.
func TestStationEvents(t *testing.T) {
	samples := []domain.Event{ovenAdded, StationRenamed{StationID: "oven", Name: "Oven"}, StationRemoved{StationID: "oven"}, pizzaToOven,
		DishRouted{StationID: "bar", DishID: "spritz"}, CategoryUnrouted{StationID: "oven", CategoryID: "pizza"}, DishUnrouted{StationID: "bar", DishID: "spritz"}}
	if len(samples) != len(StationEvents()) {
		t.Fatalf("round trip covers %d of %d event types", len(samples), len(StationEvents()))
	}
	for i, e := range samples {
		rt := reflect.TypeOf(e)
		if e.EventType() != "kitchen."+rt.Name() || reflect.TypeOf(StationEvents()[i]) != rt {
			t.Errorf("event type %q of %s", e.EventType(), rt.Name())
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(rt)
		if err := json.Unmarshal(b, p.Interface()); err != nil || !reflect.DeepEqual(p.Elem().Interface(), e) {
			t.Errorf("%s after a round trip: %+v (%v)", rt.Name(), p.Elem().Interface(), err)
		}
	}
}
