package ordering

import "restaurant/domain"

// StreamPrefix begins the name of every order's stream. Stored events carry
// it, so it never changes; readers that pick orders out of the log by name
// use it rather than spelling it again.
const StreamPrefix = "order-"

// Stream names an order's stream, so that every writer and reader of an
// order finds the same history.
func Stream(orderID string) string { return StreamPrefix + orderID }

// Decider is the order aggregate as the event store runs it: one value for
// every command handler, policy and test, so none of them can pair the fold
// with another decision.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide}
