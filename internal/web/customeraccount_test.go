package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"restaurant/projections"
)

const anaPassword = "tomato basil orbit"

// signedUp is a browser signed up as a new customer.
func (a *testApp) signedUp(email string) *guest {
	a.t.Helper()
	g := a.guest()
	if code := g.signUp("Ana", email, "0612345678", anaPassword); code != http.StatusSeeOther {
		a.t.Fatalf("sign-up %s: %d", email, code)
	}
	return g
}

// customerSignIn signs a browser in as a customer.
func (g *guest) customerSignIn(email, password string) *httptest.ResponseRecorder {
	return g.post("/account/sign-in", url.Values{"email": {email}, "password": {password}})
}

// customer reads the browser's account from the read model.
func (g *guest) customer() projections.Customer {
	g.a.t.Helper()
	g.a.caughtUp()
	var id string
	if err := g.a.store.Pool().QueryRow(context.Background(), `SELECT customer_id FROM customers ORDER BY signed_up_at DESC LIMIT 1`).Scan(&id); err != nil {
		g.a.t.Fatal(err)
	}
	c, _, err := projections.Customers{Pool: g.a.store.Pool()}.Get(context.Background(), id)
	if err != nil {
		g.a.t.Fatal(err)
	}
	return c
}

func TestCustomerSignsOutAndIn(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	old := g.cookies["customer_session"].Value
	if rec := g.post("/account/sign-out", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", rec.Code)
	}
	if rec := g.get("/account"); rec.Code != http.StatusSeeOther {
		t.Fatalf("signed out, /account: %d", rec.Code)
	}
	if g.cookies["guest"] == nil {
		t.Fatal("signing out lost the guest cookie")
	}
	if rec := g.customerSignIn("ANA@example.com ", anaPassword); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	if now := g.cookies["customer_session"].Value; now == old {
		t.Fatal("the session id did not change at sign-in")
	}
	if rec := g.get("/account"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ana@example.com") {
		t.Fatalf("signed in again, /account: %d", rec.Code)
	}
	// Staff sign-in is elsewhere, and the customer is no staff member.
	if rec := g.get("/staff"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a customer at /staff: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

func TestWrongCustomerPasswordIsBraked(t *testing.T) {
	a := newTestApp(t)
	a.signedUp("ana@example.com")
	g := a.guest()
	g.addr = "198.51.100.9:4000"
	var checked, refused int
	for range 8 {
		switch rec := g.customerSignIn("ana@example.com", "not the password"); rec.Code {
		case http.StatusUnauthorized:
			checked++
			if !strings.Contains(rec.Body.String(), "Wrong email or password.") {
				t.Fatalf("401 without its message: %s", rec.Body)
			}
		case http.StatusTooManyRequests:
			refused++
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("a wrong password answered %d", rec.Code)
		}
	}
	if checked != 5 || refused != 3 {
		t.Fatalf("%d checked, %d refused; want 5 and 3", checked, refused)
	}
	if rec := a.guest().customerSignIn("nobody@example.com", anaPassword); rec.Code != http.StatusUnauthorized {
		t.Fatalf("an unknown email: %d", rec.Code)
	}
	// Another address, the right password: in.
	if rec := a.guest().customerSignIn("ana@example.com", anaPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("the customer from another address: %d", rec.Code)
	}
}

var addressIDs = regexp.MustCompile(`id="address-([0-9a-f-]{36})"`)

func TestAddressBook(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	add := func(nickname string) *httptest.ResponseRecorder {
		return g.post("/account/addresses/commands/add", form("nickname", nickname, "street", "Main St 1", "postal_code", "1011 AB", "city", "Amsterdam", "instructions", "Ring twice"))
	}
	if rec := add("Home"); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	if rec := add("Office"); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	before := a.events()
	rec := add(" home ")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "You already have an address called Home") ||
		!strings.Contains(rec.Body.String(), `value=" home "`) {
		t.Fatalf("duplicate nickname: %d %s", rec.Code, rec.Body)
	}
	if rec := add(strings.Repeat("x", 31)); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "at most 30") {
		t.Fatalf("long nickname: %d", rec.Code)
	}
	if a.events() != before {
		t.Fatal("a refused address wrote events")
	}
	page := g.get("/account").Body.String()
	ids := addressIDs.FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("want two addresses on the page: %s", page)
	}
	home, office := ids[0][1], ids[1][1]
	c := g.customer()
	if def, ok := c.Default(); !ok || def.ID != home || def.Instructions != "Ring twice" {
		t.Fatalf("default: %+v", c.Addresses)
	}
	if rec := g.post("/account/addresses/"+office+"/commands/change", form("nickname", "HOME", "street", "B", "postal_code", "1", "city", "C")); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("renamed onto another nickname: %d", rec.Code)
	}
	if rec := g.post("/account/addresses/"+office+"/commands/change", form("nickname", "Work", "street", "Dam 2", "postal_code", "1012 JS", "city", "Amsterdam")); rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, rec.Body)
	}
	if rec := g.post("/account/addresses/"+office+"/commands/make-default", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("make default: %d", rec.Code)
	}
	if rec := g.post("/account/addresses/"+home+"/commands/remove", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", rec.Code)
	}
	c = g.customer()
	if len(c.Addresses) != 1 || c.Addresses[0].Nickname != "Work" || !c.Addresses[0].Default || c.Addresses[0].Street != "Dam 2" {
		t.Fatalf("address book: %+v", c.Addresses)
	}
	if page := g.get("/account").Body.String(); !strings.Contains(page, "Work") || strings.Contains(page, "Main St 1") {
		t.Fatalf("account page after changes: %s", page)
	}

	// Another customer cannot touch it.
	other := a.signedUp("bea@example.com")
	before = a.events()
	for _, cmd := range []string{"change", "remove", "make-default"} {
		rec := other.post("/account/addresses/"+office+"/commands/"+cmd, form("nickname", "X", "street", "Y", "postal_code", "1", "city", "Z"))
		if rec.Code != http.StatusNotFound {
			t.Errorf("another customer's %s: %d, want 404", cmd, rec.Code)
		}
	}
	if a.events() != before {
		t.Fatal("another customer's address commands wrote events")
	}
}

func TestChangeDetails(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	if rec := g.post("/account/commands/change-details", form("name", "", "phone", "0612345678")); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Please enter your name.") {
		t.Fatalf("empty name: %d", rec.Code)
	}
	if rec := g.post("/account/commands/change-details", form("name", "Ana Maria", "phone", "+351 912 345 678")); rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, rec.Body)
	}
	if page := g.get("/account").Body.String(); !strings.Contains(page, "Ana Maria") || !strings.Contains(page, "+351912345678") {
		t.Fatalf("account page: %s", page)
	}
}

func TestCustomerCookieIsSecureOnHTTPS(t *testing.T) {
	public, _ := url.Parse("https://gomes.example")
	a := newTestAppWith(t, func(d *Deps) { d.PublicURL = public })
	g := a.signedUp("ana@example.com")
	if c := g.cookies["customer_session"]; c == nil || !c.Secure || !c.HttpOnly {
		t.Fatalf("customer session cookie on an https site: %+v", c)
	}
}

// A signed-in customer delivers to an address of their book; an address
// that is not theirs (another customer's, or removed meanwhile) is refused
// next to the choice, and nothing is written.
func TestDeliveryToASavedAddress(t *testing.T) {
	a := newTestApp(t)
	ana, bea := a.signedUp("ana@example.com"), a.signedUp("bea@example.com")
	for _, g := range []*guest{ana, bea} {
		if rec := g.post("/account/addresses/commands/add", form("nickname", "Work", "street", "Rua Augusta 10", "postal_code", "1100-053", "city", "Lisboa", "instructions", "Third floor")); rec.Code != http.StatusSeeOther {
			t.Fatalf("add: %d %s", rec.Code, rec.Body)
		}
	}
	book := func(email string) []projections.Address {
		c, _, err := projections.Customers{Pool: a.store.Pool()}.Get(context.Background(), customerID(t, a, email))
		if err != nil || len(c.Addresses) != 1 {
			t.Fatalf("%s's addresses: %+v (%v)", email, c.Addresses, err)
		}
		return c.Addresses
	}
	anaWork, beaWork := book("ana@example.com")[0].ID, book("bea@example.com")[0].ID
	id := ana.openWith("margherita", "1")
	if page := ana.get("/orders/" + id).Body.String(); !strings.Contains(page, `name="address_id"`) || !strings.Contains(page, "Work: Rua Augusta 10, 1100-053 Lisboa") {
		t.Fatalf("the order page offers no saved address:\n%s", page)
	}
	before := a.events()
	for _, other := range []string{beaWork, uuid.NewString()} {
		rec := ana.post("/orders/"+id+"/commands/add-delivery-address", form("address_id", other))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "not in your address book") {
			t.Fatalf("another's address: %d, want 422 saying so", rec.Code)
		}
	}
	if a.events() != before {
		t.Fatal("a refused address wrote events")
	}
	if rec := ana.post("/orders/"+id+"/commands/add-delivery-address", form("address_id", anaWork)); rec.Code != http.StatusSeeOther {
		t.Fatalf("deliver to Work: %d %s", rec.Code, rec.Body)
	}
	var doc orderDoc
	ana.getJSON("/orders/"+id, &doc)
	if doc.Fulfilment != "delivery" || doc.DeliveryAddress == nil || doc.DeliveryAddress.Street != "Rua Augusta 10" || doc.DeliveryAddress.Instructions != "Third floor" {
		t.Fatalf("the order's delivery: %s %+v", doc.Fulfilment, doc.DeliveryAddress)
	}
	// A guest has no address book: the same form is refused, not a 500.
	g := a.guest()
	gid := g.openWith("margherita", "1")
	if rec := g.post("/orders/"+gid+"/commands/add-delivery-address", form("address_id", anaWork)); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "not in your address book") {
		t.Fatalf("a guest's saved address: %d", rec.Code)
	}
}

func customerID(t *testing.T, a *testApp, email string) string {
	t.Helper()
	a.caughtUp()
	var id string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT customer_id FROM customers WHERE email = $1`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
