package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestGuestsAreToldWhenTheirOrderWillBeReady: the order page quotes when an
// order will be ready from the kitchen's queue, its pace and the dishes'
// prep times; past the pace's limits it says the kitchen is busy, then
// takes no more orders; the manager's forms refuse what cannot be.
func TestGuestsAreToldWhenTheirOrderWillBeReady(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-03-03", "19:15"))
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	id := g.readyOrder("margherita", "1") // a pizza: 12 minutes
	if page := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(page, "Ready for pickup around 19:27, in about 12 minutes.") {
		t.Fatalf("an empty kitchen's quote:\n%s", page)
	}
	var doc struct {
		ReadyAt time.Time `json:"ready_at"`
	}
	g.getJSON("/orders/"+id, &doc)
	if want := lisbonAt("2026-03-03", "19:27"); !doc.ReadyAt.Equal(want) {
		t.Fatalf("the order's JSON says ready at %s, want %s", doc.ReadyAt, want)
	}

	// Three pizzas ahead fill the kitchen's three places: this one waits
	// for the first to be done.
	var ahead []string
	var last *guest
	for range 3 {
		last = a.guest()
		ahead = append(ahead, placedOrder(t, a, last))
	}
	cook.follow(cook.post("/kitchen/tickets/"+ahead[0]+"/commands/start", form()))
	if page := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(page, "Ready for pickup around 19:39, in about 24 minutes.") {
		t.Fatalf("the quote behind three pizzas:\n%s", page)
	}
	// The kitchen display says when each ticket should be ready, by the
	// same sums.
	if board := cook.afterOthers("/kitchen").Body.String(); strings.Count(board, `<span class="ticket-due">due 19:27</span>`) != 3 {
		t.Fatalf("the kitchen's tickets are not all due at 19:27:\n%s", board)
	}
	// A placed order is quoted where it stands in the queue.
	if page := last.afterOthers("/orders/" + ahead[2]).Body.String(); !strings.Contains(page, `id="order-quote">Ready for pickup around 19:27`) {
		t.Fatalf("a placed order's quote:\n%s", page)
	}

	// One place at the stoves: 48 minutes, a busy kitchen.
	m.follow(m.post("/settings/commands/set-pace", form("parallel", "1", "delivery_minutes", "25", "busy_after", "45", "stop_after", "0")))
	if page := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(page, "The kitchen is busy tonight.") || !strings.Contains(page, "in about 48 minutes.") ||
		!strings.Contains(page, `id="place-order"`) {
		t.Fatalf("the quote in a busy kitchen:\n%s", page)
	}
	// Past the pace's stop, no order is placed, and the page says why.
	m.follow(m.post("/settings/commands/set-pace", form("parallel", "1", "delivery_minutes", "25", "busy_after", "30", "stop_after", "45")))
	const full = "The kitchen is full for now: an order placed now would take about 48 minutes. Please try again a little later."
	if page := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(page, full) || strings.Contains(page, `id="place-order"`) {
		t.Fatalf("the order page in a full kitchen:\n%s", page)
	}
	wantRefused(t, a, "placing in a full kitchen", http.StatusConflict, full, func() *httptest.ResponseRecorder {
		return g.post("/orders/"+id+"/commands/place", form())
	})

	// A manager's mistakes are told next to their fields, and change nothing.
	for _, c := range []struct {
		what, path string
		form       []string
		message    string
	}{
		{"a pace of words", "/settings/commands/set-pace", []string{"parallel", "lots", "delivery_minutes", "25", "busy_after", "30", "stop_after", "0"},
			"Enter how many orders the kitchen cooks at once, as a whole number."},
		{"a stop before busy", "/settings/commands/set-pace", []string{"parallel", "2", "delivery_minutes", "25", "busy_after", "30", "stop_after", "10"},
			"Stop taking orders from a wait no shorter than the busy one"},
		{"no minutes to make", "/menu/items/tiramisu/commands/set-prep-time", []string{"prep_minutes", "0"}, "A dish takes from 1 to 120 minutes to make."},
		{"minutes in words", "/menu/items/tiramisu/commands/set-prep-time", []string{"prep_minutes", "soon"}, "Enter the minutes the dish takes to make, from 1 to 120."},
	} {
		wantRefused(t, a, c.what, http.StatusUnprocessableEntity, c.message, func() *httptest.ResponseRecorder { return m.post(c.path, form(c.form...)) })
	}
	if rec := cook.post("/settings/commands/set-pace", form("parallel", "9", "delivery_minutes", "25", "busy_after", "30", "stop_after", "0")); rec.Code != http.StatusForbidden {
		t.Fatalf("a cook set the pace: %d", rec.Code)
	}

	// A dish's prep time changes the quotes made with it.
	m.follow(m.post("/settings/commands/set-pace", form("parallel", "3", "delivery_minutes", "25", "busy_after", "45", "stop_after", "0")))
	m.follow(m.post("/menu/items/tiramisu/commands/set-prep-time", form("prep_minutes", "30")))
	if staff := m.afterOthers("/staff/menu").Body.String(); !strings.Contains(staff, `name="prep_minutes" min="1" max="120" inputmode="numeric" value="30"`) {
		t.Fatal("the staff menu does not show the tiramisu's 30 minutes")
	}
	dessert := a.guest()
	later := dessert.openWith("tiramisu", "1")
	dessert.follow(dessert.post("/orders/"+later+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "postal_code", "1100-053", "city", "Lisboa")))
	// 30 minutes behind the three pizzas' first place free (19:27), and 25
	// on the road.
	if page := dessert.afterOthers("/orders/" + later).Body.String(); !strings.Contains(page, "At your door around 20:22, in about 67 minutes.") {
		t.Fatalf("a delivery's quote:\n%s", page)
	}
}

// TestAQuoteFollowsTheKitchenLive: an open order's page is told its new
// quote when the kitchen takes another order, without a reload.
func TestAQuoteFollowsTheKitchenLive(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-03-03", "19:15"))
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	g := a.guest()
	id := g.readyOrder("margherita", "1")
	socket, _, err := g.dial(t, srv, "topic=order:"+id, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, socket, "Ready for pickup around 19:27, in about 12 minutes.")
	// One place at the stoves, and a pizza ahead: 24 minutes.
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/settings/commands/set-pace", form("parallel", "1", "delivery_minutes", "25", "busy_after", "45", "stop_after", "0")))
	placedOrder(t, a, a.guest())
	await(t, socket, "Ready for pickup around 19:39, in about 24 minutes.")
}
