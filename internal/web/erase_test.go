package web

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/pgembed"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

// zelda's personal data, spelled so that no other test data holds it, as
// it is stored; pages show her phone in groups too.
var (
	zeldaClues = []string{"Quistorp", "zelda.quistorp", "934777111", "Amendoeiras", "Sigilo", "Ring twice"}
	shownClues = append([]string{"934 777 111"}, zeldaClues...)
)

const zeldaPassword = "lantern pebble harbour"

// zeldasPhone holds the passkey zeldasHistory adds.
var zeldasPhone *authenticator

// dump is the whole database as pg_dump writes it: schema and every row.
func dump(t *testing.T, a *testApp) string {
	t.Helper()
	bin, err := pgembed.FindBinaries(nil, 0)
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	// The binaries found may be links to PostgreSQL's own directory, where
	// pg_dump is.
	if real, err := filepath.EvalSymlinks(filepath.Join(bin, "postgres")); err == nil {
		bin = filepath.Dir(real)
	}
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--no-owner", "-d", testdb.OwnerURLOf(t, a.store.Pool())).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	return string(out)
}

// cluesIn lists which of the clues the text holds, whatever the case.
func cluesIn(text string, clues []string) []string {
	var found []string
	for _, c := range clues {
		if strings.Contains(strings.ToLower(text), strings.ToLower(c)) {
			found = append(found, c)
		}
	}
	return found
}

// readModels is every projection's tables, row by row, in a stable order.
func readModels(t *testing.T, a *testApp) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range projections.All() {
		for _, table := range p.Tables() {
			var rows string
			if err := a.store.Pool().QueryRow(context.Background(),
				fmt.Sprintf(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]')::text FROM %s t`, table)).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			out[table] = rows
		}
	}
	return out
}

// zeldasHistory is Zelda as a restaurant comes to know her: an order as a
// guest, delivered, then an account on the same browser (which adopts the
// order), a saved address, an order there, a refused duplicate nickname and
// a wrong sign-in with her email, a passkey named after her. She left a
// second guest order open.
func zeldasHistory(t *testing.T, a *testApp) (zelda *guest, guestOrder, customerOrder string) {
	t.Helper()
	zelda = a.guest()
	guestOrder = zelda.openWith("margherita", "2")
	if rec := zelda.post("/orders/"+guestOrder+"/commands/add-delivery-address",
		form("street", "Rua das Amendoeiras 77", "postal_code", "1100-053", "city", "Lisboa", "instructions", "Ring twice")); rec.Code != http.StatusSeeOther {
		t.Fatalf("delivery address: %d %s", rec.Code, rec.Body)
	}
	zelda.giveContact(guestOrder, "Zelda Quistorp", "+351 934 777 111")
	if rec := zelda.post("/orders/"+guestOrder+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("place: %d %s", rec.Code, rec.Body)
	}
	waitForTicket(t, a, guestOrder)
	zelda.openWith("tiramisu", "2")
	if code := zelda.signUp("Zelda Quistorp", "Zelda.Quistorp@example.org", "+351 934 777 111", zeldaPassword); code != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", code)
	}
	if rec := zelda.post("/account/addresses/commands/add", form("nickname", "Home", "street", "Travessa do Sigilo 12", "postal_code", "1200-001", "city", "Lisboa")); rec.Code != http.StatusSeeOther {
		t.Fatalf("add address: %d %s", rec.Code, rec.Body)
	}
	if rec := zelda.post("/account/addresses/commands/add", form("nickname", "home", "street", "Travessa do Sigilo 14", "postal_code", "1200-001", "city", "Lisboa")); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a second home: %d, want 422", rec.Code)
	}
	home := zelda.customer().Addresses[0].ID
	customerOrder = zelda.openWith("tiramisu", "1")
	if rec := zelda.post("/orders/"+customerOrder+"/commands/add-delivery-address", form("address_id", home)); rec.Code != http.StatusSeeOther {
		t.Fatalf("deliver home: %d %s", rec.Code, rec.Body)
	}
	zelda.giveContact(customerOrder, "Zelda Quistorp", "+351 934 777 111")
	if rec := zelda.post("/orders/"+customerOrder+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("place: %d %s", rec.Code, rec.Body)
	}
	waitForTicket(t, a, customerOrder)
	if rec := a.guest().customerSignIn("zelda.quistorp@example.org", "not her password at all"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("a wrong sign-in: %d", rec.Code)
	}
	zeldasPhone = newAuthenticator(t)
	zelda.addPasskey(zeldasPhone, "Quistorp phone")
	a.caughtUp()
	return zelda, guestOrder, customerOrder
}

// myOpenOrders are the open orders of the guest who placed order.
func (g *guest) myOpenOrders(t *testing.T, a *testApp, order string) []string {
	t.Helper()
	rows, err := a.store.Pool().Query(context.Background(), `SELECT order_id FROM orders
		WHERE status = 'open' AND customer_id = (SELECT customer_id FROM orders WHERE order_id = $1)`, order)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) != 1 {
		t.Fatalf("the guest's open orders: %v (%v)", ids, err)
	}
	return ids
}

// TestAnErasedCustomerLeavesNothingPersonalInTheDatabase: after erasure,
// a dump of the whole database (events, stream names, commands, read
// models, keys, sessions) holds none of the customer's name, email, phone
// or streets, while the orders, the kitchen and the history carry on.
func TestAnErasedCustomerLeavesNothingPersonalInTheDatabase(t *testing.T) {
	a := withStaff(t)
	zelda, guestOrder, customerOrder := zeldasHistory(t, a)
	if found := cluesIn(dump(t, a), zeldaClues); len(found) != len(zeldaClues) {
		t.Fatalf("the test shows nothing: before erasure the dump should hold every clue, holds %v", found)
	}

	// A wrong password erases nothing.
	before := a.events()
	rec := zelda.post("/account/commands/erase", form("password", "not her password at all"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "That is not your password.") {
		t.Fatalf("erase with a wrong password: %d, want 422 saying so", rec.Code)
	}
	if a.events() != before || zelda.get("/account").Code != http.StatusOK {
		t.Fatal("a refused erasure changed something")
	}

	rec = zelda.post("/account/commands/erase", form("password", zeldaPassword))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/?erased=1" {
		t.Fatalf("erase: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if page := zelda.follow(rec).Body.String(); !strings.Contains(page, "Your account was erased") {
		t.Fatal("the menu does not say the account was erased")
	}
	if zelda.get("/account").Code != http.StatusSeeOther {
		t.Fatal("the erased customer is still signed in")
	}
	a.caughtUp()
	if found := cluesIn(dump(t, a), zeldaClues); len(found) > 0 {
		t.Fatalf("after erasure the database still holds %v", found)
	}

	// The orders stay whole: totals, the kitchen, the history.
	m, cook := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	if rec := cook.post("/kitchen/tickets/"+guestOrder+"/commands/ready", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("the kitchen readies an erased customer's order: %d", rec.Code)
	}
	a.caughtUp()
	history := m.get("/staff/orders/" + guestOrder + "/history").Body.String()
	for _, want := range []string{"Order opened", "Asked for delivery to the address of an erased customer", "Gave the contact: erased customer",
		"Placed the order, total €22.00", "Kitchen ticket opened with 1 dish(es) for an erased customer", "The kitchen marked it ready"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	if found := cluesIn(history, shownClues); len(found) > 0 {
		t.Errorf("the history shows %v", found)
	}
	for at := 1; at <= 6; at++ {
		if rec := m.get(fmt.Sprintf("/staff/orders/%s/history?at=%d", guestOrder, at)); rec.Code != http.StatusOK {
			t.Fatalf("time travel to revision %d: %d", at, rec.Code)
		}
	}
	list := m.get("/staff/orders").Body.String()
	if strings.Count(list, "<em>erased customer</em>") != 2 || len(cluesIn(list, shownClues)) > 0 {
		t.Fatalf("the staff's list should show both orders' contacts as erased:\n%s", list)
	}
	o, err := projections.Orders{Pool: a.store.Pool()}.Get(context.Background(), customerOrder)
	if err != nil || o.Total.Amount != 750 || !o.ContactErased || o.DeliveryAddress.Street != "" {
		t.Fatalf("the customer's order after erasure: %+v (%v)", o, err)
	}

	// The email is free again, and the old password and passkey open nothing.
	if rec := a.guest().customerSignIn("zelda.quistorp@example.org", zeldaPassword); rec.Code != http.StatusUnauthorized {
		t.Fatalf("signing in as the erased customer: %d", rec.Code)
	}
	if rec := a.guest().passkeySignIn(zeldasPhone); rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("signing in with the erased customer's passkey: %d, want a 4xx", rec.Code)
	}
	if code := a.guest().signUp("Zelda Q.", "zelda.quistorp@example.org", "+351 911 000 222", zeldaPassword); code != http.StatusSeeOther {
		t.Fatalf("the erased email signs up again: %d", code)
	}
}

// TestARebuildAfterErasureGivesTheSameReadModels: the read models never
// keep an opened copy of what a deleted key sealed; rebuilding them from
// the log after the erasure gives the tables the live ones are.
func TestARebuildAfterErasureGivesTheSameReadModels(t *testing.T) {
	a := withStaff(t)
	zelda, _, _ := zeldasHistory(t, a)
	other := a.signedUp("ana@example.com")
	placedOrder(t, a, other)
	if rec := zelda.post("/account/commands/erase", form("password", zeldaPassword)); rec.Code != http.StatusSeeOther {
		t.Fatalf("erase: %d", rec.Code)
	}
	a.caughtUp()
	live := readModels(t, a)
	if !strings.Contains(live["orders"], `"contact_erased":true`) || !strings.Contains(live["customers"], "Ana") {
		t.Fatalf("the test shows nothing: want an erased contact and another customer kept\n%s\n%s", live["orders"], live["customers"])
	}
	for _, p := range projections.All() {
		if _, err := projections.Rebuild(context.Background(), a.store, p, nil); err != nil {
			t.Fatalf("rebuild %s: %v", p.Name(), err)
		}
	}
	rebuilt := readModels(t, a)
	for _, table := range slices.Sorted(func(yield func(string) bool) {
		for k := range live {
			if !yield(k) {
				return
			}
		}
	}) {
		if live[table] != rebuilt[table] {
			t.Errorf("%s differs after the rebuild\n live: %s\nrebuilt: %s", table, live[table], rebuilt[table])
		}
	}
}

// TestAManagerErasesACustomerOnRequest: a manager finds the customer by
// email and erases them, ticking that they asked; a kitchen account may
// not, and an unticked form erases nothing.
func TestAManagerErasesACustomerOnRequest(t *testing.T) {
	a := withStaff(t)
	zelda, guestOrder, _ := zeldasHistory(t, a)
	id := customerID(t, a, "zelda.quistorp@example.org")
	m, cook := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	if rec := cook.get("/staff/customers?email=zelda.quistorp@example.org"); rec.Code != http.StatusForbidden {
		t.Fatalf("the kitchen finds customers: %d", rec.Code)
	}
	if rec := cook.post("/staff/customers/"+id+"/commands/erase", form("confirm", "yes")); rec.Code != http.StatusForbidden {
		t.Fatalf("the kitchen erases a customer: %d", rec.Code)
	}
	page := m.get("/staff/customers?email=ZELDA.quistorp@example.org").Body.String()
	if !strings.Contains(page, "Zelda Quistorp") || !strings.Contains(page, "/staff/customers/"+id+"/commands/erase") {
		t.Fatalf("the manager does not find the customer:\n%s", page)
	}
	if page := m.get("/staff/customers?email=nobody@example.org").Body.String(); !strings.Contains(page, "No customer has that email.") {
		t.Fatal("an unknown email finds someone")
	}
	before := a.events()
	rec := m.post("/staff/customers/"+id+"/commands/erase", form())
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Tick the box") || a.events() != before {
		t.Fatalf("an unticked erasure: %d, %d events written", rec.Code, a.events()-before)
	}
	for _, bad := range []string{"not-a-customer", "00000000-0000-0000-0000-000000000000"} {
		if rec := m.post("/staff/customers/"+bad+"/commands/erase", form("confirm", "yes")); rec.Code != http.StatusNotFound {
			t.Fatalf("erase %s: %d, want 404", bad, rec.Code)
		}
	}
	rec = m.post("/staff/customers/"+id+"/commands/erase", form("confirm", "yes"))
	if rec.Code != http.StatusSeeOther || !strings.Contains(m.follow(rec).Body.String(), "The customer was erased") {
		t.Fatalf("erase: %d", rec.Code)
	}
	a.caughtUp()
	if found := cluesIn(dump(t, a), zeldaClues); len(found) > 0 {
		t.Fatalf("after erasure the database still holds %v", found)
	}
	if zelda.get("/account").Code != http.StatusSeeOther {
		t.Fatal("the erased customer's browser is still signed in")
	}
	if rec := m.post("/staff/customers/"+id+"/commands/erase", form("confirm", "yes")); rec.Code != http.StatusNotFound {
		t.Fatalf("erasing twice: %d, want 404", rec.Code)
	}
	// Her browser was the guest whose order the account adopted: that guest
	// is gone too. The old order takes no new contact; a new order is a new
	// guest's, and takes one.
	cart := zelda.myOpenOrders(t, a, guestOrder)[0]
	rec = zelda.post("/orders/"+cart+"/commands/give-contact", form("name", "Zed", "phone", ""))
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "erased at their request") {
		t.Fatalf("a new contact on an erased guest's order: %d, want 410 saying why", rec.Code)
	}
	fresh := zelda.openWith("margherita", "1")
	if rec := zelda.post("/orders/"+fresh+"/commands/give-contact", form("name", "Zed", "phone", "")); rec.Code != http.StatusSeeOther {
		t.Fatalf("a contact on a new order of the same browser: %d %s", rec.Code, rec.Body)
	}
	var actor string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT actor FROM events WHERE type = 'customers.CustomerErased'`).Scan(&actor); err != nil || actor != "staff:maria" {
		t.Fatalf("the erasure's actor: %q (%v)", actor, err)
	}
	if page := m.get("/staff/customers?email=zelda.quistorp@example.org").Body.String(); !strings.Contains(page, "No customer has that email.") ||
		strings.Contains(page, "Zelda Quistorp") {
		t.Fatal("the erased customer is still found")
	}
}
