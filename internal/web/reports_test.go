package web

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// reportRoutes are the reports' addresses, for one day.
var reportRoutes = []string{
	"/staff/reports?from=2026-12-01&to=2026-12-01",
	"/staff/reports/sales.csv?from=2026-12-01&to=2026-12-01",
	"/staff/reports/items.csv?from=2026-12-01&to=2026-12-01",
	"/staff/reports/prep.csv?from=2026-12-01&to=2026-12-01",
	"/staff/reports/cancellations.csv?from=2026-12-01&to=2026-12-01",
	"/staff/reports/takings.csv?from=2026-12-01&to=2026-12-01",
}

func TestReportsAndTheReplayAreForManagers(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-12-01", "20:00"))
	anonymous, cook, manager := a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	manager.signIn("maria", managerPassword)
	for _, path := range append(reportRoutes, "/kitchen?at=2026-12-01T19:00") {
		if rec := anonymous.get(path); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
			t.Errorf("anonymous GET %s: %d %q, want 303 to /login", path, rec.Code, rec.Header().Get("Location"))
		}
		if rec := cook.get(path); rec.Code != http.StatusForbidden {
			t.Errorf("kitchen GET %s: %d, want 403", path, rec.Code)
		}
		if rec := manager.get(path); rec.Code != http.StatusOK {
			t.Errorf("manager GET %s: %d, want 200: %s", path, rec.Code, rec.Body)
		}
	}
	if rec := cook.get("/kitchen"); rec.Code != http.StatusOK {
		t.Fatalf("the cook's live display: %d", rec.Code)
	}
	home := manager.get("/staff").Body.String()
	if !strings.Contains(home, `href="/staff/reports"`) {
		t.Fatal("the staff's home does not link to the reports")
	}
}

// TestReportsOfADay has two guests order on a Tuesday in Lisbon: one order
// is cooked and handed over, one canceled with a reason a spreadsheet
// would take for a formula. The page and every CSV say so.
func TestReportsOfADay(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-12-01", "12:00"))
	cook, manager, ana, rui := a.guest(), a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	manager.signIn("maria", managerPassword)
	kept := placedOrder(t, a, ana)
	clock.set(lisbonAt("2026-12-01", "12:30"))
	dropped := rui.openWith("tiramisu", "3")
	rui.follow(rui.post("/orders/"+dropped+"/commands/choose-pickup", form()))
	rui.giveContact(dropped, "Rui", "")
	rui.follow(rui.post("/orders/"+dropped+"/commands/place", form()))
	clock.set(lisbonAt("2026-12-01", "12:31"))
	rui.follow(rui.post("/orders/"+dropped+"/commands/cancel", form("reason", `=HYPERLINK("http://example.com")`)))
	for _, step := range [][2]string{{"12:02", "start"}, {"12:09", "ready"}, {"12:10", "hand-over"}} {
		clock.set(lisbonAt("2026-12-01", step[0]))
		if rec := cook.post("/kitchen/tickets/"+kept+"/commands/"+step[1], form("payment", "cash")); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", step[1], rec.Code, rec.Body)
		}
	}
	clock.set(lisbonAt("2026-12-01", "20:00"))

	page := manager.afterOthers(reportRoutes[0])
	body := page.Body.String()
	if page.Code != http.StatusOK {
		t.Fatalf("reports: %d %s", page.Code, body)
	}
	for _, want := range []string{
		"From Tuesday 1 December to Tuesday 1 December 2026",
		"<dt>Orders placed</dt><dd>2</dd>", "<dt>Canceled since</dt><dd>1</dd>", "<dt>Revenue</dt><dd>€22.00</dd>",
		"<dt>Average order</dt><dd>€22.00</dd>", "<dt>Dishes sold</dt><dd>2</dd>",
		`<title id="chart-revenue-by-day-title">Revenue by day</title>`, "Revenue by day. Tue 1: €22.00.",
		"Orders placed by hour of the day. 12:00: 2 orders.", `<th scope="row">12:00–13:00</th>`,
		`<th scope="row">Margherita</th>`, "Regular",
		"1 ticket of this period&#39;s orders", "7 min at the median", "From placing to handing over: 10 min at the median",
		"0 were late (not ready 12 min after placing)",
		`=HYPERLINK(&#34;http://example.com&#34;)`, "the guest (session", "placed, €22.50",
		`href="/staff/reports/sales.csv?from=2026-12-01&amp;to=2026-12-01"`,
		`<th scope="row">Cash</th><td>1</td><td>€22.00</td>`, `<th scope="row">Unpaid</th><td>0</td><td>€0.00</td>`,
		`href="/staff/reports/takings.csv?from=2026-12-01&amp;to=2026-12-01"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the reports page lacks %q", want)
		}
	}
	if strings.Contains(body, "style=") {
		t.Error("the reports page has an inline style")
	}

	for _, c := range []struct {
		path string
		want [][]string
	}{
		{reportRoutes[1], [][]string{
			{"date", "hour", "orders_placed", "orders_canceled", "dishes", "revenue_eur", "average_order_eur"},
			{"2026-12-01", "12:00", "2", "1", "2", "22.00", "22.00"},
		}},
		{reportRoutes[2], [][]string{{"dish", "choices", "sold", "revenue_eur"}, {"Margherita", "Regular", "2", "22.00"}}},
		{reportRoutes[3], [][]string{
			{"dish", "tickets", "started_and_ready", "start_to_ready_median_min", "start_to_ready_p90_min",
				"handed_over", "placed_to_handed_over_median_min", "placed_to_handed_over_p90_min", "late", "recalls"},
			{"All dishes", "1", "1", "7.00", "7.00", "1", "10.00", "10.00", "0", "0"},
			{"Margherita", "1", "1", "7.00", "7.00", "1", "10.00", "10.00", "0", "0"},
		}},
		{reportRoutes[4], [][]string{
			{"canceled_at", "order_number", "order_id", "placed", "value_eur", "reason", "canceled_by"},
			{"2026-12-01T12:31:00Z", "2", dropped, "true", "22.50", `'=HYPERLINK("http://example.com")`, describeActor(canceledBy(t, a))},
		}},
		{reportRoutes[5], [][]string{
			{"payment", "unpaid_reason", "orders", "takings_eur"},
			{"cash", "", "1", "22.00"}, {"card", "", "0", "0.00"}, {"unpaid", "", "0", "0.00"},
			{"not_recorded", "", "0", "0.00"}, {"not_handed_over", "", "0", "0.00"},
		}},
	} {
		rec := manager.get(c.path)
		if got := readCSV(t, rec); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.path, got, c.want)
		}
	}
}

// readCSV checks an answer is a CSV download and reads it.
func readCSV(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
	t.Helper()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), `attachment; filename="`) {
		t.Fatalf("not a CSV download: %d %q %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"), rec.Body)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// canceledBy is the actor of the one cancel in the log: the guest's
// session, as the history names it.
func canceledBy(t *testing.T, a *testApp) string {
	t.Helper()
	var actor string
	if err := a.store.Pool().QueryRow(t.Context(), `SELECT actor FROM events WHERE type = 'ordering.OrderCanceled'`).Scan(&actor); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(actor, "customer:guest-") {
		t.Fatalf("the guest canceled as %q", actor)
	}
	return actor
}

func TestReportsChooseTheLastWeekByDefault(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-12-01", "20:00"))
	manager := a.guest()
	manager.signIn("maria", managerPassword)
	body := manager.get("/staff/reports").Body.String()
	for _, want := range []string{`name="from" value="2026-11-25"`, `name="to" value="2026-12-01"`,
		"From Wednesday 25 November to Tuesday 1 December 2026", "No orders were placed in this period.",
		"No dishes were sold in this period.", "No order was canceled in this period."} {
		if !strings.Contains(body, want) {
			t.Errorf("the default reports lack %q", want)
		}
	}
}

func TestReportsRefuseBadRanges(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-12-01", "20:00"))
	manager := a.guest()
	manager.signIn("maria", managerPassword)
	for _, c := range []struct {
		query string
		want  map[string]string // field: message
	}{
		{"from=1/12/2026&to=2026-12-01", map[string]string{"from": "Choose the first day as a date, like 2026-12-01."}},
		{"from=2026-12-05&to=2026-12-01", map[string]string{"to": "The last day is before the first (2026-12-05); choose one on or after it."}},
		{"from=2025-01-01&to=2026-12-01", map[string]string{"to": "Choose at most 366 days at a time."}},
		{"from=soon&to=later", map[string]string{"from": "Choose the first day as a date, like 2026-12-01.",
			"to": "Choose the last day as a date, like 2026-12-01."}},
	} {
		rec := manager.get("/staff/reports?" + c.query)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", c.query, rec.Code)
		}
		for field, msg := range c.want {
			input := `aria-describedby="report-` + field + `-error"`
			message := `<p class="error" id="report-` + field + `-error" role="alert">` + msg
			if i, j := strings.Index(body, input), strings.Index(body, message); i < 0 || j < i {
				t.Errorf("%s: the message %q is not next to the field %s:\n%s", c.query, msg, field, body)
			}
		}
		if strings.Contains(body, `id="sales"`) {
			t.Errorf("%s: figures shown for a bad range", c.query)
		}
		csvRec := manager.get("/staff/reports/sales.csv?" + c.query)
		p := problemOfBody(t, csvRec)
		if csvRec.Code != http.StatusUnprocessableEntity || len(p.Errors) != len(c.want) {
			t.Errorf("%s as CSV: %d %+v", c.query, csvRec.Code, p)
		}
		for _, e := range p.Errors {
			if c.want[e.Field] != e.Detail {
				t.Errorf("%s as CSV: %s: %q, want %q", c.query, e.Field, e.Detail, c.want[e.Field])
			}
		}
	}
}
