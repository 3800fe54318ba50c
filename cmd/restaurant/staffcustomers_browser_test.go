package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestAManagerErasesACustomerInTheBrowser: a customer who signed up asks
// the restaurant to forget them; a manager finds them by email on
// /staff/customers, ticks that they asked, and erases them.
func TestAManagerErasesACustomerInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/account/commands/sign-up", url.Values{"name": {"Ines Abrantes"}, "email": {"ines@example.com"},
		"phone": {"+351 913 000 444"}, "password": {"quiet orchard lamp"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: %v %v", res, err)
	}
	res.Body.Close()

	b := openBrowser(t, chrome, 60*time.Second)
	b.signIn(base + "/staff/customers")
	b.do("find", chromedp.WaitVisible(chromedp.CSS(`form.search`)),
		chromedp.SendKeys(chromedp.CSS(`form.search input[name="email"]`), "INES@example.com"))
	b.load("find", chromedp.Click(chromedp.CSS(`form.search button`)))
	if got := value(b, "found", chromedp.Text(chromedp.CSS("#customer"))); !strings.Contains(got, "Ines Abrantes") || !strings.Contains(got, "+351 913 000 444") {
		b.fail("found", "the customer reads %q", got)
	}
	b.shot("staff-customer-found")
	b.do("erase unticked", chromedp.Click(chromedp.CSS("#erase-customer")), chromedp.WaitVisible(chromedp.CSS(`#erase p.error`)))
	if got := value(b, "erase unticked", chromedp.Text(chromedp.CSS(`#erase p.error`))); !strings.Contains(got, "Tick the box") {
		b.fail("erase unticked", "the form says %q", got)
	}
	b.do("erase", chromedp.Click(chromedp.CSS(`#erase input[name="confirm"]`)))
	b.load("erase", chromedp.Click(chromedp.CSS("#erase-customer")))
	if got := value(b, "erased", chromedp.Text(chromedp.CSS("p.flash"))); !strings.Contains(got, "The customer was erased") {
		b.fail("erased", "the page says %q", got)
	}
	b.shot("staff-customer-erased")
	b.do("find again", chromedp.SendKeys(chromedp.CSS(`form.search input[name="email"]`), "ines@example.com"))
	b.load("find again", chromedp.Click(chromedp.CSS(`form.search button`)))
	if got := value(b, "find again", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(got, "No customer has that email.") || strings.Contains(got, "Ines") {
		b.fail("find again", "the page reads %q", got)
	}
}
