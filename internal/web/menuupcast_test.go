package web

import (
	"cmp"
	"context"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

// storeOld writes an event as a program before categories stored it, at
// schema version 1, straight into the log: history as it is on disk.
func storeOld(t *testing.T, pool *pgxpool.Pool, stream string, version int, eventType, data string) {
	t.Helper()
	id := uuid.New()
	if _, err := pool.Exec(context.Background(), `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $6, 'staff:old')`, uuid.New(), stream, version, eventType, data, id); err != nil {
		t.Fatal(err)
	}
}

// TestDishesFiledUnderFreeTextReadAsCategories: a menu stored when a dish's
// category was free text ("Pizza", then " pizza" for another dish) reads,
// folds, projects and rebuilds as dishes filed under the categories that
// text implies, one per name whatever its case, in the order they were
// first written; managers then keep those categories like any other.
func TestDishesFiledUnderFreeTextReadAsCategories(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	dish := func(id, name, category string) string {
		return `{"item_id":"` + id + `","name":"` + name + `","description":"","category":"` + category + `","price":{"amount":900,"currency":"EUR"}}`
	}
	storeOld(t, pool, menu.Stream("espresso"), 1, "menu.MenuItemAdded", dish("espresso", "Espresso", "Drinks"))
	storeOld(t, pool, menu.Stream("margherita"), 1, "menu.MenuItemAdded", dish("margherita", "Margherita", "Pizza"))
	storeOld(t, pool, menu.Stream("funghi"), 1, "menu.MenuItemAdded", dish("funghi", "Funghi", " pizza"))
	storeOld(t, pool, menu.Stream("tiramisu"), 1, "menu.MenuItemAdded", dish("tiramisu", "Tiramisù", "Desserts"))
	storeOld(t, pool, menu.Stream("tiramisu"), 2, "menu.MenuItemModified", dish("tiramisu", "Tiramisù", "Dolci"))
	storeOld(t, pool, menu.Stream("calzone"), 1, "menu.MenuItemAdded", dish("calzone", "Calzone", "Specials"))
	storeOld(t, pool, menu.Stream("calzone"), 2, "menu.MenuItemRemoved", `{"item_id":"calzone"}`)
	a := newTestAppOn(t, pool, nil) // the seeder finds a menu, and adds none
	addStaff(t, a)
	drinks, pizza, desserts, dolci, specials := menu.ImpliedCategoryID("Drinks"), menu.ImpliedCategoryID("Pizza"),
		menu.ImpliedCategoryID("Desserts"), menu.ImpliedCategoryID("Dolci"), menu.ImpliedCategoryID("Specials")

	// Read: version 1 comes up as version 2, filed by id.
	stored, err := a.store.ReadStream(ctx, menu.Stream("funghi"), 0)
	if err != nil || len(stored) != 1 {
		t.Fatalf("funghi's stream: %v, %v", stored, err)
	}
	want := menu.MenuItemAdded{ItemID: "funghi", Name: "Funghi", CategoryID: pizza, Price: domain.Cents(900), AllergensUnlisted: true, ImpliedCategory: "pizza"}
	if got := stored[0].Event; stored[0].SchemaVersion != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("funghi reads as %#v (stored as version %d), want %#v", got, stored[0].SchemaVersion, want)
	}

	// Fold: each dish is in its category, and the list is first-seen.
	tiramisu, _, err := eventstore.Load(ctx, a.store, menu.Stream("tiramisu"), menu.Decider)
	if err != nil || tiramisu.CategoryID != dolci || !tiramisu.AllergensUnlisted {
		t.Fatalf("tiramisu folds as %+v (%v)", tiramisu, err)
	}
	var all []eventstore.RecordedEvent
	for _, id := range []string{"espresso", "margherita", "funghi", "tiramisu", "calzone"} {
		events, err := a.store.ReadStream(ctx, menu.Stream(id), 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, events...)
	}
	slices.SortFunc(all, func(x, y eventstore.RecordedEvent) int { return cmp.Compare(x.Position, y.Position) })
	wantList := []menu.Category{{ID: drinks, Name: "Drinks", Dishes: 1}, {ID: pizza, Name: "Pizza", Dishes: 2},
		{ID: desserts, Name: "Desserts"}, {ID: dolci, Name: "Dolci", Dishes: 1}, {ID: specials, Name: "Specials"}}
	if got := eventstore.Fold(menu.EvolveCategories, all).List(); !reflect.DeepEqual(got, wantList) {
		t.Fatalf("the categories fold as\n%+v\nwant\n%+v", got, wantList)
	}

	// The read model: the guests' menu in those categories, Pizza once.
	g, m := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	page := g.get("/").Body.String()
	if got, want := strings.Join(sectionIDs(page), " "), strings.Join([]string{drinks, pizza, dolci}, " "); got != want {
		t.Fatalf("the menu's sections are %s, want %s", got, want)
	}
	if !regexp.MustCompile(`(?s)<h2 id="cat-` + pizza + `">Pizza</h2>.*id="item-margherita".*id="item-funghi".*<h2 id="cat-` + dolci + `">Dolci</h2>.*id="item-tiramisu"`).MatchString(page) {
		t.Error("the old dishes are not in their categories on the guests' menu")
	}
	if n := strings.Count(page, "Allergens:</strong> not listed yet"); n != 4 {
		t.Errorf("%d old dishes say their allergens are not listed, want 4", n)
	}
	uniqueIDs(t, page)
	if dishes := dishIDs(g.get("/?without=milk").Body.String()); len(dishes) != 0 {
		t.Errorf("dishes whose allergens nobody listed pass a filter by allergen: %v", dishes)
	}
	staffPage := m.get("/staff/menu").Body.String()
	if !strings.Contains(staffPage, "This dish's allergens were never listed") ||
		!strings.Contains(staffPage, `action="/menu/categories/`+desserts+`/commands/remove"`) ||
		strings.Contains(staffPage, `action="/menu/categories/`+pizza+`/commands/remove"`) {
		t.Error("the manager's page does not show the old menu as it is")
	}

	// Rebuilt from the log, the read model is the same.
	rebuildSame(t, a)

	// Managers keep the implied categories like any other.
	before := a.events()
	refusedAt(t, a, "a category named as an implied one", before, m.post("/menu/categories/commands/add", form("name", "PIZZA")), "name", "There is a category called Pizza already.")
	if rec := m.post("/menu/categories/"+dolci+"/commands/remove", form()); rec.Code != http.StatusConflict || a.events() != before {
		t.Errorf("removing an implied category with a dish: %d", rec.Code)
	}
	m.follow(m.post("/menu/categories/"+desserts+"/commands/remove", form()))
	m.follow(m.post("/menu/categories/"+pizza+"/commands/rename", form("name", "Pizze")))
	m.follow(m.post("/menu/categories/"+dolci+"/commands/move", form("position", "1")))
	m.follow(m.post("/menu/items/commands/add", form("name", "Diavola", "category_id", pizza, "price", "13", "allergens", "gluten,milk")))
	m.follow(m.post("/menu/items/espresso/commands/modify", form("name", "Espresso", "category_id", drinks, "price", "9.00")))
	eventually(t, 15*time.Second, "the old menu as the manager changed it", func() bool {
		page := g.get("/").Body.String()
		return strings.Join(sectionIDs(page), " ") == strings.Join([]string{dolci, drinks, pizza}, " ") &&
			strings.Contains(page, `<h2 id="cat-`+pizza+`">Pizze</h2>`) && strings.Contains(page, "Diavola")
	})
	if dishes := dishIDs(g.get("/?without=milk").Body.String()); !reflect.DeepEqual(dishes, []string{"espresso"}) {
		t.Errorf("once its allergens are listed, the espresso passes the filter alone: %v", dishes)
	}
	a.caughtUp()
	rebuildSame(t, a)
}

// rebuildSame rebuilds the menu's read model from the log and checks that
// it gives the tables the live projection keeps.
func rebuildSame(t *testing.T, a *testApp) {
	t.Helper()
	a.caughtUp()
	live := readModels(t, a)
	if _, err := projections.Rebuild(context.Background(), a.store, projections.MenuProjection{}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := readModels(t, a)
	for _, table := range (projections.MenuProjection{}).Tables() {
		if live[table] != rebuilt[table] {
			t.Errorf("%s differs after the rebuild\n   live: %s\nrebuilt: %s", table, live[table], rebuilt[table])
		}
	}
}
