package menu

import "restaurant/domain"

// StreamPrefix begins the name of every menu item's stream. Stored events
// carry it, so it never changes; the seeder asks whether any stream has it
// to learn whether the restaurant ever had a menu.
const StreamPrefix = "menu-item-"

// Stream names a menu item's stream, so the staff's menu page, the demo
// seeder and the tests all write to the same dish.
func Stream(itemID string) string { return StreamPrefix + itemID }

// Decider is the menu item aggregate as the event store runs it: one value
// for every writer of the menu.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide}
