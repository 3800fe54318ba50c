package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
)

// The menu's JSON as a client reads it.
type (
	menuJSONDoc struct {
		Currency string `json:"currency"`
		Ordering struct {
			Open        bool       `json:"open"`
			Message     string     `json:"message"`
			Paused      bool       `json:"paused"`
			PausedUntil *time.Time `json:"paused_until"`
			OpensAt     *time.Time `json:"opens_at"`
			ForLater    bool       `json:"for_later"`
		} `json:"ordering"`
		Filter struct {
			Without []string `json:"without"`
			Diet    []string `json:"diet"`
		} `json:"filter"`
		Categories []struct {
			ID     string        `json:"id"`
			Name   string        `json:"name"`
			Dishes []dishJSONDoc `json:"dishes"`
		} `json:"categories"`
		Links map[string]link `json:"_links"`
	}
	dishJSONDoc struct {
		ID              string       `json:"id"`
		Name            string       `json:"name"`
		Description     string       `json:"description"`
		Price           domain.Money `json:"price"`
		Allergens       []string     `json:"allergens"`
		AllergensListed bool         `json:"allergens_listed"`
		Diets           []string     `json:"diets"`
		Options         []struct {
			ID       string `json:"id"`
			Field    string `json:"field"`
			Name     string `json:"name"`
			Required bool   `json:"required"`
			Min      int    `json:"min"`
			Max      int    `json:"max"`
			Choices  []struct {
				ID          string       `json:"id"`
				Name        string       `json:"name"`
				PriceChange domain.Money `json:"price_change"`
			} `json:"choices"`
		} `json:"options"`
		Photo        map[string]string `json:"photo"`
		Available    bool              `json:"available"`
		SoldOut      bool              `json:"sold_out"`
		PortionsLeft *int              `json:"portions_left"`
		Links        map[string]link   `json:"_links"`
	}
)

// menuJSON reads the menu's JSON at path, as it is sent.
func (g *guest) menuJSON(path string) menuJSONDoc {
	g.a.t.Helper()
	rec := g.get(path)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		g.a.t.Fatalf("GET %s: %d %s: %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var doc menuJSONDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		g.a.t.Fatalf("GET %s: %v: %s", path, err, rec.Body)
	}
	return doc
}

// dishes are the menu's dishes by id, and their ids in order.
func (doc menuJSONDoc) dishes() (map[string]dishJSONDoc, []string) {
	byID := map[string]dishJSONDoc{}
	var ids []string
	for _, c := range doc.Categories {
		for _, d := range c.Dishes {
			byID[d.ID] = d
			ids = append(ids, d.ID)
		}
	}
	return byID, ids
}

func (doc menuJSONDoc) categoryIDs() []string {
	var ids []string
	for _, c := range doc.Categories {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestMenuJSON: the menu is a JSON resource at /menu: the categories in
// the managers' order, each dish with its price, choices, allergens,
// photo and what is left of it, and links to the commands that add it;
// a client that follows them orders, with no price worked out on its side.
func TestMenuJSON(t *testing.T) {
	a := withStaff(t)
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	m.follow(m.post("/menu/categories/desserts/commands/move", form("position", "1")))
	if rec := m.uploadPhoto("margherita", uuid.NewString(), "margherita.png", dishPicture(t, 800, 600, pngOf)); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	m.follow(m.post("/menu/items/carbonara/commands/set-portions", form("portions", "3")))
	m.follow(m.post("/menu/items/tiramisu/commands/set-portions", form("portions", "0")))
	m.follow(m.post("/menu/items/espresso/commands/sold-out", form()))
	a.caughtUp()

	doc := g.menuJSON("/menu")
	if doc.Currency != "EUR" || !doc.Ordering.Open || doc.Ordering.Message != "" || doc.Ordering.OpensAt != nil {
		t.Errorf("currency %q, ordering %+v", doc.Currency, doc.Ordering)
	}
	if got, want := doc.categoryIDs(), []string{"desserts", "starters", "pizza", "pasta", "drinks"}; !slices.Equal(got, want) {
		t.Errorf("categories %v, want %v", got, want)
	}
	if got, want := doc.categoryIDs(), sectionIDs(g.get("/").Body.String()); !slices.Equal(got, want) {
		t.Errorf("the JSON's categories %v, the page's %v", got, want)
	}
	if doc.Categories[0].Name != "Desserts" || len(doc.Categories[0].Dishes) != 2 {
		t.Errorf("the first category: %+v", doc.Categories[0])
	}
	dishes, ids := doc.dishes()
	if want := dishIDs(g.get("/").Body.String()); !slices.Equal(ids, want) {
		t.Errorf("the JSON's dishes %v, the page's %v", ids, want)
	}

	pizza := dishes["margherita"]
	if pizza.Name != "Margherita" || pizza.Description != "Tomato, fior di latte, basil, olive oil." || pizza.Price != domain.Cents(1100) ||
		!slices.Equal(pizza.Allergens, []string{"gluten", "milk"}) || !pizza.AllergensListed || !slices.Equal(pizza.Diets, []string{"vegetarian"}) ||
		!pizza.Available || pizza.SoldOut || pizza.PortionsLeft != nil {
		t.Errorf("the margherita: %+v", pizza)
	}
	if len(pizza.Options) != 2 {
		t.Fatalf("the margherita's options: %+v", pizza.Options)
	}
	size, extras := pizza.Options[0], pizza.Options[1]
	if size.ID != "size" || size.Field != "option-size" || size.Name != "Size" || !size.Required || size.Min != 1 || size.Max != 1 ||
		len(size.Choices) != 3 || size.Choices[0].ID != "small" || size.Choices[0].PriceChange != domain.Cents(-200) || size.Choices[2].PriceChange != domain.Cents(300) {
		t.Errorf("the size: %+v", size)
	}
	if extras.ID != "extras" || extras.Required || extras.Min != 0 || extras.Max != 3 || len(extras.Choices) != 5 || extras.Choices[0].Name != "Extra mozzarella" {
		t.Errorf("the extras: %+v", extras)
	}
	if len(pizza.Photo) != 2 || !strings.HasPrefix(pizza.Photo["96"], "/photos/") || !strings.HasSuffix(pizza.Photo["96"], "/96.jpg") ||
		pizza.Photo["192"] != strings.TrimSuffix(pizza.Photo["96"], "96.jpg")+"192.jpg" {
		t.Fatalf("the margherita's photo: %v", pizza.Photo)
	}
	for _, url := range pizza.Photo {
		if rec := g.get(url); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET %s: %d %s", url, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if dishes["diavola"].Photo != nil || len(dishes["espresso"].Options) != 0 || dishes["espresso"].Options == nil {
		t.Errorf("a dish without a photo or options: %+v", dishes["espresso"])
	}
	if water := dishes["sparkling-water"]; len(water.Allergens) != 0 || water.Allergens == nil || !water.AllergensListed {
		t.Errorf("a dish with none of the allergens: %+v", water)
	}

	// What is left of a dish, and what is gone.
	for id, want := range map[string]struct {
		available, soldOut bool
		left               int // -1: not counted
	}{
		"carbonara": {true, false, 3}, "tiramisu": {false, true, 0}, "espresso": {false, true, -1}, "pesto": {true, false, -1},
	} {
		d := dishes[id]
		left := -1
		if d.PortionsLeft != nil {
			left = *d.PortionsLeft
		}
		if d.Available != want.available || d.SoldOut != want.soldOut || left != want.left {
			t.Errorf("%s: available %v, sold out %v, %d left; want %+v", id, d.Available, d.SoldOut, left, want)
		}
		if _, ok := d.Links["add"]; ok != want.available {
			t.Errorf("%s: an add link %v, available %v", id, ok, want.available)
		}
	}

	// The links: the document, the page, and the commands valid now.
	if doc.Links["self"].Href != "/menu" || doc.Links["html"].Href != "/" ||
		doc.Links["open-order"].Href != "/orders/commands/open" || doc.Links["open-order"].Method != http.MethodPost {
		t.Errorf("the menu's links: %+v", doc.Links)
	}
	add := pizza.Links["add"]
	if add.Href != "/orders/commands/open" || add.Method != http.MethodPost ||
		!slices.Equal(add.Fields, []string{"command_id", "menu_item_id", "quantity", "note", "allergy", "option-size", "option-extras"}) {
		t.Errorf("the margherita's add link: %+v", add)
	}
	if _, ok := pizza.Links["add-item"]; ok || doc.Links["order"].Href != "" {
		t.Errorf("links to an order the guest does not have: %+v %+v", pizza.Links, doc.Links)
	}

	// A client that follows the links orders, at the menu's prices.
	rec := g.postJSON(add.Href, "open-1", `{"menu_item_id": "margherita", "quantity": 1, "option-size": "large", "option-extras": ["olives"]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("opening by the add link: %d %s", rec.Code, rec.Body)
	}
	order := rec.Header().Get("Location")
	doc = g.menuJSON("/menu")
	dishes, _ = doc.dishes()
	addItem := dishes["carbonara"].Links["add-item"]
	if addItem.Href != order+"/items/commands/add" || addItem.Method != http.MethodPost || dishes["carbonara"].Links["add"].Href != "/orders/commands/open" ||
		doc.Links["order"].Href != order {
		t.Fatalf("with an open order: %+v, %+v", dishes["carbonara"].Links, doc.Links)
	}
	if rec := g.postJSON(addItem.Href, "add-1", `{"menu_item_id": "carbonara", "quantity": 2}`); rec.Code != http.StatusAccepted {
		t.Fatalf("adding by the add-item link: %d %s", rec.Code, rec.Body)
	}
	var o orderDoc
	g.getJSON(order, &o)
	if len(o.Lines) != 2 || o.Total != domain.Cents(1100+300+100+2*1450) {
		t.Errorf("the order the links made: %d lines, %v", len(o.Lines), o.Total)
	}
	if left := g.menuJSON("/menu"); left.Categories[3].Dishes[0].ID != "carbonara" || *left.Categories[3].Dishes[0].PortionsLeft != 3 {
		t.Errorf("the portions before placing: %+v", left.Categories[3].Dishes[0])
	}
}

// TestMenuJSONWhileOrderingIsClosed: while online orders are paused, or the
// restaurant is closed, the menu says so, and when orders are taken again;
// while paused it links to no command, while closed to those that open an
// order for later.
func TestMenuJSONWhileOrderingIsClosed(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-03-03", "19:15"))
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	if doc := g.menuJSON("/menu"); !doc.Ordering.Open || doc.Links["open-order"].Href == "" {
		t.Fatalf("before the pause: %+v", doc.Ordering)
	}
	cook.follow(cook.post("/online-orders/commands/pause", form("minutes", "30")))
	a.caughtUp()
	noCommands := func(when string, doc menuJSONDoc) {
		t.Helper()
		if _, ok := doc.Links["open-order"]; ok || doc.Links["self"].Href != "/menu" {
			t.Errorf("%s: the menu's links %+v", when, doc.Links)
		}
		dishes, _ := doc.dishes()
		for id, d := range dishes {
			if d.Available || len(d.Links) != 0 {
				t.Errorf("%s: %s available %v, links %+v", when, id, d.Available, d.Links)
			}
		}
		if len(dishes) != 17 {
			t.Errorf("%s: %d dishes", when, len(dishes))
		}
	}
	doc := g.menuJSON("/menu")
	back := lisbonAt("2026-03-03", "19:45")
	if o := doc.Ordering; o.Open || !o.Paused || o.Message != "We are not taking online orders right now; back at 19:45." ||
		o.PausedUntil == nil || !o.PausedUntil.Equal(back) || o.OpensAt == nil || !o.OpensAt.Equal(back) {
		t.Errorf("paused: %+v", o)
	}
	noCommands("paused", doc)

	// The pause ends by itself; a closed day has no pause, and opens at
	// the next range.
	clock.set(back)
	if doc := g.menuJSON("/menu"); !doc.Ordering.Open || doc.Ordering.Paused || doc.Links["open-order"].Href == "" {
		t.Errorf("after the pause: %+v", doc.Ordering)
	}
	m.follow(m.post("/settings/commands/set-hours", form(hoursForm()...)))
	a.caughtUp()
	clock.set(lisbonAt("2026-03-09", "12:00")) // a Monday
	doc = g.menuJSON("/menu")
	if o := doc.Ordering; o.Open || o.Paused || o.PausedUntil != nil || o.Message != "We are closed now; ordering opens tomorrow at 12:00." ||
		o.OpensAt == nil || !o.OpensAt.Equal(lisbonAt("2026-03-10", "12:00")) || !o.ForLater {
		t.Errorf("closed: %+v", o)
	}
	if dishes, _ := doc.dishes(); doc.Links["open-order"].Href == "" || !dishes["tiramisu"].Available || dishes["tiramisu"].Links["add"].Href == "" {
		t.Errorf("closed: no commands for an order for later: %+v", doc.Links)
	}
}

// TestMenuJSONOnTheFrontPage: the front page is the menu as JSON for a
// client that accepts JSON, the same as /menu, and the page for everyone
// else; either way it says the answer depends on Accept, and is not kept.
func TestMenuJSONOnTheFrontPage(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	get := func(path, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return g.do(req)
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, c := range []struct {
		path, accept, want string
	}{
		{"/", "", "text/html; charset=utf-8"},
		{"/", "", "text/html; charset=utf-8"}, // the anonymous page, from memory
		{"/", browser, "text/html; charset=utf-8"},
		{"/?diet=vegan", browser, "text/html; charset=utf-8"},
		{"/", "application/json", "application/json"},
		{"/?diet=vegan", "application/json", "application/json"},
		{"/menu", "", "application/json"},
		{"/menu", browser, "application/json"},
	} {
		rec := get(c.path, c.accept)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.want || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s (Accept %q): %d %s, Cache-Control %q", c.path, c.accept, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
		if vary := rec.Header().Values("Vary"); c.path != "/menu" && !slices.Contains(vary, "Accept") {
			t.Errorf("GET %s (Accept %q): Vary %q", c.path, c.accept, vary)
		}
	}
	var front, menu map[string]any
	if err := json.Unmarshal(get("/?diet=vegan", "application/json").Body.Bytes(), &front); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(get("/menu?diet=vegan", "").Body.Bytes(), &menu); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(front, menu) {
		t.Errorf("the front page's JSON is not /menu's:\n%v\n%v", front, menu)
	}
}

// TestMenuJSONFiltered: the JSON takes the page's filter, and shows what
// the page shows; words it does not know filter nothing there either, and
// the document says what it was filtered by.
func TestMenuJSONFiltered(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	for _, query := range []string{"without=milk&diet=vegetarian", "diet=vegan", "without=gluten", "diet=gluten-free&diet=vegetarian",
		"without=eggs&without=milk&without=gluten", "without=shellfish&diet=keto", "without=milk&diet=keto"} {
		doc := g.menuJSON("/menu?" + query)
		page := g.get("/?" + query).Body.String()
		if _, ids := doc.dishes(); !slices.Equal(ids, dishIDs(page)) {
			t.Errorf("?%s: the JSON shows %v, the page %v", query, ids, dishIDs(page))
		}
		if got, want := doc.categoryIDs(), sectionIDs(page); !slices.Equal(got, want) {
			t.Errorf("?%s: the JSON's sections %v, the page's %v", query, got, want)
		}
	}
	doc := g.menuJSON("/menu?without=milk&diet=vegetarian&diet=keto")
	if !slices.Equal(doc.Filter.Without, []string{"milk"}) || !slices.Equal(doc.Filter.Diet, []string{"vegetarian"}) ||
		doc.Links["self"].Href != "/menu?diet=vegetarian&without=milk" || doc.Links["html"].Href != "/?diet=vegetarian&without=milk" {
		t.Errorf("the filter %+v, links %+v", doc.Filter, doc.Links)
	}
	if doc := g.menuJSON("/menu?without=shellfish"); doc.Filter.Without == nil || len(doc.Filter.Without) != 0 || len(doc.Filter.Diet) != 0 || doc.Links["self"].Href != "/menu" {
		t.Errorf("an unknown word: the filter %+v, links %+v", doc.Filter, doc.Links)
	}
	if slices.Contains(menu.Allergens(), menu.Allergen("shellfish")) {
		t.Fatal("shellfish is one of the allergens now: pick another unknown word")
	}
}

// TestMenuJSONFailsAsAProblem: a menu that cannot be read is answered with
// a problem document, whatever the client accepts.
func TestMenuJSONFailsAsAProblem(t *testing.T) {
	a := newTestApp(t)
	for _, path := range []string{"/menu", "/"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the client has gone: the database is not asked
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		if path == "/" {
			req.Header.Set("Accept", "application/json")
		}
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		var p Problem
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != http.StatusServiceUnavailable || p.Detail == "" {
			t.Errorf("GET %s with no client: %d %s %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
}
