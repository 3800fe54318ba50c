package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

func TestProjectionsPageShowsLagAndRebuilds(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	page := m.get("/staff/projections").Body.String()
	for _, name := range []string{"menu", "orders", "staff", "tickets", "policy:kitchen-tickets", "policy:order-progress"} {
		if !strings.Contains(page, `id="projection-`+name+`"`) {
			t.Errorf("no row for %s", name)
		}
	}
	if strings.Contains(page, "/staff/projections/policy:kitchen-tickets/commands/rebuild") {
		t.Error("a policy offers a rebuild")
	}
	// The notifications, once they follow the log in process, show their
	// place and lag beside the projections, with no rebuild.
	if strings.Contains(page, `id="projection-notifications"`) {
		t.Error("a row for notifications that never ran")
	}
	if _, err := a.store.Pool().Exec(context.Background(), `INSERT INTO checkpoints (name) VALUES ('notifications')`); err != nil {
		t.Fatal(err)
	}
	page = m.get("/staff/projections").Body.String()
	if !strings.Contains(page, `id="projection-notifications"`) || strings.Contains(page, "/staff/projections/notifications/commands/rebuild") {
		t.Error("the notifications' checkpoint is not shown, or offers a rebuild")
	}
	if rec := m.post("/staff/projections/menu/commands/rebuild", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("rebuild: %d", rec.Code)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(m.get("/staff/projections").Body.String(), "Rebuilt from") {
		if time.Now().After(deadline) {
			t.Fatal("the rebuild never finished")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if menu := a.guest().get("/?fresh").Body.String(); !strings.Contains(menu, "Margherita") {
		t.Fatal("the rebuilt menu lost its dishes")
	}
	for path, status := range map[string]int{
		"/staff/projections/policy:kitchen-tickets/commands/rebuild": http.StatusNotFound,
		"/staff/projections/nothing/commands/rebuild":                http.StatusNotFound,
	} {
		if rec := m.post(path, form()); rec.Code != status {
			t.Errorf("%s: %d, want %d", path, rec.Code, status)
		}
	}
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	if rec := cook.post("/staff/projections/menu/commands/rebuild", form()); rec.Code != http.StatusForbidden {
		t.Fatalf("kitchen rebuilt a projection: %d", rec.Code)
	}
}

// TestAProjectionStopsAtAFailingEventAndResumesFromIt gives the orders read
// model a constraint narrower than the domain (notes of at most 20
// characters, where guests may write 200) and orders whose events reach the
// projection in one batch. The projection applies what comes before the
// first long note and stops there, saying why on the projections page and on
// /readyz, while the other projections carry on. Once the constraint is
// dropped, it resumes from that event and applies every later one.
func TestAProjectionStopsAtAFailingEventAndResumesFromIt(t *testing.T) {
	a := withStaff(t)
	ctx := context.Background()
	pool := a.store.Pool()
	m := a.guest()
	if rec := m.signIn("maria", managerPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("manager sign-in: %d", rec.Code)
	}
	g := a.guest()
	open := func(key string) string {
		t.Helper()
		rec := g.postJSON("/orders/commands/open", key, `{}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("open: %d %s", rec.Code, rec.Body)
		}
		return strings.TrimPrefix(rec.Header().Get("Location"), "/orders/")
	}
	command := func(path, key, body string) {
		t.Helper()
		if rec := g.postJSON(path, key, body); rec.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	before := open("before")
	command("/orders/"+before+"/items/commands/add", "before-add", `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`)
	a.caughtUp()
	if _, err := pool.Exec(ctx, `ALTER TABLE order_lines ADD CONSTRAINT order_lines_short_note CHECK (char_length(note) <= 20)`); err != nil {
		t.Fatal(err)
	}

	// An open transaction holds every subscriber back (they read only
	// below the oldest running one), so what follows reaches them at once.
	fence, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fence.Rollback(ctx)
	if _, err := fence.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	long := open("long")
	command("/orders/"+long+"/items/commands/add", "long-add", `{"menu_item_id":"tiramisu","quantity":1,"note":"no cocoa on top, it is for a child"}`)
	after := open("after")
	command("/orders/"+after+"/items/commands/add", "after-add", `{"menu_item_id":"diavola","option-size":"regular","quantity":3}`)
	command("/orders/"+after+"/commands/choose-pickup", "after-pickup", `{}`)
	command("/orders/"+after+"/commands/give-contact", "after-contact", `{"name":"Ana"}`)
	command("/orders/"+after+"/commands/place", "after-place", `{}`)
	var failing, justBefore eventstore.Cursor
	if err := pool.QueryRow(ctx, `SELECT transaction_id, position FROM events
		WHERE stream_id = $1 AND type = 'ordering.ItemAddedToOrder'`, ordering.Stream(long)).Scan(&failing.TxID, &failing.Position); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT transaction_id, position FROM events WHERE (transaction_id, position) < ($1::xid8, $2::bigint)
		ORDER BY transaction_id DESC, position DESC LIMIT 1`, failing.TxID, failing.Position).Scan(&justBefore.TxID, &justBefore.Position); err != nil {
		t.Fatal(err)
	}
	if err := fence.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	status := func(name string) projections.Status {
		t.Helper()
		for _, p := range a.runner.Projections() {
			if p.Name() == name {
				ss, err := projections.Statuses(ctx, a.store, []projections.Projection{p})
				if err != nil {
					t.Fatal(err)
				}
				return ss[0]
			}
		}
		t.Fatalf("no projection %s", name)
		return projections.Status{}
	}
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for status("orders").LastError == "" {
		if time.Now().After(deadline) {
			t.Fatal("the orders projection recorded no error")
		}
		<-tick.C
	}
	// The other projections and the policies carry on to the end of the
	// log: the placed order reaches the kitchen without its number.
	head, err := a.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.runner.Projections() {
		if p.Name() == "orders" {
			continue
		}
		if ok, err := a.runner.WaitFor(ctx, p.Name(), head, 15*time.Second); !ok || err != nil {
			t.Fatalf("%s stopped along with orders (%v)", p.Name(), err)
		}
	}
	// The ticket is appended by the policy after that head: it follows.
	eventually(t, 15*time.Second, "the kitchen's ticket for the order placed after the failure", func() bool {
		var tickets int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE ticket_id = $1`, after).Scan(&tickets)
		return err == nil && tickets == 1
	})

	// The orders projection stands just before the failing event: the
	// events before it in the same batch are applied, none after it.
	lastError := status("orders").LastError
	if at, err := a.store.Checkpoint(ctx, "orders"); err != nil || at != justBefore {
		t.Fatalf("orders checkpoint %v (%v), want %v, just before the failing event %v", at, err, justBefore, failing)
	}
	if want := fmt.Sprintf("orders: event %d (ordering.ItemAddedToOrder)", failing.Position); !strings.Contains(lastError, want) || !strings.Contains(lastError, "order_lines_short_note") {
		t.Fatalf("orders' last error %q, want it to name %q and the constraint", lastError, want)
	}
	rows := func() (orders, lines map[string]int) {
		t.Helper()
		orders, lines = map[string]int{}, map[string]int{}
		for _, id := range []string{before, long, after} {
			var o, l int
			if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders WHERE order_id = $1), (SELECT count(*) FROM order_lines WHERE order_id = $1)`, id).Scan(&o, &l); err != nil {
				t.Fatal(err)
			}
			orders[id], lines[id] = o, l
		}
		return orders, lines
	}
	orders, lines := rows()
	if orders[before] != 1 || lines[before] != 1 || orders[long] != 1 || lines[long] != 0 || orders[after] != 0 || lines[after] != 0 {
		t.Fatalf("while stopped the read model holds orders %v and lines %v: want the long note's order opened without lines, and nothing after", orders, lines)
	}
	page := m.get("/staff/projections").Body.String()
	row := page[strings.Index(page, `id="projection-orders"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "order_lines_short_note") {
		t.Fatalf("the projections page does not show orders' error: %s", row)
	}
	if strings.Count(page, "order_lines_short_note") != 1 {
		t.Fatal("the error is shown on more than the orders row")
	}
	rec := g.get("/readyz")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "The projection orders stopped") {
		t.Fatalf("/readyz with orders stopped: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}

	// The fix: the read model takes what the domain allows again.
	if _, err := pool.Exec(ctx, `ALTER TABLE order_lines DROP CONSTRAINT order_lines_short_note`); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.runner.WaitFor(ctx, "orders", head, 15*time.Second); !ok || err != nil {
		t.Fatalf("orders did not resume (%v): %+v", err, status("orders"))
	}
	orders, lines = rows()
	if orders[before] != 1 || lines[before] != 1 || orders[long] != 1 || lines[long] != 1 || orders[after] != 1 || lines[after] != 1 {
		t.Fatalf("after the fix the read model holds orders %v and lines %v, want every one", orders, lines)
	}
	var placed string
	var note string
	if err := pool.QueryRow(ctx, `SELECT o.status, l.note FROM orders o, order_lines l WHERE o.order_id = $1 AND l.order_id = $2`, after, long).Scan(&placed, &note); err != nil || placed != "placed" || note != "no cocoa on top, it is for a child" {
		t.Fatalf("after the fix: the later order is %q, the long note %q (%v)", placed, note, err)
	}
	if s := status("orders"); s.LastError != "" || s.LagEvents != 0 {
		t.Fatalf("after the fix orders still reports %+v", s)
	}
	if rec := g.get("/readyz"); rec.Code != http.StatusOK {
		t.Fatalf("/readyz after the fix: %d %s", rec.Code, rec.Body)
	}
	if page := m.get("/staff/projections").Body.String(); strings.Contains(page, "order_lines_short_note") {
		t.Fatal("the projections page still shows the error after the fix")
	}
}
