package menu

import "restaurant/domain"

// StreamPrefix begins the name of every menu item's stream. Stored events
// carry it, so it never changes; the seeder asks whether any stream has it
// to learn whether the restaurant ever had a menu.
const StreamPrefix = "menu-item-"

// Stream names a menu item's stream, so the staff's menu page, the demo
// seeder and the tests all write to the same dish.
func Stream(itemID string) string { return StreamPrefix + itemID }

// ContextPrefix begins the name of every stream of the menu: the dishes'
// and the categories'.
const ContextPrefix = "menu-"

// CategoriesStream names the stream of the list of categories: their
// names and their order. It never changes.
const CategoriesStream = ContextPrefix + "categories"

// Decider is the menu item aggregate as the event store runs it: one value
// for every writer of the menu. A dish holds no personal data, so the
// store keeps snapshots of its stream.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide, Snapshot: 1}

// CategoriesDecider is the list of categories as the event store runs it,
// folded from the Catalogue: which dishes are filed where decides whether a
// category may go.
var CategoriesDecider = domain.Decider[Categories, CategoryCommand]{Evolve: EvolveCategories, Decide: DecideCategory}

// Catalogue is what decides the list of categories and the filing of
// dishes: the categories' events and every dish's additions, changes and
// removals, under the categories stream's lock. Category commands are
// decided on it, and a dish is added or changed under it, so no category
// goes while a dish is being filed under it.
var Catalogue = domain.Scope{
	Lock:   CategoriesStream,
	Prefix: ContextPrefix,
	Types: []string{
		MenuItemAdded{}.EventType(), MenuItemModified{}.EventType(), MenuItemRemoved{}.EventType(),
		CategoryAdded{}.EventType(), CategoryRenamed{}.EventType(), CategoryMoved{}.EventType(), CategoryRemoved{}.EventType(),
	},
}
