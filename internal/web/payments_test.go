package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// readyTicket has a guest place an order, for delivery when asked, and the
// kitchen cook it ready; it returns the order's id.
func readyTicket(t *testing.T, a *testApp, cook, g *guest, delivery bool) string {
	t.Helper()
	id, phone := g.openWith("margherita", "1"), ""
	if delivery {
		phone = "+351 912 345 678"
		g.follow(g.post("/orders/"+id+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "city", "Lisbon", "postal_code", "1100-053")))
	} else {
		g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	}
	g.giveContact(id, "Ana", phone)
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/ready", form()))
	return id
}

// TestHandOverAsksHowTheOrderWasPaid: the ready rail's hand-over says cash,
// card or unpaid with a reason; anything else is refused naming the field,
// by form, tap and JSON alike, and writes nothing.
func TestHandOverAsksHowTheOrderWasPaid(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := readyTicket(t, a, cook, g, false)
	hand := "/kitchen/tickets/" + id + "/commands/hand-over"

	ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `</ol>`)
	for _, want := range []string{`name="payment" value="cash"`, `name="payment" value="card"`, ">Card <span", "Unpaid…", `name="unpaid_reason"`} {
		if !strings.Contains(ticket, want) {
			t.Errorf("the ready ticket's hand-over lacks %s: %s", want, ticket)
		}
	}
	if strings.Contains(ticket, "Card on delivery") {
		t.Error("a pickup order offers card on delivery")
	}

	before := a.events()
	for _, c := range []struct {
		name, field string
		send        func() *httptest.ResponseRecorder
	}{
		{"no method", "payment", func() *httptest.ResponseRecorder { return cook.post(hand, form()) }},
		{"an unknown method", "payment", func() *httptest.ResponseRecorder { return cook.post(hand, form("payment", "cheque")) }},
		{"unpaid without a reason", "unpaid_reason", func() *httptest.ResponseRecorder {
			return cook.post(hand, form("payment", "unpaid", "unpaid_reason", " "))
		}},
		{"unpaid, reason too long", "unpaid_reason", func() *httptest.ResponseRecorder {
			return cook.post(hand, form("payment", "unpaid", "unpaid_reason", strings.Repeat("x", 201)))
		}},
		{"a tap without a method", "payment", func() *httptest.ResponseRecorder { return cook.tap(hand, form()) }},
		{"a tap, unpaid without a reason", "unpaid_reason", func() *httptest.ResponseRecorder { return cook.tap(hand, form("payment", "unpaid")) }},
		{"JSON, unknown method", "payment", func() *httptest.ResponseRecorder {
			return cook.postJSON(hand, uuid.NewString(), `{"payment":"bitcoin"}`)
		}},
		{"JSON, unpaid without a reason", "unpaid_reason", func() *httptest.ResponseRecorder {
			return cook.postJSON(hand, uuid.NewString(), `{"payment":"unpaid"}`)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := c.send()
			body := res.Body.String()
			if res.Code != http.StatusUnprocessableEntity {
				t.Fatalf("answered %d: %s", res.Code, body)
			}
			if strings.Contains(res.Header().Get("Content-Type"), "json") {
				if !strings.Contains(body, `"field":"`+c.field+`"`) {
					t.Errorf("the problem does not name %s: %s", c.field, body)
				}
			} else if !strings.Contains(body, `class="error field-error"`) {
				t.Errorf("no message next to the field: %s", body)
			}
			if n := a.events(); n != before {
				t.Errorf("%d events written by a refusal", n-before)
			}
		})
	}

	rec := cook.tap(hand, form("payment", "unpaid", "unpaid_reason", "guest left without paying"))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="kitchen-board"`) || strings.Contains(rec.Body.String(), `id="ticket-`+id+`"`) {
		t.Fatalf("hand-over unpaid answered %d: %s", rec.Code, rec.Body)
	}
	manager := a.guest()
	manager.signIn("maria", managerPassword)
	if h := manager.afterOthers("/staff/orders/" + id + "/history").Body.String(); !strings.Contains(h, "Handed over, unpaid: guest left without paying") {
		t.Errorf("the history does not tell the unpaid hand-over: %s", h)
	}
	if o := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(o, "Handed over") {
		t.Errorf("the guest does not see the order handed over")
	}
	// Delivered is for delivery orders.
	before = a.events()
	if rec := cook.post("/kitchen/tickets/"+id+"/commands/delivered", form()); rec.Code != http.StatusConflict {
		t.Fatalf("delivered for a pickup order: %d", rec.Code)
	}
	if n := a.events(); n != before {
		t.Errorf("%d events written by a refused delivered", n-before)
	}
}

// TestDeliveryGoesOnAfterHandOver: a delivery order handed over is out for
// delivery, on the rail and the guest's page, until the courier's Delivered.
func TestDeliveryGoesOnAfterHandOver(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := readyTicket(t, a, cook, g, true)
	delivered := "/kitchen/tickets/" + id + "/commands/delivered"

	before := a.events()
	if rec := cook.post(delivered, form()); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Hand the order to the courier") {
		t.Fatalf("delivered before hand-over: %d", rec.Code)
	}
	if n := a.events(); n != before {
		t.Fatalf("%d events written by delivered before hand-over", n-before)
	}
	if ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `</ol>`); !strings.Contains(ticket, "Card on delivery") {
		t.Fatalf("a delivery order's hand-over does not offer card on delivery: %s", ticket)
	}

	if rec := cook.postJSON("/kitchen/tickets/"+id+"/commands/hand-over", uuid.NewString(), `{"payment":"card"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("hand-over by JSON: %d %s", rec.Code, rec.Body)
	}
	ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `</ol>`)
	if !strings.Contains(ticket, "OUT FOR DELIVERY") || !strings.Contains(ticket, `action="`+delivered+`"`) {
		t.Fatalf("the ticket is not on the road with a Delivered button: %s", ticket)
	}
	if o := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(o, "Out for delivery") {
		t.Fatalf("the guest does not see the order out for delivery")
	}
	var doc orderDoc
	g.getJSON("/orders/"+id, &doc)
	if doc.Progress != "out_for_delivery" {
		t.Errorf("the order's JSON progress is %q", doc.Progress)
	}

	m := a.guest()
	m.signIn("maria", managerPassword)
	if rec := m.tap(delivered, form()); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `id="ticket-`+id+`"`) {
		t.Fatalf("delivered answered %d: %s", rec.Code, rec.Body)
	}
	if o := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(o, "Delivered") {
		t.Fatalf("the guest does not see the order delivered")
	}
	g.getJSON("/orders/"+id, &doc)
	if doc.Progress != "delivered" {
		t.Errorf("the order's JSON progress is %q", doc.Progress)
	}
	h := m.afterOthers("/staff/orders/" + id + "/history").Body.String()
	for _, want := range []string{"Out for delivery with the courier, paid by card on delivery", "Delivered to the guest"} {
		if !strings.Contains(h, want) {
			t.Errorf("the history does not say %q", want)
		}
	}

	before = a.events()
	if rec := cook.post(delivered, form()); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "already delivered") {
		t.Fatalf("delivered twice: %d", rec.Code)
	}
	if rec := cook.postJSON(delivered, uuid.NewString(), `{}`); rec.Code != http.StatusConflict {
		t.Fatalf("delivered twice by JSON: %d", rec.Code)
	}
	if rec := g.post(delivered, form()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest marked it delivered: %d", rec.Code)
	}
	if n := a.events(); n != before {
		t.Errorf("%d events written by refusals", n-before)
	}
}
