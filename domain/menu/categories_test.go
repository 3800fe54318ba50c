package menu

import (
	"reflect"
	"strings"
	"testing"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

// categorySpec is one given/when/then case of the list of categories: the
// catalogue's facts given, a command, and the events or the refusal.
type categorySpec struct {
	name    string
	given   []domain.Event
	when    CategoryCommand
	then    []domain.Event
	wantErr string
	field   string
	says    string
}

func runCategory(t *testing.T, tc categorySpec) {
	t.Helper()
	got, err := DecideCategory(categories(tc.given...), tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.field, Message: tc.says})
}

var (
	pizza    = CategoryAdded{CategoryID: "pizza", Name: "Pizza"}
	pasta    = CategoryAdded{CategoryID: "pasta", Name: "Pasta"}
	desserts = CategoryAdded{CategoryID: "desserts", Name: "Desserts"}
	// oldDish is a dish stored under free text, read through the upcaster.
	oldDish = MenuItemAdded{ItemID: "calzone", Name: "Calzone", CategoryID: ImpliedCategoryID("Drinks"), ImpliedCategory: "Drinks",
		Price: domain.Cents(900), AllergensUnlisted: true}
)

// filed is a dish filed under a category.
func filed(item, category string) MenuItemAdded {
	return MenuItemAdded{ItemID: item, Name: item, CategoryID: category, Price: domain.Cents(500)}
}

func TestAddCategory(t *testing.T) {
	for _, tc := range []categorySpec{
		{name: "adds at the end", given: []domain.Event{pizza}, when: AddCategory{CategoryID: "pasta", Name: "Pasta"}, then: []domain.Event{pasta}},
		{name: "trims the name and makes inner spaces one",
			when: AddCategory{CategoryID: "hot-drinks", Name: "  Hot \t\n drinks "},
			then: []domain.Event{CategoryAdded{CategoryID: "hot-drinks", Name: "Hot drinks"}}},
		{name: "a name of 40 runes", when: AddCategory{CategoryID: "long", Name: strings.Repeat("é", 40)},
			then: []domain.Event{CategoryAdded{CategoryID: "long", Name: strings.Repeat("é", 40)}}},
		{name: "an emoji made of several", when: AddCategory{CategoryID: "family", Name: "Family 👨‍👩‍👧"},
			then: []domain.Event{CategoryAdded{CategoryID: "family", Name: "Family 👨‍👩‍👧"}}},
		{name: "no name", when: AddCategory{CategoryID: "x", Name: " \t "}, wantErr: domain.EINVALID, field: "name", says: "name"},
		{name: "a name of 41 runes", when: AddCategory{CategoryID: "x", Name: strings.Repeat("ü", 41)}, wantErr: domain.EINVALID, field: "name", says: "40 characters"},
		{name: "a control character", when: AddCategory{CategoryID: "x", Name: "Piz\x07za"}, wantErr: domain.EINVALID, field: "name", says: "control characters"},
		{name: "a right-to-left override", when: AddCategory{CategoryID: "x", Name: "Pizza\u202e"}, wantErr: domain.EINVALID, field: "name", says: "control characters"},
		{name: "the same name in another case", given: []domain.Event{pizza}, when: AddCategory{CategoryID: "x", Name: "  PIZZA"},
			wantErr: domain.EINVALID, field: "name", says: "There is a category called Pizza already."},
		{name: "the name of a category an old dish implies", given: []domain.Event{oldDish}, when: AddCategory{CategoryID: "x", Name: "drinks"},
			wantErr: domain.EINVALID, field: "name", says: "called Drinks"},
		{name: "the name of a removed category", given: []domain.Event{pizza, CategoryRemoved{CategoryID: "pizza"}},
			when: AddCategory{CategoryID: "pizza-2", Name: "Pizza"}, then: []domain.Event{CategoryAdded{CategoryID: "pizza-2", Name: "Pizza"}}},
		{name: "no id", when: AddCategory{Name: "Pizza"}, wantErr: domain.EINVALID, field: "category_id"},
		{name: "an id that is no slug", when: AddCategory{CategoryID: "Pizza Place", Name: "Pizza"}, wantErr: domain.EINVALID, field: "category_id"},
		{name: "an id taken", given: []domain.Event{pizza}, when: AddCategory{CategoryID: "pizza", Name: "Pizze"}, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { runCategory(t, tc) })
	}
}

func TestRenameCategory(t *testing.T) {
	for _, tc := range []categorySpec{
		{name: "renames", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: " Pizze "},
			then: []domain.Event{CategoryRenamed{CategoryID: "pizza", Name: "Pizze"}}},
		{name: "in another case only", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: "PIZZA"},
			then: []domain.Event{CategoryRenamed{CategoryID: "pizza", Name: "PIZZA"}}},
		{name: "an implied category", given: []domain.Event{oldDish}, when: RenameCategory{CategoryID: oldDish.CategoryID, Name: "Soft drinks"},
			then: []domain.Event{CategoryRenamed{CategoryID: oldDish.CategoryID, Name: "Soft drinks"}}},
		{name: "the same name again", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: "Pizza "}, then: nil},
		{name: "another category's name", given: []domain.Event{pizza, pasta}, when: RenameCategory{CategoryID: "pasta", Name: "pizza"},
			wantErr: domain.EINVALID, field: "name", says: "called Pizza"},
		{name: "no name", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: ""}, wantErr: domain.EINVALID, field: "name"},
		{name: "too long", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: strings.Repeat("x", 41)}, wantErr: domain.EINVALID, field: "name"},
		{name: "a control character", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pizza", Name: "Pi\x00zza"}, wantErr: domain.EINVALID, field: "name"},
		{name: "unknown", given: []domain.Event{pizza}, when: RenameCategory{CategoryID: "pasta", Name: "Pasta"}, wantErr: domain.ENOTFOUND},
		{name: "removed", given: []domain.Event{pizza, CategoryRemoved{CategoryID: "pizza"}}, when: RenameCategory{CategoryID: "pizza", Name: "Pizze"}, wantErr: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { runCategory(t, tc) })
	}
}

func TestMoveCategory(t *testing.T) {
	three := []domain.Event{pizza, pasta, desserts}
	for _, tc := range []categorySpec{
		{name: "to a position", given: three, when: MoveCategory{CategoryID: "desserts", Position: 1}, then: []domain.Event{CategoryMoved{CategoryID: "desserts", Position: 1}}},
		{name: "up", given: three, when: MoveCategory{CategoryID: "pasta", By: -1}, then: []domain.Event{CategoryMoved{CategoryID: "pasta", Position: 1}}},
		{name: "down", given: three, when: MoveCategory{CategoryID: "pasta", By: 1}, then: []domain.Event{CategoryMoved{CategoryID: "pasta", Position: 3}}},
		{name: "up from the top stays", given: three, when: MoveCategory{CategoryID: "pizza", By: -1}, then: nil},
		{name: "down from the bottom stays", given: three, when: MoveCategory{CategoryID: "desserts", By: 1}, then: nil},
		{name: "far down stops at the end", given: three, when: MoveCategory{CategoryID: "pizza", By: 9}, then: []domain.Event{CategoryMoved{CategoryID: "pizza", Position: 3}}},
		{name: "to where it is", given: three, when: MoveCategory{CategoryID: "pasta", Position: 2}, then: nil},
		{name: "an implied category", given: []domain.Event{pizza, oldDish}, when: MoveCategory{CategoryID: oldDish.CategoryID, Position: 1},
			then: []domain.Event{CategoryMoved{CategoryID: oldDish.CategoryID, Position: 1}}},
		{name: "to position 0", given: three, when: MoveCategory{CategoryID: "pasta", Position: 0}, wantErr: domain.EINVALID, field: "position", says: "from 1 to 3"},
		{name: "past the end", given: three, when: MoveCategory{CategoryID: "pasta", Position: 4}, wantErr: domain.EINVALID, field: "position", says: "from 1 to 3"},
		{name: "unknown", given: three, when: MoveCategory{CategoryID: "drinks", By: 1}, wantErr: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { runCategory(t, tc) })
	}
}

func TestRemoveCategory(t *testing.T) {
	for _, tc := range []categorySpec{
		{name: "an empty one", given: []domain.Event{pizza, pasta}, when: RemoveCategory{CategoryID: "pasta"}, then: []domain.Event{CategoryRemoved{CategoryID: "pasta"}}},
		{name: "one with a dish", given: []domain.Event{pizza, filed("margherita", "pizza")}, when: RemoveCategory{CategoryID: "pizza"},
			wantErr: domain.ECONFLICT, says: "Pizza still has 1 dish"},
		{name: "one with dishes", given: []domain.Event{pizza, filed("margherita", "pizza"), filed("funghi", "pizza")}, when: RemoveCategory{CategoryID: "pizza"},
			wantErr: domain.ECONFLICT, says: "2 dishes"},
		{name: "once its dishes are removed",
			given: []domain.Event{pizza, filed("margherita", "pizza"), MenuItemRemoved{ItemID: "margherita"}},
			when:  RemoveCategory{CategoryID: "pizza"}, then: []domain.Event{CategoryRemoved{CategoryID: "pizza"}}},
		{name: "once its dishes moved elsewhere",
			given: []domain.Event{pizza, pasta, filed("margherita", "pizza"), MenuItemModified{ItemID: "margherita", CategoryID: "pasta"}},
			when:  RemoveCategory{CategoryID: "pizza"}, then: []domain.Event{CategoryRemoved{CategoryID: "pizza"}}},
		{name: "an implied one with its old dish", given: []domain.Event{oldDish}, when: RemoveCategory{CategoryID: oldDish.CategoryID},
			wantErr: domain.ECONFLICT, says: "Drinks still has 1 dish"},
		{name: "an implied one, emptied", given: []domain.Event{oldDish, MenuItemRemoved{ItemID: "calzone"}}, when: RemoveCategory{CategoryID: oldDish.CategoryID},
			then: []domain.Event{CategoryRemoved{CategoryID: oldDish.CategoryID}}},
		{name: "unknown", when: RemoveCategory{CategoryID: "pizza"}, wantErr: domain.ENOTFOUND},
		{name: "twice", given: []domain.Event{pizza, CategoryRemoved{CategoryID: "pizza"}}, when: RemoveCategory{CategoryID: "pizza"}, wantErr: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { runCategory(t, tc) })
	}
}

func TestEvolveCategories(t *testing.T) {
	v1 := func(item, text string) MenuItemAdded {
		return MenuItemAdded{ItemID: item, Name: item, CategoryID: ImpliedCategoryID(text), ImpliedCategory: CategoryName(text), AllergensUnlisted: true}
	}
	drinks, pizzas := ImpliedCategoryID("Drinks"), ImpliedCategoryID("Pizza")
	before := categories(v1("espresso", "Drinks"), v1("margherita", "Pizza"))
	after := categories(v1("espresso", "Drinks"), v1("margherita", "Pizza"), v1("funghi", " pizza "),
		MenuItemModified{ItemID: "espresso", CategoryID: drinks, ImpliedCategory: "DRINKS"}, pasta,
		CategoryMoved{CategoryID: "pasta", Position: 1}, MenuItemRemoved{ItemID: "espresso"}, CategoryRenamed{CategoryID: pizzas, Name: "Pizze"})
	want := []Category{{ID: "pasta", Name: "Pasta"}, {ID: drinks, Name: "Drinks"}, {ID: pizzas, Name: "Pizze", Dishes: 2}}
	if got := after.List(); !reflect.DeepEqual(got, want) {
		t.Fatalf("categories\n got: %+v\nwant: %+v", got, want)
	}
	if got := before.List(); !reflect.DeepEqual(got, []Category{{ID: drinks, Name: "Drinks", Dishes: 1}, {ID: pizzas, Name: "Pizza", Dishes: 1}}) {
		t.Fatalf("folding further changed the earlier list: %+v", got)
	}
	// A removed category is gone; a move past the end stops there.
	c := categories(pizza, pasta, desserts, CategoryMoved{CategoryID: "pizza", Position: 9}, CategoryRemoved{CategoryID: "pasta"})
	if got := c.List(); !reflect.DeepEqual(got, []Category{{ID: "desserts", Name: "Desserts"}, {ID: "pizza", Name: "Pizza"}}) {
		t.Fatalf("after moving and removing: %+v", got)
	}
	if _, ok := c.Find("pasta"); ok {
		t.Fatal("a removed category is found")
	}
	type unknown struct{ domain.Event }
	if got := EvolveCategories(c, unknown{}); !reflect.DeepEqual(got, c) {
		t.Fatalf("an unknown event changed the list: %+v", got)
	}
}

func TestImpliedCategoryID(t *testing.T) {
	same := []string{"Pizza", "pizza", "  PIZZA\t", "Pizza"}
	for _, s := range same {
		if ImpliedCategoryID(s) != ImpliedCategoryID(same[0]) {
			t.Errorf("%q and %q imply different categories", s, same[0])
		}
	}
	if id := ImpliedCategoryID("Hot  drinks"); id != ImpliedCategoryID("hot drinks") || !strings.HasPrefix(id, "hot-drinks-") {
		t.Errorf("Hot drinks implies %q", id)
	}
	if ImpliedCategoryID("Café") == ImpliedCategoryID("Caf") {
		t.Error("Café and Caf imply the same category")
	}
	for _, s := range []string{"饮料", "Café & Crème", strings.Repeat("a", 60), "Pizza"} {
		if id := ImpliedCategoryID(s); !categoryID.MatchString(id) {
			t.Errorf("%q implies the id %q, which no category may have", s, id)
		}
	}
	if id := ImpliedCategoryID(" \n "); id != "" {
		t.Errorf("blank text implies %q", id)
	}
}
