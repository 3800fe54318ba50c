package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
)

// stationsNow folds the stations as the log has them.
func stationsNow(t *testing.T, a *testApp) kitchen.Stations {
	t.Helper()
	s, _, err := eventstore.Load(context.Background(), a.store, kitchen.StationsStream, kitchen.StationsDecider)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stationNamed is the id of the station called name.
func stationNamed(t *testing.T, a *testApp, name string) string {
	t.Helper()
	for _, st := range stationsNow(t, a).List() {
		if st.Name == name {
			return st.ID
		}
	}
	t.Fatalf("no station %q", name)
	return ""
}

// categoryOfDish is the seeded menu's category of a dish.
func categoryOfDish(t *testing.T, a *testApp, dish string) string {
	t.Helper()
	var id string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT category_id FROM menu_items WHERE item_id = $1`, dish).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOnlyManagersDefineStations(t *testing.T) {
	a := withStaff(t)
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	before := a.events()
	for _, path := range []string{"/kitchen/stations/commands/add", "/kitchen/stations/line-1/commands/rename"} {
		if rec := cook.post(path, form("name", "Grill")); rec.Code != http.StatusForbidden {
			t.Errorf("a cook's POST %s: %d, want 403", path, rec.Code)
		}
	}
	if rec := cook.get("/staff/stations"); rec.Code != http.StatusForbidden {
		t.Errorf("a cook's stations page: %d, want 403", rec.Code)
	}
	if after := a.events(); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}
}

func TestManagersDefineStationsAndRouteTheMenu(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	for _, name := range []string{"Line", "Pizza oven", "Bar"} {
		m.follow(m.post("/kitchen/stations/commands/add", form("name", name)))
	}
	line, oven, bar := stationNamed(t, a, "Line"), stationNamed(t, a, "Pizza oven"), stationNamed(t, a, "Bar")
	pizza := categoryOfDish(t, a, "margherita")
	base := func(id string) string { return "/kitchen/stations/" + id + "/commands/" }
	m.follow(m.post(base(oven)+"route-category", form("category_id", pizza)))
	m.follow(m.post(base(bar)+"route-dish", form("dish_id", "tiramisu")))
	page := m.get("/staff/stations").Body.String()
	if !inOrder(page, "Line", "takes everything not routed", "Pizza oven", "Category ", "Bar", "Dish Tiramisù") {
		t.Fatalf("the stations page: %s", page)
	}

	// Refused with the reason, and nothing written.
	before := a.events()
	for _, tc := range []struct {
		path, name, value, want string
		code                    int
	}{
		{"/kitchen/stations/commands/add", "name", "pizza OVEN", "There is a station called Pizza oven already.", http.StatusUnprocessableEntity},
		{"/kitchen/stations/commands/add", "name", " ", "Please give the station a name.", http.StatusUnprocessableEntity},
		{base(bar) + "rename", "name", "Line", "There is a station called Line already.", http.StatusUnprocessableEntity},
		{base("grill-123456") + "rename", "name", "Grill", "There is no such station.", http.StatusNotFound},
		{base("Not_An_Id") + "remove", "name", "", "There is no such station.", http.StatusNotFound},
		{base(oven) + "route-category", "category_id", "no-such-category", "Choose a category of the menu.", http.StatusUnprocessableEntity},
		{base(oven) + "route-dish", "dish_id", "no-such-dish", "Choose a dish of the menu.", http.StatusUnprocessableEntity},
		{base(oven) + "unroute", "name", "", "Say which one route to take away", http.StatusUnprocessableEntity},
		{base(bar) + "remove", "name", "", "Bar still has routes", http.StatusConflict},
	} {
		rec := m.post(tc.path, form(tc.name, tc.value))
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("POST %s %s=%q: %d, want %d saying %q", tc.path, tc.name, tc.value, rec.Code, tc.code, tc.want)
		}
	}
	rec := m.postJSON("/kitchen/stations/commands/add", "k-dup", `{"name": "Bar"}`)
	if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("a duplicate name as JSON: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if after := a.events(); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}

	// A dish's route taken away, a station renamed and removed.
	m.follow(m.post(base(bar)+"unroute", form("dish_id", "tiramisu")))
	m.follow(m.post(base(bar)+"rename", form("name", "Drinks")))
	m.follow(m.post(base(bar)+"remove", form()))
	s := stationsNow(t, a)
	if _, ok := s.Find(bar); ok || s.Name(bar) != "Drinks" || s.Route("tiramisu", "desserts") != line {
		t.Fatalf("after the bar went: %+v", s.List())
	}
	if rec := m.postJSON(base(oven)+"rename", "k-rename", `{"name": "Oven"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("a rename as JSON: %d %s", rec.Code, rec.Body)
	}
}

func TestStationScreensAndTheExpo(t *testing.T) {
	a := withStaff(t)
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	for _, name := range []string{"Line", "Pizza oven"} {
		m.follow(m.post("/kitchen/stations/commands/add", form("name", name)))
	}
	line, oven := stationNamed(t, a, "Line"), stationNamed(t, a, "Pizza oven")
	m.follow(m.post("/kitchen/stations/"+oven+"/commands/route-category", form("category_id", categoryOfDish(t, a, "margherita"))))
	// Every dish at once: fire by prep time has tests of its own.
	m.follow(m.post("/settings/commands/set-fire-by-prep-time", form("fire_by_prep_time", "off")))
	id, pizza, dessert := twoDishOrder(t, a, g)
	items := "/kitchen/tickets/" + id + "/items/"

	// Each station sees its own dishes of the ticket.
	board := func(page string) string { return within(t, page, `id="kitchen-board"`, `</aside>`) }
	ovenScreen := board(cook.afterOthers("/kitchen?station=" + oven).Body.String())
	if !strings.Contains(ovenScreen, "Margherita") || strings.Contains(ovenScreen, "Tiramisù") ||
		!strings.Contains(ovenScreen, `action="`+items+pizza+`/commands/bump?station=`+oven+`"`) || strings.Contains(ovenScreen, "/commands/ready") {
		t.Fatalf("the oven's screen: %s", ovenScreen)
	}
	lineScreen := board(cook.get("/kitchen?station=" + line).Body.String())
	if strings.Contains(lineScreen, "Margherita") || !strings.Contains(lineScreen, "Tiramisù") {
		t.Fatalf("the line's screen: %s", lineScreen)
	}
	if rec := cook.get("/kitchen?station=no-such-station"); rec.Code != http.StatusNotFound {
		t.Fatalf("an unknown station's screen: %d", rec.Code)
	}

	// The oven marks its pizza done, and its screen comes back.
	rec := cook.post(items+pizza+"/commands/bump?station="+oven, form())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen?station="+oven {
		t.Fatalf("a bump on the oven's screen: %d to %s", rec.Code, rec.Header().Get("Location"))
	}
	var bumped kitchen.TicketLineBumped
	_, history, _ := eventstore.Load(context.Background(), a.store, kitchen.Stream(id), kitchen.Decider)
	for _, e := range history {
		if ev, ok := e.Event.(kitchen.TicketLineBumped); ok {
			bumped = ev
		}
	}
	if bumped.Station != oven {
		t.Fatalf("the bump says station %q, want %q", bumped.Station, oven)
	}
	expo := cook.afterOthers("/kitchen/expo").Body.String()
	if !strings.Contains(expo, "Pizza oven done · Line 0/1") || strings.Contains(expo, "/commands/hand-over") {
		t.Fatalf("the expo with the pizza done: %s", expo)
	}

	// The line's dessert makes it ready: the expo hands it over, or
	// recalls it to both stations, each dish undone.
	cook.follow(cook.post(items+dessert+"/commands/bump?station="+line, form()))
	expo = cook.afterOthers("/kitchen/expo").Body.String()
	if !strings.Contains(expo, "Line done · Pizza oven done") && !strings.Contains(expo, "Pizza oven done · Line done") {
		t.Fatalf("the expo with every dish done: %s", expo)
	}
	if !strings.Contains(expo, `action="/kitchen/tickets/`+id+`/commands/hand-over?screen=expo"`) ||
		!strings.Contains(expo, `action="/kitchen/tickets/`+id+`/commands/recall-to-stations?screen=expo"`) {
		t.Fatalf("the expo's buttons: %s", expo)
	}
	rec = cook.post("/kitchen/tickets/"+id+"/commands/recall-to-stations?screen=expo", form())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen/expo" {
		t.Fatalf("the expo's recall: %d to %s", rec.Code, rec.Header().Get("Location"))
	}
	if n := eventsOf(t, a, "kitchen.TicketLineRecalled"); n != 2 {
		t.Fatalf("the expo's recall undid %d dishes, want 2", n)
	}
	ovenScreen = cook.afterOthers("/kitchen?station=" + oven).Body.String()
	if !strings.Contains(ovenScreen, `action="`+items+pizza+`/commands/bump?station=`+oven+`"`) {
		t.Fatalf("the oven's screen after the recall: %s", ovenScreen)
	}
	cook.follow(cook.post(items+pizza+"/commands/bump?station="+oven, form()))
	cook.follow(cook.post(items+dessert+"/commands/bump?station="+line, form()))
	before := a.events()
	if rec := cook.post("/kitchen/tickets/"+id+"/items/"+pizza+"/commands/bump?station="+oven, form()); rec.Code != http.StatusConflict {
		t.Fatalf("a dish of a ready ticket from the oven: %d", rec.Code)
	}
	if after := a.events(); after != before {
		t.Fatalf("a refused bump wrote %d events", after-before)
	}
	rec = cook.post("/kitchen/tickets/"+id+"/commands/hand-over?screen=expo", form("payment", "cash"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen/expo" {
		t.Fatalf("the expo's hand-over: %d to %s", rec.Code, rec.Header().Get("Location"))
	}
	if expo := cook.afterOthers("/kitchen/expo").Body.String(); strings.Contains(expo, `id="expo-`+id+`"`) {
		t.Fatal("a handed-over ticket is still at the expo")
	}

	// The history says which station did what.
	story := m.get("/staff/orders/" + id + "/history").Body.String()
	if !inOrder(story, "Pizza oven: 2 × Margherita, Regular; Line: 1 × Tiramisù", "Pizza oven: done 2 × Margherita, Regular",
		"Line: done 1 × Tiramisù", "Pizza oven: not done after all, 2 × Margherita", "Handed over") {
		t.Fatalf("the history: %s", story)
	}
}

func TestStationScreensFollowLive(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	for _, name := range []string{"Line", "Pizza oven"} {
		m.follow(m.post("/kitchen/stations/commands/add", form("name", name)))
	}
	oven := stationNamed(t, a, "Pizza oven")
	m.follow(m.post("/kitchen/stations/"+oven+"/commands/route-category", form("category_id", categoryOfDish(t, a, "margherita"))))

	if _, resp, err := cook.dial(t, srv, "topic=kitchen&station=no-such-station", srv.URL); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown station's socket: %v", err)
	}
	ovenSocket, _, err := cook.dial(t, srv, "topic=kitchen&station="+oven, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	expoSocket, _, err := cook.dial(t, srv, "topic=kitchen&screen=expo", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, ovenSocket, `id="kitchen-board"`)
	await(t, expoSocket, `id="expo-board"`)
	id, _, _ := twoDishOrder(t, a, g)
	push := await(t, ovenSocket, `id="ticket-`+id+`"`)
	if board := within(t, push, `id="kitchen-board"`, `</aside>`); !strings.Contains(board, "Margherita") || strings.Contains(board, "Tiramisù") {
		t.Fatalf("the oven's push: %s", board)
	}
	await(t, expoSocket, "Pizza oven 0/1 · Line 0/1")
}
