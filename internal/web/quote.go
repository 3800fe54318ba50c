package web

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"restaurant/domain/kitchen"
	"restaurant/domain/settings"
	"restaurant/internal/live"
	"restaurant/projections"
)

// quote is when an order will be ready (for a delivery: at the door), made
// from the kitchen's live queue, its pace, and the dishes' prep times; and
// what the pace says of the wait.
type quote struct {
	At       time.Time
	Wait     time.Duration
	Delivery bool
	Busy     bool // the wait is one guests are told of
	Full     bool // the wait is one from which no order is taken
	// When is the time for later an order was asked for, in words ("at
	// 19:30"); "" for one as soon as possible.
	When string
}

// queue is the kitchen's orders in hand as the quotes see them: each with
// how long it takes, the menu's prep times, and the kitchen's pace, at now.
type queue struct {
	now    time.Time
	pace   settings.Pace
	menu   map[string]projections.MenuItem
	orders []projections.InHandOrder
	work   []kitchen.InHand
}

// queueNow reads the kitchen's queue as it is now.
func (d Deps) queueNow(ctx context.Context) (queue, error) {
	s, err := d.settings.Get(ctx)
	if err != nil {
		return queue{}, err
	}
	menu, err := d.menuByID(ctx, false)
	if err != nil {
		return queue{}, err
	}
	inHand, err := d.inHand(ctx)
	if err != nil {
		return queue{}, err
	}
	q := queue{now: d.Now(), pace: s.KitchenPace(), menu: menu, orders: inHand, work: make([]kitchen.InHand, len(inHand))}
	for i, o := range inHand {
		q.work[i] = kitchen.InHand{Cook: projections.CookTime(menu, o.Dishes), Started: o.Started}
	}
	return q, nil
}

// readyAt is when the i-th order in hand will be ready: one cooking on its
// own time, one waiting after those ahead of it.
func (q queue) readyAt(i int) time.Time {
	if q.orders[i].Status == kitchen.StatusPreparing {
		return q.work[i].DoneAt(q.now)
	}
	return kitchen.ReadyAt(q.now, q.work[:i], q.work[i].Cook, q.pace.Parallel)
}

// quoteFor quotes an order of these dishes: for an order the kitchen has,
// where it stands in the queue; for any other, if it were placed now.
func (d Deps) quoteFor(ctx context.Context, orderID string, dishes []string, delivery bool) (quote, error) {
	k, err := d.queueNow(ctx)
	if err != nil {
		return quote{}, err
	}
	var at time.Time
	if i := slices.IndexFunc(k.orders, func(o projections.InHandOrder) bool { return o.OrderID == orderID }); i >= 0 {
		at = k.readyAt(i)
	} else {
		at = kitchen.ReadyAt(k.now, k.work, projections.CookTime(k.menu, dishes), k.pace.Parallel)
	}
	if delivery {
		at = at.Add(minutesOf(k.pace.DeliveryMinutes))
	}
	q := quote{At: at, Wait: at.Sub(k.now), Delivery: delivery}
	q.Busy = q.Wait >= minutesOf(k.pace.BusyAfter)
	q.Full = k.pace.StopAfter > 0 && q.Wait >= minutesOf(k.pace.StopAfter)
	return q, nil
}

// dueTimes are when each order in hand will be ready, by order: what the
// kitchen display says on each open ticket ("due 19:42"), the same sums
// as the guests' quotes.
func (d Deps) dueTimes(ctx context.Context) (map[string]time.Time, error) {
	k, err := d.queueNow(ctx)
	if err != nil {
		return nil, err
	}
	due := make(map[string]time.Time, len(k.orders))
	for i, o := range k.orders {
		due[o.OrderID] = k.readyAt(i)
	}
	return due, nil
}

func minutesOf(n int) time.Duration { return time.Duration(n) * time.Minute }

// words say a quote to a guest: "Ready for pickup around 19:42, in about
// 25 minutes."
func (q quote) words(loc *time.Location) string {
	switch {
	case q.When != "" && q.Delivery:
		return fmt.Sprintf("At your door %s, the time you chose.", q.When)
	case q.When != "":
		return fmt.Sprintf("Ready for pickup %s, the time you chose.", q.When)
	}
	clock, wait := q.At.In(loc).Format("15:04"), aboutMinutes(q.Wait)
	if q.Delivery {
		return fmt.Sprintf("At your door around %s, in about %s.", clock, wait)
	}
	return fmt.Sprintf("Ready for pickup around %s, in about %s.", clock, wait)
}

// fullWords say why an order is not taken while the wait is this long.
func (q quote) fullWords() string {
	return fmt.Sprintf("The kitchen is full for now: an order placed now would take about %s. Please try again a little later.", aboutMinutes(q.Wait))
}

// aboutMinutes rounds a wait up to whole minutes, in words.
func aboutMinutes(wait time.Duration) string {
	n := int((wait + time.Minute - 1) / time.Minute)
	if n <= 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// queueCache keeps the kitchen's orders in hand as last read, for the live
// pushes of every order page the kitchen's moves wake: one read per move of
// the kitchen (the hub's generation of the queue's topic), not one per page.
type queueCache struct {
	mu         sync.Mutex
	generation uint64
	orders     []projections.InHandOrder
	read       bool
}

// livePush marks a render for a live push, which may use the cached queue.
type livePush struct{}

// inHand reads the kitchen's orders in hand: afresh for a page, from the
// cache for a live push.
func (d Deps) inHand(ctx context.Context) ([]projections.InHandOrder, error) {
	if ctx.Value(livePush{}) == nil || d.queue == nil {
		return projections.InHand(ctx, d.Pool)
	}
	generation := d.Hub.Generation(live.QueueTopic())
	c := d.queue
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read && c.generation == generation {
		return c.orders, nil
	}
	orders, err := projections.InHand(ctx, d.Pool)
	if err != nil {
		return nil, err
	}
	c.generation, c.orders, c.read = generation, orders, true
	return orders, nil
}
