package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestManagerKeepsTheMenu(t *testing.T) {
	a := withStaff(t)
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)

	if rec := cook.get("/staff/menu"); rec.Code != http.StatusForbidden {
		t.Fatalf("kitchen on menu management: %d", rec.Code)
	}
	// Cooks only mark dishes sold out and back in stock (see
	// TestCooksMarkDishesSoldOutFromTheKitchen); the rest is the managers'.
	for _, path := range []string{"/menu/items/margherita/commands/remove", "/menu/items/margherita/commands/modify",
		"/menu/items/commands/add", "/menu/items/margherita/commands/set-portions", "/menu/items/margherita/commands/clear-portions"} {
		if rec := cook.post(path, form("name", "X", "category", "Y", "price", "1", "portions", "3")); rec.Code != http.StatusForbidden {
			t.Fatalf("kitchen posted %s: %d", path, rec.Code)
		}
	}
	if rec := g.post("/menu/items/commands/add", form("name", "Pizza", "category", "Pizza", "price", "9")); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest added a dish: %d", rec.Code)
	}

	added := m.post("/menu/items/commands/add", form("name", "Calzone", "category", "Pizza", "description", "Folded, with ricotta.", "price", "13,90"))
	page := m.follow(added)
	if !strings.Contains(page.Body.String(), "Calzone") || !strings.Contains(page.Body.String(), "€13.90") {
		t.Fatal("the new dish is not on the manager's page")
	}
	eventually(t, 15*time.Second, "the new dish on the guests' menu", func() bool { return strings.Contains(g.get("/").Body.String(), "Calzone") })

	rejections := []struct {
		path    string
		form    []string
		message string
	}{
		{"/menu/items/commands/add", []string{"name", "", "category", "Pizza", "price", "9"}, "name"},
		{"/menu/items/commands/add", []string{"name", "Free pizza", "category", "Pizza", "price", "0"}, "price"},
		{"/menu/items/commands/add", []string{"name", "Odd pizza", "category", "Pizza", "price", "nine"}, "like 11.50"},
		{"/menu/items/commands/add", []string{"name", "Odd pizza", "category", "Pizza", "price", "9.999"}, "like 11.50"},
		{"/menu/items/margherita/commands/modify", []string{"name", "Margherita", "category", "", "price", "11"}, "ategory"},
	}
	for _, r := range rejections {
		before := a.events()
		rec := m.post(r.path, form(r.form...))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), r.message) {
			t.Errorf("%s %v: %d, want 422 mentioning %q", r.path, r.form, rec.Code, r.message)
		}
		if a.events() != before {
			t.Errorf("%s %v wrote events", r.path, r.form)
		}
	}

	m.follow(m.post("/menu/items/margherita/commands/modify", form("name", "Margherita DOP", "category", "Pizza", "description", "San Marzano, bufala.", "price", "12.5")))
	m.follow(m.post("/menu/items/tiramisu/commands/sold-out", form()))
	m.follow(m.post("/menu/items/funghi/commands/remove", form()))
	eventually(t, 15*time.Second, "the menu without funghi", func() bool { return !strings.Contains(g.get("/").Body.String(), "Funghi") })
	menu := g.get("/").Body.String()
	if !strings.Contains(menu, "Margherita DOP") || !strings.Contains(menu, "€12.50") || strings.Contains(menu, "Funghi") ||
		!strings.Contains(menu, `sold-out" id="item-tiramisu"`) {
		t.Fatal("the guests' menu does not show the manager's changes")
	}
	if rec := m.post("/menu/items/funghi/commands/sold-out", form()); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "removed") {
		t.Fatalf("a command on a removed dish: %d", rec.Code)
	}
	if rec := m.post("/menu/items/lobster/commands/sold-out", form()); rec.Code != http.StatusNotFound {
		t.Fatalf("a command on an unknown dish: %d", rec.Code)
	}
	m.follow(m.post("/menu/items/tiramisu/commands/back-in-stock", form()))
}
