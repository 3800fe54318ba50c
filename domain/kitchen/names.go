package kitchen

import "restaurant/domain"

// StreamPrefix begins the name of every kitchen ticket's stream. Stored
// events carry it, so it never changes; readers that pick tickets out of the
// log by name use it rather than spelling it again.
const StreamPrefix = "ticket-"

// Stream names a ticket's stream. A ticket has its order's id, so the order
// and its ticket are found from the one id.
func Stream(orderID string) string { return StreamPrefix + orderID }

// Decider is the ticket aggregate as the event store runs it: one value for
// the cooks' commands, the policies and the tests alike.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide}

// StationsStream names the stream of the kitchen's stations and their
// routes. It never changes.
const StationsStream = "kitchen-stations"

// StationsDecider is the list of stations as the event store runs it. Its
// one stream grows with every route, and holds no personal data, so the
// store keeps snapshots of it.
var StationsDecider = domain.Decider[Stations, StationCommand]{Evolve: EvolveStations, Decide: DecideStations, Snapshot: 1}
