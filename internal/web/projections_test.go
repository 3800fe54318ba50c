package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestProjectionsPageShowsLagAndRebuilds(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	page := m.get("/staff/projections").Body.String()
	for _, name := range []string{"menu", "orders", "staff", "tickets", "policy:kitchen-tickets", "policy:order-progress"} {
		if !strings.Contains(page, `id="projection-`+name+`"`) {
			t.Errorf("no row for %s", name)
		}
	}
	if strings.Contains(page, "/staff/projections/policy:kitchen-tickets/commands/rebuild") {
		t.Error("a policy offers a rebuild")
	}
	if rec := m.post("/staff/projections/menu/commands/rebuild", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("rebuild: %d", rec.Code)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(m.get("/staff/projections").Body.String(), "Rebuilt from") {
		if time.Now().After(deadline) {
			t.Fatal("the rebuild never finished")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if menu := a.guest().get("/?fresh").Body.String(); !strings.Contains(menu, "Margherita") {
		t.Fatal("the rebuilt menu lost its dishes")
	}
	for path, status := range map[string]int{
		"/staff/projections/policy:kitchen-tickets/commands/rebuild": http.StatusNotFound,
		"/staff/projections/nothing/commands/rebuild":                http.StatusNotFound,
	} {
		if rec := m.post(path, form()); rec.Code != status {
			t.Errorf("%s: %d, want %d", path, rec.Code, status)
		}
	}
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	if rec := cook.post("/staff/projections/menu/commands/rebuild", form()); rec.Code != http.StatusForbidden {
		t.Fatalf("kitchen rebuilt a projection: %d", rec.Code)
	}
}
