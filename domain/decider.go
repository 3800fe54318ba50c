package domain

// Decider is an aggregate as a bounded context defines it: a fold of its
// events into state and a decision on a command against that state. Each
// context declares its own once, and the event store runs any of them, so
// the rules stay pure and the store stays ignorant of them. Its initial
// state is the zero value of S.
type Decider[S, C any] struct {
	Evolve func(S, Event) S
	Decide func(S, C) ([]Event, error)
	// Snapshot, above zero, lets the event store keep this decider's
	// folded states as snapshots, so a long stream is not folded from its
	// first event on every load. Opt in only for a state that survives
	// encoding/json unchanged and holds no personal data. The number is
	// part of the snapshots' shape: bump it when Evolve comes to mean
	// something else without a change of S (or an upcaster comes to read
	// old events it folds otherwise), and older snapshots are ignored.
	Snapshot int
}
