package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestACoeliacGuestOrdersOnAPhone: on a phone, a guest filters out gluten,
// unfolds the gluten-free margherita, picks it large with two extras and
// sees the price follow, says it is for an allergy, places the order, and
// the kitchen's ticket shows the choices and the allergy in words.
func TestACoeliacGuestOrdersOnAPhone(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 90*time.Second)
	b.do("phone", chromedp.EmulateViewport(390, 844))
	b.eventually("menu", func() (bool, string) {
		b.load("menu", chromedp.Navigate(base+"/"))
		n := value(b, "menu", chromedp.Evaluate[int](`document.querySelectorAll("li.dish").length`))
		return n == 17, fmt.Sprintf("%d dishes on the menu", n)
	})
	b.shotView("phone-menu")
	// The header stays at the top as the guest scrolls, and five cards
	// fit under it.
	fit := value(b, "cards", chromedp.Evaluate[[2]float64](`(() => {
		const first = document.querySelector("#item-bruschetta");
		const header = document.querySelector("header.site");
		window.scrollBy(0, first.getBoundingClientRect().top - header.getBoundingClientRect().bottom - 4);
		const below = header.getBoundingClientRect().bottom;
		const whole = [...document.querySelectorAll("li.dish")].filter(d => {
			const r = d.getBoundingClientRect();
			return r.top >= below - 1 && r.bottom <= innerHeight;
		});
		return [header.getBoundingClientRect().top, whole.length];
	})()`))
	if fit[0] != 0 || fit[1] < 5 {
		b.fail("cards", "scrolled down, the header is at %v and %v whole dishes show under it, want 0 and at least 5", fit[0], fit[1])
	}

	// The category bar jumps to the pizzas and marks them.
	b.do("pizza", chromedp.Click(chromedp.CSS(`.section-bar a[data-section="cat-pizza"]`)))
	b.eventually("pizza", func() (bool, string) {
		cur := value(b, "pizza", chromedp.Evaluate[string](`document.querySelector('.section-bar a[aria-current="location"]')?.textContent ?? ""`))
		return cur == "Pizza", fmt.Sprintf("the bar marks %q", cur)
	})
	b.shotView("phone-menu-pizza")

	b.do("filter", chromedp.ScrollIntoView(chromedp.CSS(".menu-filter")), chromedp.Click(chromedp.CSS(".menu-filter summary")),
		chromedp.Click(chromedp.CSS(`.menu-filter input[name="without"][value="gluten"]`)))
	b.load("filter", chromedp.Click(chromedp.CSS(".menu-filter button")))
	pizza := "#item-margherita-gf"
	b.do("filtered", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)), chromedp.WaitVisible(chromedp.CSS(pizza)))
	if shown := value(b, "filtered", chromedp.Evaluate[string](`[...document.querySelectorAll("li.dish h3")].map(h => h.textContent).join(", ")`)); strings.Contains(shown, "Diavola") || !strings.Contains(shown, "Gluten-free margherita") {
		b.fail("filtered", "without gluten the menu shows %s", shown)
	}

	b.do("unfold", chromedp.ScrollIntoView(chromedp.CSS(pizza)), chromedp.Click(chromedp.CSS(pizza+" details.dish-order summary")))
	price := func() string {
		return value(b, "price", chromedp.Text(chromedp.CSS(pizza+" .add-price")))
	}
	if got := price(); got != "€12.50" {
		b.fail("unfold", "the add button says %s, want the regular size's €12.50", got)
	}
	for _, choice := range []string{"size-large", "extras-basil", "extras-olives"} {
		b.tick("opt-margherita-gf-" + choice)
	}
	// €12.50 + €3.00 large + €0.50 basil + €1.00 olives.
	b.eventually("price", func() (bool, string) { return price() == "€17.00", "the add button says " + price() })
	b.do("allergy", chromedp.SendKeys(chromedp.CSS(pizza+` input[name="note"]`), "coeliac: no flour on the peel"))
	b.tick("allergy-margherita-gf")
	b.shotView("phone-options-chosen")
	b.load("add", press(pizza+` form button[type="submit"]`))
	if got := value(b, "add", chromedp.Text(chromedp.CSS(".toast .flash-text"))); got != "Added 1 × Gluten-free margherita, Large, Fresh basil, Olives to your order." {
		b.fail("add", "the confirmation reads %q", got)
	}
	// The confirmation shows where the guest is, over the dish's card.
	if in := value(b, "add", chromedp.Evaluate[bool](`(r => r.top >= 0 && r.bottom <= innerHeight)(document.querySelector(".toast").getBoundingClientRect())`)); !in {
		b.fail("add", "the confirmation is off screen")
	}
	b.shotView("phone-added")

	b.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	line := b.line("Gluten-free margherita")
	for sel, want := range map[string]string{
		line + " .line-head":    "€17.00",
		line + " .line-options": "Large (+€3.00)",
		line + " .allergy-note": "⚠ ALLERGY: coeliac: no flour on the peel",
	} {
		if got := value(b, "order", chromedp.Text(chromedp.CSS(sel))); !strings.Contains(got, want) {
			b.fail("order", "%s reads %q, want %q", sel, got, want)
		}
	}
	b.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	b.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Rita"), chromedp.Click(chromedp.CSS("#give-contact")))
	b.load("place", press("#place-order"))
	b.do("placed", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))
	b.shotView("phone-placed")
	order := value(b, "order id", chromedp.Evaluate[string](`location.pathname.split("/").pop()`))

	kitchen := openBrowser(t, chrome, 60*time.Second)
	kitchen.do("desktop", chromedp.EmulateViewport(1280, 800))
	kitchen.signIn(base + "/login?next=/kitchen")
	ticket := "#ticket-" + order
	kitchen.do("ticket", chromedp.WaitVisible(chromedp.CSS(ticket)))
	options := value(kitchen, "ticket", chromedp.Evaluate[string](`[...document.querySelectorAll("`+ticket+` .ticket-options li")].map(e => e.textContent).join(", ")`))
	flag := value(kitchen, "ticket", chromedp.Text(chromedp.CSS(ticket+" .ticket-allergy-flag")))
	allergy := value(kitchen, "ticket", chromedp.Text(chromedp.CSS(ticket+" .ticket-allergy")))
	if options != "Large, Fresh basil, Olives" || !strings.Contains(flag, "⚠ ALLERGY") || allergy != "⚠ ALLERGY: coeliac: no flour on the peel" {
		kitchen.fail("ticket", "the ticket reads options %q, flag %q, allergy %q", options, flag, allergy)
	}
	kitchen.shotOf("kitchen-ticket-allergy", ticket)
	kitchen.load("staff menu", chromedp.Navigate(base+"/staff/menu"))
	kitchen.shotView("staff-menu-desktop")
}
