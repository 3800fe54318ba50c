package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestAnAllergyIsMarkedFromTheMenuToTheKitchen: a guest ticks "This is for
// an allergy" beside a dish's note; the order page, the kitchen's ticket and
// the staff's history say ALLERGY, in words and with a sign, while a plain
// note beside it reads as a note.
func TestAnAllergyIsMarkedFromTheMenuToTheKitchen(t *testing.T) {
	a := withStaff(t)
	cook, g, m := a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	m.signIn("maria", managerPassword)

	menuPage := g.get("/").Body.String()
	for _, want := range []string{`name="allergy"`, `type="checkbox" id="allergy-tiramisu"`, "This is for an allergy"} {
		if !strings.Contains(menuPage, want) {
			t.Fatalf("the menu's add form lacks %q", want)
		}
	}
	id := strings.TrimPrefix(orderHref(g.follow(g.post("/orders/commands/open",
		form("menu_item_id", "margherita", "option-size", "regular", "quantity", "1", "note", "extra chilli"))).Body.String()), "/orders/")
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1", "note", " no nuts ", "allergy", "on")))

	o := g.order(id)
	if len(o.Lines) != 2 || o.Lines[0].Allergy || o.Lines[0].Note != "extra chilli" || !o.Lines[1].Allergy || o.Lines[1].Note != "no nuts" {
		t.Fatalf("the order's lines: %+v", o.Lines)
	}
	if add := o.Links["add-item"]; !slices.Contains(add.Fields, "allergy") {
		t.Fatalf("the add-item command does not name the allergy field: %+v", add)
	}
	page := g.get("/orders/" + id).Body.String()
	if !strings.Contains(page, `<p class="allergy-note"><strong>⚠ ALLERGY:</strong> no nuts</p>`) {
		t.Fatalf("the order page does not mark the allergy: %s", page)
	}
	if !strings.Contains(page, "Note: extra chilli") || strings.Count(page, "ALLERGY") != 1 {
		t.Fatalf("the order page marks the plain note as an allergy, or more than once: %s", page)
	}

	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	board := cook.get("/kitchen").Body.String()
	start := strings.Index(board, `id="ticket-`+id+`"`)
	if start < 0 {
		t.Fatalf("the ticket is not on the kitchen display: %s", board)
	}
	ticket := board[start : start+strings.Index(board[start:], `class="ticket-buttons"`)]
	for _, want := range []string{
		`<p class="ticket-allergy-flag"><strong>⚠ ALLERGY</strong> on this ticket</p>`,
		`1 ×</strong> Tiramisù <span class="ticket-allergy"><strong>⚠ ALLERGY:</strong> no nuts</span>`,
		`<span class="ticket-note">extra chilli</span>`,
	} {
		if !strings.Contains(ticket, want) {
			t.Errorf("the kitchen's ticket lacks %q: %s", want, ticket)
		}
	}
	if strings.Index(ticket, "ticket-allergy-flag") > strings.Index(ticket, "ticket-items") {
		t.Error("the ticket names its allergy only below the dishes, not at the top")
	}
	if strings.Contains(ticket, `ALLERGY:</strong> extra chilli`) {
		t.Error("the ticket marks the plain note as an allergy")
	}

	history := m.get("/staff/orders/" + id + "/history").Body.String()
	for _, want := range []string{
		"Added 1 × Margherita, Regular; €11.00 each, note: extra chilli",
		"Added 1 × Tiramisù (€7.50 each), allergy: no nuts",
		"(⚠ allergy: no nuts)",
	} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
}

// TestAnAllergyComesAlongWhenOrderingAgain: ordering again keeps a line's
// allergy and what to leave out, and a plain note stays plain.
func TestAnAllergyComesAlongWhenOrderingAgain(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	first := g.openWith("margherita", "1")
	if rec := g.post("/orders/"+first+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "2", "note", "no nuts", "allergy", "on")); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	rec := g.post("/account/orders/"+first+"/commands/order-again", form())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("order again: %d %s", rec.Code, rec.Body)
	}
	again := strings.TrimPrefix(strings.Split(rec.Header().Get("Location"), "?")[0], "/orders/")
	o := g.order(again)
	if again == first || len(o.Lines) != 2 || o.Lines[0].Allergy || !o.Lines[1].Allergy || o.Lines[1].Note != "no nuts" || o.Lines[1].Quantity != 2 {
		t.Fatalf("the new order's lines: %+v", o.Lines)
	}
}

// TestAnAllergyWithoutANoteIsRefusedAndWritesNothing: the flag alone does
// not tell the kitchen what to leave out, so it is refused on the note,
// from the menu and from a JSON client alike, and a box sent with a value
// no checkbox sends is refused on itself; nothing is written.
func TestAnAllergyWithoutANoteIsRefusedAndWritesNothing(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	add := "/orders/" + id + "/items/commands/add"
	const noNote = "Please say which allergy, e.g. &#34;no nuts&#34;, so the kitchen knows what to leave out."
	tests := []struct {
		name, path string
		form       []string
		message    string
	}{
		{"ticked without a note", add, []string{"menu_item_id", "tiramisu", "quantity", "1", "allergy", "on"}, noNote},
		{"ticked with a blank note", add, []string{"menu_item_id", "tiramisu", "quantity", "1", "note", "  ", "allergy", "1"}, noNote},
		{"opening an order ticked without a note", "/orders/commands/open", []string{"menu_item_id", "tiramisu", "quantity", "1", "allergy", "true"}, noNote},
		{"a value no checkbox sends", add, []string{"menu_item_id", "tiramisu", "quantity", "1", "note", "no nuts", "allergy", "maybe"}, "Either tick “This is for an allergy” or leave it empty."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.events()
			rec := g.post(tt.path, form(tt.form...))
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if !strings.Contains(body, tt.message) {
				t.Errorf("the page does not say %q: %s", tt.message, body)
			}
			// The form comes back as sent, the box still ticked.
			if !strings.Contains(body, `id="allergy-tiramisu" hx-preserve="true" name="allergy" value="on" checked`) {
				t.Error("the form sent back does not keep the box ticked")
			}
			if a.events() != before {
				t.Error("an event was written")
			}
		})
	}

	t.Run("a JSON client", func(t *testing.T) {
		before := a.events()
		rec := g.postJSON(add, uuid.NewString(), `{"menu_item_id":"tiramisu","quantity":1,"note":"","allergy":true}`)
		var p Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusUnprocessableEntity || p.Field != "note" {
			t.Fatalf("%d %s (%v)", rec.Code, rec.Body, err)
		}
		if a.events() != before {
			t.Error("an event was written")
		}
		// false is no allergy, as a form's unticked box.
		if rec := g.postJSON(add, uuid.NewString(), `{"menu_item_id":"tiramisu","quantity":1,"note":"two spoons","allergy":false}`); rec.Code != http.StatusAccepted {
			t.Fatalf("a line with allergy false: %d %s", rec.Code, rec.Body)
		}
		if rec := g.postJSON(add, uuid.NewString(), `{"menu_item_id":"tiramisu","quantity":1,"note":"no nuts","allergy":true}`); rec.Code != http.StatusAccepted {
			t.Fatalf("a line with allergy true: %d %s", rec.Code, rec.Body)
		}
		o := g.order(id)
		if len(o.Lines) != 3 || o.Lines[1].Allergy || !o.Lines[2].Allergy {
			t.Fatalf("the order's lines: %+v", o.Lines)
		}
	})
}
