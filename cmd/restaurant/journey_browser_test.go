package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"restaurant/internal/testdb"
)

// TestACustomersWholeJourney walks a person through the customers' pages
// in Chromium: she orders as a guest, signs up on the same browser (the
// order comes into the account), saves two addresses, orders the same again
// to "Work", adds a passkey, comes back another day and signs in with it
// alone, and erases her account.
func TestACustomersWholeJourney(t *testing.T) {
	chrome := chromiumPath(t)
	dbURL := testdb.URL(t)
	base := strings.Replace(startServer(t, map[string]string{"DATABASE_URL": dbURL}), "127.0.0.1", "localhost", 1)
	b := openBrowser(t, chrome, 90*time.Second)
	b.virtualAuthenticator()
	conn, err := pgx.Connect(b.ctx, dbURL)
	if err != nil {
		b.fail("database", "connect: %v", err)
	}
	defer conn.Close(context.Background())
	b.eventually("menu", func() (bool, string) {
		var n int
		err := conn.QueryRow(b.ctx, `SELECT count(*) FROM menu_items WHERE item_id = 'margherita'`).Scan(&n)
		return err == nil && n == 1, fmt.Sprintf("the menu is not listed yet (%v)", err)
	})

	// A guest's order, for pickup.
	b.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#item-margherita")))
	b.add("margherita", "2", "", "Added 2 × Margherita, Regular to your order.")
	b.load("open order", chromedp.Click(chromedp.CSS("#order-link")))
	b.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	b.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Rita Journeyman"),
		chromedp.SetValue(chromedp.CSS(`.contact-form input[name="phone"]`), "+351 915 246 800"),
		chromedp.Click(chromedp.CSS("#give-contact")))
	b.load("place", press("#place-order"))
	b.do("placed", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))

	// Signing up on the same browser brings the order into the account.
	b.load("sign-up page", chromedp.Navigate(base+"/account/sign-up"))
	b.do("sign up", chromedp.SetValue(chromedp.CSS(`#sign-up input[name="name"]`), "Rita Journeyman"),
		chromedp.SetValue(chromedp.CSS(`#sign-up input[name="email"]`), "rita@example.com"),
		chromedp.SetValue(chromedp.CSS(`#sign-up input[name="phone"]`), "+351 915 246 800"),
		chromedp.SetValue(chromedp.CSS(`#sign-up input[name="password"]`), "saffron kettle meadow"))
	b.load("sign up", chromedp.Click(chromedp.CSS(`#sign-up button`)))
	b.load("my orders", chromedp.Navigate(base+"/account/orders"))
	if n := value(b, "my orders", chromedp.Evaluate[int](`document.querySelectorAll("li[id^=my-order-]").length`)); n != 1 {
		b.fail("my orders", "the account lists %d orders, want the guest's one", n)
	}
	b.shot("journey-adopted")

	// Two addresses.
	b.load("account", chromedp.Navigate(base+"/account"))
	for _, a := range [][4]string{{"Home", "Rua da Paz 3", "1200-100", "Lisboa"}, {"Work", "Avenida da Liberdade 110", "1250-146", "Lisboa"}} {
		add := `form[action="/account/addresses/commands/add"] `
		b.load("add "+a[0], chromedp.SetValue(chromedp.CSS(add+`input[name="nickname"]`), a[0]),
			chromedp.SetValue(chromedp.CSS(add+`input[name="street"]`), a[1]),
			chromedp.SetValue(chromedp.CSS(add+`input[name="postal_code"]`), a[2]),
			chromedp.SetValue(chromedp.CSS(add+`input[name="city"]`), a[3]),
			chromedp.Click(chromedp.CSS(add+`button`)))
	}
	if n := value(b, "addresses", chromedp.Evaluate[int](`document.querySelectorAll("article.address").length`)); n != 2 {
		b.fail("addresses", "the book holds %d addresses, want 2", n)
	}
	b.shot("journey-addresses")

	// The same again, delivered to Work.
	b.load("my orders", chromedp.Navigate(base+"/account/orders"))
	b.load("order again", chromedp.Click(chromedp.CSS(`li[id^=my-order-] form button`)))
	b.do("choose Work", chromedp.Evaluate[chromedp.Void](`(s => { for (const o of s.options) if (o.text.startsWith("Work")) s.value = o.value })(
		document.querySelector('select[name="address_id"]'))`))
	b.load("deliver to Work", chromedp.Click(chromedp.CSS("#deliver-saved")))
	if got := value(b, "deliver to Work", chromedp.Text(chromedp.CSS("#fulfilment-heading + p"))); !strings.Contains(got, "Avenida da Liberdade 110") {
		b.fail("deliver to Work", "the order is delivered to %q", got)
	}
	// Her details are there already: she only confirms them.
	if got := value(b, "contact", chromedp.Value(chromedp.CSS(`.contact-form input[name="name"]`))); got != "Rita Journeyman" {
		b.fail("contact", "the contact form offers %q, want her name", got)
	}
	b.load("contact", chromedp.Click(chromedp.CSS("#give-contact")))
	b.load("place again", press("#place-order"))
	b.do("placed again", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))
	if got := value(b, "placed again", chromedp.Text(chromedp.CSS("ul.lines"))); !strings.Contains(got, "2 × Margherita") {
		b.fail("placed again", "the new order holds %q", got)
	}
	b.shot("journey-ordered-again")

	// A passkey, then another day: no cookies, and no password typed.
	b.load("account", chromedp.Navigate(base+"/account"))
	b.do("add passkey", chromedp.WaitVisible(chromedp.CSS("#passkey-add")),
		chromedp.SendKeys(chromedp.CSS(`#passkey-add input[name="name"]`), "Rita's phone"),
		chromedp.Click(chromedp.CSS("#add-passkey")), chromedp.WaitVisible(chromedp.CSS("li.passkey")))
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		b.fail("another day", "clear the cookies: %v", err)
	}
	b.load("sign-in page", chromedp.Navigate(base+"/account/sign-in"))
	b.do("passkey sign-in", chromedp.WaitVisible(chromedp.CSS("#passkey-sign-in")), chromedp.Click(chromedp.CSS("#passkey-sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#erase")))
	if got := value(b, "signed in", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(got, "rita@example.com") || !strings.Contains(got, "Work") {
		b.fail("signed in", "the account page reads %q", got)
	}
	b.noAlerts("signed in")
	b.shot("journey-passkey-sign-in")

	// Erasing the account.
	b.do("erase", chromedp.SetValue(chromedp.CSS(`#erase input[name="password"]`), "saffron kettle meadow"))
	b.load("erase", chromedp.Click(chromedp.CSS("#erase-account")))
	if got := value(b, "erased", chromedp.Text(chromedp.CSS("p.flash"))); !strings.Contains(got, "Your account was erased") {
		b.fail("erased", "the menu says %q", got)
	}
	b.shot("journey-erased")
	b.eventually("erased", func() (bool, string) {
		var customers, passkeys, named, erasedContacts int
		err := conn.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM customer_passkeys),
			(SELECT count(*) FROM orders WHERE contact_name <> ''), (SELECT count(*) FROM orders WHERE contact_erased)`).Scan(&customers, &passkeys, &named, &erasedContacts)
		return err == nil && customers == 0 && passkeys == 0 && named == 0 && erasedContacts == 2,
			fmt.Sprintf("%d customers, %d passkeys, %d named contacts, %d erased contacts (%v)", customers, passkeys, named, erasedContacts, err)
	})
	var clear int
	if err := conn.QueryRow(b.ctx, `SELECT count(*) FROM events WHERE data::text ILIKE '%journeyman%' OR data::text ILIKE '%liberdade%'`).Scan(&clear); err != nil || clear != 0 {
		b.fail("erased", "%d events hold her name or street in clear (%v)", clear, err)
	}
}
