package web

import (
	"context"
	"sync"
	"time"

	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/live"
	"restaurant/views"
)

// localNow is the time now in the restaurant's time zone, as the settings'
// commands and questions take it.
func (d Deps) localNow() time.Time { return d.Now().In(d.Location) }

// settingsNow are the restaurant's settings as their stream has them, as
// commands decide on them: a pause a manager or cook just set holds for
// the very next order.
func (d Deps) settingsNow(ctx context.Context) (settings.State, error) {
	return d.settingsLog.Current(ctx, d.Store, settings.Stream, settings.Evolve)
}

// orderingNow says whether online orders are taken now, decided on the
// settings' stream itself, as opening and placing an order ask it.
func (d Deps) orderingNow(ctx context.Context) (settings.Ordering, error) {
	s, err := d.settingsNow(ctx)
	if err != nil {
		return settings.Ordering{}, err
	}
	return s.OrderingAt(d.localNow()), nil
}

// forLater says whether, while no order is taken now, orders for later
// are (see ordering.ForLater).
func (d Deps) forLater(o settings.Ordering) bool {
	return !o.Open && ordering.ForLater(d.localNow(), o.Opens, o.Paused)
}

// orderingShown is what the menu and the kitchen display say of ordering,
// from the settings' read model (see orderingRead).
func (d Deps) orderingShown(ctx context.Context) (views.OrderingView, settings.State, error) {
	o, s, err := d.orderingRead(ctx)
	if err != nil {
		return views.OrderingView{}, s, err
	}
	v := views.OrderingView{Open: o.Open, Message: o.Reason, Paused: o.Paused, Later: d.forLater(o)}
	if o.Paused && !o.PausedUntil.IsZero() {
		v.PausedUntil = o.PausedUntil.In(d.Location).Format("15:04")
	}
	return v, s, nil
}

// orderingRead says whether online orders are taken now, from the
// settings' read model, as the screens show it. A screen showing it is told
// again when the answer changes by the clock alone (the restaurant opens, a
// pause ends).
func (d Deps) orderingRead(ctx context.Context) (settings.Ordering, settings.State, error) {
	s, err := d.settings.Get(ctx)
	if err != nil {
		return settings.Ordering{}, s, err
	}
	o := s.OrderingAt(d.localNow())
	d.clock.remind(o.Changes)
	return o, s, nil
}

// clockNotices tells this process's menu and kitchen screens when what
// they say about ordering changes by the clock alone, with no event to
// tell them: a pause is over, the restaurant opens or closes. Each process
// tells its own screens; the earliest time any screen showed is kept.
type clockNotices struct {
	hub *live.Hub
	now func() time.Time

	mu    sync.Mutex
	due   time.Time
	timer *time.Timer
}

// clockCheck is the longest the clock is left unread while a change is
// due, so a clock that jumps (a test's, or the machine's) is caught up
// with soon.
const clockCheck = time.Second

// remind asks for the screens to be told at t; zero asks nothing.
func (c *clockNotices) remind(t time.Time) {
	if t.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.due.IsZero() && !t.Before(c.due) {
		return
	}
	c.due = t
	c.arm()
}

// arm sets the timer for the due time, or for a second if that is sooner.
func (c *clockNotices) arm() {
	wait := min(c.due.Sub(c.now()), clockCheck)
	if c.timer == nil {
		c.timer = time.AfterFunc(wait, c.fire)
		return
	}
	c.timer.Reset(wait)
}

func (c *clockNotices) fire() {
	c.mu.Lock()
	if c.due.IsZero() {
		c.mu.Unlock()
		return
	}
	if c.now().Before(c.due) {
		c.arm()
		c.mu.Unlock()
		return
	}
	c.due = time.Time{}
	c.mu.Unlock()
	// The screens render again, and ask to be told of the next change.
	c.hub.Publish(live.MenuTopic())
	c.hub.Publish(live.KitchenTopic())
}
