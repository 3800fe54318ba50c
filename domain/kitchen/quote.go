package kitchen

import (
	"slices"
	"time"
)

// A quote is when an order will be ready, from the live queue: the kitchen
// cooks a number of orders at once (its pace), each order's dishes together,
// so an order takes as long as its slowest dish. Orders in hand go first, in
// the order the kitchen works them: those started, then those waiting,
// oldest first. An order takes the first place at the stoves that frees up.

// InHand is an order the kitchen has: how long it takes to cook and, once
// started, since when.
type InHand struct {
	Cook    time.Duration
	Started time.Time // zero while waiting
}

// overrun is what an order cooking past its time is still counted to
// take: it will be done soon, not already.
const overrun = time.Minute

// ReadyAt is when an order that takes cook would be ready if the kitchen,
// cooking parallel orders at once, took it after ahead. Nothing is ready
// before now.
func ReadyAt(now time.Time, ahead []InHand, cook time.Duration, parallel int) time.Time {
	if parallel < 1 {
		parallel = 1
	}
	free := make([]time.Time, parallel) // when each place at the stoves frees up
	for i := range free {
		free[i] = now
	}
	next := func() int { // the place that frees up first
		i := 0
		for j := range free {
			if free[j].Before(free[i]) {
				i = j
			}
		}
		return i
	}
	for _, o := range ahead {
		i := next()
		free[i] = free[i].Add(o.left(now))
	}
	return free[next()].Add(cook)
}

// left is how much longer an order in hand takes from now.
func (o InHand) left(now time.Time) time.Duration {
	if o.Started.IsZero() {
		return o.Cook
	}
	return max(o.Cook-now.Sub(o.Started), overrun)
}

// DoneAt is when an order in hand will be done, on its own: for one
// cooking, its time, or a minute from now when it runs over.
func (o InHand) DoneAt(now time.Time) time.Time { return now.Add(o.left(now)) }

// CookTime is how long an order takes: its slowest dish.
func CookTime(dishes []time.Duration) time.Duration {
	if len(dishes) == 0 {
		return 0
	}
	return slices.Max(dishes)
}
