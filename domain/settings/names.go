package settings

import "restaurant/domain"

// Stream is the one stream of the restaurant's settings. Stored events carry
// it, so it never changes.
const Stream = "restaurant-settings"

// Decider is the settings aggregate as the event store runs it. Its one
// stream grows with every change of the hours, pause and pace, and holds no
// personal data, so the store keeps snapshots of it.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide, Snapshot: 1}
