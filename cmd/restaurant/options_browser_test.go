package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestLargePizzaWithExtras: in the browser, on a phone, a guest
// picks a large margherita with two extras on the menu (a menu change
// pushed meanwhile keeps the choices), sees it priced on the order, places
// it, and the kitchen display shows how to make it.
func TestLargePizzaWithExtras(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 90*time.Second)
	b.do("phone", chromedp.EmulateViewport(390, 844))
	pizza := "#item-margherita"
	b.eventually("menu", func() (bool, string) {
		b.load("menu", chromedp.Navigate(base+"/"))
		n := value(b, "menu", chromedp.Evaluate[int](`document.querySelectorAll("#item-margherita input[name='option-extras']").length`))
		return n == 5, fmt.Sprintf("the margherita offers %d extras", n)
	})
	b.do("live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	if usual := value(b, "menu", chromedp.Evaluate[bool](`document.querySelector("#opt-margherita-size-regular").checked`)); !usual {
		b.fail("menu", "the margherita's form does not start with the regular size")
	}
	b.do("choose", chromedp.ScrollIntoView(chromedp.CSS(pizza)), chromedp.Click(chromedp.CSS(pizza+" details.dish-order summary")))
	for _, choice := range []string{"size-large", "extras-basil", "extras-olives"} {
		b.tick("opt-margherita-" + choice)
	}
	b.shotOf("options-chosen", pizza)

	// A manager's change reaches the open menu by its socket, and the
	// guest's choices stay as they were.
	b.do("before the push", chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	asManager(t, base, "/menu/items/tiramisu/commands/sold-out")
	b.do("push", chromedp.WaitVisible(chromedp.CSS("#item-tiramisu.sold-out")))
	stayed(b, "push")
	chosen := value(b, "push", chromedp.Evaluate[string](`[...document.querySelectorAll("#item-margherita input:checked")].map(e => e.value).join(",")`))
	if chosen != "large,basil,olives" {
		b.fail("push", "after a live update the margherita's choices are %q", chosen)
	}

	b.load("add", press(pizza+` form button[type="submit"]`))
	if got := value(b, "add", chromedp.Text(chromedp.CSS(".toast .flash-text"))); got != "Added 1 × Margherita, Large, Fresh basil, Olives to your order." {
		b.fail("add", "flash %q", got)
	}
	b.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	line := b.line("Margherita")
	// €11.00 + €3.00 large + €0.50 basil + €1.00 olives.
	for sel, want := range map[string]string{
		line + " .line-head":    "€15.50",
		line + " .line-options": "Large (+€3.00)",
		".total":                "€15.50",
	} {
		if got := value(b, "order", chromedp.Text(chromedp.CSS(sel))); !strings.Contains(got, want) {
			b.fail("order", "%s reads %q, want %q", sel, got, want)
		}
	}
	if got := value(b, "order", chromedp.Text(chromedp.CSS(line+" .line-options"))); !strings.Contains(got, "Fresh basil (+€0.50)") || !strings.Contains(got, "Olives (+€1.00)") {
		b.fail("order", "the line's extras read %q", got)
	}
	b.shotOf("order-with-options", "section[aria-labelledby='items-heading']")
	b.do("change the choices", chromedp.Click(chromedp.CSS(line+" details.change-options summary")))
	if large := value(b, "change the choices", chromedp.Evaluate[bool](`document.querySelector("`+line+` input[value='large']").checked`)); !large {
		b.fail("change the choices", "the line's options form does not start with its size")
	}
	b.shotOf("order-change-choices", line)
	b.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	b.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Ana"), chromedp.Click(chromedp.CSS("#give-contact")))
	b.load("place", press("#place-order"))
	b.do("placed", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))
	if got := value(b, "placed", chromedp.Text(chromedp.CSS("#place-order, .total"))); !strings.Contains(got, "€15.50") {
		b.fail("placed", "the placed order reads %q", got)
	}
	b.shot("placed-with-options")
	order := value(b, "order id", chromedp.Evaluate[string](`location.pathname.split("/").pop()`))

	kitchen := openBrowser(t, chrome, 60*time.Second)
	kitchen.do("phone", chromedp.EmulateViewport(390, 844))
	kitchen.signIn(base + "/login?next=/kitchen")
	ticket := "#ticket-" + order
	kitchen.do("ticket", chromedp.WaitVisible(chromedp.CSS(ticket)))
	got := value(kitchen, "ticket", chromedp.Evaluate[string](`[...document.querySelectorAll("`+ticket+` .ticket-options li")].map(e => e.textContent).join(", ")`))
	if got != "Large, Fresh basil, Olives" {
		kitchen.fail("ticket", "the ticket's options read %q", got)
	}
	kitchen.shotOf("kitchen-ticket-with-options", ticket)
	kitchen.load("staff menu", chromedp.Navigate(base+"/staff/menu?options=margherita#options-margherita"))
	kitchen.shotOf("staff-menu-options", "#dish-margherita")
}

// tick checks a radio button or checkbox by a tap on its label, as a
// guest does; a tap that lands while the live menu is being replaced is
// lost, and the guest taps again.
func (b *browser) tick(id string) {
	b.t.Helper()
	b.eventually("tick "+id, func() (bool, string) {
		checked := `document.getElementById("` + id + `").checked`
		if !value(b, "tick "+id, chromedp.Evaluate[bool](checked)) {
			b.do("tick "+id, chromedp.Click(chromedp.CSS(`label:has(#`+id+`)`)))
		}
		return value(b, "tick "+id, chromedp.Evaluate[bool](checked)), id + " is not checked"
	})
}

// asManager signs the admin in over HTTP and posts a command form.
func asManager(t *testing.T, base, path string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {"owner's own secret"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.PostForm(base+path, url.Values{"command_id": {"manager " + path}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK { // the client followed the 303 to the menu page
		t.Fatalf("%s: %s", path, resp.Status)
	}
}

// shotOf saves a screenshot of one element as BROWSER_SHOTS/<name>.png,
// when set.
func (b *browser) shotOf(name, selector string) {
	b.t.Helper()
	if dir := os.Getenv("BROWSER_SHOTS"); dir != "" {
		png := value(b, name, chromedp.Screenshot(chromedp.CSS(selector)))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Errorf("save screenshot: %v", err)
		}
	}
}
