package main

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestDeliveryPaidByCardIsFollowedToTheDoor: a guest orders for delivery
// and keeps the order page open; the kitchen cooks it, and on the ready
// rail hands it over to the courier paid by card on delivery; the guest's
// page says "Out for delivery" without a reload; the courier's Delivered on
// the display's road line makes it say "Delivered", live again.
func TestDeliveryPaidByCardIsFollowedToTheDoor(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})

	guest := openBrowser(t, chrome, 90*time.Second)
	guest.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#item-margherita")))
	guest.add("margherita", "1", "", "Added 1 × Margherita, Regular to your order.")
	guest.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	guest.load("address", chromedp.Evaluate[chromedp.Void](`(f => {
		f.querySelector('[name="street"]').value = "Rua Augusta 10";
		f.querySelector('[name="postal_code"]').value = "1100-053";
		f.querySelector('[name="city"]').value = "Lisbon";
		f.requestSubmit();
	})(document.querySelector(".address-form"))`))
	guest.load("contact", chromedp.Evaluate[chromedp.Void](`(f => {
		f.querySelector('[name="name"]').value = "Ana";
		f.querySelector('[name="phone"]').value = "+351 912 345 678";
		f.requestSubmit();
	})(document.querySelector(".contact-form"))`))
	guest.load("place", press("#place-order"))
	guest.do("guest live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	order := value(guest, "order id", chromedp.Evaluate[string](`location.pathname.split("/").pop()`))
	// A pickup order beside it, at the pass too, its Unpaid… opened.
	pickup := placeJSON(t, base, "Rui", `{"menu_item_id":"tiramisu","quantity":1}`)

	kitchen := openBrowser(t, chrome, 90*time.Second)
	kitchen.do("tablet", chromedp.EmulateViewport(1280, 800))
	kitchen.signIn(base + "/login?next=/kitchen")
	kitchen.do("kitchen live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	for _, id := range []string{order, pickup} {
		kitchen.do("ticket", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+id+` form[action$="/commands/ready"]`)))
		kitchen.do("ready", press(`#ticket-`+id+` form[action$="/commands/ready"] button`))
		kitchen.do("at the pass", chromedp.WaitVisible(chromedp.CSS(`.rail-ready #ticket-`+id+` form.hand-over`)))
	}
	card := `#ticket-` + order + ` form.hand-over button[value="card"]`
	if label := words(kitchen, card); !strings.HasPrefix(label, "Card on delivery") {
		kitchen.fail("card", "the delivery's card button reads %q", label)
	}
	kitchen.do("unpaid", press(`#unpaid-`+pickup+` summary`), chromedp.WaitVisible(chromedp.CSS(`#unpaid-reason-`+pickup)))
	kitchen.shotView("kitchen-payment-form")
	if small := value(kitchen, "text size", chromedp.Evaluate[float64](fmt.Sprintf(`Math.min(...[...document.querySelectorAll(%q)]
		.map(el => parseFloat(getComputedStyle(el).fontSize)))`, `.rail-ready .hand-over button, .rail-ready .hand-over-unpaid summary`))); small < 16 {
		kitchen.fail("text size", "hand-over buttons of %.1f px: too small to read from two metres", small)
	}

	kitchen.do("card", press(card))
	kitchen.do("on the road", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+order+`.ticket-out_for_delivery form[action$="/commands/delivered"]`)))
	guest.do("out for delivery", chromedp.WaitVisible(chromedp.CSS("#order-status.status-out_for_delivery")))
	if status := words(guest, "#order-status"); !strings.Contains(status, "Out for delivery") {
		guest.fail("out for delivery", "the guest's page reads %q", status)
	}
	stayed(guest, "out for delivery")
	kitchen.shotView("kitchen-out-for-delivery")

	kitchen.do("delivered", press(`#ticket-`+order+` form[action$="/commands/delivered"] button`))
	kitchen.do("delivered", chromedp.WaitNotPresent(chromedp.CSS(`#ticket-`+order)))
	guest.do("delivered", chromedp.WaitVisible(chromedp.CSS("#order-status.status-delivered")))
	if status := words(guest, "#order-status"); !strings.Contains(status, "Delivered") {
		guest.fail("delivered", "the guest's page reads %q", status)
	}
	stayed(guest, "delivered")
	guest.shotView("guest-delivered")

	// The tap sent the button pressed: the history says how it was paid.
	resp, err := adminClient(t, base).Get(base + "/staff/orders/" + order + "/history")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	history, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Out for delivery with the courier, paid by card on delivery", "Delivered to the guest"} {
		if !strings.Contains(string(history), want) {
			t.Errorf("the order's history does not say %q", want)
		}
	}
}
