package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"restaurant/domain/settings"
	"restaurant/projections"
)

// testClock is the restaurant's clock in a test: it stands still until the
// test moves it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var lisbon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		panic(err)
	}
	return loc
}()

// lisbonAt is a wall-clock time in Lisbon; 2026-03-02 is a Monday.
func lisbonAt(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, lisbon)
	if err != nil {
		panic(err)
	}
	return t
}

// withClock is the app with staff, in Lisbon, on a clock the test moves.
func withClock(t *testing.T, at time.Time) (*testApp, *testClock) {
	t.Helper()
	clock := &testClock{now: at}
	a := newTestAppWith(t, func(d *Deps) { d.Now, d.Location = clock.Now, lisbon })
	addStaff(t, a)
	return a, clock
}

// hoursForm is the opening hours form: lunch and dinner Tuesday to Sunday,
// Monday closed.
func hoursForm() []string {
	f := []string{"hours_monday", ""}
	for _, day := range []string{"tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		f = append(f, "hours_"+day, "12:00-14:30, 18:00-22:00")
	}
	return f
}

// readyOrder opens an order with a dish, for pickup, with a contact: one
// step from placing.
func (g *guest) readyOrder(dish, qty string) string {
	g.a.t.Helper()
	id := g.openWith(dish, qty)
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	return id
}

// wantRefused checks a form's answer: the status, the sentence on the
// page, and no event written.
func wantRefused(t *testing.T, a *testApp, what string, status int, message string, send func() *httptest.ResponseRecorder) {
	t.Helper()
	before := a.events()
	rec := send()
	if rec.Code != status || !strings.Contains(rec.Body.String(), message) {
		t.Fatalf("%s: %d, want %d saying %q:\n%s", what, rec.Code, status, message, rec.Body)
	}
	if a.events() != before {
		t.Fatalf("%s wrote %d events", what, a.events()-before)
	}
}

// problemOfBody reads a problem document.
func problemOfBody(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q: %s", ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManagersSetOpeningHoursAndClosedDays(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-03-03", "12:30"))
	m := a.guest()
	m.signIn("maria", managerPassword)

	page := m.get("/staff/settings")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "No hours are set yet") || !strings.Contains(page.Body.String(), "Europe/Lisbon") {
		t.Fatalf("settings page: %d\n%s", page.Code, page.Body)
	}
	rec := m.post("/settings/commands/set-hours", form(hoursForm()...))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/settings" {
		t.Fatalf("set hours: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	body := m.follow(rec).Body.String()
	if strings.Contains(body, "No hours are set yet") || !strings.Contains(body, `value="12:00–14:30, 18:00–22:00"`) {
		t.Fatalf("the page does not show the hours:\n%s", body)
	}
	closed := m.follow(m.post("/settings/closed-days/commands/add", form("date", "2026-12-25"))).Body.String()
	if !strings.Contains(closed, "Friday 25 December 2026") {
		t.Fatalf("the closed day is not listed:\n%s", closed)
	}

	// Every mistake is refused next to its field, and writes nothing.
	for _, tc := range []struct {
		what, path string
		form       []string
		status     int
		message    string
	}{
		{"overlapping ranges", "/settings/commands/set-hours", append(hoursForm(), "hours_wednesday", "12:00-15:00, 14:00-22:00"), 422, "On Wednesday, 14:00–22:00 overlaps 12:00–15:00."},
		{"a range past midnight", "/settings/commands/set-hours", append(hoursForm(), "hours_friday", "18:00-01:00"), 422, "ends at 24:00"},
		{"not a time", "/settings/commands/set-hours", append(hoursForm(), "hours_monday", "noon till late"), 422, "hours like 12:00–14:30, 18:00–22:00, or leave it empty for closed."},
		{"a day that passed", "/settings/closed-days/commands/add", []string{"date", "2026-03-02"}, 422, "That day has passed"},
		{"not a day", "/settings/closed-days/commands/add", []string{"date", "christmas"}, 422, "Enter a day like 2026-12-25."},
		{"no such address", "/settings/closed-days/25-12/commands/remove", nil, 404, "There is no such day."},
	} {
		wantRefused(t, a, tc.what, tc.status, tc.message, func() *httptest.ResponseRecorder { return m.post(tc.path, form(tc.form...)) })
	}
	// The form keeps what was typed, with the message next to the day.
	rec = m.post("/settings/commands/set-hours", form(append(hoursForm(), "hours_thursday", "9-8")...))
	if b := rec.Body.String(); !strings.Contains(b, `value="9-8"`) || !strings.Contains(b, `name="hours_thursday" value="9-8" maxlength="100" autocomplete="off" aria-invalid="true"`) {
		t.Fatalf("the refused form does not keep the input next to its message:\n%s", b)
	}

	// JSON clients get a problem naming every day at fault.
	rec = m.postJSON("/settings/commands/set-hours", "k1", `{"hours_monday": "25:00-26:00", "hours_sunday": "13-12"}`)
	p := problemOfBody(t, rec)
	if rec.Code != 422 || len(p.Errors) != 2 || p.Errors[0].Field != "hours_monday" || p.Errors[1].Field != "hours_sunday" {
		t.Fatalf("JSON: %d %+v", rec.Code, p)
	}
	rec = m.postJSON("/settings/closed-days/commands/add", "k2", `{"date": "2026-04-01"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("JSON closed day: %d %s", rec.Code, rec.Body)
	}

	// Opening a closed day again.
	opened := m.follow(m.post("/settings/closed-days/2026-12-25/commands/remove", form())).Body.String()
	if strings.Contains(opened, "25 December") || !strings.Contains(opened, "Wednesday 1 April 2026") {
		t.Fatalf("after opening Christmas again:\n%s", opened)
	}
}

// TestNoOrdersOutsideTheOpeningHours: outside the hours no order is placed
// as soon as possible. Guests may still open and fill one, to place it for
// a time within the hours (see schedule_test.go).
func TestNoOrdersOutsideTheOpeningHours(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-03-03", "13:00")) // Tuesday lunch
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/commands/set-hours", form(hoursForm()...)))
	ready := g.readyOrder("margherita", "1")

	clock.set(lisbonAt("2026-03-03", "15:10")) // between lunch and dinner
	menu := g.afterOthers("/").Body.String()
	if !strings.Contains(menu, "We are closed now; ordering opens today at 18:00.") || !strings.Contains(menu, "You can still order now for later") ||
		!strings.Contains(menu, `class="add-form"`) {
		t.Fatal("the closed menu says it is closed, and offers no order for later")
	}
	if rec := a.guest().post("/orders/commands/open", form("menu_item_id", "margherita", "quantity", "1", "option-size", "regular")); rec.Code != http.StatusSeeOther {
		t.Fatalf("opening an order for later: %d %s", rec.Code, rec.Body)
	}
	wantRefused(t, a, "placing an order", http.StatusConflict, "We are closed now; ordering opens today at 18:00.", func() *httptest.ResponseRecorder {
		return g.post("/orders/"+ready+"/commands/place", form())
	})
	rec := g.postJSON("/orders/"+ready+"/commands/place", "closed-1", `{}`)
	if p := problemOfBody(t, rec); rec.Code != 409 || p.Detail != "We are closed now; ordering opens today at 18:00." {
		t.Fatalf("JSON place: %d %+v", rec.Code, p)
	}
	if rec = a.guest().postJSON("/orders/commands/open", "closed-2", `{}`); rec.Code != http.StatusCreated {
		t.Fatalf("JSON open for later: %d %s", rec.Code, rec.Body)
	}
	// The order page says so instead of offering the button, with a time
	// for later to choose, and so do its commands.
	page := g.get("/orders/" + ready).Body.String()
	if !strings.Contains(page, `id="ordering-closed"`) || strings.Contains(page, `id="place-order"`) || !strings.Contains(page, `id="ordering-later-hint"`) {
		t.Fatalf("the order page while closed:\n%s", page)
	}
	var cmds struct {
		Commands map[string]link `json:"commands"`
	}
	if g.getJSON("/orders/"+ready+"/commands", &cmds); cmds.Commands["place"].Href != "" || cmds.Commands["cancel"].Href == "" || cmds.Commands["schedule"].Href == "" {
		t.Fatalf("commands while closed: %+v", cmds.Commands)
	}

	clock.set(lisbonAt("2026-03-02", "20:00")) // a Monday: closed all day
	if menu := g.get("/").Body.String(); !strings.Contains(menu, "We are closed now; ordering opens tomorrow at 12:00.") {
		t.Fatalf("Monday's menu:\n%s", menu)
	}
	clock.set(lisbonAt("2026-03-01", "22:30")) // Sunday night
	if menu := g.get("/").Body.String(); !strings.Contains(menu, "ordering opens on Tuesday at 12:00.") {
		t.Fatalf("Sunday night's menu:\n%s", menu)
	}

	clock.set(lisbonAt("2026-03-03", "18:00"))
	if rec := g.post("/orders/"+ready+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("placing once open: %d %s", rec.Code, rec.Body)
	}
	if menu := g.afterOthers("/").Body.String(); strings.Contains(menu, `id="ordering-status"`) || !strings.Contains(menu, `class="add-form"`) {
		t.Fatalf("the open menu:\n%s", menu)
	}
}

func TestClosedDaysCloseTheRestaurant(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-12-20", "12:00"))
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/closed-days/commands/add", form("date", "2026-12-25")))
	ready := g.readyOrder("margherita", "1")
	clock.set(lisbonAt("2026-12-25", "10:00"))
	wantRefused(t, a, "placing on a closed day", http.StatusConflict, "We are closed now; ordering opens tomorrow at 00:00.", func() *httptest.ResponseRecorder {
		return g.post("/orders/"+ready+"/commands/place", form())
	})
	wantRefused(t, a, "asking for a time on the closed day", http.StatusUnprocessableEntity, "We are closed all day today; choose another day.", func() *httptest.ResponseRecorder {
		return g.post("/orders/"+ready+"/commands/schedule", form("scheduled_for", "2026-12-25T19:00"))
	})
}

func TestBusyModePausesOnlineOrders(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-03-03", "19:15"))
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	ready := g.readyOrder("margherita", "1")

	kitchen := cook.get("/kitchen").Body.String()
	if !strings.Contains(kitchen, "Taking online orders.") || !strings.Contains(kitchen, `name="minutes" value="30"`) {
		t.Fatalf("the kitchen display's pause buttons:\n%s", kitchen)
	}
	rec := cook.post("/online-orders/commands/pause", form("minutes", "30", "back", "kitchen"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen" {
		t.Fatalf("pause from the kitchen: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if k := cook.follow(rec).Body.String(); !strings.Contains(k, "Online orders paused") || !strings.Contains(k, "until 19:45") || !strings.Contains(k, "Resume online orders") {
		t.Fatalf("the kitchen while paused:\n%s", k)
	}
	const paused = "We are not taking online orders right now; back at 19:45."
	if menu := g.afterOthers("/").Body.String(); !strings.Contains(menu, paused) || strings.Contains(menu, `class="add-form"`) {
		t.Fatalf("the paused menu:\n%s", menu)
	}
	wantRefused(t, a, "placing while paused", http.StatusConflict, paused, func() *httptest.ResponseRecorder {
		return g.post("/orders/"+ready+"/commands/place", form())
	})
	wantRefused(t, a, "opening while paused", http.StatusConflict, paused, func() *httptest.ResponseRecorder {
		return a.guest().post("/orders/commands/open", form("menu_item_id", "tiramisu", "quantity", "1"))
	})
	// Mistakes are refused on the page they came from, and write nothing.
	wantRefused(t, a, "a pause of no length", http.StatusUnprocessableEntity, "Choose how long to pause online orders", func() *httptest.ResponseRecorder {
		return cook.post("/online-orders/commands/pause", form("minutes", "soon", "back", "kitchen"))
	})
	wantRefused(t, a, "a pause of five hours", http.StatusUnprocessableEntity, "A pause lasts up to 4 hours, or until resumed.", func() *httptest.ResponseRecorder {
		return m.post("/online-orders/commands/pause", form("minutes", "300"))
	})
	if rec := a.guest().post("/online-orders/commands/pause", form("minutes", "15")); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest paused orders: %d", rec.Code)
	}

	// The pause ends at its time by itself...
	clock.set(lisbonAt("2026-03-03", "19:45"))
	if menu := g.get("/").Body.String(); strings.Contains(menu, `id="ordering-status"`) {
		t.Fatalf("the menu after the pause:\n%s", menu)
	}
	// ...or when resumed. A manager pauses until resumed, from the
	// settings page.
	rec = m.post("/online-orders/commands/pause", form("minutes", "until-resumed"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/settings" {
		t.Fatalf("pause from the settings: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if s := m.follow(rec).Body.String(); !strings.Contains(s, "until resumed") {
		t.Fatalf("the settings while paused:\n%s", s)
	}
	if menu := g.afterOthers("/").Body.String(); !strings.Contains(menu, "We are not taking online orders right now; please try again later.") {
		t.Fatalf("the menu paused until resumed:\n%s", menu)
	}
	rec = cook.postJSON("/online-orders/commands/resume", "resume-1", `{}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("resume by JSON: %d %s", rec.Code, rec.Body)
	}
	if rec := g.post("/orders/"+ready+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("placing once resumed: %d %s", rec.Code, rec.Body)
	}
}

func TestPausesAndOpeningsReachOpenScreensLive(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-03-03", "19:15"))
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	menu, _, err := g.dial(t, srv, "topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	kitchen, _, err := cook.dial(t, srv, "topic=kitchen", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if first := await(t, menu, `id="menu"`); strings.Contains(first, `id="ordering-status"`) {
		t.Fatal("setup: the menu says ordering is closed")
	}
	await(t, kitchen, "Taking online orders.")

	cook.follow(cook.post("/online-orders/commands/pause", form("minutes", "15", "back", "kitchen")))
	await(t, menu, "We are not taking online orders right now; back at 19:30.")
	await(t, kitchen, "until 19:30")

	// Nobody resumes: the clock does, and the screens hear of it.
	clock.set(lisbonAt("2026-03-03", "19:30"))
	for {
		if msg := await(t, menu, `id="menu"`); !strings.Contains(msg, `id="ordering-status"`) {
			break
		}
	}
	await(t, kitchen, "Taking online orders.")

	// A pause until resumed, and the resume, go out as they happen.
	cook.follow(cook.post("/online-orders/commands/pause", form("minutes", "until-resumed", "back", "kitchen")))
	await(t, menu, "please try again later.")
	cook.follow(cook.post("/online-orders/commands/resume", form("back", "kitchen")))
	for {
		if msg := await(t, menu, `id="menu"`); !strings.Contains(msg, `id="ordering-status"`) {
			break
		}
	}

	// The restaurant closing at the end of its hours reaches the menu too.
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/commands/set-hours", form(hoursForm()...)))
	clock.set(lisbonAt("2026-03-03", "22:00"))
	await(t, menu, "We are closed now; ordering opens tomorrow at 12:00.")
}

// A settings' event is folded into the read model by the domain's own
// Evolve: the page reads what the stream says.
func TestTheSettingsReadModelIsTheStreamFolded(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-03-03", "12:00"))
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/commands/set-hours", form(hoursForm()...)))
	m.follow(m.post("/settings/closed-days/commands/add", form("date", "2026-04-01")))
	m.follow(m.post("/online-orders/commands/pause", form("minutes", "60")))
	a.caughtUp()
	ctx := t.Context()
	view, err := a.store.ReadStream(ctx, settings.Stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	var folded settings.State
	for _, e := range view {
		folded = settings.Evolve(folded, e.Event)
	}
	read, err := projections.Settings{Pool: a.store.Pool()}.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := json.Marshal(folded)
	a2, _ := json.Marshal(read)
	if string(a1) != string(a2) {
		t.Fatalf("read model %s\nstream     %s", a2, a1)
	}
}

// TestAnOpenOrderPageFollowsPausesLive: a guest looking at their open order
// sees placing go away when the kitchen pauses online orders, with the
// reason, and come back when it resumes, without a reload.
func TestAnOpenOrderPageFollowsPausesLive(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-03-03", "19:15"))
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	ready := g.readyOrder("margherita", "1")
	if page := g.get("/orders/" + ready).Body.String(); !strings.Contains(page, `ws-connect="/live?topic=order:`+ready+`"`) || !strings.Contains(page, `id="place-order"`) {
		t.Fatalf("the open order page does not follow the order live, or offers no placing:\n%s", page)
	}
	socket, _, err := g.dial(t, srv, "topic=order:"+ready, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if first := await(t, socket, `id="order-checkout"`); !strings.Contains(first, `id="place-order"`) {
		t.Fatalf("the first push offers no placing: %s", first)
	}
	cook.follow(cook.post("/online-orders/commands/pause", form("minutes", "30", "back", "kitchen")))
	paused := await(t, socket, "We are not taking online orders right now; back at 19:45.")
	if !strings.Contains(paused, `id="order-checkout" hx-swap-oob="true"`) || strings.Contains(paused, `id="place-order"`) {
		t.Fatalf("the push while paused: %s", paused)
	}
	cook.follow(cook.post("/online-orders/commands/resume", form("back", "kitchen")))
	if resumed := await(t, socket, `id="place-order"`); strings.Contains(resumed, "not taking online orders") {
		t.Fatalf("the push once resumed: %s", resumed)
	}
}
