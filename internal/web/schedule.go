package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// Orders for later: a guest asks for an open order at a time of their
// choosing (POST /orders/{id}/commands/schedule, scheduled_for in the
// restaurant's local time, "2026-03-03T19:30") or as soon as possible again
// (.../clear-schedule). The order decides against a window made here: the
// restaurant's clock, its hours, and the kitchen's quote for the order as
// soon as possible.

// slotLayout is how a time for later travels in forms and is offered:
// the restaurant's wall clock, as an HTML datetime-local field writes it.
const slotLayout = "2006-01-02T15:04"

// slotsOffered is how many times for later the order page offers: twelve
// hours of quarters, today's and tomorrow's as a rule.
const slotsOffered = 48

func (d Deps) scheduleOrder(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("schedule"), build: func(ctx context.Context, r *http.Request, in input) (ordering.Command, error) {
		at, err := parseSlot(in.values[ordering.ScheduleField], d.Location)
		if err != nil {
			return nil, err
		}
		order, _, err := eventstore.Load(ctx, d.Store, ordering.Stream(chi.URLParam(r, "orderID")), ordering.Decider)
		if err != nil {
			return nil, err
		}
		s, err := d.settingsNow(ctx)
		if err != nil {
			return nil, err
		}
		return ordering.ScheduleFor{For: at, Window: d.window(ctx, order.OrderID, order.Lines, order.Fulfilment, s)}, nil
	}})(w, r)
}

func (d Deps) clearSchedule(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("schedule"), build: func(context.Context, *http.Request, input) (ordering.Command, error) {
		return ordering.ClearSchedule{}, nil
	}})(w, r)
}

// parseSlot reads a time for later: the restaurant's wall clock as the
// order page sends it, or, from a JSON client, an RFC 3339 time.
func parseSlot(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, domain.Invalid(ordering.ScheduleField, "Choose a time for your order.")
	}
	if t, err := time.ParseInLocation(slotLayout, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	return time.Time{}, domain.Invalid(ordering.ScheduleField, "Choose a time like 2026-03-03T19:30.")
}

// window is what an order's time for later is checked against now: the
// restaurant's clock and hours, and when the kitchen could have the order
// ready (at the door, for a delivery) were it placed now. A quote that
// cannot be made leaves the lead alone to count.
func (d Deps) window(ctx context.Context, orderID string, lines []ordering.Line, f ordering.Fulfilment, hours settings.State) ordering.Window {
	if len(lines) == 0 {
		return d.windowAt(hours, time.Time{})
	}
	q, err := d.quoteFor(ctx, orderID, menuIDsOf(lines), f == ordering.FulfilmentDelivery)
	if err != nil {
		slog.Warn("times for later without a quote", "order_id", orderID, "error", err)
	}
	return d.windowAt(hours, q.At)
}

// windowAt is the window of an order the kitchen could have ready at ready
// (zero: no quote).
func (d Deps) windowAt(hours settings.State, ready time.Time) ordering.Window {
	return ordering.Window{Now: d.localNow(), Ready: ready, Hours: hours}
}

// whenView is an open order's time and the times it may be asked for, as
// the order page offers them.
func (d Deps) whenView(o projections.Order, w ordering.Window) views.WhenView {
	var v views.WhenView
	if !o.ScheduledFor.IsZero() {
		v.Scheduled = d.sayWhen(o.ScheduledFor)
		v.Value = o.ScheduledFor.In(d.Location).Format(slotLayout)
	}
	for _, t := range w.Slots(slotsOffered) {
		t = t.In(d.Location)
		day := dayLabel(w.Now, t)
		if n := len(v.Days); n == 0 || v.Days[n-1].Label != day {
			v.Days = append(v.Days, views.SlotDay{Label: day})
		}
		last := &v.Days[len(v.Days)-1]
		last.Slots = append(last.Slots, views.Slot{Value: t.Format(slotLayout), Label: t.Format("15:04")})
	}
	return v
}

// dayLabel names a day of times for later: "Today", "Tomorrow", "Friday 6
// March".
func dayLabel(now, t time.Time) string {
	switch domain.Day(now, t) {
	case "today":
		return "Today"
	case "tomorrow":
		return "Tomorrow"
	}
	return t.Format("Monday 2 January")
}

// sayWhen tells a time for later as the guest reads it: "at 19:30" today,
// "tomorrow at 12:30", "on Friday at 12:30".
func (d Deps) sayWhen(t time.Time) string {
	now := d.localNow()
	if domain.Day(now, t) == "today" {
		return "at " + t.In(d.Location).Format("15:04")
	}
	return domain.When(now, t)
}

// scheduledWords are a placed order's status while it waits for its time:
// "Scheduled for pickup at 19:30".
func (d Deps) scheduledWords(o projections.Order) [2]string {
	what := "pickup"
	if o.Fulfilment == ordering.FulfilmentDelivery {
		what = "delivery"
	}
	detail := "It will be ready at the counter then."
	if o.Fulfilment == ordering.FulfilmentDelivery {
		detail = "It will be at your door then."
	}
	if o.Contact.Name != "" {
		detail = "Thanks, " + o.Contact.Name + ". " + detail
	}
	return [2]string{"Scheduled for " + what + " " + d.sayWhen(o.ScheduledFor), detail}
}
