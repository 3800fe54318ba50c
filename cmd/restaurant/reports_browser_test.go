package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"restaurant/internal/testdb"
)

// TestAManagerReadsTheReportsInTheBrowser: four orders today, one handed
// over, one ready, one waiting, one canceled by the manager; the reports
// page draws its charts and tables, on a desktop and on a phone, and the
// kitchen replayed shows the board as it was a moment before.
func TestAManagerReadsTheReportsInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	dbURL := testdb.URL(t)
	base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 90*time.Second)
	conn, err := pgx.Connect(b.ctx, dbURL)
	if err != nil {
		b.fail("database", "connect: %v", err)
	}
	defer conn.Close(b.ctx)
	served := placeJSON(t, base, "Ana", `{"menu_item_id":"diavola","option-size":"regular","quantity":2}`)
	ready := placeJSON(t, base, "Ana", `{"menu_item_id":"margherita","option-size":"large","quantity":1}`)
	placeJSON(t, base, "Ana", `{"menu_item_id":"margherita","option-size":"regular","quantity":3,"note":"well done"}`)
	flood := placeJSON(t, base, "Ana", `{"menu_item_id":"tiramisu","quantity":2}`)
	b.eventually("tickets", func() (bool, string) {
		var n int
		err := conn.QueryRow(b.ctx, `SELECT count(*) FROM tickets WHERE status = 'queued'`).Scan(&n)
		return err == nil && n == 4, fmt.Sprintf("%d of 4 tickets (%v)", n, err)
	})
	admin := adminClient(t, base)
	for _, step := range []struct{ ticket, command string }{
		{served, "start"}, {served, "ready"}, {served, "hand-over"}, {ready, "start"}, {ready, "ready"},
	} {
		ticketCommand(t, admin, base, step.ticket, step.command)
	}
	resp, err := admin.Post(base+"/staff/orders/commands/cancel", "application/json", strings.NewReader(`{"order_ids": "`+flood+`"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %v %v", resp, err)
	}
	resp.Body.Close()
	b.eventually("reports", func() (bool, string) {
		var canceled, handedOver int
		err := conn.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM report_orders WHERE canceled_at IS NOT NULL),
			(SELECT count(*) FROM report_tickets WHERE handed_over_at IS NOT NULL)`).Scan(&canceled, &handedOver)
		return err == nil && canceled == 1 && handedOver == 1, fmt.Sprintf("%d canceled, %d handed over (%v)", canceled, handedOver, err)
	})

	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.signIn(base + "/staff/reports")
	b.do("reports", chromedp.WaitVisible(chromedp.CSS("#chart-revenue-by-day")))
	if n := value(b, "reports", chromedp.Evaluate[int](`document.querySelectorAll("#chart-revenue-by-day rect.chart-bar").length`)); n != 7 {
		b.fail("reports", "the revenue chart has %d bars, want one for each of 7 days", n)
	}
	for sel, want := range map[string]string{
		"#sales .report-facts": "Orders placed4Canceled since1Revenue€74.00",
		"#items tbody":         "Margherita4",
		"#prep":                "3 tickets of this period's orders",
		"#cancellations":       "suspected flood",
	} {
		if got := value(b, "reports", chromedp.Text(chromedp.CSS(sel))); !strings.Contains(strings.Join(strings.Fields(got), ""), strings.Join(strings.Fields(want), "")) {
			b.fail("reports", "%s reads %q, want %q", sel, got, want)
		}
	}
	// Screen readers hear each chart in words.
	if desc := value(b, "reports", chromedp.Evaluate[string](`document.querySelector("#chart-revenue-by-day desc").textContent`)); !strings.Contains(desc, "€74.00") {
		b.fail("reports", "the revenue chart is described as %q", desc)
	}
	b.noAlerts("reports")
	b.shot("reports")

	// The board as it was a moment ago: the waiting ticket open, the ready
	// and the canceled ones among the done, the handed-over one gone.
	b.load("replay", chromedp.Navigate(base+"/kitchen?"+url.Values{"at": {time.Now().Format(time.RFC3339)}}.Encode()))
	if got := value(b, "replay", chromedp.Text(chromedp.CSS("#replay-banner"))); !strings.Contains(got, "The kitchen as it was at") {
		b.fail("replay", "the banner reads %q", got)
	}
	open := value(b, "replay", chromedp.Evaluate[int](`document.querySelectorAll("ol.tickets:not(.done) li.ticket").length`))
	done := value(b, "replay", chromedp.Evaluate[int](`document.querySelectorAll("ol.tickets.done li.ticket").length`))
	buttons := value(b, "replay", chromedp.Evaluate[int](`document.querySelectorAll("#kitchen-board button").length`))
	if open != 1 || done != 2 || buttons != 0 {
		b.fail("replay", "%d open and %d done tickets with %d buttons, want 1 and 2 with none", open, done, buttons)
	}
	b.shot("kitchen-replay")
	b.do("phone", chromedp.EmulateViewport(412, 915))
	b.load("phone", chromedp.Navigate(base+"/staff/reports"))
	b.do("phone", chromedp.WaitVisible(chromedp.CSS("#chart-revenue-by-day")), chromedp.ScrollIntoView(chromedp.CSS("#sales-by-day")))
	b.shotView("reports-phone")
}
