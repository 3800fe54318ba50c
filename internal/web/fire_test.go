package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
)

// firingKitchen is a kitchen of two stations, the pizzas to the oven and
// every other dish to the line, on a clock the test moves (from now, as
// the kitchen policy opens tickets by the log's clock): fire by prep time
// is on, the default in a kitchen of stations.
func firingKitchen(t *testing.T) (a *testApp, clock *testClock, m, cook *guest, line, oven string) {
	t.Helper()
	a, clock = withClock(t, time.Now())
	m, cook = a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	for _, name := range []string{"Line", "Pizza oven"} {
		m.follow(m.post("/kitchen/stations/commands/add", form("name", name)))
	}
	line, oven = stationNamed(t, a, "Line"), stationNamed(t, a, "Pizza oven")
	m.follow(m.post("/kitchen/stations/"+oven+"/commands/route-category", form("category_id", categoryOfDish(t, a, "margherita"))))
	return a, clock, m, cook, line, oven
}

// ticketOf folds a ticket from its stream.
func ticketOf(t *testing.T, a *testApp, id string) kitchen.State {
	t.Helper()
	s, _, err := eventstore.Load(context.Background(), a.store, kitchen.Stream(id), kitchen.Decider)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStationsFireDishesByPrepTime: two Margheritas (12 minutes) and a
// Tiramisù (4) ordered together: the oven has the pizzas at once; the line
// has the dessert held, greyed with its fire time and Fire now, not to be
// marked done, until 8 minutes after the ticket opened, when a screen
// rendered then has it as a live dish. The expo and the history say so.
func TestStationsFireDishesByPrepTime(t *testing.T) {
	a, clock, m, cook, line, oven := firingKitchen(t)
	id, pizza, dessert := twoDishOrder(t, a, a.guest())
	items := "/kitchen/tickets/" + id + "/items/"
	s := ticketOf(t, a, id)
	fireAt := s.Items[1].FireAt
	var opened time.Time
	_, events, _ := eventstore.Load(context.Background(), a.store, kitchen.Stream(id), kitchen.Decider)
	opened = events[0].Event.(kitchen.TicketOpened).OpenedAt
	if !s.Items[0].FireAt.IsZero() || !fireAt.Equal(opened.Add(8*time.Minute)) {
		t.Fatalf("the dishes fire at %v and %v, the ticket opened at %v", s.Items[0].FireAt, fireAt, opened)
	}
	fires := "fires " + fireAt.In(lisbon).Format("15:04")

	board := func(page string) string { return within(t, page, `id="kitchen-board"`, `</aside>`) }
	ovenScreen := board(cook.afterOthers("/kitchen?station=" + oven).Body.String())
	if !strings.Contains(ovenScreen, `action="`+items+pizza+`/commands/bump?station=`+oven+`"`) || strings.Contains(ovenScreen, "ticket-held") {
		t.Fatalf("the oven's screen: %s", ovenScreen)
	}
	lineScreen := board(cook.get("/kitchen?station=" + line).Body.String())
	held := within(t, lineScreen, `class="ticket-held"`, `</section>`)
	if !strings.Contains(held, "Tiramisù") || !strings.Contains(held, fires) || !strings.Contains(held, `data-fire-at="`+millis(fireAt)+`"`) ||
		!strings.Contains(held, `action="`+items+dessert+`/commands/fire?station=`+line+`"`) || !strings.Contains(held, "Fire now") {
		t.Fatalf("the line's held dish: %s", held)
	}
	// Its Done waits, hidden, for the screen to show at its time.
	then := within(t, held, `<div class="line-then" hidden>`, `</div>`)
	if !strings.Contains(then, `action="`+items+dessert+`/commands/bump?station=`+line+`"`) ||
		strings.Count(held, "/commands/bump") != 2 { // its action and hx-post
		t.Fatalf("the held dish's Done is not hidden until its time: %s", held)
	}
	if live := within(t, lineScreen, `<ul class="ticket-items">`, `</ul>`); strings.Contains(live, "Tiramisù") {
		t.Fatalf("the held dish is among the live ones: %s", live)
	}
	// The whole kitchen's display shows it held too.
	if whole := board(cook.get("/kitchen").Body.String()); !strings.Contains(within(t, whole, `class="ticket-held"`, `</section>`), fires) {
		t.Fatalf("the whole kitchen's display: %s", whole)
	}

	// Not to be marked done while held: refused with the reason, nothing
	// written.
	before := a.events()
	rec := cook.post(items+dessert+"/commands/bump?station="+line, form())
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "This dish is held until its fire time; fire it now first to cook it early.") {
		t.Fatalf("Done on a held dish: %d", rec.Code)
	}
	if after := a.events(); after != before {
		t.Fatalf("a refused Done wrote %d events", after-before)
	}

	// The expo shows it held, with its time and Fire now.
	expo := within(t, cook.get("/kitchen/expo").Body.String(), `id="expo-`+id+`"`, `</li>`)
	if !strings.Contains(expo, "Tiramisù") || !strings.Contains(expo, fires) || !strings.Contains(expo, "Line") ||
		!strings.Contains(expo, `action="`+items+dessert+`/commands/fire?screen=expo"`) {
		t.Fatalf("the expo's held dish: %s", expo)
	}
	history := m.get("/staff/orders/" + id + "/history").Body.String()
	if !strings.Contains(history, "Tiramisù held until "+fireAt.In(lisbon).Format("15:04")+" (fire by prep time)") {
		t.Fatalf("the history does not say the dessert was held: %s", within(t, history, "Kitchen ticket opened", "</li>"))
	}

	// Its time comes: a screen rendered now has it live, to be marked done.
	clock.set(fireAt)
	lineScreen = board(cook.get("/kitchen?station=" + line).Body.String())
	if strings.Contains(lineScreen, "ticket-held") || strings.Contains(lineScreen, "/commands/fire") ||
		!strings.Contains(within(t, lineScreen, `<ul class="ticket-items">`, `</ul>`), `action="`+items+dessert+`/commands/bump?station=`+line+`"`) {
		t.Fatalf("the line's screen at the dessert's time: %s", lineScreen)
	}
	if expo := cook.get("/kitchen/expo").Body.String(); strings.Contains(expo, "expo-held") {
		t.Fatal("the expo still shows the dessert held at its time")
	}
	cook.follow(cook.post(items+dessert+"/commands/bump?station="+line, form()))
	cook.follow(cook.post(items+pizza+"/commands/bump?station="+oven, form()))
	if st := ticketOf(t, a, id).Status; st != kitchen.StatusReady {
		t.Fatalf("with every dish done the ticket is %s", st)
	}
}

// TestFireNow: a cook or the expo fires a held dish at once; the event
// says which station; a dish not held, an unknown dish or ticket is
// refused with the reason, writing nothing; only kitchen staff and
// managers may; the expo's recall fires every dish still held.
func TestFireNow(t *testing.T) {
	a, _, m, cook, line, _ := firingKitchen(t)
	id, pizza, dessert := twoDishOrder(t, a, a.guest())
	items := "/kitchen/tickets/" + id + "/items/"
	fire := items + dessert + "/commands/fire?station=" + line

	// Only kitchen staff and managers; not from another site.
	g := a.guest()
	if rec := g.post(fire, form()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest pressed Fire now: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	req := httptest.NewRequest(http.MethodPost, fire, strings.NewReader(form().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := cook.do(req); rec.Code != http.StatusForbidden {
		t.Fatalf("a cross-site Fire now: %d", rec.Code)
	}
	if n := eventsOf(t, a, "kitchen.TicketLineFired"); n != 0 {
		t.Fatalf("%d dishes fired by refused requests", n)
	}

	rec := cook.post(fire, form())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen?station="+line {
		t.Fatalf("Fire now on the line: %d to %s", rec.Code, rec.Header().Get("Location"))
	}
	var fired kitchen.TicketLineFired
	_, events, _ := eventstore.Load(context.Background(), a.store, kitchen.Stream(id), kitchen.Decider)
	for _, e := range events {
		if ev, ok := e.Event.(kitchen.TicketLineFired); ok {
			fired = ev
		}
	}
	if fired.LineID != dessert || fired.Station != line || fired.ByRecall {
		t.Fatalf("the dish fired is %+v", fired)
	}
	lineScreen := within(t, cook.afterOthers("/kitchen?station="+line).Body.String(), `id="kitchen-board"`, `</aside>`)
	if strings.Contains(lineScreen, "ticket-held") || !strings.Contains(lineScreen, `action="`+items+dessert+`/commands/bump?station=`+line+`"`) {
		t.Fatalf("the line's screen after Fire now: %s", lineScreen)
	}

	// Refused with the reason, nothing written.
	before := a.events()
	for _, tc := range []struct {
		path, want string
		code       int
	}{
		{fire, "This dish is not held: it has fired already, so it can be cooked now.", http.StatusConflict},
		{items + pizza + "/commands/fire", "This dish is not held", http.StatusConflict},
		{items + "no-such-line/commands/fire", "There is no such dish on this ticket.", http.StatusNotFound},
		{"/kitchen/tickets/" + uuid.NewString() + "/items/" + dessert + "/commands/fire", "There is no such ticket.", http.StatusNotFound},
		{"/kitchen/tickets/not-a-ticket/items/" + dessert + "/commands/fire", "There is no such ticket.", http.StatusNotFound},
	} {
		rec := cook.post(tc.path, form())
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("POST %s: %d, want %d saying %q", tc.path, rec.Code, tc.code, tc.want)
		}
	}
	rec = cook.postJSON(fire, uuid.NewString(), `{}`)
	var problem struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil || rec.Code != http.StatusConflict || problem.Status != http.StatusConflict ||
		problem.Detail != "This dish is not held: it has fired already, so it can be cooked now." || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a dish fired twice, as JSON: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	for _, path := range []string{"/kitchen/tickets/" + id + "/items/no-such-line/commands/fire", "/kitchen/tickets/" + uuid.NewString() + "/items/" + dessert + "/commands/fire"} {
		rec = cook.postJSON(path, uuid.NewString(), `{}`)
		if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("POST %s as JSON: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	// A tap is answered with the board and the reason above it.
	if rec := cook.tap(fire, form()); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "This dish is not held") ||
		!strings.HasPrefix(rec.Body.String(), `<div id="kitchen-board"`) {
		t.Fatalf("a refused tap: %d %s", rec.Code, rec.Body)
	}
	if after := a.events(); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}
	history := m.get("/staff/orders/" + id + "/history").Body.String()
	if !strings.Contains(history, "Line: fired now 1 × Tiramisù, held until ") {
		t.Fatalf("the history does not tell Fire now: %s", history)
	}

	// A manager at the expo may too; and the expo's recall of a ticket
	// bumped whole fires every dish still held.
	other, _, otherDessert := twoDishOrder(t, a, a.guest())
	expoFire := "/kitchen/tickets/" + other + "/items/" + otherDessert + "/commands/fire?screen=expo"
	if rec := m.postJSON(expoFire, uuid.NewString(), `{}`); rec.Code != http.StatusAccepted {
		t.Fatalf("a manager's Fire now at the expo, as JSON: %d %s", rec.Code, rec.Body)
	}
	third, _, thirdDessert := twoDishOrder(t, a, a.guest())
	cook.follow(cook.post("/kitchen/tickets/"+third+"/commands/ready", form()))
	rec = cook.post("/kitchen/tickets/"+third+"/commands/recall-to-stations?screen=expo", form())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("the expo's recall: %d", rec.Code)
	}
	s := ticketOf(t, a, third)
	if kitchen.LineHeld(s, thirdDessert, time.Now()) || !kitchen.LineFiredEarly(s, thirdDessert) {
		t.Fatalf("after the expo's recall the dessert is held %v", kitchen.LineHeld(s, thirdDessert, time.Now()))
	}
	history = m.get("/staff/orders/" + third + "/history").Body.String()
	if !strings.Contains(history, "Line: fired now 1 × Tiramisù, held until ") || !strings.Contains(history, "(the ticket was recalled)") {
		t.Fatalf("the history does not tell the recall fired the dessert: %s", history)
	}
}

// TestManagersTurnFireByPrepTimeOnAndOff: the settings page says whether
// the kitchen fires by prep time and why; a manager turns it off, and new
// tickets fire every dish at once; a value that is neither is refused,
// writing nothing; cooks may not.
func TestManagersTurnFireByPrepTimeOnAndOff(t *testing.T) {
	a := withStaff(t)
	m, cook := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	state := func() string {
		t.Helper()
		return within(t, m.afterOthers("/staff/settings").Body.String(), `id="fire-by-prep-time-now"`, `</p>`)
	}
	if got := state(); !strings.Contains(got, "Off") || !strings.Contains(got, "the default in a kitchen without stations") {
		t.Fatalf("without stations: %s", got)
	}
	m.follow(m.post("/kitchen/stations/commands/add", form("name", "Line")))
	if got := state(); !strings.Contains(got, "On") || !strings.Contains(got, "the default in a kitchen of stations") {
		t.Fatalf("with a station: %s", got)
	}

	before := a.events()
	const set = "/settings/commands/set-fire-by-prep-time"
	for _, value := range []string{"", "maybe", "true"} {
		rec := m.post(set, form("fire_by_prep_time", value))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Choose whether the kitchen fires dishes by their prep time: on or off.") {
			t.Errorf("fire_by_prep_time=%q: %d", value, rec.Code)
		}
	}
	rec := m.postJSON(set, uuid.NewString(), `{"fire_by_prep_time": "sometimes"}`)
	if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(rec.Body.String(), "fire_by_prep_time") {
		t.Fatalf("a wrong value as JSON: %d %s", rec.Code, rec.Body)
	}
	if rec := cook.post(set, form("fire_by_prep_time", "off")); rec.Code != http.StatusForbidden {
		t.Fatalf("a cook's setting: %d", rec.Code)
	}
	if after := a.events(); after != before {
		t.Fatalf("refused settings wrote %d events", after-before)
	}

	if rec := m.post(set, form("fire_by_prep_time", "off")); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/settings" {
		t.Fatalf("turned off: %d to %s", rec.Code, rec.Header().Get("Location"))
	}
	if got := state(); !strings.Contains(got, "Off") || !strings.Contains(got, "as a manager set it") {
		t.Fatalf("turned off: %s", got)
	}
	if n := eventsOf(t, a, "settings.FireByPrepTimeSet"); n != 1 {
		t.Fatalf("%d settings events", n)
	}
	id, _, _ := twoDishOrder(t, a, a.guest())
	for _, it := range ticketOf(t, a, id).Items {
		if !it.FireAt.IsZero() {
			t.Fatalf("turned off, a new ticket holds %s until %v", it.Name, it.FireAt)
		}
	}
	if rec := m.postJSON(set, uuid.NewString(), `{"fire_by_prep_time": "on"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("turned on as JSON: %d %s", rec.Code, rec.Body)
	}
	if got := state(); !strings.Contains(got, "On") {
		t.Fatalf("turned on again: %s", got)
	}
	id, _, dessert := twoDishOrder(t, a, a.guest())
	if !kitchen.LineHeld(ticketOf(t, a, id), dessert, time.Now()) {
		t.Fatal("turned on again, a new ticket does not hold its dessert")
	}
}
