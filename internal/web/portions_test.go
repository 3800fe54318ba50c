package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"restaurant/domain/menu"
	"restaurant/projections"
)

// portionsLeft reads the portions read model for a dish; -1: no limit.
func (a *testApp) portionsLeft(dish string) int {
	a.t.Helper()
	left, err := projections.Portions{Pool: a.store.Pool()}.Left(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	if n, ok := left[dish]; ok {
		return n
	}
	return -1
}

// countType counts a stream's events of a type.
func (a *testApp) countType(stream, eventType string) int {
	a.t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE stream_id = $1 AND type = $2`,
		stream, eventType).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestManagersLimitPortionsAndTheMenuCountsDown(t *testing.T) {
	a := withStaff(t)
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)

	rec := m.post("/menu/items/carbonara/commands/set-portions", form("portions", "4"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/menu" {
		t.Fatalf("set portions: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if page := m.follow(rec).Body.String(); !strings.Contains(page, "4 left") {
		t.Fatal("the manager's menu does not count the portions")
	}
	if menu := g.afterOthers("/").Body.String(); !strings.Contains(menu, `id="left-carbonara">4 left<`) {
		t.Fatalf("the guests' menu does not count down:\n%s", menu)
	}

	for _, tc := range []struct {
		what, path, portions string
		status               int
		message              string
	}{
		{"not a number", "/menu/items/carbonara/commands/set-portions", "a dozen", 422, "Enter a number of portions from 0 to 999."},
		{"too many", "/menu/items/carbonara/commands/set-portions", "1000", 422, "Enter a number of portions from 0 to 999."},
		{"fewer than none", "/menu/items/carbonara/commands/set-portions", "-1", 422, "Enter a number of portions from 0 to 999."},
		{"no such dish", "/menu/items/no-such-dish/commands/set-portions", "3", 404, "There is no such dish."},
		{"not a dish's id", "/menu/items/No%20Dish/commands/set-portions", "3", 404, "There is no such dish."},
	} {
		wantRefused(t, a, tc.what, tc.status, tc.message, func() *httptest.ResponseRecorder {
			return m.post(tc.path, form("portions", tc.portions))
		})
	}
	// The form's message is next to the dish's portions field.
	rec = m.post("/menu/items/carbonara/commands/set-portions", form("portions", "lots"))
	if b := rec.Body.String(); !strings.Contains(b, `value="lots"`) || !strings.Contains(b, `aria-invalid="true"`) {
		t.Fatalf("the refused portions form:\n%s", b)
	}
	m.follow(m.post("/menu/items/funghi/commands/remove", form()))
	wantRefused(t, a, "a removed dish", http.StatusConflict, "This item was removed from the menu.", func() *httptest.ResponseRecorder {
		return m.post("/menu/items/funghi/commands/set-portions", form("portions", "3"))
	})
	rec = m.postJSON("/menu/items/carbonara/commands/set-portions", "p-1", `{"portions": 1000}`)
	if p := problemOfBody(t, rec); rec.Code != 422 || p.Field != "portions" {
		t.Fatalf("JSON: %d %+v", rec.Code, p)
	}

	// Asking for more than are left is refused when adding; placing takes
	// them, and the menu counts down.
	wantRefused(t, a, "adding more than are left", http.StatusUnprocessableEntity, "Only 4 portions of Spaghetti carbonara are left.", func() *httptest.ResponseRecorder {
		return g.post("/orders/commands/open", form("menu_item_id", "carbonara", "quantity", "5"))
	})
	id := g.readyOrder("carbonara", "3")
	if rec := g.post("/orders/"+id+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("place: %d %s", rec.Code, rec.Body)
	}
	if menu := g.get("/").Body.String(); !strings.Contains(menu, `id="left-carbonara">1 left<`) {
		t.Fatalf("after placing 3 of 4:\n%s", menu)
	}
	// Another guest's order for 2 is told how many are left, beforehand on
	// its page and when placing, and takes nothing.
	other := a.guest()
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "3")))
	two := other.readyOrder("carbonara", "2")
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "1")))
	if page := other.afterOthers("/orders/" + two).Body.String(); !strings.Contains(page, "Only 1 portion of Spaghetti carbonara is left. Lower the quantity") {
		t.Fatalf("the order page does not warn:\n%s", page)
	}
	wantRefused(t, a, "placing more than are left", http.StatusConflict, "Only 1 portion of Spaghetti carbonara is left; lower the quantity to place your order.", func() *httptest.ResponseRecorder {
		return other.post("/orders/"+two+"/commands/place", form())
	})

	// At none left the dish shows sold out.
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "0")))
	menu := g.afterOthers("/").Body.String()
	if !strings.Contains(menu, `dish card sold-out" id="item-carbonara"`) {
		t.Fatalf("a dish with no portions left is not sold out:\n%s", menu)
	}
	wantRefused(t, a, "placing a dish with none left", http.StatusConflict, "Sorry, Spaghetti carbonara is sold out.", func() *httptest.ResponseRecorder {
		return other.post("/orders/"+two+"/commands/place", form())
	})
	wantRefused(t, a, "adding a dish with none left", http.StatusUnprocessableEntity, "Sorry, Spaghetti carbonara is sold out for now.", func() *httptest.ResponseRecorder {
		return a.guest().post("/orders/commands/open", form("menu_item_id", "carbonara", "quantity", "1"))
	})

	// No limit: the dish is counted no more.
	m.follow(m.post("/menu/items/carbonara/commands/clear-portions", form()))
	if menu := g.afterOthers("/").Body.String(); strings.Contains(menu, `id="left-carbonara"`) || strings.Contains(menu, `sold-out" id="item-carbonara"`) {
		t.Fatalf("after clearing the limit:\n%s", menu)
	}
	if rec := other.post("/orders/"+two+"/commands/place", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("placing without a limit: %d %s", rec.Code, rec.Body)
	}
}

// TestFortyGuestsForTheLastTwelvePortions: forty guests place at the same
// moment, each an order of the dish with twelve portions left. Exactly
// twelve orders are placed, the others are told why; the read models
// agree; a cancel gives its portion back.
func TestFortyGuestsForTheLastTwelvePortions(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "12")))
	a.caughtUp()

	const guests = 40
	orders := make([]string, guests)
	placers := make([]*guest, guests)
	for i := range guests {
		g := a.guest()
		g.addr = fmt.Sprintf("198.51.100.%d:40000", i+10) // the hourly limits count per address
		placers[i], orders[i] = g, g.readyOrder("carbonara", "1")
	}
	answers := make([]*httptest.ResponseRecorder, guests)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range guests {
		wg.Go(func() {
			<-start
			answers[i] = placers[i].post("/orders/"+orders[i]+"/commands/place", form())
		})
	}
	close(start)
	wg.Wait()

	refusal := regexp.MustCompile(`Only \d+ portions? of Spaghetti carbonara (is|are) left|Spaghetti carbonara is sold out`)
	placed, refused := 0, 0
	var placedIDs []string
	for i, rec := range answers {
		switch {
		case rec.Code == http.StatusSeeOther:
			placed++
			placedIDs = append(placedIDs, orders[i])
		case rec.Code == http.StatusConflict && refusal.MatchString(rec.Body.String()):
			refused++
		default:
			t.Errorf("guest %d: %d, neither placed nor clearly refused:\n%s", i, rec.Code, rec.Body)
		}
	}
	if placed != 12 || refused != 28 {
		t.Fatalf("%d placed and %d refused, want 12 and 28", placed, refused)
	}
	dish := menu.PortionsStream("carbonara")
	if n := a.countType(dish, "menu.PortionsTaken"); n != 12 {
		t.Fatalf("%d takes in the dish's stream, want 12", n)
	}
	a.caughtUp()
	if n := a.portionsLeft("carbonara"); n != 0 {
		t.Fatalf("the read model has %d left, want 0", n)
	}
	var inOrders int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT coalesce(sum(l.quantity), 0) FROM orders o JOIN order_lines l USING (order_id)
		WHERE o.status = 'placed' AND l.menu_item_id = 'carbonara'`).Scan(&inOrders); err != nil || inOrders != 12 {
		t.Fatalf("placed orders hold %d carbonara (%v), want 12", inOrders, err)
	}
	eventually(t, 15*time.Second, "the dish sold out on the menu", func() bool {
		return strings.Contains(a.guest().get("/").Body.String(), `dish card sold-out" id="item-carbonara"`)
	})

	// A canceled order gives its portion back, once.
	first := placers[slices.Index(orders, placedIDs[0])]
	if rec := first.post("/orders/"+placedIDs[0]+"/commands/cancel", form("reason", "changed my mind")); rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	eventually(t, 15*time.Second, "the canceled order's portion back", func() bool {
		a.caughtUp()
		return a.portionsLeft("carbonara") == 1
	})
	eventually(t, 15*time.Second, "the portion given back on the menu", func() bool {
		return strings.Contains(a.guest().get("/").Body.String(), `id="left-carbonara">1 left<`)
	})
	if n := a.countType(dish, "menu.PortionsReturned"); n != 1 {
		t.Fatalf("%d returns, want 1", n)
	}
}
