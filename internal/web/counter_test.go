package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// Placing checks the dishes against the menu as it is then: a dish sold out
// or removed since it was added stops the order, by name; a changed price
// is told before placing, and the order keeps the price it showed.
func TestPlacingChecksTheDishesAgainstTheMenu(t *testing.T) {
	a := withStaff(t)
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	id := g.openWith("margherita", "1")
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1")))
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	m.follow(m.post("/menu/items/tiramisu/commands/sold-out", form()))
	m.follow(m.post("/menu/items/margherita/commands/modify", form("name", "Margherita", "category_id", "pizza", "description", "Tomato, mozzarella, basil.", "price", "12.50", "allergens", "gluten,milk", "diets", "vegetarian")))
	a.caughtUp()

	page := g.get("/orders/" + id).Body.String()
	if !strings.Contains(page, "Sold out since you added it") || !strings.Contains(page, "The menu price is now €12.50; your order keeps €11.00") {
		t.Fatalf("the order page does not tell what changed on the menu:\n%s", page)
	}
	before := a.events()
	rec := g.post("/orders/"+id+"/commands/place", form())
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Tiramisù (sold out) can no longer be ordered") {
		t.Fatalf("placing with a sold-out dish: %d, want 409 naming the dish:\n%s", rec.Code, rec.Body)
	}
	if json := g.postJSON("/orders/"+id+"/commands/place", uuid.NewString(), `{}`); json.Code != http.StatusConflict || !strings.Contains(json.Body.String(), "Tiramisù") {
		t.Fatalf("placing with a sold-out dish, in JSON: %d %s", json.Code, json.Body)
	}
	if a.events() != before {
		t.Fatal("a refused place wrote events")
	}
	line := ""
	for _, l := range g.order(id).Lines {
		if l.MenuItemID == "tiramisu" {
			line = l.LineID
		}
	}
	g.follow(g.post("/orders/"+id+"/items/"+line+"/commands/remove", form()))
	if rec := g.post("/orders/"+id+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("placing without the sold-out dish: %d %s", rec.Code, rec.Body)
	}
	if doc := g.order(id); doc.Status != "placed" || doc.Total.String() != "€11.00" {
		t.Fatalf("the placed order: %s at %s, want placed at the price it showed, €11.00", doc.Status, doc.Total)
	}
}

// A cook's start and the guest's cancel at the same moment: one of them
// wins, the other is refused, every time.
func TestStartAndCancelAtOnceNeverBothHappen(t *testing.T) {
	a := withStaff(t)
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	for i := range 12 {
		g := a.guest() // a guest places five orders an hour at most
		id := placedOrder(t, a, g)
		var wg sync.WaitGroup
		var started, canceled int
		go0 := make(chan struct{})
		wg.Go(func() {
			<-go0
			started = cook.post("/kitchen/tickets/"+id+"/commands/start", form()).Code
		})
		wg.Go(func() {
			<-go0
			canceled = g.post("/orders/"+id+"/commands/cancel", form()).Code
		})
		close(go0)
		wg.Wait()
		if (started == http.StatusSeeOther) == (canceled == http.StatusSeeOther) || started+canceled != http.StatusSeeOther+http.StatusConflict {
			t.Fatalf("order %d: start answered %d and cancel %d; want one 303 and one 409", i, started, canceled)
		}
	}
}

// JSON text that is not UTF-8 is refused as the same text in a form is,
// rather than stored with replacement characters.
func TestJSONTextThatIsNotUTF8IsRefused(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	before := a.events()
	for _, body := range []string{"{\"menu_item_id\":\"diavola\",\"option-size\":\"regular\",\"quantity\":1,\"note\":\"\xff\xfe\"}",
		`{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":"\ud800"}`, `{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":"\udc00 alone"}`,
		`{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":"\ud800\u0041"}`} {
		rec := g.postJSON("/orders/"+id+"/items/commands/add", uuid.NewString(), body)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "not UTF-8") {
			t.Errorf("%q: %d %s, want 400", body, rec.Code, rec.Body)
		}
	}
	if a.events() != before {
		t.Fatal("text that is not UTF-8 was stored")
	}
	// A real pair, an escaped backslash and a plain emoji are text.
	for _, note := range []string{`\ud83c\udf55`, `C:\\udc00`, "🍕"} {
		if rec := g.postJSON("/orders/"+id+"/items/commands/add", uuid.NewString(), `{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":"`+note+`"}`); rec.Code != http.StatusAccepted {
			t.Errorf("note %s: %d %s, want 202", note, rec.Code, rec.Body)
		}
	}
}

// A stale or forged guest cookie (one no guest can have) at open simply
// gets a new guest.
func TestAStaleGuestCookieGetsANewGuest(t *testing.T) {
	a := newTestApp(t)
	for _, value := range []string{"stale", strings.Repeat("A", 40), "%%%", ""} {
		g := a.guest()
		g.cookies[guestCookie] = &http.Cookie{Name: guestCookie, Value: value}
		rec := g.post("/orders/commands/open", form("menu_item_id", "margherita", "option-size", "regular", "quantity", "1"))
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("open with the cookie %q: %d %s", value, rec.Code, rec.Body)
		}
		if g.cookies[guestCookie].Value == value {
			t.Fatalf("the cookie %q was kept", value)
		}
		if page := g.follow(rec).Body.String(); orderHref(page) == "" {
			t.Fatalf("no order for the new guest: %s", page)
		}
	}
}

// HEAD works wherever GET does, and every 405 says what is allowed.
func TestHeadWorksAndEvery405SaysWhatIsAllowed(t *testing.T) {
	a := withStaff(t)
	g := a.guest()
	g.signIn("kai", kitchenPassword)
	id := g.openWith("margherita", "1")
	for _, path := range []string{"/", "/orders/" + id, "/healthz", "/login"} {
		rec := g.do(httptest.NewRequest(http.MethodHead, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d, want 200", path, rec.Code)
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, "/", "GET, HEAD"},
		{http.MethodGet, "/orders/" + id + "/commands/place", "POST"},
		{http.MethodDelete, "/orders/" + id, "GET, HEAD"},
		{http.MethodPut, "/login", "GET, HEAD, POST"},
		{http.MethodGet, "/kitchen/tickets/" + id + "/commands/start", "POST"},
	} {
		rec := g.do(httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: %d with Allow %q, want 405 with %q", c.method, c.path, rec.Code, rec.Header().Get("Allow"), c.allow)
		}
	}
}
