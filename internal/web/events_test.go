package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestEventLogFiltersAndPages(t *testing.T) {
	a := withStaff(t)
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	id := g.openWith("margherita", "1")
	for range 3 {
		g.follow(g.post("/orders/"+id+"/items/commands/add", form("menu_item_id", "lemonade", "option-size", "glass", "quantity", "1")))
	}
	positions := regexp.MustCompile(`id="position-(\d+)"`)
	list := func(query string) ([]string, string) {
		t.Helper()
		rec := m.get("/staff/events" + query)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", query, rec.Code)
		}
		var ps []string
		for _, m := range positions.FindAllStringSubmatch(rec.Body.String(), -1) {
			ps = append(ps, m[1])
		}
		return ps, rec.Body.String()
	}
	all, _ := list("")
	for i := 1; i < len(all); i++ {
		prev, _ := strconv.Atoi(all[i-1])
		cur, _ := strconv.Atoi(all[i])
		if cur >= prev {
			t.Fatalf("the log is not newest first: %v", all)
		}
	}
	if len(all) < 20 {
		t.Fatalf("the log shows %d events", len(all))
	}
	adds, body := list("?type=ordering.ItemAddedToOrder&stream=order-" + id)
	if len(adds) != 4 || !strings.Contains(body, `href="/staff/orders/`+id+`/history"`) {
		t.Fatalf("%d item-added events of the order (want 4), or no link to its history", len(adds))
	}
	streams, _ := list("?type=menu.MenuItemAdded&stream=menu-item-")
	if len(streams) != 17 {
		t.Fatalf("%d dishes added, want the 17 of the demo menu", len(streams))
	}
	page, _ := list("?type=menu.MenuItemAdded&stream=menu-item-&before=" + streams[9])
	if len(page) != 7 || page[0] != streams[10] {
		t.Fatalf("the page before %s: %v", streams[9], page)
	}
	if rec := m.get("/staff/events?from=yesterday"); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad time: %d", rec.Code)
	}
	if rec := m.get("/staff/events?before=-4"); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad page: %d", rec.Code)
	}
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	if rec := cook.get("/staff/events"); rec.Code != http.StatusForbidden {
		t.Fatalf("kitchen reads the event log: %d", rec.Code)
	}
}
