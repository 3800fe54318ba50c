package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestStationFiresByPrepTime: a pizza (12 minutes to make) and a burrata
// (6) ordered together, the pizzas cooked at the oven and the starters on
// the cold station. The oven has the pizza at once; the cold station shows
// the burrata held, greyed with the time it fires and no Done, and turns
// it into a live dish, with its Done, at that time on the open screen,
// with nothing else changing and no reload. Six minutes are too long to
// wait here: the test moves the tablet's clock on to the fire time, as
// time would; the server's rendering by its own clock is covered in
// internal/web's tests.
func TestStationFiresByPrepTime(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 90*time.Second)
	b.do("tablet", chromedp.EmulateViewport(1280, 800))
	b.signIn(base + "/login?next=/staff/stations")
	b.addStations("Cold", "Pizza oven")
	b.routeCategory("Pizza oven", "Pizza")
	cold, oven := b.stationScreen("Cold"), b.stationScreen("Pizza oven")

	order := placeJSON(t, base, "Ana", `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`, `{"menu_item_id":"burrata","quantity":1}`)
	placed := time.Now()
	ticket := "#ticket-" + order
	open := func(step, screen string) {
		b.load("open "+step, chromedp.Navigate(screen))
		b.eventually(step+" ticket", func() (bool, string) {
			n := value(b, "ticket", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, ticket)))
			if n == 0 {
				b.load("ticket", chromedp.Reload())
			}
			return n == 1, "the ticket is not on the screen"
		})
		b.do(step+" live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	}

	// The oven has its pizza at once, live, with its Done.
	open("oven", oven)
	if held := value(b, "oven held", chromedp.Evaluate[int](`document.querySelectorAll("li.line-held").length`)); held != 0 {
		b.fail("oven", "the oven's screen holds %d dishes", held)
	}
	b.do("oven done", chromedp.WaitVisible(chromedp.CSS(ticket+` ul.ticket-items form[action*="/commands/bump"] button`)))

	// The cold station has the burrata held, until six minutes after the
	// ticket opened.
	open("cold", cold)
	held := ticket + ` .ticket-held li.line-held`
	b.do("held", chromedp.WaitVisible(chromedp.CSS(held)))
	text := words(b, ticket+" .ticket-held")
	fires := regexp.MustCompile(`fires (\d\d:\d\d)`).FindStringSubmatch(text)
	if !strings.Contains(text, "Held") || !strings.Contains(text, "Burrata") || !strings.Contains(text, "Fire now") || fires == nil {
		b.fail("held", "the held part reads %q", text)
	}
	fireAt := time.UnixMilli(value(b, "fire time", chromedp.Evaluate[int64](`+document.querySelector("li.line-held").dataset.fireAt`)))
	if wait := fireAt.Sub(placed); wait < 5*time.Minute || wait > 6*time.Minute+30*time.Second {
		b.fail("held", "the burrata fires %s after the order was placed, want about 6 minutes", wait)
	}
	if visible := value(b, "no done", chromedp.Evaluate[bool](`[...document.querySelectorAll(`+fmt.Sprintf("%q", held)+` + ' form[action*="/commands/bump"]')].some(f => f.offsetParent !== null)`)); visible {
		b.fail("held", "a held dish shows its Done")
	}
	b.shotView("station-held")

	// Its time comes on the open screen.
	b.do("stay", chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"; window.boardBefore = document.querySelector("#kitchen-board")`))
	allDay := words(b, "#all-day + ul")
	b.do("the clock moves on", chromedp.Evaluate[chromedp.Void](`(() => {
		const fireAt = +document.querySelector("li.line-held").dataset.fireAt;
		const renderedAt = +document.getElementById("kitchen-board").dataset.now;
		const real = Date.now.bind(Date), ahead = fireAt - renderedAt + 1000;
		Date.now = () => real() + ahead;
	})()`))
	b.do("fired", chromedp.WaitNotPresent(chromedp.CSS(ticket+" .ticket-held")))
	b.do("live dish", chromedp.WaitVisible(chromedp.CSS(ticket+` ul.ticket-items form[action*="/commands/bump"] button`)))
	if text := words(b, ticket+" ul.ticket-items"); !strings.Contains(text, "Burrata") || strings.Contains(text, "fires") || strings.Contains(text, "Fire now") {
		b.fail("fired", "the ticket's dishes read %q", text)
	}
	if same := value(b, "same board", chromedp.Evaluate[bool](`window.boardBefore === document.querySelector("#kitchen-board")`)); !same {
		b.fail("fired", "the board was replaced: the dish should fire on the screen by itself")
	}
	if after := words(b, "#all-day + ul"); after != allDay {
		b.fail("fired", "the all-day count changed from %q to %q", allDay, after)
	}
	stayed(b, "fired")
}
