package customers

import "restaurant/domain"

// Decider is the customer aggregate as the event store runs it: one value
// for every command handler and test, so none of them can pair the fold
// with another decision.
var Decider = domain.Decider[State, Command]{Evolve: Evolve, Decide: Decide}

// ReservationDecider is an email reservation as the event store runs it.
var ReservationDecider = domain.Decider[Reservation, ReservationCommand]{Evolve: EvolveReservation, Decide: DecideReservation}
