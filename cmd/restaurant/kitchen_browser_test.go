package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
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

// fridayNight are the orders of a busy evening, in the order they come in:
// a guest's name and the bodies of the dishes' add commands.
var fridayNight = []struct {
	name   string
	dishes []string
}{
	{"Ana", []string{`{"menu_item_id":"margherita","option-size":"large","option-extras":["olives"],"quantity":2}`, `{"menu_item_id":"tiramisu","quantity":2}`}},
	{"Rui", []string{`{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":"extra chilli"}`, `{"menu_item_id":"lemonade","option-size":"jug","quantity":1}`}},
	{"Marta", []string{`{"menu_item_id":"carbonara","quantity":1}`, `{"menu_item_id":"cacio-e-pepe","quantity":1}`}},
	{"João", []string{`{"menu_item_id":"margherita-gf","option-size":"regular","quantity":1,"note":"coeliac: no flour on the peel","allergy":true}`,
		`{"menu_item_id":"panna-cotta","quantity":1}`}},
	{"Inês", []string{`{"menu_item_id":"quattro-formaggi","option-size":"small","quantity":1}`}},
	{"Tiago", []string{`{"menu_item_id":"funghi","option-size":"regular","quantity":2}`, `{"menu_item_id":"bruschetta","quantity":1}`, `{"menu_item_id":"espresso","quantity":2}`}},
	{"Beatriz", []string{`{"menu_item_id":"pesto","quantity":1,"note":"no pine nuts"}`}},
	{"Pedro", []string{`{"menu_item_id":"margherita","option-size":"regular","quantity":3}`}},
	{"Catarina", []string{`{"menu_item_id":"burrata","quantity":1}`, `{"menu_item_id":"arancini","quantity":2}`}},
	{"Miguel", []string{`{"menu_item_id":"diavola","option-size":"large","quantity":1}`, `{"menu_item_id":"sparkling-water","quantity":1}`}},
	{"Sofia", []string{`{"menu_item_id":"minestrone","quantity":2}`}},
	{"Duarte", []string{`{"menu_item_id":"margherita","option-size":"small","quantity":1}`, `{"menu_item_id":"tiramisu","quantity":1}`}},
}

// TestKitchenDisplayOnAFridayNight: twelve orders on a landscape tablet of
// 1280 × 800. The page never scrolls; the rail of tickets being cooked shows
// eight or more at once, oldest first, each with the guest's name, its age
// and the clock time it came in, its buttons along its foot; the all-day
// counts are beside it. The cook works tickets dish by dish, and every tap
// is answered in place; ready tickets wait on a rail of their own until
// handed over. Without JavaScript the same buttons post their forms.
func TestKitchenDisplayOnAFridayNight(t *testing.T) {
	chrome := chromiumPath(t)
	const zone = "Asia/Tokyo"
	tokyo, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret",
		"RESTAURANT_TIMEZONE": zone, "ORDERS_PLACED_PER_HOUR_PER_ADDRESS": "100", "ORDERS_OPENED_PER_HOUR_PER_ADDRESS": "100"})
	var ids []string
	for _, o := range fridayNight {
		ids = append(ids, placeJSON(t, base, o.name, o.dishes...))
	}
	b := openBrowser(t, chrome, 90*time.Second)
	b.do("tablet", chromedp.EmulateViewport(1280, 800))
	b.signIn(base + "/login?next=/kitchen")
	b.eventually("tickets", func() (bool, string) {
		n := value(b, "tickets", chromedp.Evaluate[int](`document.querySelectorAll(".rail-cooking li.ticket").length`))
		if n < len(ids) {
			b.load("tickets", chromedp.Reload())
		}
		return n == len(ids), fmt.Sprintf("%d tickets on the rail", n)
	})
	b.do("live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))

	// Two are cooked and ready: they leave the cooking rail for the ready one.
	for _, id := range ids[:2] {
		b.do("start", press(`#ticket-`+id+` form[action$="/commands/start"] button`))
		b.do("started", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+id+`.ticket-preparing`)))
		b.do("ready", press(`#ticket-`+id+` form[action$="/commands/ready"] button`))
		b.do("ready", chromedp.WaitVisible(chromedp.CSS(`.rail-ready #ticket-`+id)))
	}
	stayed(b, "ready rail")
	b.shotView("kitchen-friday-night")
	b.shot("kitchen-friday-night-page")

	screen := value(b, "screen", chromedp.Evaluate[layout](layoutJS))
	t.Logf("screen: %+v", screen)
	switch {
	case screen.ScrollWidth > 1280 || screen.ScrollHeight > 800:
		b.fail("screen", "the page scrolls: %d × %d", screen.ScrollWidth, screen.ScrollHeight)
	case screen.Visible < 8:
		b.fail("screen", "%d tickets in full sight on the cooking rail, want at least 8", screen.Visible)
	case !slices.Equal(screen.Tickets, ids[2:]):
		b.fail("screen", "the cooking rail is not oldest first: %v, want %v", screen.Tickets, ids[2:])
	case screen.Misaligned != "":
		b.fail("screen", "buttons not along the foot of their ticket: %s", screen.Misaligned)
	case screen.Ready != 2:
		b.fail("screen", "%d tickets on the ready rail, want 2", screen.Ready)
	case screen.SmallestText < 16:
		b.fail("screen", "text of %.1f px on a ticket: too small to read from two metres", screen.SmallestText)
	}
	// Every ticket is called by its order's number, even for orders opened
	// and placed in one moment (the kitchen waits for the number).
	numbers := value(b, "numbers", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".ticket-number")].map(e => e.textContent)`))
	for _, n := range numbers {
		if !regexp.MustCompile(`^#\d+$`).MatchString(n) {
			b.fail("numbers", "a ticket is called %q, not by its order's number: %v", n, numbers)
		}
	}
	third := "#ticket-" + ids[2]
	head, when := words(b, third+" header"), words(b, third+" .ticket-when")
	placedAt := time.Now().In(tokyo)
	if !regexp.MustCompile(`^#\d+ · Marta due \d\d:\d\d$`).MatchString(head) || !strings.HasPrefix(when, "0 min in at ") ||
		!strings.HasSuffix(when, placedAt.Format("15:04")) && !strings.HasSuffix(when, placedAt.Add(-time.Minute).Format("15:04")) {
		b.fail("ticket", "the ticket reads %q, %q: want its number, the guest's name and when it is due, its age and the time it came in, in %s", head, when, zone)
	}
	allergy := value(b, "allergy", chromedp.Text(chromedp.CSS("#ticket-"+ids[3]+" .ticket-allergy")))
	if allergy != "⚠ ALLERGY: coeliac: no flour on the peel" {
		b.fail("allergy", "the allergy reads %q", allergy)
	}
	// Open now: Pedro's 3 Margherita and Duarte's 1, Miguel's Diavola and
	// Duarte's Tiramisù; Ana's and Rui's are ready.
	if allDay := words(b, ".all-day"); !strings.Contains(allDay, "4 Margherita") || !strings.Contains(allDay, "1 Diavola") || !strings.Contains(allDay, "1 Tiramisù") {
		b.fail("all day", "the all-day panel reads %q", allDay)
	}

	// Dish by dish: the carbonara done, undone, done; the cacio e pepe
	// done makes the ticket ready; it is recalled, bumped, handed over.
	line := func(dish string) string {
		return value(b, "line", chromedp.Evaluate[string](fmt.Sprintf(
			`[...document.querySelectorAll(%q)].find(li => li.innerText.includes(%q))?.querySelector("form").getAttribute("action") ?? ""`,
			third+" li.ticket-line", dish)))
	}
	tap := func(step, action, until string) {
		b.t.Helper()
		b.do(step, press(`form[action="`+action+`"] button`))
		b.do(step, chromedp.WaitVisible(chromedp.CSS(until)))
		stayed(b, step)
	}
	carbonara := line("carbonara")
	tap("done", carbonara, third+`.ticket-preparing form[action$="/recall"]`)
	if text := value(b, "done", chromedp.Text(chromedp.CSS(third+" li.line-done"))); !strings.Contains(text, "DONE") || !strings.Contains(text, "carbonara") {
		b.fail("done", "the dish done reads %q", text)
	}
	b.shotOf("kitchen-ticket-dish-done", third)
	tap("undo", strings.Replace(carbonara, "/bump", "/recall", 1), third+` li.ticket-line:not(.line-done) form[action="`+carbonara+`"]`)
	tap("done again", carbonara, third+` li.line-done form[action$="/recall"]`)
	tap("last dish", line("Cacio"), `.rail-ready `+third)
	tap("recall", "/kitchen/tickets/"+ids[2]+"/commands/recall", `.rail-cooking `+third)
	tap("ready", "/kitchen/tickets/"+ids[2]+"/commands/ready", `.rail-ready `+third)
	b.do("hand over", press(third+` form[action$="/commands/hand-over"] button`))
	b.do("handed over", chromedp.WaitNotPresent(chromedp.CSS(third)))
	// A refusal is said above the board, and the page stays: a ticket not
	// yet cooked, handed over from its Start button's form (as a screen
	// whose board is out of date could).
	b.do("refused", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`htmx.ajax("POST", %q, {source: document.querySelector(%q)})`,
		"/kitchen/tickets/"+ids[4]+"/commands/hand-over", `#ticket-`+ids[4]+` form[action$="/commands/start"]`)))
	b.do("refused", chromedp.WaitVisible(chromedp.CSS(`#kitchen-message [role="alert"]`)))
	if msg := value(b, "refused", chromedp.Text(chromedp.CSS("#kitchen-message"))); msg != "Bump the ticket before handing it over." {
		b.fail("refused", "the refusal reads %q", msg)
	}
	stayed(b, "refused")
	b.shotView("kitchen-refused")

	// Without JavaScript the buttons are plain forms: POST, 303, the page.
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.fail("no script", "%v", err)
	}
	b.load("no script", chromedp.Reload())
	b.load("start without script", chromedp.Click(chromedp.CSS(`#ticket-`+ids[5]+` form[action$="/commands/start"] button`)))
	b.do("started without script", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+ids[5]+`.ticket-preparing`)))
}

// layout is what a script reads of the kitchen display's layout.
type layout struct {
	ScrollWidth, ScrollHeight int
	Visible, Ready            int
	Tickets                   []string
	Misaligned                string
	SmallestText              float64
}

// layoutJS measures the kitchen display as it is on the screen.
const layoutJS = `(() => {
	const rail = document.querySelector(".rail-cooking ol.tickets").getBoundingClientRect();
	const tickets = [...document.querySelectorAll(".rail-cooking li.ticket")];
	const inSight = r => r.left >= rail.left - 1 && r.right <= rail.right + 1 && r.top >= rail.top - 1 && r.bottom <= rail.bottom + 1 &&
		r.right <= innerWidth && r.bottom <= innerHeight;
	let misaligned = "";
	for (const t of tickets.filter(t => inSight(t.getBoundingClientRect()))) {
		const buttons = t.querySelector(".ticket-buttons").getBoundingClientRect();
		const gap = t.getBoundingClientRect().bottom - buttons.bottom;
		if (buttons.height === 0 || gap < 0 || gap > 12) misaligned += t.querySelector(".ticket-number").textContent + " (" + gap + " px) ";
	}
	const sizes = [...document.querySelectorAll(".rail-cooking li.ticket *")].filter(e => e.childNodes.length &&
		[...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && !e.closest(".visually-hidden"))
		.map(e => parseFloat(getComputedStyle(e).fontSize));
	return {
		ScrollWidth: document.documentElement.scrollWidth, ScrollHeight: document.documentElement.scrollHeight,
		Visible: tickets.filter(t => inSight(t.getBoundingClientRect())).length,
		Ready: document.querySelectorAll(".rail-ready li.ticket-ready").length,
		Tickets: tickets.map(t => t.id.replace("ticket-", "")),
		Misaligned: misaligned, SmallestText: Math.min(...sizes),
	};
})()`

// words is the text of the first element a selector finds, its white space
// made single spaces, as a screen reader reads it.
func words(b *browser, selector string) string {
	b.t.Helper()
	return value(b, selector, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.textContent.replace(/\s+/g, " ").trim() ?? ""`, selector)))
}
