package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// forLater is the app in Lisbon on Tuesday 3 March 2026 at 17:00, between
// lunch and dinner (hoursForm): closed now, open for dinner from 18:00.
func forLater(t *testing.T) (*testApp, *testClock, *guest) {
	t.Helper()
	a, clock := withClock(t, lisbonAt("2026-03-03", "17:00"))
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/commands/set-hours", form(hoursForm()...)))
	a.caughtUp()
	return a, clock, m
}

// scheduledFireAt reads when the kitchen policy will open an order's
// ticket; ok is false when it keeps none.
func (a *testApp) scheduledFireAt(orderID string) (time.Time, bool) {
	a.t.Helper()
	var at time.Time
	err := a.store.Pool().QueryRow(context.Background(), `SELECT fire_at FROM scheduled_tickets WHERE order_id = $1`, orderID).Scan(&at)
	return at, err == nil
}

// TestAGuestOrdersForLater: while the restaurant is closed a guest fills an
// order, chooses a time for tonight's dinner from those offered, and places
// it. The ticket is not on the kitchen's board at placing; it appears when
// the clock reaches the time less the margherita's 12 minutes, marked as
// scheduled, and the guest's page says when all along.
func TestAGuestOrdersForLater(t *testing.T) {
	a, clock, m := forLater(t)
	g, cook := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := g.readyOrder("margherita", "1")
	page := g.get("/orders/" + id).Body.String()
	for _, want := range []string{`id="order-when"`, "As soon as possible", `<optgroup label="Today"><option value="2026-03-03T18:00">18:00</option>`,
		`<optgroup label="Tomorrow"><option value="2026-03-04T12:00">12:00</option>`, `id="ordering-later-hint"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the open order page while closed lacks %s:\n%s", want, page)
		}
	}
	if strings.Count(page, "<option value=") != slotsOffered || strings.Contains(page, `id="place-order"`) || strings.Contains(page, `id="place-needs-contact"`) {
		t.Fatalf("the page offers %d times, or placing, or asks for the name given", strings.Count(page, "<option value="))
	}
	var cmds struct {
		Commands map[string]link `json:"commands"`
	}
	g.getJSON("/orders/"+id+"/commands", &cmds)
	if l := cmds.Commands["schedule"]; l.Href != "/orders/"+id+"/commands/schedule" || l.Method != http.MethodPost || !strings.Contains(strings.Join(l.Fields, ","), "scheduled_for") ||
		cmds.Commands["clear-schedule"].Href == "" {
		t.Fatalf("the commands: %+v", cmds.Commands)
	}

	page = g.follow(g.post("/orders/"+id+"/commands/schedule", form("scheduled_for", "2026-03-03T19:30"))).Body.String()
	for _, want := range []string{"Pickup <strong>at 19:30</strong>", `id="as-soon-as-possible"`, `<option value="2026-03-03T19:30" selected>`,
		`id="place-order"`, "Ready for pickup at 19:30, the time you chose."} {
		if !strings.Contains(page, want) {
			t.Fatalf("the order for later lacks %s:\n%s", want, page)
		}
	}
	doc := g.order(id)
	due := lisbonAt("2026-03-03", "19:30")
	if doc.ScheduledFor == nil || !doc.ScheduledFor.Equal(due) || doc.ReadyAt == nil || !doc.ReadyAt.Equal(due) {
		t.Fatalf("the order's JSON: scheduled for %v, ready at %v", doc.ScheduledFor, doc.ReadyAt)
	}

	placed := g.follow(g.post("/orders/"+id+"/commands/place", form())).Body.String()
	if !strings.Contains(placed, "Scheduled for pickup at 19:30") || !strings.Contains(placed, "Thanks, Ana. It will be ready at the counter then.") {
		t.Fatalf("the placed order for later:\n%s", placed)
	}
	a.caughtUp()
	if at, ok := a.scheduledFireAt(id); !ok || !at.Equal(due.Add(-12*time.Minute)) {
		t.Fatalf("the ticket opens at %v (%v), want 19:18", at, ok)
	}
	if board := cook.get("/kitchen").Body.String(); strings.Contains(board, "ticket-"+id) {
		t.Fatal("the ticket of an order for later is on the board at placing")
	}
	history := m.get("/staff/orders/" + id + "/history").Body.String()
	for _, want := range []string{"Asked for the order at 19:30 on Tuesday 3 March", "Placed the order for 19:30 on Tuesday 3 March, total €11.00"} {
		if !strings.Contains(history, want) {
			t.Fatalf("the history lacks %q", want)
		}
	}

	clock.set(lisbonAt("2026-03-03", "19:18"))
	eventually(t, 10*time.Second, "the ticket on the board", func() bool {
		a.caughtUp()
		return strings.Contains(cook.get("/kitchen").Body.String(), "ticket-"+id)
	})
	board := cook.get("/kitchen").Body.String()
	if !strings.Contains(board, `<p class="ticket-scheduled"><strong>SCHEDULED for 19:30</strong></p>`) || !strings.Contains(board, ">0 min<") {
		t.Fatalf("the ticket does not say it is scheduled, or counts its age from placing:\n%s", board)
	}
	if page := g.get("/orders/" + id).Body.String(); !strings.Contains(page, "Scheduled for pickup at 19:30") {
		t.Fatal("the guest's page no longer says when")
	}
	if history := m.get("/staff/orders/" + id + "/history").Body.String(); !strings.Contains(history, "Kitchen ticket opened with 1 dish(es) for Ana, scheduled for 19:30 on Tuesday 3 March") {
		t.Fatal("the history does not tell the ticket's time")
	}
}

// TestTimesForLaterAreRefusedWithAReason: every time the order cannot be
// asked for is refused beside the field, and writes nothing.
func TestTimesForLaterAreRefusedWithAReason(t *testing.T) {
	a, _, _ := forLater(t)
	g := a.guest()
	id := g.readyOrder("margherita", "1")
	for _, tc := range []struct{ what, at, message string }{
		{"no time", "", "Choose a time for your order."},
		{"not a time", "tonight", "Choose a time like 2026-03-03T19:30."},
		{"in the past", "2026-03-03T13:00", "That time has passed; choose a later one."},
		{"too soon", "2026-03-03T17:15", "That is too soon; the earliest we can manage is today at 17:30."},
		{"outside the hours", "2026-03-03T17:30", "We are closed today at 17:30; choose a time within our opening hours."},
		{"a closed Monday", "2026-03-09T19:00", "We are closed on Monday at 19:00; choose a time within our opening hours."},
		{"off the quarter hour", "2026-03-03T19:20", "Choose a time on the quarter hour, such as 19:30."},
		{"more than a week ahead", "2026-03-11T19:00", "Orders can be asked for up to 7 days ahead; choose an earlier time."},
	} {
		wantRefused(t, a, tc.what, http.StatusUnprocessableEntity, tc.message, func() *httptest.ResponseRecorder {
			return g.post("/orders/"+id+"/commands/schedule", form("scheduled_for", tc.at))
		})
	}
	// The message is beside the field, the guest's choice kept.
	page := g.post("/orders/"+id+"/commands/schedule", form("scheduled_for", "2026-03-03T19:20")).Body.String()
	if !strings.Contains(page, `name="scheduled_for" id="scheduled-for" aria-invalid="true"`) {
		t.Fatalf("the refused form:\n%s", page)
	}
	// A closed day, and JSON clients, who get a problem naming the field.
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/closed-days/commands/add", form("date", "2026-03-05")))
	a.caughtUp()
	before := a.events()
	rec := g.postJSON("/orders/"+id+"/commands/schedule", "later-1", `{"scheduled_for": "2026-03-05T19:00"}`)
	if p := problemOfBody(t, rec); rec.Code != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "scheduled_for" ||
		p.Errors[0].Detail != "We are closed all day on Thursday; choose another day." || a.events() != before {
		t.Fatalf("JSON: %d %+v", rec.Code, p)
	}
	if rec := g.postJSON("/orders/"+id+"/commands/schedule", "later-2", `{"scheduled_for": "2026-03-04T20:00:00+01:00"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("JSON with an offset: %d %s", rec.Code, rec.Body)
	}
	if doc := g.order(id); doc.ScheduledFor == nil || !doc.ScheduledFor.Equal(lisbonAt("2026-03-04", "19:00")) {
		t.Fatalf("scheduled for %v", doc.ScheduledFor)
	}
	// As soon as possible again, by form and by JSON (a repeat is harmless).
	g.follow(g.post("/orders/"+id+"/commands/clear-schedule", form()))
	if rec := g.postJSON("/orders/"+id+"/commands/clear-schedule", "asap-1", `{}`); rec.Code != http.StatusAccepted {
		t.Fatalf("JSON clear: %d %s", rec.Code, rec.Body)
	}
	if doc := g.order(id); doc.ScheduledFor != nil {
		t.Fatalf("still scheduled for %v", doc.ScheduledFor)
	}
	// Another guest's order is not found.
	wantRefused(t, a, "another's order", http.StatusNotFound, "There is no such order.", func() *httptest.ResponseRecorder {
		return a.guest().post("/orders/"+id+"/commands/schedule", form("scheduled_for", "2026-03-03T19:30"))
	})
}

// TestAnOrderForLaterIsCheckedAgainWhenPlaced: hours changed since the time
// was chosen, or a pause, refuse the placing with the reason, and write
// nothing; a delivery for later says so.
func TestAnOrderForLaterIsCheckedAgainWhenPlaced(t *testing.T) {
	a, _, m := forLater(t)
	g := a.guest()
	id := g.readyOrder("margherita", "1")
	g.follow(g.post("/orders/"+id+"/commands/schedule", form("scheduled_for", "2026-03-03T21:00")))
	lunchOnTuesday := append(hoursForm(), "hours_tuesday", "12:00-14:30, 18:00-20:00")
	m.follow(m.post("/settings/commands/set-hours", form(lunchOnTuesday...)))
	wantRefused(t, a, "placing at a time the hours no longer have", http.StatusUnprocessableEntity,
		"We are closed today at 21:00; choose a time within our opening hours.", func() *httptest.ResponseRecorder {
			return g.post("/orders/"+id+"/commands/place", form())
		})
	if page := g.post("/orders/"+id+"/commands/place", form()).Body.String(); !strings.Contains(page, `name="scheduled_for" id="scheduled-for" aria-invalid="true"`) {
		t.Fatalf("the refusal is not beside the time:\n%s", page)
	}
	g.follow(g.post("/orders/"+id+"/commands/schedule", form("scheduled_for", "2026-03-03T19:45")))
	m.follow(m.post("/online-orders/commands/pause", form("minutes", "until-resumed")))
	wantRefused(t, a, "placing for later while paused", http.StatusConflict, "We are not taking online orders right now", func() *httptest.ResponseRecorder {
		return g.post("/orders/"+id+"/commands/place", form())
	})
	m.follow(m.post("/online-orders/commands/resume", form()))

	d := a.guest()
	delivery := d.openWith("margherita", "1")
	d.follow(d.post("/orders/"+delivery+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "postal_code", "1100-053", "city", "Lisboa")))
	d.giveContact(delivery, "Rui", "912 345 678")
	page := d.follow(d.post("/orders/"+delivery+"/commands/schedule", form("scheduled_for", "2026-03-03T19:45"))).Body.String()
	if !strings.Contains(page, "Delivery <strong>at 19:45</strong>, at your door.") || !strings.Contains(page, "At your door at 19:45, the time you chose.") {
		t.Fatalf("the delivery for later:\n%s", page)
	}
	if placed := d.follow(d.post("/orders/"+delivery+"/commands/place", form())).Body.String(); !strings.Contains(placed, "Scheduled for delivery at 19:45") {
		t.Fatalf("the placed delivery for later:\n%s", placed)
	}
	a.caughtUp()
	if at, ok := a.scheduledFireAt(delivery); !ok || !at.Equal(lisbonAt("2026-03-03", "19:08")) {
		t.Fatalf("the delivery's ticket opens at %v (%v), want 12 minutes to cook and 25 on the road before 19:45", at, ok)
	}
}

// TestTheMenuSaysOrdersForLaterAreTaken: the menu's JSON tells clients
// that an order may be opened and placed for later while closed, and
// offers the commands; a pause takes them away.
func TestTheMenuSaysOrdersForLaterAreTaken(t *testing.T) {
	a, _, m := forLater(t)
	g := a.guest()
	doc := g.menuJSON("/menu")
	if doc.Ordering.Open || !doc.Ordering.ForLater || doc.Links["open-order"].Href == "" {
		t.Fatalf("the closed menu: %+v %+v", doc.Ordering, doc.Links)
	}
	m.follow(m.post("/online-orders/commands/pause", form("minutes", "until-resumed")))
	a.caughtUp()
	if doc := g.menuJSON("/menu"); doc.Ordering.ForLater || doc.Links["open-order"].Href != "" {
		t.Fatalf("the paused menu: %+v %+v", doc.Ordering, doc.Links)
	}
}
