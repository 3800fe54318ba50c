package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// refusedAt checks a refused form: a 422 with the message next to the
// field (a text field or select marked invalid, a box of checkboxes with the
// message right after it), and nothing written.
func refusedAt(t *testing.T, a *testApp, what string, before int, rec *httptest.ResponseRecorder, field, message string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("%s: %d, want 422", what, rec.Code)
	}
	next := `<p class="error" role="alert">` + message
	switch field {
	case "allergens", "diets":
		if !strings.Contains(body, `</fieldset>`+next) {
			t.Errorf("%s: no %q after the %s", what, message, field)
		}
	default:
		control := regexp.MustCompile(`name="` + field + `"[^>]*aria-invalid="true"[^>]*>(</select>|[^<]|<option[^>]*>[^<]*</option>)*(</label>)?\s*` + regexp.QuoteMeta(next))
		if !control.MatchString(body) {
			t.Errorf("%s: no %q next to the field %s", what, message, field)
		}
	}
	if n := a.events(); n != before {
		t.Errorf("%s wrote %d events", what, n-before)
	}
}

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
	if rec := g.post("/menu/items/commands/add", form("name", "Pizza", "category_id", "pizza", "price", "9")); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest added a dish: %d", rec.Code)
	}

	// Checkboxes send one value each.
	calzone := form("name", "Calzone", "category_id", "pizza", "description", "Folded, with ricotta.", "price", "13,90", "diets", "vegetarian")
	calzone["allergens"] = []string{"milk", "gluten"}
	page := m.follow(m.post("/menu/items/commands/add", calzone)).Body.String()
	if !strings.Contains(page, "Calzone") || !strings.Contains(page, "€13.90") {
		t.Fatal("the new dish is not on the manager's page")
	}
	if !regexp.MustCompile(`(?s)id="dishes-pizza".*Calzone.*id="dishes-pasta"`).MatchString(page) {
		t.Error("the new dish is not among the pizzas on the manager's page")
	}
	eventually(t, 15*time.Second, "the new dish on the guests' menu", func() bool {
		return regexp.MustCompile(`(?s)Calzone</h3>.*?<strong>Contains:</strong> cereals containing gluten and milk\.`).MatchString(g.get("/").Body.String())
	})

	for _, r := range []struct {
		what, path string
		form       []string
		field      string
		message    string
	}{
		{"no name", "/menu/items/commands/add", []string{"name", "", "category_id", "pizza", "price", "9"}, "name", "Please give the item a name."},
		{"a free price", "/menu/items/commands/add", []string{"name", "Free pizza", "category_id", "pizza", "price", "0"}, "price", "The price must be more than zero."},
		{"a price in words", "/menu/items/commands/add", []string{"name", "Odd pizza", "category_id", "pizza", "price", "nine"}, "price", "Enter a price in euros, like 11.50."},
		{"a price past cents", "/menu/items/commands/add", []string{"name", "Odd pizza", "category_id", "pizza", "price", "9.999"}, "price", "Enter a price in euros, like 11.50."},
		{"no category", "/menu/items/commands/add", []string{"name", "Odd pizza", "price", "9"}, "category_id", "Please choose a category for the item."},
		{"a category as free text", "/menu/items/commands/add", []string{"name", "Odd pizza", "category_id", "Pizza", "price", "9"}, "category_id", "That category is not on the menu"},
		{"an unknown category", "/menu/items/commands/add", []string{"name", "Odd pizza", "category_id", "specials", "price", "9"}, "category_id", "That category is not on the menu"},
		{"an unknown allergen", "/menu/items/commands/add", []string{"name", "Prawns", "category_id", "starters", "price", "9", "allergens", "shellfish"}, "allergens",
			`&#34;shellfish&#34; is not one of the 14 allergens of EU Regulation 1169/2011.`},
		{"an unknown diet", "/menu/items/commands/add", []string{"name", "Salad", "category_id", "starters", "price", "9", "diets", "keto"}, "diets", `&#34;keto&#34; is not a diet we label`},
		{"vegan with milk", "/menu/items/commands/add", []string{"name", "Odd pizza", "category_id", "pizza", "price", "9", "allergens", "gluten,milk", "diets", "vegan"}, "diets",
			"A vegan dish cannot contain milk: untick vegan or the allergen."},
		{"vegan with eggs", "/menu/items/margherita/commands/modify", []string{"name", "Margherita", "category_id", "pizza", "price", "11", "allergens", "eggs", "diets", "vegan"}, "diets",
			"A vegan dish cannot contain eggs"},
		{"gluten-free with gluten", "/menu/items/margherita/commands/modify", []string{"name", "Margherita", "category_id", "pizza", "price", "11", "allergens", "gluten", "diets", "gluten-free"}, "diets",
			"A gluten-free dish cannot contain cereals containing gluten"},
		{"no category on a change", "/menu/items/margherita/commands/modify", []string{"name", "Margherita", "category_id", "", "price", "11"}, "category_id", "Please choose a category for the item."},
	} {
		before := a.events()
		refusedAt(t, a, r.what, before, m.post(r.path, form(r.form...)), r.field, r.message)
	}
	// A refused form comes back as it was sent: its boxes ticked, its category chosen.
	back := m.post("/menu/items/commands/add", form("name", "Odd pizza", "category_id", "pizza", "price", "9", "allergens", "gluten,milk", "diets", "vegan")).Body.String()
	add := back[strings.Index(back, `action="/menu/items/commands/add"`):]
	for _, want := range []string{`value="pizza" selected`, `value="gluten" checked`, `value="milk" checked`, `value="vegan" checked`} {
		if !strings.Contains(add, want) {
			t.Errorf("the refused form lost %s", want)
		}
	}
	if strings.Contains(add, `value="vegetarian" checked`) {
		t.Error("the refused form ticked a box the manager did not")
	}

	m.follow(m.post("/menu/items/margherita/commands/modify", form("name", "Margherita DOP", "category_id", "pizza", "description", "San Marzano, bufala.", "price", "12.5",
		"allergens", "gluten,milk", "diets", "vegetarian")))
	m.follow(m.post("/menu/items/tiramisu/commands/sold-out", form()))
	m.follow(m.post("/menu/items/funghi/commands/remove", form()))
	m.follow(m.post("/menu/items/lemonade/commands/modify", form("name", "House lemonade", "category_id", "starters", "price", "4.5", "diets", "vegan,gluten-free")))
	eventually(t, 15*time.Second, "the menu without funghi", func() bool { return !strings.Contains(g.get("/").Body.String(), "Funghi") })
	menu := g.get("/").Body.String()
	if !strings.Contains(menu, "Margherita DOP") || !strings.Contains(menu, "€12.50") || strings.Contains(menu, "Funghi") ||
		!strings.Contains(menu, `sold-out" id="item-tiramisu"`) {
		t.Fatal("the guests' menu does not show the manager's changes")
	}
	if !regexp.MustCompile(`(?s)id="cat-starters".*House lemonade.*id="cat-pizza"`).MatchString(menu) {
		t.Error("the lemonade did not move to the starters")
	}
	if rec := m.post("/menu/items/funghi/commands/sold-out", form()); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "removed") {
		t.Fatalf("a command on a removed dish: %d", rec.Code)
	}
	if rec := m.post("/menu/items/lobster/commands/sold-out", form()); rec.Code != http.StatusNotFound {
		t.Fatalf("a command on an unknown dish: %d", rec.Code)
	}
	m.follow(m.post("/menu/items/tiramisu/commands/back-in-stock", form()))

	// JSON clients send the lists as one string; a refusal names its field.
	if rec := m.postJSON("/menu/items/commands/add", "", `{"name":"Focaccia","category_id":"starters","price":"5","allergens":"gluten","diets":"vegan"}`); rec.Code != http.StatusAccepted {
		t.Errorf("a dish added as JSON: %d %s", rec.Code, rec.Body)
	}
	before := a.events()
	if rec := m.postJSON("/menu/items/commands/add", "", `{"name":"Focaccia","category_id":"starters","price":"5","allergens":"gluten","diets":"gluten-free"}`); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), `"field":"diets"`) {
		t.Errorf("a contradicting dish as JSON: %d %s", rec.Code, rec.Body)
	}
	if a.events() != before {
		t.Error("a refused JSON dish wrote events")
	}
}

// TestManagerKeepsTheCategories: managers add, rename, move and remove
// categories; dishes are filed under them; the guests' menu follows their
// order, and every refusal is a sentence next to its field that writes
// nothing.
func TestManagerKeepsTheCategories(t *testing.T) {
	a := withStaff(t)
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)

	routes := []string{"/menu/categories/commands/add", "/menu/categories/pizza/commands/rename", "/menu/categories/pizza/commands/move",
		"/menu/categories/pizza/commands/remove"}
	for _, path := range routes {
		before := a.events()
		if rec := cook.post(path, form("name", "Specials", "position", "1")); rec.Code != http.StatusForbidden {
			t.Errorf("the kitchen posted %s: %d", path, rec.Code)
		}
		if rec := g.post(path, form("name", "Specials", "position", "1")); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("a guest posted %s: %d", path, rec.Code)
		}
		if a.events() != before {
			t.Errorf("%s wrote events for someone who may not", path)
		}
	}

	// Add: the new category is last, and offered to every dish.
	page := m.follow(m.post("/menu/categories/commands/add", form("name", "  Weekly   specials "))).Body.String()
	id := regexp.MustCompile(`id="category-(weekly-specials-[0-9a-f]{6})"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("the new category is not on the page")
	}
	special := id[1]
	if !strings.Contains(page, `<option value="`+special+`">Weekly specials</option>`) {
		t.Error("the new category is not offered to the dishes")
	}
	m.follow(m.post("/menu/items/commands/add", form("name", "Vitello tonnato", "category_id", special, "price", "16", "allergens", "eggs,fish,mustard")))

	for _, r := range []struct {
		what, path string
		form       []string
		field      string
		message    string
	}{
		{"a category named again in another case", "/menu/categories/commands/add", []string{"name", " PIZZA "}, "name", "There is a category called Pizza already."},
		{"a category with no name", "/menu/categories/commands/add", []string{"name", "  "}, "name", "Please give the category a name."},
		{"a category with a long name", "/menu/categories/commands/add", []string{"name", strings.Repeat("x", 41)}, "name", "The name can be at most 40 characters long."},
		{"a category with a control character", "/menu/categories/commands/add", []string{"name", "Piz\x07za"}, "name", "The name may not hold control characters"},
		{"a rename to another's name", "/menu/categories/pasta/commands/rename", []string{"name", "desserts"}, "name", "There is a category called Desserts already."},
		{"a rename to nothing", "/menu/categories/pasta/commands/rename", []string{"name", ""}, "name", "Please give the category a name."},
		{"a move to position 0", "/menu/categories/pasta/commands/move", []string{"position", "0"}, "position", "Choose a position from 1 to 6."},
		{"a move past the end", "/menu/categories/pasta/commands/move", []string{"position", "7"}, "position", "Choose a position from 1 to 6."},
		{"a move to a word", "/menu/categories/pasta/commands/move", []string{"position", "first"}, "position", "Enter the position as a whole number, 1 for the first."},
	} {
		refusedAt(t, a, r.what, a.events(), m.post(r.path, form(r.form...)), r.field, r.message)
	}
	before := a.events()
	if rec := m.post("/menu/categories/pasta/commands/move", form("direction", "sideways")); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Move a category up or down, or to a position.") || a.events() != before {
		t.Errorf("a move sideways: %d", rec.Code)
	}
	// A category with dishes stays, and says why next to it.
	rec := m.post("/menu/categories/pizza/commands/remove", form())
	if body := rec.Body.String(); rec.Code != http.StatusConflict ||
		!regexp.MustCompile(`(?s)id="category-pizza".*?<p class="error" role="alert">Pizza still has 5 dishes: move them to another category or remove them first\.</p>`).MatchString(body) ||
		a.events() != before {
		t.Errorf("removing a category with dishes: %d", rec.Code)
	}
	for _, path := range []string{"/menu/categories/nothing-here/commands/rename", "/menu/categories/Pizza/commands/remove", "/menu/categories/nothing-here/commands/move"} {
		if rec := m.post(path, form("name", "X", "position", "1")); rec.Code != http.StatusNotFound || a.events() != before {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}

	// Rename, and move: the guests' menu follows.
	m.follow(m.post("/menu/categories/"+special+"/commands/rename", form("name", "Chef's specials")))
	m.follow(m.post("/menu/categories/"+special+"/commands/move", form("position", "1")))
	m.follow(m.post("/menu/categories/drinks/commands/move", form("direction", "up")))
	m.follow(m.post("/menu/categories/"+special+"/commands/move", form("direction", "up"))) // first already: stays
	want := []string{special, "starters", "pizza", "pasta", "drinks", "desserts"}
	eventually(t, 15*time.Second, "the guests' menu in the managers' order", func() bool {
		return strings.Join(sectionIDs(g.get("/").Body.String()), " ") == strings.Join(want, " ")
	})
	menu := g.get("/").Body.String()
	if !strings.Contains(menu, "Chef&#39;s specials</h2>") {
		t.Error("the renamed category is not on the guests' menu")
	}
	uniqueIDs(t, menu)
	uniqueIDs(t, m.get("/staff/menu").Body.String())

	// Emptied, it goes; JSON clients get its id.
	m.follow(m.post("/menu/items/vitello-tonnato-"+dishSuffix(t, m, "vitello-tonnato")+"/commands/remove", form()))
	if rec := m.postJSON("/menu/categories/"+special+"/commands/remove", "", `{}`); rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"category_id":"`+special+`"`) {
		t.Fatalf("removing an emptied category as JSON: %d %s", rec.Code, rec.Body)
	}
	if page := m.get("/staff/menu").Body.String(); strings.Contains(page, special) {
		t.Error("the removed category is still on the manager's page")
	}
	if rec := m.postJSON("/menu/categories/commands/add", "", `{"name":"drinks"}`); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"field":"name"`) {
		t.Errorf("a category named again, as JSON: %d %s", rec.Code, rec.Body)
	}
	// The form has no removal for a category with dishes.
	if strings.Contains(m.get("/staff/menu").Body.String(), `action="/menu/categories/pizza/commands/remove"`) {
		t.Error("the page offers to remove a category with dishes")
	}
}

// dishSuffix finds the unique part of the id of a dish added from the form.
func dishSuffix(t *testing.T, m *guest, slug string) string {
	t.Helper()
	found := regexp.MustCompile(`id="dish-` + slug + `-([0-9a-f]{6})"`).FindStringSubmatch(m.get("/staff/menu").Body.String())
	if found == nil {
		t.Fatalf("no dish %s on the manager's page", slug)
	}
	return found[1]
}

// sectionIDs are the ids of the menu's categories, in the page's order.
func sectionIDs(page string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<h2 id="cat-([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// uniqueIDs fails if a page uses an HTML id twice.
func uniqueIDs(t *testing.T, page string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("the id %q is on the page twice", m[1])
		}
		seen[m[1]] = true
	}
}
