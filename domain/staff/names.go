package staff

import "restaurant/domain"

// StreamPrefix begins the name of every staff member's stream. Stored events
// carry it, so it never changes.
const StreamPrefix = "staff-"

// Stream names a staff member's stream: a member is known by their
// username, so signing in finds their history from what they type.
func Stream(username string) string { return StreamPrefix + username }

// Decider is the staff member aggregate as the event store runs it: one
// value for the accounts and the tests alike.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide}
