package domain

// Decider is an aggregate as a bounded context defines it: a fold of its
// events into state and a decision on a command against that state. Each
// context declares its own once, and the event store runs any of them, so
// the rules stay pure and the store stays ignorant of them. Its initial
// state is the zero value of S.
type Decider[S, C any] struct {
	Evolve func(S, Event) S
	Decide func(S, C) ([]Event, error)
}
