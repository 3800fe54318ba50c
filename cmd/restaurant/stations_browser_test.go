package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestStationsAndExpo: a manager routes the
// pizzas to the oven and the drinks to the bar; an order of a pizza and a
// drink shows on each station's screen with that station's dish only, each
// station marks its dish done, and the expo sees both done and hands the
// order over.
func TestStationsAndExpo(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 90*time.Second)
	b.do("tablet", chromedp.EmulateViewport(1280, 800))
	b.signIn(base + "/login?next=/staff/stations")
	b.addStations("Line", "Pizza oven", "Bar")
	b.routeCategory("Pizza oven", "Pizza")
	b.routeCategory("Bar", "Drinks")
	oven, bar := b.stationScreen("Pizza oven"), b.stationScreen("Bar")

	order := placeJSON(t, base, "Ana", `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`, `{"menu_item_id":"lemonade","option-size":"jug","quantity":1}`)
	ticket := "#ticket-" + order
	// The lemonade (2 minutes) is held while the pizza (12) cooks, as the
	// kitchen fires by prep time: the bar fires it now.
	for _, st := range []struct {
		screen, dish, other, shot string
		held                      bool
	}{{oven, "Margherita", "lemonade", "station-oven", false}, {bar, "House lemonade", "Margherita", "station-bar", true}} {
		b.load("open "+st.shot, chromedp.Navigate(st.screen))
		b.eventually(st.shot+" ticket", func() (bool, string) {
			n := value(b, "ticket", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, ticket)))
			if n == 0 {
				b.load("ticket", chromedp.Reload())
			}
			return n == 1, "the ticket is not on the screen"
		})
		b.do(st.shot+" live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
		text := words(b, ticket)
		if !strings.Contains(text, st.dish) || strings.Contains(text, st.other) {
			b.fail(st.shot, "the ticket on %s reads %q", st.shot, text)
		}
		b.shotView(st.shot)
		b.do("stay", chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
		if st.held {
			b.do(st.shot+" held", chromedp.WaitVisible(chromedp.CSS(ticket+` .ticket-held li.line-held`)))
			b.do(st.shot+" fire now", press(ticket+` form[action*="/commands/fire"] button`))
			b.do(st.shot+" fired", chromedp.WaitNotPresent(chromedp.CSS(ticket+` .ticket-held`)))
		}
		b.do(st.shot+" done", press(ticket+` form[action*="/commands/bump"] button`))
		b.do(st.shot+" marked", chromedp.WaitVisible(chromedp.CSS(ticket+` li.line-done, ol.done `+ticket)))
		stayed(b, st.shot+" marked")
	}

	b.load("expo", chromedp.Navigate(base+"/kitchen/expo"))
	expo := "#expo-" + order
	b.do("expo live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)), chromedp.WaitVisible(chromedp.CSS(expo+` form[action*="/commands/hand-over"]`)))
	if progress := words(b, expo+" .expo-progress"); !strings.Contains(progress, "Pizza oven done") || !strings.Contains(progress, "Bar done") {
		b.fail("expo", "the expo says %q", progress)
	}
	b.shotView("expo")
	b.do("stay", chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	b.do("hand over", press(expo+` form[action*="/commands/hand-over"] button`))
	b.do("handed over", chromedp.WaitNotPresent(chromedp.CSS(expo)))
	stayed(b, "handed over")
}

// addStations adds the kitchen's stations on the stations page, in order:
// the first is the default, which takes every dish not routed.
func (b *browser) addStations(names ...string) {
	b.t.Helper()
	for _, name := range names {
		b.do("name "+name, chromedp.SendKeys(chromedp.CSS(`form[action="/kitchen/stations/commands/add"] input[name="name"]`), name))
		b.load("add "+name, chromedp.Click(chromedp.CSS(`form[action="/kitchen/stations/commands/add"] button`)))
	}
}

// stationRow finds a station's row on the stations page, in JavaScript.
func stationRow(station string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("li.station-row")].find(li => li.querySelector(".category-name strong").textContent === %q)`, station)
}

// routeCategory routes a category of the menu to a station, on the
// stations page.
func (b *browser) routeCategory(station, category string) {
	b.t.Helper()
	form := stationRow(station) + `.querySelector('form[action$="/route-category"]')`
	b.do("choose "+category, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(f => { const s = f.querySelector("select"); s.value = [...s.options].find(o => o.textContent === %q).value; })(%s)`, category, form)))
	b.load("route "+category, chromedp.Evaluate[chromedp.Void](form+`.querySelector("button").click()`))
}

// stationScreen is the address of a station's screen, from the stations
// page.
func (b *browser) stationScreen(station string) string {
	b.t.Helper()
	return value(b, "screen of "+station, chromedp.Evaluate[string](stationRow(station)+`.querySelector("a").href`))
}
