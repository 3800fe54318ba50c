package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestOrderJSONIsNeverStored(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("tiramisu", "1")
	g.follow(g.post("/orders/"+id+"/commands/add-delivery-address", form("street", "Rua Augusta 10", "city", "Lisbon", "postal_code", "1100-053")))
	for _, path := range []string{"/orders/" + id, "/orders/" + id + "/commands"} {
		rec := g.getJSON(path, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if path == "/orders/"+id && !strings.Contains(rec.Body.String(), "Rua Augusta") {
			t.Fatalf("the order has no delivery address: %s", rec.Body)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, got)
		}
	}
}
