package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
)

// eventsOf counts the events of one type in the log.
func eventsOf(t *testing.T, a *testApp, eventType string) int {
	t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = $1`, eventType).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// twoDishOrder has a guest place two Margheritas and a Tiramisù, and returns
// the order's id and its two line ids.
func twoDishOrder(t *testing.T, a *testApp, g *guest) (id, pizza, dessert string) {
	t.Helper()
	id = g.openWith("margherita", "2")
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1")))
	lines := g.order(id).Lines
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	return id, lines[0].LineID, lines[1].LineID
}

func TestKitchenMarksDishesDoneOneByOne(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id, pizza, dessert := twoDishOrder(t, a, g)
	items := "/kitchen/tickets/" + id + "/items/"

	board := cook.afterOthers("/kitchen").Body.String()
	for _, line := range []string{pizza, dessert} {
		if !strings.Contains(board, `action="`+items+line+`/commands/bump"`) {
			t.Fatalf("no Done button for line %s on the board", line)
		}
	}
	// A dish done on a queued ticket starts it; the same form twice is one
	// tap; the all-day count leaves the dish out.
	bump := form()
	page := cook.follow(cook.post(items+pizza+"/commands/bump", bump))
	if rec := cook.post(items+pizza+"/commands/bump", bump); rec.Code != http.StatusSeeOther {
		t.Fatalf("the same Done form again: %d", rec.Code)
	}
	if n := eventsOf(t, a, "kitchen.TicketLineBumped"); n != 1 {
		t.Fatalf("%d dishes marked done by one form sent twice", n)
	}
	ticket := within(t, page.Body.String(), `id="ticket-`+id+`"`, `class="ticket-buttons"`)
	if !strings.Contains(ticket, "✓ DONE") || !strings.Contains(ticket, `action="`+items+pizza+`/commands/recall"`) ||
		!strings.Contains(ticket, `action="`+items+dessert+`/commands/bump"`) || !strings.Contains(ticket, "preparing") {
		t.Fatalf("the ticket after its pizza was done: %s", ticket)
	}
	allDay := within(t, page.Body.String(), `id="all-day"`, `</aside>`)
	if strings.Contains(allDay, "Margherita") || !strings.Contains(allDay, "Tiramisù") {
		t.Fatalf("the all-day count after the pizza was done: %s", allDay)
	}
	if order := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(order, "Preparing") {
		t.Fatal("the guest does not see the order being prepared")
	}

	// Refused, with a reason, and nothing written: the same dish again,
	// an undo of a dish not done, a dish the ticket does not have.
	before := a.events()
	for _, tc := range []struct {
		path, want string
		code       int
	}{
		{items + pizza + "/commands/bump", "This dish is already marked done.", http.StatusConflict},
		{items + dessert + "/commands/recall", "This dish is not marked done, so there is nothing to undo.", http.StatusConflict},
		{items + "no-such-line/commands/bump", "There is no such dish on this ticket.", http.StatusNotFound},
		{"/kitchen/tickets/" + uuid.NewString() + "/items/" + pizza + "/commands/bump", "There is no such ticket.", http.StatusNotFound},
	} {
		rec := cook.post(tc.path, form())
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("POST %s: %d, want %d saying %q", tc.path, rec.Code, tc.code, tc.want)
		}
	}
	if after := a.events(); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}

	// Undone, done again, and the last dish done makes the ticket ready,
	// which the guest sees.
	cook.follow(cook.post(items+pizza+"/commands/recall", form()))
	cook.follow(cook.post(items+pizza+"/commands/bump", form()))
	cook.follow(cook.post(items+dessert+"/commands/bump", form()))
	if n := eventsOf(t, a, "kitchen.TicketBumped"); n != 1 {
		t.Fatalf("%d TicketBumped events after the last dish", n)
	}
	if order := g.afterOthers("/orders/" + id).Body.String(); !strings.Contains(order, "Ready") {
		t.Fatal("the guest does not see the order ready")
	}
	before = a.events()
	if rec := cook.post(items+pizza+"/commands/recall", form()); rec.Code != http.StatusConflict ||
		!strings.Contains(rec.Body.String(), "This ticket is ready; recall the ticket before undoing one of its dishes.") {
		t.Fatalf("undoing a dish of a ready ticket: %d", rec.Code)
	}
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/hand-over", form("payment", "cash")))
	before++
	rec := cook.postJSON(items+dessert+"/commands/bump", uuid.NewString(), `{}`)
	var problem struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil || rec.Code != http.StatusConflict || problem.Status != http.StatusConflict ||
		problem.Detail != "This ticket was already handed over." || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a dish of a handed-over ticket, as JSON: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if after := a.events(); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}

	// The history tells it in words.
	m := a.guest()
	m.signIn("maria", managerPassword)
	history := m.get("/staff/orders/" + id + "/history").Body.String()
	if !inOrder(history, "Line done: 2 × Margherita, Regular", "Line not done after all: 2 × Margherita, Regular",
		"Line done: 2 × Margherita, Regular", "Line done: 1 × Tiramisù", "The kitchen marked it ready", "Handed over") {
		t.Fatalf("the history does not tell the dishes done: %s", history)
	}
	if !strings.Contains(history, "tried to mark a dish done</strong> — refused: This dish is already marked done.") {
		t.Error("the history does not tell the refused Done")
	}
}

func TestKitchenDishButtonsFollowTheRulesOfTheOtherTicketButtons(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id, pizza, dessert := twoDishOrder(t, a, g)
	bump := "/kitchen/tickets/" + id + "/items/" + pizza + "/commands/bump"

	// Only kitchen staff and managers; a guest is sent to sign in.
	if rec := g.post(bump, form()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest pressed Done: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// Another site's page cannot press it.
	req := httptest.NewRequest(http.MethodPost, bump, strings.NewReader(form().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := cook.do(req); rec.Code != http.StatusForbidden {
		t.Fatalf("a cross-site Done: %d", rec.Code)
	}
	if n := eventsOf(t, a, "kitchen.TicketLineBumped"); n != 0 {
		t.Fatalf("%d dishes done by refused requests", n)
	}
	// JSON: 202 with the position; the same key again answers the same and
	// writes nothing; the same key for another dish is refused.
	key := uuid.NewString()
	first := cook.postJSON(bump, key, `{}`)
	again := cook.postJSON(bump, key, `{}`)
	if first.Code != http.StatusAccepted || again.Code != http.StatusAccepted || !strings.Contains(again.Body.String(), `"duplicate":true`) {
		t.Fatalf("Done as JSON, twice with one key: %d %s, %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	other := cook.postJSON("/kitchen/tickets/"+id+"/items/"+dessert+"/commands/bump", key, `{}`)
	if other.Code != http.StatusUnprocessableEntity {
		t.Fatalf("one key for another dish: %d %s", other.Code, other.Body)
	}
	if n := eventsOf(t, a, "kitchen.TicketLineBumped"); n != 1 {
		t.Fatalf("%d dishes done, want 1", n)
	}
	// A manager may too.
	m := a.guest()
	m.signIn("maria", managerPassword)
	if rec := m.post("/kitchen/tickets/"+id+"/items/"+pizza+"/commands/recall", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("a manager pressed Undo: %d", rec.Code)
	}
}

// TestKitchenBumpsOldTicketsWhole: a ticket opened before dishes were marked
// one by one has no line ids: no Done buttons, and Ready bumps it whole.
func TestKitchenBumpsOldTicketsWhole(t *testing.T) {
	a := withStaff(t)
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	id := uuid.NewString()
	at := time.Now().UTC()
	if _, err := a.store.Append(context.Background(), kitchen.Stream(id), eventstore.NoStream, eventstore.Metadata{CommandID: uuid.New(), Actor: "policy:kitchen-tickets"},
		kitchen.TicketOpened{TicketID: id, OrderNumber: 7, Items: []kitchen.Item{{Name: "Margherita", Quantity: 1}}, Fulfilment: kitchen.FulfilmentPickup, PlacedAt: at, OpenedAt: at}); err != nil {
		t.Fatal(err)
	}
	ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `class="ticket-buttons"`)
	if strings.Contains(ticket, "/items/") {
		t.Fatalf("an old ticket offers Done on its dishes: %s", ticket)
	}
	if rec := cook.post("/kitchen/tickets/"+id+"/commands/ready", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("Ready on an old ticket: %d", rec.Code)
	}
}

// tap sends a kitchen button as the display's htmx does.
func (g *guest) tap(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return g.do(req)
}

// TestKitchenTapsAreAnsweredWithTheBoard: a button sent by htmx is answered
// with the board as it is after the tap, in place of a new page, and a
// refusal with the board and the reason above it, in the refusal's status;
// without JavaScript the same form still gets 303 and the page.
func TestKitchenTapsAreAnsweredWithTheBoard(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id, pizza, _ := twoDishOrder(t, a, g)
	items := "/kitchen/tickets/" + id + "/items/"

	rec := cook.tap(items+pizza+"/commands/bump", form())
	body := rec.Body.String()
	if rec.Code != http.StatusOK || strings.Contains(body, "<html") || !strings.HasPrefix(body, `<div id="kitchen-board" class="kitchen-board"`) ||
		!strings.Contains(body, `hx-swap-oob="true"`) || !strings.Contains(body, `<div id="kitchen-message" class="kitchen-message" aria-live="assertive" hx-swap-oob="true"></div>`) {
		t.Fatalf("a tap answered %d: %s", rec.Code, body)
	}
	// The board it brings shows the tap: the pizza done, the ticket started.
	if ticket := within(t, body, `id="ticket-`+id+`"`, `class="ticket-buttons"`); !strings.Contains(ticket, "✓ DONE") || !strings.Contains(ticket, "preparing") {
		t.Fatalf("the board after the tap: %s", ticket)
	}
	before := a.events()
	rec = cook.tap(items+pizza+"/commands/bump", form())
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `id="kitchen-board"`) ||
		!strings.Contains(rec.Body.String(), `<p class="error" role="alert">This dish is already marked done.</p>`) {
		t.Fatalf("a refused tap answered %d: %s", rec.Code, rec.Body)
	}
	rec = cook.tap(items+"no-such-line/commands/bump", form())
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "There is no such dish on this ticket.") || !strings.Contains(rec.Body.String(), `id="kitchen-board"`) {
		t.Fatalf("a tap on a dish that is not there answered %d: %s", rec.Code, rec.Body)
	}
	if after := a.events(); after != before {
		t.Fatalf("refused taps wrote %d events", after-before)
	}
	// The whole ticket's buttons are taps too.
	if rec := cook.tap("/kitchen/tickets/"+id+"/commands/ready", form()); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `<li class="ticket ticket-ready" id="ticket-`+id+`"`) {
		t.Fatalf("Ready as a tap answered %d: %s", rec.Code, rec.Body)
	}
	// Without JavaScript: the plain form.
	if rec := cook.post("/kitchen/tickets/"+id+"/commands/recall", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("the plain Recall form: %d", rec.Code)
	}
}
