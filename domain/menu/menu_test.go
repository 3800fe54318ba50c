package menu

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

// spec is one given/when/then case: fold given, decide when, expect then or
// an error with wantErr code (and wantField for invalid input).
type spec struct {
	name      string
	given     []domain.Event
	when      Command
	then      []domain.Event
	wantErr   string
	wantField string
}

// run checks one spec and prints both sides when they differ.
func run(t *testing.T, tc spec) {
	t.Helper()
	var s State
	for _, e := range tc.given {
		s = Evolve(s, e)
	}
	got, err := Decide(s, tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.wantField})
}

const id = "item-1"

// categories folds the given events into a list of categories.
func categories(es ...domain.Event) Categories {
	var c Categories
	for _, e := range es {
		c = EvolveCategories(c, e)
	}
	return c
}

// menuCategories are the categories the dishes of these tests are filed
// under.
var menuCategories = categories(CategoryAdded{CategoryID: "pizza", Name: "Pizza"}, CategoryAdded{CategoryID: "desserts", Name: "Desserts"})

var (
	added = MenuItemAdded{ItemID: id, Name: "Margherita", Description: "Tomato, mozzarella, basil.", CategoryID: "pizza", Price: domain.Cents(950),
		Allergens: []Allergen{Gluten, Milk}, Diets: []Diet{Vegetarian}}
	valid = AddMenuItem{ItemID: id, Name: "Margherita", Description: "Tomato, mozzarella, basil.", CategoryID: "pizza", Price: domain.Cents(950),
		Allergens: []Allergen{Gluten, Milk}, Diets: []Diet{Vegetarian}, Categories: menuCategories}
)

// addedWith is the dish added, changed by f.
func addedWith(f func(*MenuItemAdded)) MenuItemAdded {
	e := added
	f(&e)
	return e
}

func addWith(f func(*AddMenuItem)) AddMenuItem {
	c := valid
	f(&c)
	return c
}

func modifyWith(f func(*ModifyMenuItem)) ModifyMenuItem {
	c := ModifyMenuItem{Name: added.Name, Description: added.Description, CategoryID: added.CategoryID, Price: added.Price,
		Allergens: added.Allergens, Diets: added.Diets, Categories: menuCategories}
	f(&c)
	return c
}

func TestAddMenuItem(t *testing.T) {
	for _, tc := range []spec{
		{name: "adds a new item", when: valid, then: []domain.Event{added}},
		{name: "trims text fields",
			when: addWith(func(c *AddMenuItem) {
				c.Name, c.Description = "  Margherita\t", " Tomato, mozzarella, basil. "
			}),
			then: []domain.Event{added}},
		{name: "description may be empty",
			when: addWith(func(c *AddMenuItem) { c.Description = "   " }),
			then: []domain.Event{addedWith(func(e *MenuItemAdded) { e.Description = "" })}},
		{name: "name of 80 multi-byte runes",
			when: addWith(func(c *AddMenuItem) { c.Name = strings.Repeat("é", 80) }),
			then: []domain.Event{addedWith(func(e *MenuItemAdded) { e.Name = strings.Repeat("é", 80) })}},
		{name: "price at the 100000 cent limit",
			when: addWith(func(c *AddMenuItem) { c.Price = domain.Cents(100000) }),
			then: []domain.Event{addedWith(func(e *MenuItemAdded) { e.Price = domain.Cents(100000) })}},
		{name: "price of one cent",
			when: addWith(func(c *AddMenuItem) { c.Price = domain.Cents(1) }),
			then: []domain.Event{addedWith(func(e *MenuItemAdded) { e.Price = domain.Cents(1) })}},
		{name: "filed under another category",
			when: addWith(func(c *AddMenuItem) { c.CategoryID = "desserts" }),
			then: []domain.Event{addedWith(func(e *MenuItemAdded) { e.CategoryID = "desserts" })}},
		{name: "missing id", when: addWith(func(c *AddMenuItem) { c.ItemID = " " }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "missing name", when: addWith(func(c *AddMenuItem) { c.Name = "  " }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "name of 81 runes", when: addWith(func(c *AddMenuItem) { c.Name = strings.Repeat("é", 81) }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "missing category", when: addWith(func(c *AddMenuItem) { c.CategoryID = "" }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "a category not on the list", when: addWith(func(c *AddMenuItem) { c.CategoryID = "drinks" }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "a category as free text", when: addWith(func(c *AddMenuItem) { c.CategoryID = "Pizza" }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "a category removed since",
			when: addWith(func(c *AddMenuItem) {
				c.Categories = EvolveCategories(menuCategories, CategoryRemoved{CategoryID: "pizza"})
			}),
			wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "no list of categories at all", when: addWith(func(c *AddMenuItem) { c.Categories = Categories{} }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "description of 301 runes", when: addWith(func(c *AddMenuItem) { c.Description = strings.Repeat("ß", 301) }), wantErr: domain.EINVALID, wantField: "description"},
		{name: "zero price", when: addWith(func(c *AddMenuItem) { c.Price = domain.Cents(0) }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "negative price", when: addWith(func(c *AddMenuItem) { c.Price = domain.Cents(-100) }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "price above the limit", when: addWith(func(c *AddMenuItem) { c.Price = domain.Cents(100001) }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "price in another currency", when: addWith(func(c *AddMenuItem) { c.Price = domain.Money{Amount: 950, Currency: "USD"} }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "price without currency", when: addWith(func(c *AddMenuItem) { c.Price = domain.Money{Amount: 950} }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "item already exists", given: []domain.Event{added}, when: valid, wantErr: domain.ECONFLICT},
		{name: "removed item cannot be added again", given: []domain.Event{added, MenuItemRemoved{ItemID: id}}, when: valid, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestModifyMenuItem(t *testing.T) {
	modified := MenuItemModified{ItemID: id, Name: "Marinara", Description: "", CategoryID: "pizza", Price: domain.Cents(800), Allergens: []Allergen{Gluten}, Diets: []Diet{Vegan}}
	marinara := ModifyMenuItem{Name: " Marinara ", CategoryID: "pizza", Price: domain.Cents(800), Allergens: []Allergen{Gluten}, Diets: []Diet{Vegan}, Categories: menuCategories}
	// v1 is the dish as a program that filed dishes under free text stored
	// it, read through the upcaster: no allergens listed.
	v1 := MenuItemAdded{ItemID: id, Name: "Margherita", Description: "Tomato, mozzarella, basil.", CategoryID: ImpliedCategoryID("Pizza"),
		Price: domain.Cents(950), AllergensUnlisted: true, ImpliedCategory: "Pizza"}
	implied := EvolveCategories(Categories{}, v1)
	for _, tc := range []spec{
		{name: "replaces all fields", given: []domain.Event{added}, when: marinara, then: []domain.Event{modified}},
		{name: "only the price changes",
			given: []domain.Event{added},
			when:  modifyWith(func(c *ModifyMenuItem) { c.Price = domain.Cents(1000) }),
			then: []domain.Event{MenuItemModified{ItemID: id, Name: added.Name, Description: added.Description, CategoryID: added.CategoryID,
				Price: domain.Cents(1000), Allergens: added.Allergens, Diets: added.Diets}}},
		{name: "moves to another category",
			given: []domain.Event{added},
			when:  modifyWith(func(c *ModifyMenuItem) { c.CategoryID = "desserts" }),
			then: []domain.Event{MenuItemModified{ItemID: id, Name: added.Name, Description: added.Description, CategoryID: "desserts",
				Price: added.Price, Allergens: added.Allergens, Diets: added.Diets}}},
		{name: "allergens and diets cleared",
			given: []domain.Event{added},
			when:  modifyWith(func(c *ModifyMenuItem) { c.Allergens, c.Diets = nil, nil }),
			then:  []domain.Event{MenuItemModified{ItemID: id, Name: added.Name, Description: added.Description, CategoryID: added.CategoryID, Price: added.Price}}},
		{name: "allowed while sold out", given: []domain.Event{added, MenuItemSoldOut{ItemID: id}}, when: marinara, then: []domain.Event{modified}},
		{name: "nothing changes", given: []domain.Event{added}, when: modifyWith(func(*ModifyMenuItem) {}), then: nil},
		{name: "nothing changes after trimming",
			given: []domain.Event{added},
			when:  modifyWith(func(c *ModifyMenuItem) { c.Name = " Margherita " }),
			then:  nil},
		{name: "nothing changes with the allergens in another order, twice",
			given: []domain.Event{added},
			when:  modifyWith(func(c *ModifyMenuItem) { c.Allergens = []Allergen{Milk, Gluten, Milk} }),
			then:  nil},
		{name: "same as the last modification", given: []domain.Event{added, modified}, when: marinara, then: nil},
		{name: "an old dish keeps its implied category and lists its allergens",
			given: []domain.Event{v1},
			when: ModifyMenuItem{Name: v1.Name, Description: v1.Description, CategoryID: v1.CategoryID, Price: v1.Price,
				Allergens: []Allergen{Gluten, Milk}, Categories: implied},
			then: []domain.Event{MenuItemModified{ItemID: id, Name: v1.Name, Description: v1.Description, CategoryID: v1.CategoryID,
				Price: v1.Price, Allergens: []Allergen{Gluten, Milk}}}},
		{name: "saving an old dish unchanged lists its allergens as none",
			given: []domain.Event{v1},
			when:  ModifyMenuItem{Name: v1.Name, Description: v1.Description, CategoryID: v1.CategoryID, Price: v1.Price, Categories: implied},
			then:  []domain.Event{MenuItemModified{ItemID: id, Name: v1.Name, Description: v1.Description, CategoryID: v1.CategoryID, Price: v1.Price}}},
		{name: "missing name", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Name = "" }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "name too long", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Name = strings.Repeat("x", 81) }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "missing category", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.CategoryID = " " }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "unknown category", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.CategoryID = "drinks" }), wantErr: domain.EINVALID, wantField: "category_id"},
		{name: "description too long", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Description = strings.Repeat("x", 301) }), wantErr: domain.EINVALID, wantField: "description"},
		{name: "zero price", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Price = domain.Money{} }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "price above the limit", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Price = domain.Cents(100001) }), wantErr: domain.EINVALID, wantField: "price"},
		{name: "vegan with milk", given: []domain.Event{added}, when: modifyWith(func(c *ModifyMenuItem) { c.Diets = []Diet{Vegan} }), wantErr: domain.EINVALID, wantField: "diets"},
		{name: "item never added", when: modifyWith(func(*ModifyMenuItem) {}), wantErr: domain.ENOTFOUND},
		{name: "item removed", given: []domain.Event{added, MenuItemRemoved{ItemID: id}}, when: modifyWith(func(*ModifyMenuItem) {}), wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestAvailability(t *testing.T) {
	removed := MenuItemRemoved{ItemID: id}
	soldOut := MenuItemSoldOut{ItemID: id}
	back := MenuItemBackInStock{ItemID: id}
	for _, tc := range []spec{
		{name: "remove", given: []domain.Event{added}, when: RemoveMenuItem{}, then: []domain.Event{removed}},
		{name: "remove a sold-out item", given: []domain.Event{added, soldOut}, when: RemoveMenuItem{}, then: []domain.Event{removed}},
		{name: "remove twice", given: []domain.Event{added, removed}, when: RemoveMenuItem{}, wantErr: domain.ECONFLICT},
		{name: "remove unknown", when: RemoveMenuItem{}, wantErr: domain.ENOTFOUND},
		{name: "sell out", given: []domain.Event{added}, when: MarkSoldOut{}, then: []domain.Event{soldOut}},
		{name: "sell out again is a no-op", given: []domain.Event{added, soldOut}, when: MarkSoldOut{}, then: nil},
		{name: "sell out after restock", given: []domain.Event{added, soldOut, back}, when: MarkSoldOut{}, then: []domain.Event{soldOut}},
		{name: "sell out unknown", when: MarkSoldOut{}, wantErr: domain.ENOTFOUND},
		{name: "sell out removed", given: []domain.Event{added, removed}, when: MarkSoldOut{}, wantErr: domain.ECONFLICT},
		{name: "back in stock", given: []domain.Event{added, soldOut}, when: MarkBackInStock{}, then: []domain.Event{back}},
		{name: "back in stock when in stock is a no-op", given: []domain.Event{added}, when: MarkBackInStock{}, then: nil},
		{name: "back in stock twice is a no-op", given: []domain.Event{added, soldOut, back}, when: MarkBackInStock{}, then: nil},
		{name: "back in stock unknown", when: MarkBackInStock{}, wantErr: domain.ENOTFOUND},
		{name: "back in stock removed", given: []domain.Event{added, soldOut, removed}, when: MarkBackInStock{}, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestEvolve(t *testing.T) {
	fold := func(es ...domain.Event) State {
		var s State
		for _, e := range es {
			s = Evolve(s, e)
		}
		return s
	}
	if s := fold(); s.Exists || s.Orderable() {
		t.Fatalf("zero state should not exist: %#v", s)
	}
	s := fold(added)
	want := State{ItemID: id, Name: added.Name, Description: added.Description, CategoryID: added.CategoryID, Price: added.Price,
		Allergens: added.Allergens, Diets: added.Diets, Exists: true}
	if !reflect.DeepEqual(s, want) || !s.Orderable() {
		t.Fatalf("after add\n got: %#v\nwant: %#v", s, want)
	}
	s = fold(added, MenuItemModified{ItemID: id, Name: "B", Description: "d", CategoryID: "c", Price: domain.Cents(5), AllergensUnlisted: true})
	want = State{ItemID: id, Name: "B", Description: "d", CategoryID: "c", Price: domain.Cents(5), AllergensUnlisted: true, Exists: true}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("after modify\n got: %#v\nwant: %#v", s, want)
	}
	if s := fold(added, MenuItemSoldOut{ItemID: id}); !s.SoldOut || s.Orderable() {
		t.Fatalf("sold out item should not be orderable: %#v", s)
	}
	if s := fold(added, MenuItemSoldOut{ItemID: id}, MenuItemBackInStock{ItemID: id}); s.SoldOut || !s.Orderable() {
		t.Fatalf("restocked item should be orderable: %#v", s)
	}
	if s := fold(added, MenuItemRemoved{ItemID: id}); !s.Removed || !s.Exists || s.Orderable() {
		t.Fatalf("removed item should not be orderable: %#v", s)
	}
	type unknown struct{ domain.Event }
	if s := fold(added, unknown{}); !reflect.DeepEqual(s, fold(added)) {
		t.Fatalf("unknown event changed state: %#v", s)
	}
}

func TestEvents(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, e := range append(Events(), CategoryEvents()...) {
		name := e.EventType()
		if !strings.HasPrefix(name, "menu.") || seen[name] {
			t.Errorf("event type %q should be unique and start with menu.", name)
		}
		seen[name] = true
		rt := reflect.TypeOf(e)
		if rt.Kind() != reflect.Struct {
			t.Fatalf("%s should be a struct value", name)
		}
		if name != "menu."+rt.Name() {
			t.Errorf("event type %q does not match type %s", name, rt.Name())
		}
		for i := range rt.NumField() {
			if j, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); !tag.MatchString(j) {
				t.Errorf("%s.%s has json tag %q, want snake_case", rt.Name(), rt.Field(i).Name, j)
			}
		}
	}
	if len(seen) != 18 {
		t.Errorf("want 18 event types, got %d", len(seen))
	}
	// Every event survives a JSON round trip.
	old := addedWith(func(e *MenuItemAdded) {
		e.Allergens, e.Diets, e.AllergensUnlisted, e.ImpliedCategory = nil, nil, true, "Pizza"
	})
	for _, e := range []domain.Event{added, MenuItemModified(added), old, MenuItemModified(old), MenuItemRemoved{ItemID: id}, MenuItemSoldOut{ItemID: id},
		MenuItemBackInStock{ItemID: id}, CategoryAdded{CategoryID: "pizza", Name: "Pizza"}, CategoryRenamed{CategoryID: "pizza", Name: "Pizze"},
		CategoryMoved{CategoryID: "pizza", Position: 2}, CategoryRemoved{CategoryID: "pizza"},
		MenuItemPhotoChanged{ItemID: id, PhotoID: photo}, MenuItemPhotoRemoved{ItemID: id},
		size, large, small, OptionGroupRenamed{ItemID: id, GroupID: "size", Name: "S"}, OptionGroupRulesSet{ItemID: id, GroupID: "size", Max: 2},
		OptionGroupRemoved{ItemID: id, GroupID: "size"}, OptionChoiceRemoved{ItemID: id, GroupID: "size", ChoiceID: "large"}} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(e))
		if err := json.Unmarshal(b, p.Interface()); err != nil {
			t.Fatal(err)
		}
		if got := p.Elem().Interface(); !reflect.DeepEqual(got, e) {
			t.Errorf("round trip\n got: %#v\nwant: %#v", got, e)
		}
	}
}

func TestSlug(t *testing.T) {
	for name, want := range map[string]string{
		"Quattro formaggi":      "quattro-formaggi",
		"  Tiramisù!  ":         "tiramis",
		"Café & Crème":          "caf-cr-me",
		"***":                   "",
		strings.Repeat("a", 60): strings.Repeat("a", 40),
	} {
		if got := Slug(name); got != want {
			t.Errorf("Slug(%q) = %q, want %q", name, got, want)
		}
	}
}
