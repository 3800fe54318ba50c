package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

func TestGuestOrdersAreAdoptedAndListedWithOrdersOpenedSignedIn(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	guestOrder := g.openWith("margherita", "2")
	if code := g.signUp("Ana", "ana@example.com", "0612345678", anaPassword); code != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", code)
	}
	// The adoption is on the customer's stream, one event per order.
	var adopted int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = $1 AND data->>'order_id' = $2`,
		customers.GuestOrderAdopted{}.EventType(), guestOrder).Scan(&adopted); err != nil || adopted != 1 {
		t.Fatalf("adoption events: %d %v", adopted, err)
	}
	// Signed in: the adopted order stays the customer's, and a new one is theirs.
	if rec := g.post("/orders/"+guestOrder+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1")); rec.Code != http.StatusSeeOther {
		t.Fatalf("adding to the adopted order: %d %s", rec.Code, rec.Body)
	}
	if rec := g.get("/orders/" + guestOrder); rec.Code != http.StatusOK {
		t.Fatalf("the adopted order: %d", rec.Code)
	}
	rec := g.post("/orders/commands/open", form())
	newOrder := strings.TrimPrefix(rec.Header().Get("Location"), "/orders/")
	if rec.Code != http.StatusSeeOther || uuid.Validate(newOrder) != nil {
		t.Fatalf("open signed in: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	c := g.customer()
	if o, err := (projections.Orders{Pool: a.store.Pool()}).Get(context.Background(), newOrder); err != nil || o.CustomerID != c.ID {
		t.Fatalf("an order opened signed in belongs to %q, want the customer %q", o.CustomerID, c.ID)
	}
	page := g.get("/account/orders").Body.String()
	first, second := strings.Index(page, "my-order-"+newOrder), strings.Index(page, "my-order-"+guestOrder)
	if first < 0 || second < 0 || first > second {
		t.Fatalf("my orders, newest first, want %s then %s: %s", newOrder, guestOrder, page)
	}

	// Another customer sees neither.
	other := a.signedUp("bea@example.com")
	before := a.events()
	for _, id := range []string{guestOrder, newOrder} {
		if rec := other.get("/orders/" + id); rec.Code != http.StatusNotFound {
			t.Errorf("another customer's order page: %d", rec.Code)
		}
		if rec := other.post("/orders/"+id+"/commands/cancel", form()); rec.Code != http.StatusNotFound {
			t.Errorf("another customer's cancel: %d", rec.Code)
		}
		if rec := other.post("/account/orders/"+id+"/commands/order-again", form()); rec.Code != http.StatusNotFound {
			t.Errorf("another customer's order again: %d", rec.Code)
		}
	}
	if strings.Contains(other.get("/account/orders").Body.String(), "my-order-") {
		t.Error("another customer lists orders that are not theirs")
	}
	if a.events() != before {
		t.Fatal("another customer's commands wrote events")
	}

	// Signed out, the browser is the guest it was.
	g.post("/account/sign-out", form())
	if rec := g.get("/orders/" + guestOrder); rec.Code != http.StatusOK {
		t.Fatalf("the guest's own order after sign-out: %d", rec.Code)
	}
	if rec := g.get("/orders/" + newOrder); rec.Code != http.StatusNotFound {
		t.Fatalf("the customer's order, signed out: %d", rec.Code)
	}
}

func TestGuestOrdersAreAdoptedAtSignIn(t *testing.T) {
	a := newTestApp(t)
	a.signedUp("ana@example.com")
	g := a.guest()
	id := g.openWith("carbonara", "1")
	if rec := g.customerSignIn("ana@example.com", anaPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", rec.Code)
	}
	if page := g.get("/account/orders").Body.String(); !strings.Contains(page, "my-order-"+id) {
		t.Fatalf("the guest order is not listed: %s", page)
	}
	if menu := g.get("/").Body.String(); !strings.Contains(menu, `href="/orders/`+id+`"`) {
		t.Fatalf("the header does not link to the adopted open order: %s", menu)
	}
	// Signing in again adopts nothing twice.
	g.post("/account/sign-out", form())
	g.customerSignIn("ana@example.com", anaPassword)
	var n int
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = $1`, customers.GuestOrderAdopted{}.EventType()).Scan(&n)
	if n != 1 {
		t.Fatalf("%d adoptions, want 1", n)
	}
}

func TestOrderAgainLeavesOutWhatIsSoldOut(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	first := g.openWith("margherita", "2")
	if rec := g.post("/orders/"+first+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1", "note", "extra cocoa")); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d", rec.Code)
	}
	if rec := g.post("/orders/"+first+"/items/commands/add", form("menu_item_id", "carbonara", "quantity", "1", "note", "no pepper")); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d", rec.Code)
	}
	if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream("margherita"), menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	a.caughtUp()
	rec := g.post("/account/orders/"+first+"/commands/order-again", form())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("order again: %d %s", rec.Code, rec.Body)
	}
	page := g.follow(rec).Body.String()
	if !strings.Contains(page, "Left out: Margherita, Regular (sold out).") {
		t.Fatalf("the new order does not say what was left out: %s", page)
	}
	again := strings.TrimPrefix(strings.Split(rec.Header().Get("Location"), "?")[0], "/orders/")
	o := g.order(again)
	if again == first || len(o.Lines) != 2 {
		t.Fatalf("the new order: %+v", o)
	}
	notes := map[string]string{}
	for _, l := range o.Lines {
		notes[l.MenuItemID] = l.Note
	}
	if notes["tiramisu"] != "extra cocoa" || notes["carbonara"] != "no pepper" {
		t.Fatalf("the notes did not come along: %+v", o.Lines)
	}
}
