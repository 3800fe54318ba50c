package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestOrderHistoryTellsWhoDidWhatAndTravelsInTime(t *testing.T) {
	a := withStaff(t)
	cook, g, m := a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	m.signIn("maria", managerPassword)
	id := g.openWith("margherita", "2")
	g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "tiramisu", "quantity", "1", "note", "two spoons")))
	line := g.order(id).Lines[0].LineID
	g.follow(g.post("/orders/"+id+"/items/"+line+"/commands/change-quantity", form("quantity", "3")))
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "+351 912 345 678")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/start", form()))
	a.caughtUp()
	// Too late to cancel: refused, and remembered as the guest's intent;
	// the same form sent twice is one attempt.
	cancel := form("reason", "changed my mind")
	for range 2 {
		if rec := g.post("/orders/"+id+"/commands/cancel", cancel); rec.Code != http.StatusConflict {
			t.Fatalf("canceling a started order: %d", rec.Code)
		}
	}

	href := "/staff/orders/" + id + "/history"
	page := m.get(href)
	body := page.Body.String()
	if page.Code != 200 {
		t.Fatalf("history: %d", page.Code)
	}
	want := []string{
		"1</a>. Order opened",
		"2</a>. Added 2 × Margherita, Regular; €11.00 each",
		"3</a>. Added 1 × Tiramisù (€7.50 each), note: two spoons",
		"4</a>. Changed Margherita from 2 to 3",
		"5</a>. Chose pickup",
		"6</a>. Gave the contact: Ana, +351 912 345 678",
		"7</a>. Placed the order, total €40.50",
		"8</a>. Kitchen ticket opened with 2 dish(es) for Ana",
		"9</a>. The kitchen started cooking",
		"10</a>. Noted that the kitchen started",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(body, w)
		if i < 0 || i < last {
			t.Fatalf("history lacks %q in order", w)
		}
		last = i
	}
	for _, who := range []string{"by <strong>the guest (session", "by <strong>kai (staff)", "by <strong>the kitchen tickets policy", "by <strong>the order progress policy"} {
		if !strings.Contains(body, who) {
			t.Errorf("history does not name %q", who)
		}
	}
	// The ticket was caused by the placing, the order's note by the start.
	if !regexp.MustCompile(`8</a>\. Kitchen ticket opened[\s\S]*?caused by <a href="#event-[0-9a-f-]+">revision 7</a>`).MatchString(body) {
		t.Error("the ticket does not link to the event that caused it")
	}
	if !strings.Contains(body, "ordering.ItemAddedToOrder (stream order-"+id) {
		t.Error("no raw event behind the disclosure")
	}
	refused := regexp.MustCompile(`<strong>the guest \(session [0-9a-f]+\) tried to cancel the order</strong> — refused: [^<]*kitchen`)
	if n := len(refused.FindAllString(body, -1)); n != 1 {
		t.Errorf("the history tells the refused cancel %d times, want once", n)
	}

	// Time travel: after revision 3, two lines, 2 x Margherita, still open.
	then := m.get(href + "?at=3").Body.String()
	if !strings.Contains(then, "after revision 3 of 10") || !strings.Contains(then, "2 × Margherita") ||
		!strings.Contains(then, `id="history-total">€29.50`) || !strings.Contains(then, `id="history-status">open`) {
		t.Fatalf("the order as it was after revision 3: %s", then)
	}
	now := m.get(href).Body.String()
	if !strings.Contains(now, "3 × Margherita") || !strings.Contains(now, `id="history-status">placed`) || !strings.Contains(now, "preparing") {
		t.Fatal("the order now is not shown as it is")
	}
	for query, status := range map[string]int{"?at=0": 404, "?at=11": 404, "?at=two": 404} {
		if rec := m.get(href + query); rec.Code != status {
			t.Errorf("%s: %d, want %d", query, rec.Code, status)
		}
	}
	if rec := m.get("/staff/orders/" + uuid.NewString() + "/history"); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown order's history: %d", rec.Code)
	}
	if rec := cook.get(href); rec.Code != http.StatusForbidden {
		t.Errorf("kitchen reads the history: %d", rec.Code)
	}
	if rec := g.get(href); rec.Code != http.StatusSeeOther {
		t.Errorf("the guest reads the staff history: %d", rec.Code)
	}
}
