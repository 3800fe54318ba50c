package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestKitchenTicketsAgeOnTheOpenScreen: a kitchen display left open says
// "WAITING", then "LATE", on a ticket as it passes each threshold, with
// nothing else changing on the board (thresholds of a few seconds here).
func TestKitchenTicketsAgeOnTheOpenScreen(t *testing.T) {
	chrome := chromiumPath(t)
	const attention, late = 3 * time.Second, 6 * time.Second
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret",
		"KITCHEN_ATTENTION_AFTER": attention.String(), "KITCHEN_LATE_AFTER": late.String()})
	b := openBrowser(t, chrome, 60*time.Second)
	b.do("tablet", chromedp.EmulateViewport(1280, 800))
	b.signIn(base + "/login?next=/kitchen")
	b.do("live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))

	placed := time.Now()
	placeByJSON(t, base)
	b.do("ticket", chromedp.WaitVisible(chromedp.CSS("li.ticket-queued")))
	if arrived := time.Since(placed); arrived > attention-time.Second {
		t.Skipf("the ticket took %s to arrive: too slow to tell its ageing apart", arrived)
	}
	// From here on nothing changes on the board: a push would replace it,
	// and the mark with it.
	b.do("mark", chromedp.Evaluate[chromedp.Void](`document.getElementById("kitchen-board").dataset.unchanged = "yes"; window.stayed = "yes"`))
	state := func() (string, string) {
		s := value(b, "ageing", chromedp.Evaluate[[2]string](`(t => [t.className, t.querySelector(".ageing-label")?.innerText ?? ""])(document.querySelector("li.ticket-queued"))`))
		return s[0], strings.TrimSpace(s[1])
	}
	if class, label := state(); strings.Contains(class, "ticket-attention") || strings.Contains(class, "ticket-late") || label != "" {
		b.fail("fresh", "a fresh ticket reads %q with class %q", label, class)
	}
	for _, want := range []struct{ class, label string }{{"ticket-attention", "WAITING"}, {"ticket-late", "LATE"}} {
		b.eventually(want.label, func() (bool, string) {
			class, label := state()
			return strings.Contains(class, want.class) && label == want.label, fmt.Sprintf("%s after %s: the ticket reads %q with class %q",
				want.label, time.Since(placed).Round(100*time.Millisecond), label, class)
		})
		t.Logf("%s %s after the order was placed", want.label, time.Since(placed).Round(100*time.Millisecond))
		if class, _ := state(); want.label == "LATE" && strings.Contains(class, "ticket-attention") {
			b.fail(want.label, "a late ticket is still marked waiting: %q", class)
		}
		if v := value(b, want.label, chromedp.Evaluate[string](`document.getElementById("kitchen-board").dataset.unchanged || "pushed"`)); v != "yes" {
			b.fail(want.label, "the board was pushed again: the ageing came with a change, not by itself")
		}
		b.shotView("kitchen-" + strings.ToLower(want.label))
	}
	stayed(b, "late")
}
