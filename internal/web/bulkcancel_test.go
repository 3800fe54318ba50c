package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/ordering"
)

// floodApp is a restaurant with staff whose clock the test sets, and whose
// order limits let one address flood it, as many addresses would.
func floodApp(t *testing.T, now *atomic.Pointer[time.Time]) *testApp {
	t.Helper()
	a := newTestAppWith(t, func(d *Deps) {
		d.Now = func() time.Time { return *now.Load() }
		d.OrderLimits = OrderLimits{OpenedPerGuest: 1e6, OpenedPerAddress: 1e6, PlacedPerGuest: 1e6, PlacedPerAddress: 1e6}
	})
	addStaff(t, a)
	return a
}

// ticketStatus reads a ticket's status on the kitchen board's read model.
func ticketStatus(t *testing.T, a *testApp, id string) string {
	t.Helper()
	var s string
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT status FROM tickets WHERE ticket_id = $1`, id).Scan(&s)
	return s
}

func TestAManagerCancelsAFloodInBulk(t *testing.T) {
	var now atomic.Pointer[time.Time]
	earlier := time.Now().Add(-2 * time.Hour)
	now.Store(&earlier)
	a := floodApp(t, &now)
	regular := placedOrder(t, a, a.guest())

	flood := time.Now()
	now.Store(&flood)
	var placed []string
	for range 6 {
		placed = append(placed, placedOrder(t, a, a.guest()))
	}
	openOnly := a.guest().openWith("espresso", "1")
	repeat := a.guest()
	mine := []string{placedOrder(t, a, repeat), placedOrder(t, a, repeat)}

	m := a.guest()
	m.signIn("maria", managerPassword)
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	// The kitchen has started one of the flood's tickets: it stays.
	started := placed[0]
	cook.follow(cook.post("/kitchen/tickets/"+started+"/commands/start", form()))
	eventually(t, 10*time.Second, "the order to learn the kitchen started it", func() bool {
		var n int
		_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE stream_id = $1 AND type = 'ordering.OrderPreparationStarted'`, ordering.Stream(started)).Scan(&n)
		return n == 1
	})
	a.caughtUp()

	// The list shows which orders came from the same guest, and lists
	// only theirs on a click.
	list := m.get("/staff/orders").Body.String()
	guestLink := `/staff/orders?guest=`
	if strings.Count(list, guestLink) != 10 || !strings.Contains(list, `name="order_id" value="`+mine[0]+`"`) {
		t.Fatalf("the list should link each order's guest and offer a tick box: %s", list)
	}
	var customer string
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT customer_id FROM orders WHERE order_id = $1`, mine[0]).Scan(&customer)
	theirs := m.get("/staff/orders?" + url.Values{"guest": {customer}}.Encode()).Body.String()
	if strings.Count(theirs, `name="order_id"`) != 2 {
		t.Fatalf("one guest's orders: want their 2: %s", theirs)
	}

	// Ticked: the repeat guest's two orders and the started one.
	ticked := form("scope", "selected", "reason", "")
	ticked["order_id"] = []string{mine[0], mine[1], started}
	rec := m.post("/staff/orders/commands/cancel", ticked)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel the ticked orders: %d %s", rec.Code, rec.Body)
	}
	if page := m.follow(rec).Body.String(); !strings.Contains(page, "Canceled 2 orders. 1 could not be canceled") {
		t.Fatalf("the manager should learn how many were canceled: %s", page)
	}

	// Everything opened in the last 15 minutes that the kitchen has not
	// started: five placed and one open; not the order of two hours ago.
	recent := form("scope", "recent", "minutes", "15", "reason", "")
	rec = m.post("/staff/orders/commands/cancel", recent)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel the last 15 minutes: %d %s", rec.Code, rec.Body)
	}
	if page := m.follow(rec).Body.String(); !strings.Contains(page, "Canceled 6 orders.") {
		t.Fatalf("the manager should learn how many were canceled: %s", page)
	}
	// The same form again cancels nothing twice, and says so.
	if again := m.follow(m.post("/staff/orders/commands/cancel", recent)).Body.String(); !strings.Contains(again, "Canceled 0 orders.") {
		t.Fatalf("a repeated bulk cancel: %s", again)
	}

	// Each is a cancel of its own, by the manager; the kitchen's policy
	// takes the tickets off the board as for any cancel.
	var cancels int
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = 'ordering.OrderCanceled' AND actor = 'staff:maria'`).Scan(&cancels)
	if cancels != 8 {
		t.Fatalf("%d orders canceled by the manager, want 8", cancels)
	}
	for _, id := range append(placed[1:], mine...) {
		eventually(t, 10*time.Second, "ticket "+id+" canceled", func() bool { return ticketStatus(t, a, id) == "canceled" })
	}
	if s := ticketStatus(t, a, started); s != "preparing" {
		t.Fatalf("the started ticket is %q, want preparing", s)
	}
	if s := ticketStatus(t, a, regular); s != "queued" {
		t.Fatalf("the order of two hours ago is %q, want queued", s)
	}
	a.caughtUp()
	if o := m.get("/staff/orders?progress=open").Body.String(); strings.Contains(o, openOnly) {
		t.Fatal("the open order of the flood is still open")
	}
	if board := cook.get("/kitchen").Body.String(); !strings.Contains(board, "Canceled by a manager: suspected flood") {
		t.Fatalf("the kitchen display should say who canceled: %s", board)
	}

	// JSON, and bad input, answered in sentences.
	req := jsonPost("/staff/orders/commands/cancel", `{"scope":"recent","minutes":15}`)
	if rec := m.do(req); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"canceled":0`) {
		t.Fatalf("JSON: %d %s", rec.Code, rec.Body)
	}
	bad := form("scope", "recent", "minutes", "forever")
	if rec := m.post("/staff/orders/commands/cancel", bad); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "whole number from 1 to 1440") {
		t.Fatalf("bad minutes: %d %s", rec.Code, rec.Body)
	}
	if rec := m.post("/staff/orders/commands/cancel", form("scope", "selected")); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Tick the orders") {
		t.Fatalf("nothing ticked: %d %s", rec.Code, rec.Body)
	}
	if rec := cook.post("/staff/orders/commands/cancel", recent); rec.Code != http.StatusForbidden {
		t.Fatalf("a cook's bulk cancel: %d, want 403", rec.Code)
	}
}

func jsonPost(path, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", uuid.NewString())
	return req
}
