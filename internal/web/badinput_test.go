package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOddInputNeverAnswers500 sends the kinds of input people and programs
// get wrong to every route, signed in as a manager (who may reach them all):
// each gets a 4xx or a page, never a server error.
func TestOddInputNeverAnswers500(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	odd := []string{"\x00", "%00", "\xff\xfe", strings.Repeat("x", 5000), "../../etc", "' OR 1=1 --", "-1", "1e400", "🍕"}
	paths := []string{
		"/menu/items/%s/commands/sold-out", "/menu/items/%s/commands/modify", "/staff/team/%s/commands/disable",
		"/menu/categories/%s/commands/rename", "/menu/categories/%s/commands/move", "/menu/categories/%s/commands/remove",
		"/orders/%s/commands/place", "/orders/%s", "/orders/%s/commands", "/kitchen/tickets/%s/commands/start",
		"/staff/orders/%s/history", "/staff/projections/%s/commands/rebuild",
	}
	queries := []string{"/staff/events?stream=%s", "/staff/events?type=%s", "/staff/events?before=%s", "/staff/events?from=%s",
		"/staff/orders?number=%s", "/staff/orders?day=%s", "/staff/orders?after=%s", "/staff/orders/x/history?at=%s", "/?seen=%s", "/login?next=%s"}
	for _, v := range odd {
		for _, p := range paths {
			path := strings.Replace(p, "%s", url.PathEscape(v), 1)
			for _, rec := range []int{m.get(path).Code, m.post(path, form("name", v, "price", v, "category_id", v, "allergens", v, "diets", v, "position", v, "direction", v, "quantity", v, "role", v, "password", v)).Code} {
				if rec >= 500 {
					t.Errorf("%q: %d", path, rec)
				}
			}
		}
		for _, q := range queries {
			path := strings.Replace(q, "%s", url.QueryEscape(v), 1)
			if code := m.get(path).Code; code >= 500 {
				t.Errorf("%q: %d", path, code)
			}
		}
		for _, field := range []string{"menu_item_id", "quantity", "note", "allergy"} {
			if code := m.post("/orders/commands/open", form(field, v, "menu_item_id", "margherita", "option-size", "regular")).Code; code >= http.StatusInternalServerError {
				t.Errorf("open with %s=%q: %d", field, v, code)
			}
		}
	}
}
