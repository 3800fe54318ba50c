package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// placedOrder has a guest place an order and waits for its ticket to reach
// the kitchen display; it returns the order's id.
func placedOrder(t *testing.T, a *testApp, g *guest) string {
	t.Helper()
	id := g.openWith("margherita", "2")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	return id
}

func waitForTicket(t *testing.T, a *testApp, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tickets WHERE ticket_id = $1`, id).Scan(&n)
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ticket for order %s", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKitchenWorksATicketAndTheGuestFollows(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := placedOrder(t, a, g)

	board := cook.get("/kitchen")
	body := board.Body.String()
	if board.Code != 200 || !strings.Contains(body, `id="ticket-`+id+`"`) || !strings.Contains(body, "2 ×</strong> Margherita") {
		t.Fatalf("the ticket is not on the kitchen display: %d", board.Code)
	}
	if !strings.Contains(body, "/kitchen/tickets/"+id+"/commands/start") || strings.Contains(body, "/commands/hand-over") {
		t.Fatal("a queued ticket should offer start and ready, not hand over")
	}

	// A double tap on Start acts once.
	start := form()
	first, second := cook.post("/kitchen/tickets/"+id+"/commands/start", start), cook.post("/kitchen/tickets/"+id+"/commands/start", start)
	if first.Code != 303 || second.Code != 303 {
		t.Fatalf("start answered %d and %d", first.Code, second.Code)
	}
	var started int
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = 'kitchen.TicketStarted'`).Scan(&started)
	if started != 1 {
		t.Fatalf("%d TicketStarted events after a double tap", started)
	}
	order := g.afterOthers("/orders/" + id)
	if !strings.Contains(order.Body.String(), "Preparing") {
		t.Fatalf("the guest does not see the order being prepared: %s", order.Body)
	}
	if strings.Contains(order.Body.String(), "/commands/cancel") {
		t.Fatal("the guest may still cancel an order the kitchen started")
	}
	if rec := g.post("/orders/"+id+"/commands/cancel", form()); rec.Code != http.StatusConflict {
		t.Fatalf("canceling a started order: %d", rec.Code)
	}

	if rec := cook.post("/kitchen/tickets/"+id+"/commands/ready", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("ready answered %d", rec.Code)
	}
	order = g.afterOthers("/orders/" + id)
	if !strings.Contains(order.Body.String(), "Ready") {
		t.Fatal("the guest does not see the order ready")
	}
	// Recalled, bumped again, handed over.
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/recall", form()))
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/ready", form()))
	if rec := cook.post("/kitchen/tickets/"+id+"/commands/hand-over", form("payment", "cash")); rec.Code != http.StatusSeeOther {
		t.Fatalf("hand over answered %d", rec.Code)
	}
	order = g.afterOthers("/orders/" + id)
	if !strings.Contains(order.Body.String(), "Handed over") {
		t.Fatal("the guest does not see the order handed over")
	}
	if rec := cook.post("/kitchen/tickets/"+id+"/commands/start", form()); rec.Code != http.StatusConflict {
		t.Fatalf("starting a handed-over ticket: %d", rec.Code)
	}
}

func TestKitchenNeedsKitchenOrManager(t *testing.T) {
	a := withStaff(t)
	if rec := a.guest().get("/kitchen"); rec.Code != http.StatusSeeOther {
		t.Fatalf("anonymous kitchen: %d", rec.Code)
	}
	g := a.guest()
	id := placedOrder(t, a, g)
	if rec := g.post("/kitchen/tickets/"+id+"/commands/start", form()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest pressed Start: %d", rec.Code)
	}
	m := a.guest()
	m.signIn("maria", managerPassword)
	if rec := m.get("/kitchen"); rec.Code != 200 {
		t.Fatalf("manager kitchen: %d", rec.Code)
	}
	// A disabled cook is out at once.
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	if _, err := a.accounts.Run(context.Background(), "kai", eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:maria"}, staff.Disable{}); err != nil {
		t.Fatal(err)
	}
	if rec := cook.get("/kitchen"); rec.Code != http.StatusSeeOther {
		t.Fatalf("a disabled cook still sees the kitchen: %d", rec.Code)
	}
}

func TestCanceledOrderReachesTheKitchen(t *testing.T) {
	a := withStaff(t)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := placedOrder(t, a, g)
	g.follow(g.post("/orders/"+id+"/commands/cancel", form("reason", "plans changed")))
	deadline := time.Now().Add(15 * time.Second)
	for {
		body := cook.get("/kitchen").Body.String()
		if strings.Contains(body, "Canceled by the guest: plans changed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancel never reached the kitchen display")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKitchenTicketAgesAsRendered: every render marks an open ticket by its
// age then, in words, and gives the screen the moments it becomes waiting
// and late, on the server's clock, for the open screen to mark it then by
// itself; a ready ticket does not age. Beside its age, a ticket says when
// the order came in, on the restaurant's clock.
func TestKitchenTicketAgesAsRendered(t *testing.T) {
	var now atomic.Pointer[time.Time]
	placed := time.Now().UTC().Truncate(time.Millisecond)
	now.Store(&placed)
	zone, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAppWith(t, func(d *Deps) { d.Now, d.Location = func() time.Time { return *now.Load() }, zone })
	addStaff(t, a)
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	id := placedOrder(t, a, g)
	ms := func(d time.Duration) string { return strconv.FormatInt(placed.Add(d).UnixMilli(), 10) }
	for _, tc := range []struct {
		age          time.Duration
		class, label string
	}{
		{time.Minute, "", `hidden></strong>`},
		{9 * time.Minute, "ticket-attention", `>WAITING</strong>`},
		{13 * time.Minute, "ticket-late", `>LATE</strong>`},
	} {
		at := placed.Add(tc.age)
		now.Store(&at)
		board := cook.afterOthers("/kitchen").Body.String()
		ticket := within(t, board, `<li class="ticket`, `class="ticket-items"`)
		if !strings.Contains(board, `data-now="`+ms(tc.age)+`"`) ||
			!strings.Contains(ticket, `<span class="visually-hidden">in at </span>`+placed.In(zone).Format("15:04")+`</time>`) ||
			!strings.Contains(ticket, `data-waiting-at="`+ms(8*time.Minute)+`" data-late-at="`+ms(12*time.Minute)+`"`) ||
			!strings.Contains(ticket, `data-attention="WAITING" data-late="LATE"`) || !strings.Contains(ticket, tc.label) ||
			strings.Contains(ticket, "ticket-attention") != (tc.class == "ticket-attention") ||
			strings.Contains(ticket, "ticket-late") != (tc.class == "ticket-late") {
			t.Fatalf("at %s the ticket reads %s", tc.age, ticket)
		}
	}
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/ready", form()))
	ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `class="ticket-items"`)
	if strings.Contains(ticket, "data-late-at") || strings.Contains(ticket, "LATE") || strings.Contains(ticket, "ticket-late") {
		t.Fatalf("a ready ticket ages: %s", ticket)
	}
}
