package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"restaurant/internal/testdb"
)

// TestGuestOrdersInTheBrowser walks a guest through the real pages in
// Chromium on a phone-sized screen: two dishes from the menu, one changed and
// one removed on the order page, pickup, and a double-click on "Place order",
// which must place the order exactly once.
func TestGuestOrdersInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	dbURL := testdb.URL(t)
	base := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	b := openBrowser(t, chrome, 60*time.Second)
	conn, err := pgx.Connect(b.ctx, dbURL)
	if err != nil {
		b.fail("database", "connect: %v", err)
	}
	defer conn.Close(context.Background())
	// The demo menu reaches the menu's read model shortly after the start.
	b.eventually("menu", func() (bool, string) {
		var n int
		err := conn.QueryRow(b.ctx, `SELECT count(*) FROM menu_items WHERE item_id IN ('margherita', 'tiramisu')`).Scan(&n)
		return err == nil && n == 2, fmt.Sprintf("%d of the dishes listed (%v)", n, err)
	})

	b.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#item-margherita")))
	b.add("margherita", "2", "no basil", "Added 2 × Margherita, Regular to your order.")
	b.add("tiramisu", "1", "", "Added 1 × Tiramisù to your order.")
	b.shot("menu")

	b.load("open-order", chromedp.Click(chromedp.CSS("#order-link")))
	pizza, dessert := b.line("Margherita"), b.line("Tiramisù")
	b.load("change-quantity", chromedp.SetValue(chromedp.CSS(pizza+` input[name="quantity"]`), "3"),
		chromedp.Click(chromedp.CSS(pizza+` form[action$="/change-quantity"] button`)))
	b.load("remove", chromedp.Click(chromedp.CSS(dessert+` form[action$="/remove"] button`)))
	b.load("choose-pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	b.load("give-contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Ana"),
		chromedp.SetValue(chromedp.CSS(`.contact-form input[name="phone"]`), "+351 912 345 678"),
		chromedp.Click(chromedp.CSS("#give-contact")))
	b.shot("order")

	// A double-click: two real mouse clicks on the same rendered button, the
	// second before the first one's page has arrived; both submit the form.
	// Chromium then sends one POST (the second submission replaces the first,
	// not yet sent), so the log of page loads shows what reached the server.
	since := b.loads.mark()
	// The checkout is live: its first push, on connecting, replaces the
	// button; the clicks go to the button the screen shows after it.
	b.do("place", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)), chromedp.Evaluate[chromedp.Void](
		`document.querySelector("#place-order").scrollIntoView({block: "center"});
		addEventListener("submit", () => { sessionStorage.submits = +(sessionStorage.submits ?? 0) + 1 }, true)`))
	xy := value(b, "place", chromedp.Evaluate[[2]float64](`(r => [r.x + r.width / 2, r.y + r.height / 2])(
		document.querySelector("#place-order").getBoundingClientRect())`))
	b.do("place", chromedp.MouseClickXY(xy[0], xy[1]), chromedp.MouseClickXY(xy[0], xy[1], chromedp.ClickCount(2)))
	b.do("placed", chromedp.WaitVisible(chromedp.CSS("#order-status.status-placed")))
	b.eventually("placed", func() (bool, string) {
		loads, loading, _ := b.loads.since(since)
		return loads != "" && loading == 0, fmt.Sprintf("%d page loads still loading:\n%s", loading, loads)
	})
	loads, _, failed := b.loads.since(since)
	t.Logf("page loads of the double-click:\n%s", loads)
	if n := value(b, "placed", chromedp.Evaluate[string](`sessionStorage.submits ?? "0"`)); n != "2" || failed > 0 {
		b.fail("placed", "the double-click submitted the form %s times (want 2), %d error pages", n, failed)
	}
	b.shot("placed")

	for sel, want := range map[string]string{
		"#order-status": "— the kitchen has your order", "ul.lines": "3 × Margherita",
		".total": "€33.00", "#fulfilment-heading + p": "Pickup",
	} {
		if got := value(b, "placed", chromedp.Text(chromedp.CSS(sel))); !strings.Contains(got, want) {
			b.fail("placed", "%s reads %q, want %q", sel, got, want)
		}
	}
	if n := value(b, "placed", chromedp.Evaluate[int](`document.querySelectorAll("li.line").length`)); n != 1 {
		b.fail("placed", "the placed order shows %d lines, want 1", n)
	}
	b.noAlerts("placed")

	var placed int
	if err := conn.QueryRow(b.ctx, `SELECT count(*) FROM events WHERE type = 'ordering.OrderPlaced'`).Scan(&placed); err != nil || placed != 1 {
		b.fail("database", "%d OrderPlaced events (%v), want exactly 1", placed, err)
	}
	b.eventually("database", func() (bool, string) {
		var lines, quantity int
		err := conn.QueryRow(b.ctx, `SELECT count(*), coalesce(sum(quantity), 0) FROM order_lines`).Scan(&lines, &quantity)
		return err == nil && lines == 1 && quantity == 3, fmt.Sprintf("order_lines: %d rows, quantity %d (%v)", lines, quantity, err)
	})
}

// chromiumPath finds Chromium, or skips the test (fails it in CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required in CI")
	}
	t.Skip("Chromium not found at /usr/bin/chromium or in PATH; install it (apt-get install chromium) to run this browser test")
	return ""
}

// browser is one headless tab whose steps save a screenshot when they fail.
type browser struct {
	t     *testing.T
	tab   context.Context // the tab, for screenshots after a failure
	ctx   context.Context // the tab within the test's deadline
	loads *pageLoads
}

// openBrowser starts Chromium with one phone-sized tab; all steps together
// must finish within timeout.
func openBrowser(t *testing.T, chrome string, timeout time.Duration) *browser {
	t.Helper()
	deadline := time.Now().Add(timeout)
	root, cancelRoot := context.WithDeadline(context.Background(), deadline.Add(10*time.Second))
	dir := t.TempDir()
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, chromedp.ExecPath(chrome), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Env("TMPDIR="+dir),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(412, 915))
	tab, cancelTab := chromedp.NewContext(alloc)
	b := &browser{t: t, tab: tab, loads: &pageLoads{open: map[network.RequestID]int{}}}
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelRoot() })
	if err := chromedp.Do(tab, chromedp.EmulateViewport(412, 915)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Listen(tab, b.loads.record); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	ctx, cancel := context.WithDeadline(tab, deadline)
	t.Cleanup(cancel)
	b.ctx = ctx
	return b
}

// do runs the actions of one step.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	value(b, step, chromedp.Steps(actions...))
}

// value runs an action of one step and returns its value.
func value[T any](b *browser, step string, action chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, action)
	if err != nil {
		b.fail(step, "%v", err)
	}
	return v
}

// load runs actions that post a form or follow a link, and waits for the
// page they lead to, which must answer 200.
func (b *browser) load(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	switch resp, err := chromedp.RunResponse(b.ctx, actions...); {
	case err != nil:
		b.fail(step, "%v", err)
	case resp == nil:
		b.fail(step, "no page loaded")
	case resp.Status != 200:
		b.fail(step, "%s answered %d", resp.URL, resp.Status)
	}
}

// add unfolds a dish's form on the menu, fills it in, submits it and
// checks the confirmation at the foot of the screen.
func (b *browser) add(dish, quantity, note, flash string) {
	b.t.Helper()
	item, step := "#item-"+dish, "add-"+dish
	// In one step in the page: the live menu may replace the dish's card
	// between finding a field and filling it in.
	b.do(step, chromedp.WaitVisible(chromedp.CSS(item+" details.dish-order summary")))
	b.load(step, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(f => {
		f.closest("details").open = true
		f.querySelector('input[name="quantity"]').value = %q
		f.querySelector('input[name="note"]').value = %q
		f.querySelector("button").click()
	})(document.querySelector(%q))`, quantity, note, item+" form.add-form")))
	b.do(step, chromedp.WaitVisible(chromedp.CSS("#order-link")))
	if got := value(b, step, chromedp.Text(chromedp.CSS(".toast .flash-text"))); got != flash {
		b.fail(step, "flash %q, want %q", got, flash)
	}
}

// line finds the order line of a dish and returns its CSS selector.
func (b *browser) line(name string) string {
	b.t.Helper()
	id := value(b, "line", chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll("li.line")].find(li => li.innerText.includes(%q))?.id ?? ""`, name)))
	if id == "" {
		b.fail("line", "no order line for %s", name)
	}
	return "#" + id
}

// eventually polls cond until it holds, or fails when the deadline passes.
func (b *browser) eventually(step string, cond func() (bool, string)) {
	b.t.Helper()
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-b.ctx.Done():
			b.fail(step, "gave up waiting: %s", state)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// shot saves a screenshot of the page as BROWSER_SHOTS/<name>.png, when set.
func (b *browser) shot(name string) {
	b.t.Helper()
	if dir := os.Getenv("BROWSER_SHOTS"); dir != "" {
		png := value(b, name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Errorf("save screenshot: %v", err)
		}
	}
}

// shotView saves what the viewport shows, as BROWSER_SHOTS/<name>.png,
// when set: a screen's worth, as its user sees it.
func (b *browser) shotView(name string) {
	b.t.Helper()
	if dir := os.Getenv("BROWSER_SHOTS"); dir != "" {
		png := value(b, name, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Errorf("save screenshot: %v", err)
		}
	}
}

// fail saves a full-page screenshot for the step and ends the test.
func (b *browser) fail(step, format string, args ...any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	path := filepath.Join(os.TempDir(), "restaurant-browser-"+step+".png")
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		b.t.Logf("no screenshot of the failure: %v", err)
	} else if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("no screenshot of the failure: %v", err)
	} else {
		b.t.Logf("screenshot of the failure at %s: %s", where, path)
	}
	b.t.Fatalf("%s: %s", step, fmt.Sprintf(format, args...))
}

// pageLoads logs the documents that the tab loads, each as a trail such as
// "POST /orders/x/commands/place 303 → GET /orders/x 200".
type pageLoads struct {
	mu     sync.Mutex
	trails []string
	open   map[network.RequestID]int // the trail of each load in flight
	failed int                       // responses of 400 and more
}

// record is a listener of the tab's events.
func (p *pageLoads) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		i, ok := p.open[ev.RequestID]
		if !ok {
			if ev.Type != network.ResourceTypeDocument {
				return
			}
			i, p.trails = len(p.trails), append(p.trails, "")
			p.open[ev.RequestID] = i
		}
		if ev.RedirectResponse != nil {
			p.trails[i] += fmt.Sprintf(" %d →", ev.RedirectResponse.Status)
		}
		u, _ := url.Parse(ev.Request.URL)
		p.trails[i] += " " + ev.Request.Method + " " + u.Path
	case *network.EventResponseReceived:
		if i, ok := p.open[ev.RequestID]; ok {
			p.trails[i] += fmt.Sprint(" ", ev.Response.Status)
			if ev.Response.Status >= 400 {
				p.failed++
			}
		}
	case *network.EventLoadingFailed:
		if i, ok := p.open[ev.RequestID]; ok {
			p.trails[i] += " " + ev.ErrorText
		}
		delete(p.open, ev.RequestID)
	case *network.EventLoadingFinished:
		delete(p.open, ev.RequestID)
	}
}

// mark is how many page loads have started so far.
func (p *pageLoads) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.trails)
}

// since lists the page loads since mark, one a line, and counts the loads in
// flight and the error responses of the whole test.
func (p *pageLoads) since(mark int) (loads string, loading, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, trail := range p.trails[mark:] {
		loads += " " + trail + "\n"
	}
	return loads, len(p.open), p.failed
}

// TestManagerSignsInAndAddsStaff: the admin signs in through the form, adds
// a kitchen member on the team page, and signs out.
func TestManagerSignsInAndAddsStaff(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	b := openBrowser(t, chrome, 60*time.Second)

	b.signIn(base + "/staff/team") // an anonymous visitor is sent to sign in first
	b.do("team", chromedp.WaitVisible(chromedp.CSS("#member-admin")))
	b.do("add-member", chromedp.SendKeys(chromedp.CSS(`form[action="/staff/team/commands/add"] input[name="username"]`), "kai"),
		chromedp.SetValue(chromedp.CSS(`form[action="/staff/team/commands/add"] select[name="role"]`), "kitchen"),
		chromedp.SendKeys(chromedp.CSS(`form[action="/staff/team/commands/add"] input[name="password"]`), "tomatoes and basil"))
	b.load("add-member", chromedp.Click(chromedp.CSS(`form[action="/staff/team/commands/add"] button`)))
	b.do("added", chromedp.WaitVisible(chromedp.CSS("#member-kai")))
	if role := value(b, "added", chromedp.Text(chromedp.CSS("#member-kai .dish-head span"))); !strings.Contains(role, "kitchen") {
		b.fail("added", "kai's role reads %q", role)
	}
	b.shot("team")
	b.load("sign-out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	b.load("after-sign-out", chromedp.Navigate(base+"/staff/team"))
	b.do("after-sign-out", chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
}

// TestKitchenWorksATicketInTheBrowser: a guest's order reaches the kitchen
// display on a wall tablet, the cook starts it and bumps it.
func TestKitchenWorksATicketInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	placeByJSON(t, base)
	b := openBrowser(t, chrome, 60*time.Second)
	b.do("tablet", chromedp.EmulateViewport(1280, 800))
	b.signIn(base + "/login?next=/kitchen")
	b.eventually("ticket", func() (bool, string) {
		n := value(b, "ticket", chromedp.Evaluate[int](`document.querySelectorAll("ol.tickets li.ticket-queued").length`))
		if n == 0 {
			b.load("ticket", chromedp.Reload())
		}
		return n == 1, fmt.Sprintf("%d queued tickets", n)
	})
	// The buttons are answered in place: the page stays.
	b.do("stay", chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	b.do("start", press(`li.ticket-queued form[action$="/commands/start"] button`))
	b.do("started", chromedp.WaitVisible(chromedp.CSS("li.ticket-preparing")))
	b.shot("kitchen")
	b.do("ready", press(`li.ticket-preparing form[action$="/commands/ready"] button`))
	b.do("bumped", chromedp.WaitVisible(chromedp.CSS(`li.ticket-ready form[action$="/commands/hand-over"]`)))
	stayed(b, "bumped")
}

// placeByJSON places an order through the JSON commands, as another client would.
func placeByJSON(t *testing.T, base string) {
	t.Helper()
	placeJSON(t, base, "Ana", `{"menu_item_id":"diavola","option-size":"regular","quantity":2,"note":"extra chilli"}`)
}

// placeJSON places an order for pickup under a guest's name through the JSON
// commands, as another client would: each dish is the body of its add
// command. It returns the order's id.
func placeJSON(t *testing.T, base, name string, dishes ...string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	post := func(path, body string) string {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
		return resp.Header.Get("Location")
	}
	order := post("/orders/commands/open", dishes[0])
	for _, d := range dishes[1:] {
		post(order+"/items/commands/add", d)
	}
	post(order+"/commands/choose-pickup", `{}`)
	post(order+"/commands/give-contact", fmt.Sprintf(`{"name":%q}`, name))
	post(order+"/commands/place", `{}`)
	return strings.TrimPrefix(order, "/orders/")
}

// TestScreensFollowLiveAndComeBack: a guest places an order and the kitchen
// display shows it without a reload; the kitchen bumps it and the guest's
// page says so without a reload; the server goes away and comes back, and
// both screens reconnect and show what changed while they were away.
func TestScreensFollowLiveAndComeBack(t *testing.T) {
	chrome := chromiumPath(t)
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"}
	base, _, stopFirst := startServerAt(t, env, "127.0.0.1:0")

	kitchen := openBrowser(t, chrome, 90*time.Second)
	kitchen.do("tablet", chromedp.EmulateViewport(1280, 800))
	kitchen.signIn(base + "/login?next=/kitchen")
	kitchen.do("kitchen live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))

	guest := openBrowser(t, chrome, 90*time.Second)
	guest.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#item-margherita")))
	guest.add("margherita", "1", "", "Added 1 × Margherita, Regular to your order.")
	guest.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	guest.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	guest.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Ana"), chromedp.Click(chromedp.CSS("#give-contact")))
	guest.load("place", press("#place-order"))
	guest.do("guest live", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))
	order := value(guest, "order id", chromedp.Evaluate[string](`location.pathname.split("/").pop()`))

	placed := time.Now()
	kitchen.do("ticket arrives", chromedp.WaitVisible(chromedp.CSS("#ticket-"+order)))
	t.Logf("the ticket reached the kitchen display %s after the order page loaded", time.Since(placed).Round(time.Millisecond))
	stayed(kitchen, "ticket arrives")
	kitchen.shot("kitchen-live")

	kitchen.do("start", press(`#ticket-`+order+` form[action$="/commands/start"] button`))
	kitchen.do("started", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+order+`.ticket-preparing`)))
	kitchen.do("ready", press(`#ticket-`+order+` form[action$="/commands/ready"] button`))
	guest.do("ready", chromedp.WaitVisible(chromedp.CSS("#order-status.status-ready")))
	stayed(guest, "ready")
	kitchen.do("kitchen live again", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))

	// The server goes away: every socket drops, and the screens say so.
	stopFirst()
	guest.do("reconnecting", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="reconnecting"]`)))
	startServerAt(t, env, strings.TrimPrefix(base, "http://"))
	// A change while the screens were away.
	handOver(t, base, order)
	guest.do("handed over", chromedp.WaitVisible(chromedp.CSS("#order-status.status-handed_over")))
	kitchen.do("handed over", chromedp.WaitNotPresent(chromedp.CSS("#ticket-"+order)),
		chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	stayed(guest, "handed over")
	stayed(kitchen, "handed over")
	guest.shot("guest-live")
}

// signIn opens a page that asks to sign in, and signs in as the admin.
func (b *browser) signIn(page string) {
	b.t.Helper()
	b.load("sign-in", chromedp.Navigate(page))
	b.do("sign-in", chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "owner's own secret"))
	b.load("sign-in", chromedp.Click(chromedp.CSS(`form[action="/login"] button`)))
}

// press clicks a button in one step in the page: on a live screen a push
// may replace the board between finding a node and clicking it.
func press(selector string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, selector))
}

// stayed checks the page was not reloaded: what changed came by the socket.
func stayed(b *browser, step string) {
	b.t.Helper()
	if v := value(b, step, chromedp.Evaluate[string](`window.stayed || "reloaded"`)); v != "yes" {
		b.fail(step, "the page was reloaded")
	}
}

// handOver signs the admin in over HTTP and hands a ticket over.
func handOver(t *testing.T, base, ticket string) {
	t.Helper()
	ticketCommand(t, adminClient(t, base), base, ticket, "hand-over")
}

// adminClient is an HTTP client signed in as the admin, once the server
// answers.
func adminClient(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {"owner's own secret"}})
		if err == nil {
			resp.Body.Close()
			return client
		}
		if time.Now().After(deadline) {
			t.Fatalf("sign in again: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ticketCommand presses a kitchen button on a ticket.
func ticketCommand(t *testing.T, client *http.Client, base, ticket, command string) {
	t.Helper()
	resp, err := client.PostForm(base+"/kitchen/tickets/"+ticket+"/commands/"+command, url.Values{"command_id": {command + "-" + ticket}, "payment": {"cash"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK { // the client followed the 303 to the kitchen display
		t.Fatalf("%s: %s", command, resp.Status)
	}
}

// TestManagerAddsADishAndGuestsSeeItLive: a guest has the menu open; the
// manager adds a dish on the menu management page; it appears on the
// guest's menu without a reload.
func TestManagerAddsADishAndGuestsSeeItLive(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	guest := openBrowser(t, chrome, 60*time.Second)
	guest.do("menu", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = "yes"`))

	manager := openBrowser(t, chrome, 60*time.Second)
	manager.signIn(base + "/staff/menu")
	add := `form[action="/menu/items/commands/add"] `
	manager.do("add dish", chromedp.WaitVisible(chromedp.CSS(add+`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(add+`input[name="name"]`), "Calzone"),
		chromedp.SetValue(chromedp.CSS(add+`select[name="category_id"]`), "pizza"),
		chromedp.Click(chromedp.CSS(add+`input[name="allergens"][value="gluten"]`)),
		chromedp.Click(chromedp.CSS(add+`input[name="allergens"][value="milk"]`)),
		chromedp.SendKeys(chromedp.CSS(add+`input[name="description"]`), "Folded, with ricotta and salami."),
		chromedp.SendKeys(chromedp.CSS(add+`input[name="price"]`), "13.90"))
	manager.load("add dish", chromedp.Click(chromedp.CSS(add+"button")))
	manager.do("added", chromedp.WaitVisible(chromedp.CSS(`li[id^="dish-calzone-"]`)))
	manager.shot("staff-menu")

	guest.do("dish arrives", chromedp.WaitVisible(chromedp.CSS(`li[id^="item-calzone-"]`)))
	stayed(guest, "dish arrives")

	// The guest orders it; the kitchen works it; the history tells it all.
	guest.load("order calzone", press(`li[id^="item-calzone-"] form button`))
	guest.load("order", chromedp.Click(chromedp.CSS("#order-link")))
	guest.load("pickup", chromedp.Click(chromedp.CSS("#choose-pickup")))
	guest.load("contact", chromedp.SetValue(chromedp.CSS(`.contact-form input[name="name"]`), "Ana"), chromedp.Click(chromedp.CSS("#give-contact")))
	guest.load("place", press("#place-order"))
	order := value(guest, "order id", chromedp.Evaluate[string](`location.pathname.split("/").pop()`))
	manager.load("kitchen", chromedp.Navigate(base+"/kitchen"))
	manager.do("ticket", chromedp.WaitVisible(chromedp.CSS("#ticket-"+order)))
	manager.do("start", press(`#ticket-`+order+` form[action$="/commands/start"] button`))
	manager.do("started", chromedp.WaitVisible(chromedp.CSS(`#ticket-`+order+`.ticket-preparing`)))
	manager.do("ready", press(`#ticket-`+order+` form[action$="/commands/ready"] button`))
	guest.do("ready", chromedp.WaitVisible(chromedp.CSS("#order-status.status-ready")))

	manager.load("orders", chromedp.Navigate(base+"/staff/orders"))
	manager.load("history", chromedp.Click(chromedp.CSS(`a[href="/staff/orders/`+order+`/history"]`)))
	manager.eventually("history", func() (bool, string) {
		n := value(manager, "history", chromedp.Evaluate[int](`document.querySelectorAll("ol.history > li").length`))
		if n < 9 {
			manager.load("history", chromedp.Reload())
		}
		return n == 9, fmt.Sprintf("%d events in the history", n)
	})
	rows := value(manager, "history", chromedp.Evaluate[string](`[...document.querySelectorAll("ol.history > li")].map(li => li.querySelector("strong").textContent + " | " + li.querySelector("p strong").textContent).join("\n")`))
	t.Logf("history:\n%s", rows)
	for i, want := range []string{"Order opened | the guest", "Added 1 × Calzone", "Chose pickup | the guest", "Gave the contact: Ana | the guest", "Placed the order",
		"Kitchen ticket opened with 1 dish(es) for Ana | the kitchen tickets policy",
		"The kitchen started cooking | admin (staff)", "Noted that the kitchen started", "The kitchen marked it ready | admin (staff)"} {
		if !strings.Contains(rows, want) {
			manager.fail("history", "row %d: no %q in\n%s", i+1, want, rows)
		}
	}
	manager.shot("history")
	manager.load("time travel", chromedp.Navigate(base+"/staff/orders/"+order+"/history?at=1"))
	if lines := value(manager, "time travel", chromedp.Evaluate[int](`document.querySelectorAll("#history-lines li").length`)); lines != 0 {
		manager.fail("time travel", "the order after revision 1 has %d dishes, want none", lines)
	}
	if status := value(manager, "time travel", chromedp.Text(chromedp.CSS("#history-status"))); status != "open" {
		manager.fail("time travel", "status after revision 1: %q", status)
	}
	for _, page := range []string{"orders", "projections", "events"} {
		manager.load(page, chromedp.Navigate(base+"/staff/"+page))
		manager.shot(page)
	}
	manager.do("projections live", chromedp.Navigate(base+"/staff/projections"),
		chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)), chromedp.WaitVisible(chromedp.CSS("#projection-orders")))
}

// TestGuestFiltersTheMenuInTheBrowser: on a phone, a guest filters the
// menu by an allergen and a diet with the plain form, sees what it is
// filtered by, and takes a part of it off; the manager keeps the menu's
// categories, allergens and diets on a desktop.
func TestGuestFiltersTheMenuInTheBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	guest := openBrowser(t, chrome, 60*time.Second)
	guest.do("phone", chromedp.EmulateViewport(390, 844))
	dishes := func() int {
		return value(guest, "dishes", chromedp.Evaluate[int](`document.querySelectorAll("li.dish").length`))
	}
	guest.eventually("menu", func() (bool, string) {
		guest.load("menu", chromedp.Navigate(base+"/"))
		return dishes() == 17, fmt.Sprintf("%d dishes on the menu", dishes())
	})
	guest.do("filter", chromedp.Click(chromedp.CSS(".menu-filter summary")),
		chromedp.Click(chromedp.CSS(`.menu-filter input[name="without"][value="milk"]`)),
		chromedp.Click(chromedp.CSS(`.menu-filter input[name="diet"][value="vegetarian"]`)))
	guest.load("filter", chromedp.Click(chromedp.CSS(".menu-filter button")))
	if where := value(guest, "filtered", chromedp.Evaluate[string](`location.search`)); where != "?without=milk&diet=vegetarian" {
		guest.fail("filtered", "the filter went to %q", where)
	}
	// The live region is swapped in on connecting: read it in one step.
	guest.do("filtered", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)))
	state := value(guest, "filtered", chromedp.Evaluate[string](`document.querySelector(".filter-state").innerText`))
	if n := dishes(); n != 4 || !strings.Contains(state, "Showing 4 of 17 dishes") || !strings.Contains(state, "without milk") {
		guest.fail("filtered", "%d dishes, the state reads %q", n, state)
	}
	guest.shot("menu-filtered-phone")
	guest.shotView("menu-filtered-phone-screen")
	guest.do("filter form", chromedp.Click(chromedp.CSS(".menu-filter summary")))
	guest.shotView("menu-filter-form-phone")
	guest.load("unfilter milk", press(`.filter-state a.chip[href="/?diet=vegetarian"]`))
	if n := dishes(); n != 14 {
		guest.fail("unfilter milk", "%d vegetarian dishes, want 14", n)
	}

	manager := openBrowser(t, chrome, 60*time.Second)
	manager.do("desktop", chromedp.EmulateViewport(1280, 900))
	manager.signIn(base + "/staff/menu")
	manager.do("staff menu", chromedp.WaitVisible(chromedp.CSS("#categories")))
	manager.do("rename", chromedp.Click(chromedp.CSS("#category-drinks summary")),
		chromedp.SetValue(chromedp.CSS(`#category-drinks form[action$="/rename"] input[name="name"]`), "Drinks and coffee"))
	manager.load("rename", chromedp.Click(chromedp.CSS(`#category-drinks form[action$="/rename"] button`)))
	manager.load("move", chromedp.Click(chromedp.CSS(`#category-drinks form[action$="/move"] input[value="up"] ~ button`)))
	if name := value(manager, "moved", chromedp.Text(chromedp.CSS("ol.categories li:nth-child(4) .category-name strong"))); name != "Drinks and coffee" {
		manager.fail("moved", "the fourth category is %q", name)
	}
	manager.shot("staff-menu-desktop")
	manager.shotView("staff-menu-desktop-screen")
	manager.do("change a dish", chromedp.Click(chromedp.CSS("#dish-carbonara summary")),
		chromedp.ScrollIntoView(chromedp.CSS("#dish-carbonara")))
	manager.shotView("staff-menu-dish-form")
}
