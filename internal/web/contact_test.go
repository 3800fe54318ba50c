package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain/ordering"
)

// inOrder says whether every part appears in s, each after the one before.
func inOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// TestAnOrderIsPlacedUnderAName: an order for pickup is not placed without
// a name, and the page says so next to the name; given one, it is placed,
// the guest is thanked by name, the kitchen's ticket carries it, and the
// staff see the name and phone in their list and in the order's history.
func TestAnOrderIsPlacedUnderAName(t *testing.T) {
	a := withStaff(t)
	g, cook, m := a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	m.signIn("maria", managerPassword)
	id := g.openWith("margherita", "2")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))

	rec := g.post("/orders/"+id+"/commands/place", form())
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity ||
		!inOrder(body, `class="contact-form"`, `name="name"`, "Tell us your name, so the kitchen can call you.", `name="phone"`, `id="give-contact"`) {
		t.Fatalf("placing without a name: %d, want 422 with the message next to the name: %s", rec.Code, body)
	}
	if !strings.Contains(body, `autocomplete="name"`) || !strings.Contains(body, `autocomplete="tel"`) {
		t.Error("the contact form does not tell the browser what to fill in")
	}
	if strings.Contains(body, `id="place-order"`) {
		t.Error("the page offers to place an order that has no name")
	}

	g.giveContact(id, " Ana ", "+351 912 345 678")
	page := g.follow(g.post("/orders/"+id+"/commands/place", form()))
	if !strings.Contains(page.Body.String(), "Thanks, Ana — the kitchen has your order") {
		t.Fatalf("the placed order does not greet the guest by name: %s", page.Body)
	}
	waitForTicket(t, a, id)
	a.caughtUp()

	if board := cook.get("/kitchen").Body.String(); !inOrder(board, `id="ticket-`+id+`"`, `class="ticket-number"`, `<span class="ticket-name">· Ana</span>`, "pickup") {
		t.Fatalf("the kitchen's ticket does not show the name: %s", board)
	}
	list := m.get("/staff/orders").Body.String()
	if !strings.Contains(list, "Ana") || !strings.Contains(list, `href="tel:+351912345678"`) || !strings.Contains(list, "+351 912 345 678") {
		t.Fatalf("the staff's list does not show the name and phone: %s", list)
	}
	history := m.get("/staff/orders/" + id + "/history").Body.String()
	if !strings.Contains(history, "Gave the contact: Ana, +351 912 345 678") {
		t.Fatalf("the history does not tell the contact: %s", history)
	}
}

// TestADeliveryNeedsAPhone: an order for delivery is placed only with a name
// and a phone; every missing field is said at once, in the page and in the
// JSON problem.
func TestADeliveryNeedsAPhone(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	g.follow(g.post("/orders/"+id+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "city", "Lisbon", "postal_code", "1100-053")))

	rec := g.post("/orders/"+id+"/commands/place", form())
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity ||
		!inOrder(body, `name="name"`, "Tell us your name", `name="phone"`, "so the courier can reach you.") {
		t.Fatalf("placing a delivery without a contact: %d, want both messages next to their fields: %s", rec.Code, body)
	}
	var p Problem
	rec = g.postJSON("/orders/"+id+"/commands/place", uuid.NewString(), `{}`)
	if err := jsonUnmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusUnprocessableEntity ||
		len(p.Errors) != 2 || p.Errors[0].Field != "name" || p.Errors[1].Field != "phone" || p.Errors[1].Detail == "" {
		t.Fatalf("placing a delivery without a contact in JSON: %d %s", rec.Code, rec.Body)
	}

	// A name alone is not enough for a courier; a bad phone is said so.
	for _, c := range []struct{ name, phone, want string }{
		{"Ana", "", "so the courier can reach you."},
		{"Ana", "912 ABC", "only digits"},
		{"", "12", "Tell us your name"},
	} {
		rec := g.post("/orders/"+id+"/commands/give-contact", form("name", c.name, "phone", c.phone))
		if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) || !strings.Contains(body, `value="`+c.phone+`"`) {
			t.Errorf("contact %q %q: %d, want 422 saying %q with the input kept", c.name, c.phone, rec.Code, c.want)
		}
	}
	if rec := g.post("/orders/"+id+"/commands/give-contact", form("name", "", "phone", "12")); !inOrder(rec.Body.String(),
		`name="name"`, "Tell us your name", `name="phone"`, "A phone number has 6 to 20 digits.") {
		t.Errorf("a contact with two bad fields does not say both: %s", rec.Body)
	}
	g.giveContact(id, "Ana", "912 345 678")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	if doc := g.order(id); doc.Status != "placed" {
		t.Fatalf("the order with a name and a phone is %s", doc.Status)
	}
}

// TestTheAddressFormSaysEveryBadFieldAtOnce: three bad fields give three
// messages, each next to its field, in the page and in the JSON problem.
func TestTheAddressFormSaysEveryBadFieldAtOnce(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	bad := form("street", " ", "city", strings.Repeat("x", 61), "postal_code", "")
	// The same form sent again is refused as the first time, every field
	// again.
	for try := range 2 {
		rec := g.post("/orders/"+id+"/commands/add-delivery-address", bad)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !inOrder(body,
			`name="street"`, "Please enter the street and house number.",
			`name="postal_code"`, "Please enter the postal code.",
			`name="city"`, "The city can be at most 60 characters long.",
			`name="instructions"`) {
			t.Fatalf("three bad fields, try %d: %d, want three messages next to their fields: %s", try+1, rec.Code, body)
		}
		if n := strings.Count(body, `aria-invalid="true"`); n != 3 {
			t.Errorf("try %d: %d fields are marked invalid, want 3", try+1, n)
		}
	}
	body := g.get("/orders/" + id).Body.String()
	for _, ac := range []string{"street-address", "postal-code", "address-level2"} {
		if !strings.Contains(body, `autocomplete="`+ac+`"`) {
			t.Errorf("the address form has no autocomplete=%q", ac)
		}
	}

	var p Problem
	rec := g.postJSON("/orders/"+id+"/commands/add-delivery-address", uuid.NewString(), `{"street":"","city":"","postal_code":""}`)
	if err := jsonUnmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusUnprocessableEntity || len(p.Errors) != 3 || p.Field != "street" {
		t.Fatalf("three bad fields in JSON: %d %s", rec.Code, rec.Body)
	}
	for i, want := range []string{"street", "postal_code", "city"} {
		if p.Errors[i].Field != want || !strings.HasSuffix(p.Errors[i].Detail, ".") {
			t.Errorf("problem %d is %+v, want a sentence about %s", i, p.Errors[i], want)
		}
	}
}

// TestAnOrderMayGiveAnEmailForUpdates: the contact form asks for an email
// for updates, optional; a bad one is a 422 with the reason next to the
// field, what was typed kept, and nothing written; a good one is the order's,
// in its JSON and its page, sealed in the log; a signed-in customer's form
// starts with the account's email.
func TestAnOrderMayGiveAnEmailForUpdates(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	page := g.get("/orders/" + id).Body.String()
	if !inOrder(page, `class="contact-form"`, `name="name"`, `name="phone"`, "Email for order updates (optional)", `type="email"`, `name="email"`, `autocomplete="email"`) {
		t.Fatalf("the contact form does not ask for an email for updates: %s", page)
	}

	events := func() int {
		stored, err := a.store.ReadStream(context.Background(), ordering.Stream(id), 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(stored)
	}
	before := events()
	rec := g.post("/orders/"+id+"/commands/give-contact", form("name", "Ana", "email", "ana.example.com"))
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity ||
		!inOrder(body, `name="email"`, `value="ana.example.com"`, "The email address needs exactly one @.") {
		t.Fatalf("a bad email: %d, want 422 with the message next to the field and the input kept: %s", rec.Code, body)
	}
	var p Problem
	rec = g.postJSON("/orders/"+id+"/commands/give-contact", uuid.NewString(), `{"name":"Ana","email":"ana@localhost"}`)
	if err := jsonUnmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusUnprocessableEntity || p.Field != "email" {
		t.Fatalf("a bad email in JSON: %d %s", rec.Code, rec.Body)
	}
	if n := events(); n != before {
		t.Fatalf("a refused email wrote %d events", n-before)
	}

	g.follow(g.post("/orders/"+id+"/commands/give-contact", form("name", "Ana", "email", " Ana@Example.com ")))
	if doc := g.order(id); doc.Contact == nil || doc.Contact.Email != "ana@example.com" || doc.Contact.Name != "Ana" {
		t.Fatalf("the order's JSON has the contact %+v, want the email", doc.Contact)
	}
	if page := g.get("/orders/" + id).Body.String(); !strings.Contains(page, `value="ana@example.com"`) {
		t.Errorf("the contact form does not show the email given: %s", page)
	}
	var raw string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT data::text FROM events WHERE stream_id = $1 AND type = 'ordering.ContactGiven'`,
		ordering.Stream(id)).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "ana@example.com") || !strings.Contains(raw, `"email": "sealed:v1:`) && !strings.Contains(raw, `"email":"sealed:v1:`) {
		t.Errorf("the email is not sealed in the log: %s", raw)
	}

	// By JSON too, and with no email the contact has none.
	rec = g.postJSON("/orders/"+id+"/commands/give-contact", uuid.NewString(), `{"name":"Ana"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("a contact without an email in JSON: %d %s", rec.Code, rec.Body)
	}
	if doc := g.order(id); doc.Contact == nil || doc.Contact.Email != "" {
		t.Fatalf("after a contact without an email the JSON has %+v", doc.Contact)
	}

	// A signed-in customer starts with the account's email.
	c := a.guest()
	if code := c.signUp("Rui", "Rui@Example.com", "0612345678", "tomato basil orbit"); code != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", code)
	}
	cid := c.openWith("margherita", "1")
	if page := c.get("/orders/" + cid).Body.String(); !inOrder(page, `name="email"`, `value="rui@example.com"`) &&
		!inOrder(page, `value="rui@example.com"`, `name="email"`) {
		t.Errorf("the signed-in customer's contact form does not start with the account's email: %s", page)
	}
}
