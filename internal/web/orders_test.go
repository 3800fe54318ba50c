package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

func TestGuestOrdersThroughForms(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()

	menuPage := g.follow(g.post("/orders/commands/open", form("menu_item_id", "margherita", "option-size", "regular", "quantity", "2", "note", "no basil")))
	if !strings.Contains(menuPage.Body.String(), "Added 2 × Margherita, Regular to your order.") {
		t.Fatalf("no confirmation after adding: %s", menuPage.Body)
	}
	id := strings.TrimPrefix(orderHref(menuPage.Body.String()), "/orders/")
	// With an open order, the menu's forms add to it.
	if !strings.Contains(menuPage.Body.String(), `action="/orders/`+id+`/items/commands/add"`) {
		t.Fatal("the menu's add forms do not post to the open order")
	}
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1")))

	o := g.order(id)
	if len(o.Lines) != 2 || o.Total.Amount != 2*1100+750 || o.Lines[0].Note != "no basil" {
		t.Fatalf("order after two adds: %+v", o)
	}
	margherita, tiramisu := o.Lines[0].LineID, o.Lines[1].LineID
	g.follow(g.post("/orders/"+id+"/items/"+margherita+"/commands/change-quantity", form("quantity", "3")))
	g.follow(g.post("/orders/"+id+"/items/"+tiramisu+"/commands/remove", form()))
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	page := g.follow(g.post("/orders/"+id+"/commands/place", form()))

	body := page.Body.String()
	for _, want := range []string{"Thanks, Ana — the kitchen has your order", "3 × Margherita", "€33.00", "Pickup", "Ana"} {
		if !strings.Contains(body, want) {
			t.Errorf("placed order page lacks %q", want)
		}
	}
	// Only the commands valid now are offered: no more item changes.
	for _, gone := range []string{"/commands/place", "/commands/change-quantity", "/commands/remove", "/commands/choose-pickup"} {
		if strings.Contains(body, gone) {
			t.Errorf("placed order page still offers %s", gone)
		}
	}
	if !strings.Contains(body, "/commands/cancel") {
		t.Error("placed order page does not offer cancel")
	}
}

func TestStrangersOrderIsNotFound(t *testing.T) {
	a := newTestApp(t)
	owner, stranger := a.guest(), a.guest()
	id := owner.openWith("margherita", "1")
	stranger.get("/") // a cookie of their own
	before := a.events()
	for _, rec := range []*httptest.ResponseRecorder{
		stranger.get("/orders/" + id),
		stranger.getJSON("/orders/"+id, nil),
		stranger.getJSON("/orders/"+id+"/commands", nil),
		stranger.post("/orders/"+id+"/commands/place", form()),
		stranger.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1")),
		a.guest().post("/orders/"+id+"/commands/cancel", form()), // no cookie at all
	} {
		if rec.Code != http.StatusNotFound {
			t.Errorf("stranger got %d, want 404: %s", rec.Code, rec.Body)
		}
	}
	if a.events() != before {
		t.Fatal("a stranger's command wrote events")
	}
}

func TestBadInputIsRejectedAndWritesNothing(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	// Sell out the tiramisu through the menu's own command.
	if _, err := eventstore.Handle(ctx, a.store, menu.Stream("tiramisu"),
		menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	a.caughtUp()
	g := a.guest()
	id := g.openWith("margherita", "1")
	add := "/orders/" + id + "/items/commands/add"
	long := strings.Repeat("é", 201)

	tests := []struct {
		name, path string
		form       []string
		status     int
		message    string
	}{
		{"quantity 0", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "0"}, 422, "Quantity must be between 1 and 99."},
		{"quantity -1", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "-1"}, 422, "between 1 and 99"},
		{"quantity 100", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "100"}, 422, "between 1 and 99"},
		{"quantity abc", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "abc"}, 422, "whole number"},
		{"quantity empty", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", ""}, 422, "whole number"},
		{"note too long", add, []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "1", "note", long}, 422, "200"},
		{"unknown dish", add, []string{"menu_item_id", "lobster", "quantity", "1"}, 422, "not on the menu"},
		{"sold-out dish", add, []string{"menu_item_id", "tiramisu", "quantity", "1"}, 422, "sold out"},
		{"no dish", add, []string{"quantity", "1"}, 422, "Choose a dish"},
		{"opening with a bad quantity", "/orders/commands/open", []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "100"}, 422, "between 1 and 99"},
		{"unknown line", "/orders/" + id + "/items/" + uuid.NewString() + "/commands/remove", nil, 404, "not in your order"},
		{"unknown order", "/orders/" + uuid.NewString() + "/commands/place", nil, 404, "no such order"},
		{"malformed order id", "/orders/not-an-id/commands/place", nil, 404, "no such order"},
		{"delivery without a street", "/orders/" + id + "/commands/add-delivery-address", []string{"city", "Lisbon", "postal_code", "1100-001"}, 422, "treet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.events()
			rec := g.post(tt.path, form(tt.form...))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.message) {
				t.Errorf("the page does not say %q", tt.message)
			}
			if a.events() != before {
				t.Error("an event was written")
			}
		})
	}

	t.Run("the form keeps what was typed", func(t *testing.T) {
		rec := g.post(add, form("menu_item_id", "margherita", "option-size", "regular", "quantity", "100", "note", "extra crispy"))
		body := rec.Body.String()
		if !strings.Contains(body, `value="100"`) || !strings.Contains(body, `value="extra crispy"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Fatalf("the re-rendered form lost the input: %s", body)
		}
	})
}

func TestOrderStateRules(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	empty := g.follow(g.post("/orders/commands/open", form()))
	id := strings.TrimPrefix(orderHref(empty.Body.String()), "/orders/")
	if id == "" {
		t.Fatalf("opening an empty order did not lead to it: %s", empty.Body)
	}
	if rec := g.post("/orders/"+id+"/commands/place", form()); rec.Code != 422 || !strings.Contains(rec.Body.String(), "Add at least one item") {
		t.Fatalf("placing an empty order: %d %s", rec.Code, rec.Body)
	}
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "lemonade", "option-size", "glass", "quantity", "2")))
	if rec := g.post("/orders/"+id+"/commands/place", form()); rec.Code != 422 || !strings.Contains(rec.Body.String(), "pickup or delivery") {
		t.Fatalf("placing without pickup or delivery: %d %s", rec.Code, rec.Body)
	}
	g.follow(g.post("/orders/"+id+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "city", "Lisbon", "postal_code", "1100-053")))
	if rec := g.post("/orders/"+id+"/commands/place", form()); rec.Code != 422 || !strings.Contains(rec.Body.String(), "Tell us your name") {
		t.Fatalf("placing without a contact: %d %s", rec.Code, rec.Body)
	}
	g.giveContact(id, "Ana", "912 345 678")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	line := g.order(id).Lines[0].LineID
	before := a.events()
	for _, rec := range []*httptest.ResponseRecorder{
		g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "lemonade", "option-size", "glass", "quantity", "1")),
		g.post("/orders/"+id+"/items/"+line+"/commands/change-quantity", form("quantity", "5")),
		g.post("/orders/"+id+"/items/"+line+"/commands/remove", form()),
		g.post("/orders/"+id+"/commands/choose-pickup", form()),
		g.post("/orders/"+id+"/commands/give-contact", form("name", "Rui")),
	} {
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "already placed") {
			t.Errorf("changing a placed order: %d, want 409 saying it was placed", rec.Code)
		}
	}
	if a.events() != before {
		t.Fatal("changing a placed order wrote events")
	}
	var cmds struct {
		Commands map[string]link `json:"commands"`
	}
	g.getJSON("/orders/"+id+"/commands", &cmds)
	if len(cmds.Commands) != 1 || cmds.Commands["cancel"].Href != "/orders/"+id+"/commands/cancel" {
		t.Fatalf("commands valid on a placed order: %+v", cmds.Commands)
	}
	if o := g.order(id); o.DeliveryAddress == nil || o.DeliveryAddress.City != "Lisbon" || o.Status != "placed" {
		t.Fatalf("placed delivery order: %+v", o)
	}
}

func TestSameCommandTwiceAddsOneLine(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	f := form("menu_item_id", "lemonade", "option-size", "glass", "quantity", "2")
	first := g.post("/orders/"+id+"/items/commands/add", f)
	again := g.post("/orders/"+id+"/items/commands/add", f)
	if first.Code != 303 || again.Code != 303 || first.Header().Get("Location") != again.Header().Get("Location") {
		t.Fatalf("resubmission answered %d %q, first %d %q", again.Code, again.Header().Get("Location"), first.Code, first.Header().Get("Location"))
	}
	g.follow(again)
	if lines := g.order(id).Lines; len(lines) != 2 {
		t.Fatalf("order has %d lines after a double submit, want 2", len(lines))
	}
}

func TestCommandsAsJSON(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	rec := g.postJSON("/orders/commands/open", "open-1", `{}`)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") == "" {
		t.Fatalf("open: %d %s", rec.Code, rec.Body)
	}
	href := rec.Header().Get("Location")
	if again := g.postJSON("/orders/commands/open", "open-1", `{}`); again.Header().Get("Location") != href || !strings.Contains(again.Body.String(), `"duplicate":true`) {
		t.Fatalf("the same Idempotency-Key opened another order: %s", again.Body)
	}
	rec = g.postJSON(href+"/items/commands/add", "add-1", `{"menu_item_id":"diavola","option-size":"regular","quantity":2,"note":"extra chilli"}`)
	if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"position":`) {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	// The answer names the command as the event log records it.
	var added struct {
		CommandID string `json:"command_id"`
		Position  int64  `json:"position"`
	}
	if err := jsonUnmarshal(rec.Body.Bytes(), &added); err != nil {
		t.Fatal(err)
	}
	var logged string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT command_id::text FROM events WHERE position = $1`, added.Position).Scan(&logged); err != nil || logged != added.CommandID {
		t.Fatalf("the answer names command %q; the event at %d has %q (%v)", added.CommandID, added.Position, logged, err)
	}
	var doc orderDoc
	g.getJSON(href, &doc) // its own write: no position needed
	if len(doc.Lines) != 1 || doc.Lines[0].Quantity != 2 || doc.Links["place"].Href != "" || doc.Links["choose-pickup"].Method != "POST" {
		t.Fatalf("order document: %+v", doc)
	}
	if doc.Lines[0].Links["change-quantity"].Href == "" {
		t.Fatal("a line carries no link to change its quantity")
	}

	problems := []struct {
		name, body string
		status     int
		field      string
	}{
		{"malformed JSON", `{"menu_item_id": `, 400, ""},
		{"not an object", `[1,2]`, 400, ""},
		{"a nested value", `{"menu_item_id": {"x": 1}}`, 400, ""},
		{"quantity 100", `{"menu_item_id":"diavola","option-size":"regular","quantity":100}`, 422, "quantity"},
		{"quantity as text", `{"menu_item_id":"diavola","option-size":"regular","quantity":"lots"}`, 422, "quantity"},
		{"unknown dish", `{"menu_item_id":"lobster","quantity":1}`, 422, "menu_item_id"},
	}
	for _, p := range problems {
		t.Run(p.name, func(t *testing.T) {
			before := a.events()
			rec := g.postJSON(href+"/items/commands/add", "", p.body)
			var prob Problem
			if rec.Code != p.status || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d (%s), want %d problem: %s", rec.Code, rec.Header().Get("Content-Type"), p.status, rec.Body)
			}
			if err := jsonUnmarshal(rec.Body.Bytes(), &prob); err != nil || prob.Status != p.status || prob.Detail == "" || prob.Field != p.field {
				t.Fatalf("problem %+v (%v)", prob, err)
			}
			if a.events() != before {
				t.Fatal("an event was written")
			}
		})
	}
	t.Run("oversized body", func(t *testing.T) {
		rec := g.postJSON(href+"/items/commands/add", "", `{"note":"`+strings.Repeat("x", maxBody)+`"}`)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", rec.Code)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodPut, "/orders/commands/open", nil),
			httptest.NewRequest(http.MethodGet, href+"/commands/place", nil),
			httptest.NewRequest(http.MethodDelete, href, nil),
		} {
			req.Header.Set("Accept", "application/json")
			if rec := g.do(req); rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", req.Method, req.URL.Path, rec.Code)
			}
		}
	})
}

func TestFiftyConcurrentAddsOnOneOrder(t *testing.T) {
	// Caps roomy enough for every add: this is about concurrency.
	a := newTestAppWith(t, func(d *Deps) { d.OrderCaps = ordering.Caps{MaxDishes: 10_000, MaxTotal: domain.Cents(100_000_000)} })
	g := a.guest()
	id := g.openWith("espresso", "1")
	const n = 50
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			codes[i] = g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "lemonade", "option-size", "glass", "quantity", fmt.Sprint(i%9+1))).Code
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusSeeOther:
			ok++
		case http.StatusConflict:
		default:
			t.Fatalf("a concurrent add answered %d", c)
		}
	}
	a.caughtUp()
	if lines := len(g.order(id).Lines); lines != ok+1 {
		t.Fatalf("%d adds succeeded but the order has %d lines (plus the first)", ok, lines-1)
	}
	t.Logf("%d of %d concurrent adds succeeded, the rest answered 409", ok, n)
}

// TestDoubleSubmittedPlacePlacesOnce sends the same "Place order" form
// several times at once, as a double click or an impatient guest on a bad
// connection can: one order is placed and every answer leads to it.
func TestDoubleSubmittedPlacePlacesOnce(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("diavola", "2")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	place := form()
	codes := make([]int, 4)
	locations := make([]string, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			rec := g.post("/orders/"+id+"/commands/place", place)
			codes[i], locations[i] = rec.Code, rec.Header().Get("Location")
		})
	}
	wg.Wait()
	for i := range codes {
		if codes[i] != http.StatusSeeOther || locations[i] != locations[0] {
			t.Fatalf("submission %d answered %d %q; the first %d %q", i, codes[i], locations[i], codes[0], locations[0])
		}
	}
	var placed int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = 'ordering.OrderPlaced'`).Scan(&placed); err != nil || placed != 1 {
		t.Fatalf("%d orders placed (%v), want 1", placed, err)
	}
}
