package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/live"
	"restaurant/internal/testdb"
)

// TestGuestOrdersForLaterInTheBrowser: the restaurant is closed for now
// and opens later; a guest fills an order all the same, chooses a time for
// later from the order page's plain form, and places it. The kitchen has no
// ticket at placing; once it is due (here the test moves the ticket's time
// to now, as the clock would, and tells the schedulers) the kitchen display
// shows it, marked as scheduled, without a reload. The timing itself, by
// an injected clock, is covered in internal/web's tests.
func TestGuestOrdersForLaterInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	const zone = "Europe/Lisbon"
	dbURL := testdb.URL(t)
	base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "RESTAURANT_ADMIN_PASSWORD": "owner's own secret", "RESTAURANT_TIMEZONE": zone})
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	staff := openBrowser(t, chrome, 120*time.Second)
	staff.do("tablet", chromedp.EmulateViewport(1280, 800))
	staff.signIn(base + "/login?next=/staff/settings")
	hours := "12:00-13:00" // opens tomorrow
	if now := time.Now().In(loc); now.Hour() < 22 {
		hours = fmt.Sprintf("%02d:00-24:00", now.Hour()+2)
	}
	for _, day := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		staff.do("hours", chromedp.SetValue(chromedp.CSS(`input[name="hours_`+day+`"]`), hours))
	}
	staff.load("hours", chromedp.Click(chromedp.CSS(`form.hours-form button`)))

	guest := openBrowser(t, chrome, 120*time.Second)
	guest.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#ordering-later")))
	guest.add("margherita", "1", "", "Added 1 × Margherita, Regular to your order.")
	guest.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	guest.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	guest.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Ana"), chromedp.Click(chromedp.CSS("#give-contact")))
	guest.do("closed", chromedp.WaitVisible(chromedp.CSS("#ordering-later-hint")), chromedp.WaitVisible(chromedp.CSS("#scheduled-for")))
	if n := value(guest, "closed", chromedp.Evaluate[int](`document.querySelectorAll("#place-order").length`)); n != 0 {
		guest.fail("closed", "placing as soon as possible is offered while closed")
	}
	guest.do("closed", chromedp.ScrollIntoView(chromedp.CSS("#ordering-closed")))
	guest.shotView("order-when")

	// The second time offered: its value is the restaurant's wall clock.
	slot := value(guest, "choose", chromedp.Evaluate[string](`document.querySelectorAll("#scheduled-for option")[1].value`))
	clock := slot[len("2006-01-02T"):]
	guest.load("choose", chromedp.SetValue(chromedp.CSS("#scheduled-for"), slot), chromedp.Click(chromedp.CSS("#schedule-order")))
	if got := value(guest, "chosen", chromedp.Text(chromedp.CSS("#order-when-chosen"))); !strings.Contains(got, clock) || !strings.HasPrefix(got, "Pickup") {
		guest.fail("chosen", "the order's time reads %q, want pickup at %s", got, clock)
	}
	guest.do("chosen", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)), chromedp.WaitVisible(chromedp.CSS("#place-order")),
		chromedp.ScrollIntoView(chromedp.CSS("#order-when")))
	guest.shotView("order-for-later")
	guest.load("place", press("#place-order"))
	guest.do("placed", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))
	// Read in the page, not by node: the ticket's opening pushes the order's
	// page again a moment after it is placed, and a node read across that
	// push is gone.
	if got := value(guest, "placed", chromedp.Evaluate[string](`document.querySelector("#order-status")?.innerText ?? ""`)); !strings.Contains(got, "Scheduled for pickup") || !strings.Contains(got, clock) {
		guest.fail("placed", "the placed order says %q", got)
	}
	guest.noAlerts("placed")
	guest.shotView("placed-for-later")

	// The kitchen has no ticket for it yet, only its time to open one.
	var orderID string
	guest.eventually("scheduled", func() (bool, string) {
		err := conn.QueryRow(context.Background(), `SELECT order_id FROM scheduled_tickets`).Scan(&orderID)
		return err == nil, fmt.Sprintf("no ticket scheduled (%v)", err)
	})
	staff.load("kitchen", chromedp.Navigate(base+"/kitchen"))
	staff.do("kitchen", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	if n := value(staff, "kitchen", chromedp.Evaluate[int](`document.querySelectorAll("li.ticket").length`)); n != 0 {
		staff.fail("kitchen", "the kitchen shows %d tickets before the order for later is due", n)
	}
	// Its time comes.
	if _, err := conn.Exec(context.Background(), `UPDATE scheduled_tickets SET fire_at = now() WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	if err := live.Notify(context.Background(), conn, []live.Topic{live.ScheduleTopic()}); err != nil {
		t.Fatal(err)
	}
	staff.do("due", chromedp.WaitVisible(chromedp.CSS("#ticket-"+orderID+" .ticket-scheduled")))
	if got := value(staff, "due", chromedp.Text(chromedp.CSS("#ticket-"+orderID+" .ticket-scheduled"))); got != "SCHEDULED for "+clock {
		staff.fail("due", "the ticket says %q", got)
	}
	staff.shotView("kitchen-scheduled")
}
