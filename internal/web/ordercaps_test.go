package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAnOrderHoldsNoMoreThanTheCaps(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "45") // 45 dishes, €495
	before := a.events()
	cases := []struct {
		name, path string
		form       []string
		want       string
	}{
		{"a 51st dish from the menu", "/orders/" + id + "/items/commands/add", []string{"menu_item_id", "espresso", "quantity", "6"},
			"An order may hold at most 50 dishes; call us for larger orders."},
		{"a dish past €500 from the menu", "/orders/" + id + "/items/commands/add", []string{"menu_item_id", "diavola", "option-size", "regular", "quantity", "1"},
			"An order may come to at most €500.00; call us for larger orders."},
		{"a quantity past €500 on the order", "", []string{"quantity", "46"},
			"An order may come to at most €500.00; call us for larger orders."},
		{"a quantity past 50 dishes on the order", "", []string{"quantity", "99"},
			"An order may hold at most 50 dishes; call us for larger orders."},
	}
	line := g.order(id).Lines[0].LineID
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/orders/" + id + "/items/" + line + "/commands/change-quantity"
			}
			rec := g.post(path, form(tc.form...))
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d, want 422 saying %q: %s", rec.Code, tc.want, rec.Body)
			}
			fields := map[string]string{}
			for i := 0; i+1 < len(tc.form); i += 2 {
				fields[tc.form[i]] = tc.form[i+1]
			}
			body, _ := json.Marshal(fields)
			rec = g.postJSON(path, "", string(body))
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("JSON: %d, want 422 saying %q: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	if n := a.events(); n != before {
		t.Fatalf("refused changes wrote %d events", n-before)
	}
	// Opening an order that would already be too large opens nothing.
	rec := a.guest().post("/orders/commands/open", form("menu_item_id", "margherita", "option-size", "regular", "quantity", "51"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "at most 50 dishes") {
		t.Fatalf("open with 51 dishes: %d %s", rec.Code, rec.Body)
	}
	if n := a.events(); n != before {
		t.Fatalf("a refused open wrote %d events", n-before)
	}
}
