package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
)

// dishIDs are the ids of the dishes a menu page shows, in order.
func dishIDs(page string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<li class="dish card[^"]*" id="item-([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestEveryDishSaysItsAllergens: each dish on the guests' menu says in
// words what it contains, or that it contains none of the fourteen, and
// which diets it suits.
func TestEveryDishSaysItsAllergens(t *testing.T) {
	a := newTestApp(t)
	page := a.guest().get("/").Body.String()
	if dishes, said := len(dishIDs(page)), strings.Count(page, `<p class="allergens">`); dishes != 17 || said != dishes {
		t.Fatalf("%d dishes, %d of them with their allergens", dishes, said)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?s)id="item-carbonara".*?<strong>Contains:</strong> cereals containing gluten, eggs and milk\.`),
		regexp.MustCompile(`(?s)id="item-espresso".*?<span class="tag diet">Vegan</span>\s*<span class="tag diet">Gluten-free</span>\s*<strong>Allergens:</strong> none of the 14 EU allergens\.`),
		regexp.MustCompile(`(?s)id="item-minestrone".*?Vegetarian</span>\s*<span class="tag diet">Gluten-free</span>\s*<strong>Contains:</strong> milk and celery\.`),
	} {
		if !want.MatchString(page) {
			t.Errorf("the menu does not match %s", want)
		}
	}
	uniqueIDs(t, page)
}

// TestGuestsFilterTheMenu: a plain GET form filters the menu by allergens
// left out and by diets; what it filters by is on the page, each part
// with a link that takes it off; adding a dish comes back to the menu as
// filtered; the live region follows with the same filter.
func TestGuestsFilterTheMenu(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	home := g.get("/").Body.String()
	if !strings.Contains(home, `<form method="get" action="/">`) || strings.Contains(home, `class="filter-state`) {
		t.Fatal("the menu has no filter form, or says it is filtered when it is not")
	}

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"without=milk&diet=vegetarian", []string{"bruschetta", "lemonade", "espresso", "sparkling-water"}},
		{"diet=vegan", []string{"bruschetta", "lemonade", "espresso", "sparkling-water"}},
		{"without=gluten", []string{"minestrone", "margherita-gf", "panna-cotta", "lemonade", "espresso", "sparkling-water"}},
		{"diet=gluten-free&diet=vegetarian", []string{"minestrone", "margherita-gf", "lemonade", "espresso", "sparkling-water"}},
		{"without=eggs&without=milk&without=gluten", []string{"lemonade", "espresso", "sparkling-water"}},
	} {
		page := g.get("/?" + c.query).Body.String()
		if got := strings.Join(dishIDs(page), " "); got != strings.Join(c.want, " ") {
			t.Errorf("/?%s shows %s, want %s", c.query, got, strings.Join(c.want, " "))
		}
		uniqueIDs(t, page)
	}

	page := g.get("/?without=milk&diet=vegetarian").Body.String()
	state := page[strings.Index(page, `class="filter-state`):]
	state = state[:strings.Index(state, "</div>")]
	for _, want := range []string{
		"Showing 4 of 17 dishes:",
		`<a class="chip" href="/?diet=vegetarian">without milk`,
		`<a class="chip" href="/?without=milk">vegetarian`,
		`<a href="/">Show the whole menu</a>`,
	} {
		if !strings.Contains(state, want) {
			t.Errorf("the filter's state lacks %q:\n%s", want, state)
		}
	}
	for _, want := range []string{`name="without" value="milk" checked`, `name="diet" value="vegetarian" checked`,
		`ws-connect="/live?topic=menu&amp;diet=vegetarian&amp;without=milk"`,
		`action="/orders/commands/open?diet=vegetarian&amp;without=milk"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the filtered menu lacks %s", want)
		}
	}
	// Sections without a dish that passes are left out.
	if got := strings.Join(sectionIDs(page), " "); got != "starters drinks" {
		t.Errorf("the filtered menu's sections are %s", got)
	}
	// Words it does not know filter nothing.
	if page := g.get("/?without=shellfish&diet=keto").Body.String(); len(dishIDs(page)) != 17 || strings.Contains(page, `class="filter-state`) {
		t.Error("an unknown filter hid dishes")
	}

	// Adding a dish from the filtered menu comes back to it, filtered.
	rec := g.post("/orders/commands/open?without=milk&diet=vegetarian", form("menu_item_id", "bruschetta", "quantity", "1"))
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/?") ||
		!strings.Contains(loc, "without=milk") || !strings.Contains(loc, "diet=vegetarian") || !strings.HasSuffix(loc, "#item-bruschetta") {
		t.Fatalf("adding from the filtered menu: %d to %s", rec.Code, loc)
	}
	back := g.follow(rec).Body.String()
	if !strings.Contains(back, "Added 1 × Bruschetta to your order.") || len(dishIDs(back)) != 4 {
		t.Errorf("back on the filtered menu: %d dishes", len(dishIDs(back)))
	}
	order := strings.TrimPrefix(orderHref(back), "/orders/")
	rec = g.post("/orders/"+order+"/items/commands/add?diet=vegan", form("menu_item_id", "espresso", "quantity", "2"))
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "diet=vegan") || strings.Contains(loc, "without") {
		t.Errorf("adding to the order from the filtered menu goes to %s", loc)
	}
	// Nothing passes: the page says so. (Only the drinks are vegan and
	// gluten-free; they go.)
	for _, drink := range []string{"lemonade", "espresso", "sparkling-water"} {
		if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream(drink), menu.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.RemoveMenuItem{})); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 15*time.Second, "an empty result saying so", func() bool {
		page := g.get("/?diet=vegan&diet=gluten-free").Body.String()
		return strings.Contains(page, "No dish on the menu matches this filter right now.") && len(dishIDs(page)) == 0
	})
}

// TestFilteredMenuFollowsLiveFiltered: a filtered menu's socket is sent
// the region filtered as the page is.
func TestFilteredMenuFollowsLiveFiltered(t *testing.T) {
	a := newTestApp(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	conn, _, err := a.guest().dial(t, srv, "topic=menu&without=milk", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := await(t, conn, `id="menu"`)
	if strings.Contains(first, `id="item-margherita"`) || !strings.Contains(first, `id="item-espresso"`) || !strings.Contains(first, "without milk") {
		t.Fatal("the first region is not filtered")
	}
	if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream("espresso"), menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	pushed := await(t, conn, `sold-out" id="item-espresso"`)
	if strings.Contains(pushed, `id="item-margherita"`) {
		t.Error("the push is not filtered")
	}
}
