package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestBusyKitchenInTheBrowser: a manager closes the
// restaurant for now with its opening hours, and a guest's open menu says
// when ordering opens, and that orders for later are taken; the hours open
// it again and the menu follows live.
// From the kitchen display the cook pauses online orders, marks a dish sold
// out and resumes, and the guest's menu follows each without a reload.
func TestBusyKitchenInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	const zone = "Europe/Lisbon"
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret",
		"RESTAURANT_TIMEZONE": zone})
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}

	staff := openBrowser(t, chrome, 120*time.Second)
	staff.do("tablet", chromedp.EmulateViewport(1280, 800))
	staff.signIn(base + "/login?next=/staff/menu")
	staff.do("portions", chromedp.SetValue(chromedp.CSS(`#dish-carbonara form[action$="/set-portions"] input[name="portions"]`), "3"))
	staff.load("portions", chromedp.Click(chromedp.CSS(`#dish-carbonara form[action$="/set-portions"] button`)))

	// Hours that open later than now: the restaurant is closed.
	now := time.Now().In(loc)
	hours, opens := "12:00-13:00", "ordering opens tomorrow at 12:00"
	if now.Hour() < 22 {
		hours, opens = fmt.Sprintf("%02d:00-24:00", now.Hour()+2), fmt.Sprintf("ordering opens today at %02d:00", now.Hour()+2)
	}
	setHours := func(step, hours string) {
		staff.load(step, chromedp.Navigate(base+"/staff/settings"))
		for _, day := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
			staff.do(step, chromedp.SetValue(chromedp.CSS(`input[name="hours_`+day+`"]`), hours))
		}
		staff.load(step, chromedp.Click(chromedp.CSS(`form.hours-form button`)))
	}
	setHours("close", hours)
	staff.shot("settings")

	guest := openBrowser(t, chrome, 120*time.Second)
	guest.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#ordering-status")),
		chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	if got := value(guest, "closed", chromedp.Text(chromedp.CSS("#ordering-status"))); !strings.Contains(got, opens) {
		guest.fail("closed", "the closed menu says %q, want %q", got, opens)
	}
	// Closed for now, but open later: guests may still order for later.
	if got := value(guest, "closed", chromedp.Text(chromedp.CSS("#ordering-later"))); !strings.Contains(got, "order now for later") {
		guest.fail("closed", "the closed menu says %q of orders for later", got)
	}
	if n := value(guest, "closed", chromedp.Evaluate[int](`document.querySelectorAll("form.add-form").length`)); n == 0 {
		guest.fail("closed", "the closed menu offers no add forms for orders for later")
	}
	guest.shot("menu-closed")

	// Open around the clock: the guest's menu opens without a reload.
	setHours("open", "00:00-24:00")
	guest.do("opened", chromedp.WaitNotPresent(chromedp.CSS("#ordering-status")), chromedp.WaitVisible(chromedp.CSS("#item-margherita details.dish-order summary")))
	stayed(guest, "opened")

	// The kitchen display: pause, sold out, resume.
	staff.load("kitchen", chromedp.Navigate(base+"/kitchen"))
	staff.do("kitchen", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	staff.shot("kitchen-pause-buttons")
	staff.load("pause", press(`#kitchen-ordering form[action="/online-orders/commands/pause"] input[value="30"] ~ button`))
	staff.do("paused", chromedp.WaitVisible(chromedp.CSS("#kitchen-ordering.paused")))
	guest.do("paused", chromedp.WaitVisible(chromedp.CSS("#ordering-status.ordering-paused")))
	// Back at a time today, or, when the half hour ends past midnight,
	// tomorrow.
	if got := value(guest, "paused", chromedp.Text(chromedp.CSS("#ordering-status"))); !strings.Contains(got, "We are not taking online orders right now; back at") &&
		!strings.Contains(got, "We are not taking online orders right now; ordering opens tomorrow at") {
		guest.fail("paused", "the paused menu says %q", got)
	}
	stayed(guest, "paused")
	guest.shot("menu-paused")

	staff.do("dishes", chromedp.Click(chromedp.CSS(".kitchen-dishes-panel summary")), chromedp.WaitVisible(chromedp.CSS("#kitchen-dish-tiramisu button")))
	staff.load("sold out", press(`#kitchen-dish-tiramisu form[action$="/sold-out"] button`))
	staff.do("sold out", chromedp.Click(chromedp.CSS(".kitchen-dishes-panel summary")),
		chromedp.WaitVisible(chromedp.CSS(`#kitchen-dish-tiramisu form[action$="/back-in-stock"] button`)),
		chromedp.ScrollIntoView(chromedp.CSS("#kitchen-dish-carbonara")))
	staff.shot("kitchen-buttons")
	guest.do("sold out", chromedp.WaitVisible(chromedp.CSS("#item-tiramisu.sold-out")))

	staff.load("resume", press(`#kitchen-ordering form[action="/online-orders/commands/resume"] button`))
	guest.do("resumed", chromedp.WaitNotPresent(chromedp.CSS("#ordering-status")), chromedp.WaitVisible(chromedp.CSS("#item-margherita details.dish-order summary")))
	if got := value(guest, "resumed", chromedp.Text(chromedp.CSS("#left-carbonara"))); got != "3 left" {
		guest.fail("resumed", "carbonara shows %q, want 3 left", got)
	}
	stayed(guest, "resumed")
	guest.shot("menu-open")
}
