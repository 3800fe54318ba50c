package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCooksMarkDishesSoldOutFromTheKitchen(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "7")))
	menu, _, err := g.dial(t, srv, "topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	kitchen, _, err := cook.dial(t, srv, "topic=kitchen", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, menu, `id="menu"`)
	await(t, kitchen, `id="kitchen-dishes"`)

	page := cook.afterOthers("/kitchen").Body.String()
	for _, want := range []string{`action="/menu/items/tiramisu/commands/sold-out"`, `name="back" value="kitchen"`, "7 left"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the kitchen display lacks %q:\n%s", want, page)
		}
	}
	rec := cook.post("/menu/items/tiramisu/commands/sold-out", form("back", "kitchen"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen" {
		t.Fatalf("sold out from the kitchen: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if k := cook.follow(rec).Body.String(); !strings.Contains(k, `action="/menu/items/tiramisu/commands/back-in-stock"`) {
		t.Fatal("the kitchen display does not offer the dish back in stock")
	}
	await(t, menu, `sold-out" id="item-tiramisu"`)
	await(t, kitchen, `action="/menu/items/tiramisu/commands/back-in-stock"`)

	// A cook's form without back=kitchen goes back to the kitchen too: the
	// menu page is the managers'.
	rec = cook.post("/menu/items/tiramisu/commands/back-in-stock", form())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kitchen" {
		t.Fatalf("back in stock from the kitchen: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	await(t, kitchen, `action="/menu/items/tiramisu/commands/sold-out"`)
	for {
		if msg := await(t, menu, `id="item-tiramisu"`); !strings.Contains(msg, `sold-out" id="item-tiramisu"`) {
			break
		}
	}
	// A manager's button on the kitchen display goes back there as well.
	if rec := m.post("/menu/items/espresso/commands/sold-out", form("back", "kitchen")); rec.Header().Get("Location") != "/kitchen" {
		t.Fatalf("a manager's button on the kitchen display: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	// Refusals come back on the kitchen display, and write nothing.
	m.follow(m.post("/menu/items/funghi/commands/remove", form()))
	wantRefused(t, a, "a removed dish", http.StatusConflict, "This item was removed from the menu.", func() *httptest.ResponseRecorder {
		return cook.post("/menu/items/funghi/commands/sold-out", form("back", "kitchen"))
	})
	if rec := cook.post("/menu/items/funghi/commands/sold-out", form("back", "kitchen")); !strings.Contains(rec.Body.String(), `id="kitchen-board"`) {
		t.Fatal("the refusal is not on the kitchen display")
	}
	wantRefused(t, a, "no such dish", http.StatusNotFound, "There is no such menu item.", func() *httptest.ResponseRecorder {
		return cook.post("/menu/items/no-such-dish/commands/sold-out", form("back", "kitchen"))
	})
	rec = cook.postJSON("/menu/items/no-such-dish/commands/back-in-stock", "k-1", `{}`)
	if p := problemOfBody(t, rec); rec.Code != 404 || p.Detail == "" {
		t.Fatalf("JSON: %d %+v", rec.Code, p)
	}
	if rec := cook.postJSON("/menu/items/lemonade/commands/sold-out", "k-2", `{}`); rec.Code != http.StatusAccepted {
		t.Fatalf("JSON sold out by a cook: %d %s", rec.Code, rec.Body)
	}
}
