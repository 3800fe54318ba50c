package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// Ageing is when a ticket asks for attention, and when it is late.
type Ageing struct {
	Attention time.Duration
	Late      time.Duration
}

// DefaultAgeing is a kitchen's usual patience.
var DefaultAgeing = Ageing{Attention: 8 * time.Minute, Late: 12 * time.Minute}

// buttons of the kitchen display, by command.
var ticketButtons = map[kitchen.CommandName]views.TicketButton{
	kitchen.CmdStart:    {Command: "start", Label: "Start"},
	kitchen.CmdReady:    {Command: "ready", Label: "Ready", Class: "go"},
	kitchen.CmdRecall:   {Command: "recall", Label: "Recall", Class: "secondary"},
	kitchen.CmdHandOver: {Command: "hand-over", Label: "Hand over", Class: "go"},
}

// kitchenReadModels are what the kitchen display shows: the tickets, the
// dishes with their portions, and whether online orders are taken.
var kitchenReadModels = []string{"tickets", "menu", "portions", "settings"}

// showKitchen is the kitchen display.
func (d Deps) showKitchen(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, kitchenReadModels...)
	d.renderKitchen(w, r, http.StatusOK, "")
}

func (d Deps) renderKitchen(w http.ResponseWriter, r *http.Request, status int, message string) {
	v, err := d.kitchenView(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	v.Error = message
	render(w, r, status, views.KitchenPage(v))
}

// kitchenView is the kitchen display's content now, for the page and for
// every push alike.
func (d Deps) kitchenView(ctx context.Context) (views.KitchenView, error) {
	now := d.Now()
	tickets, err := d.Tickets.Board(ctx, now)
	if err != nil {
		return views.KitchenView{}, err
	}
	ordering, _, err := d.orderingShown(ctx)
	if err != nil {
		return views.KitchenView{}, err
	}
	dishes, err := d.listed(ctx, true)
	if err != nil {
		return views.KitchenView{}, err
	}
	v := views.KitchenView{Nav: staffNav(ctx), CommandID: commandIDs(), Ordering: ordering}
	for _, it := range dishes {
		dish := views.KitchenDishView{ID: it.ItemID, Name: it.Name, SoldOut: it.SoldOut, NoneLeft: it.NoneLeft()}
		if it.Limited {
			dish.Left = fmt.Sprintf("%d left", it.PortionsLeft)
		}
		v.Dishes = append(v.Dishes, dish)
	}
	allDay := map[string]int{}
	for _, t := range tickets {
		tv := d.ticketView(t, now)
		if t.Status == kitchen.StatusQueued || t.Status == kitchen.StatusPreparing {
			v.Open = append(v.Open, tv)
			for _, it := range t.Items {
				allDay[it.Name] += it.Quantity
			}
		} else {
			v.Done = append(v.Done, tv)
		}
	}
	for name, q := range allDay {
		v.AllDay = append(v.AllDay, views.AllDayView{Name: name, Quantity: q})
	}
	sort.Slice(v.AllDay, func(i, j int) bool {
		if v.AllDay[i].Quantity != v.AllDay[j].Quantity {
			return v.AllDay[i].Quantity > v.AllDay[j].Quantity
		}
		return v.AllDay[i].Name < v.AllDay[j].Name
	})
	return v, nil
}

func (d Deps) ticketView(t projections.Ticket, now time.Time) views.TicketView {
	age := now.Sub(t.PlacedAt)
	tv := views.TicketView{ID: t.TicketID, Number: "#" + fmt.Sprint(t.OrderNumber), Name: t.ContactName, Fulfilment: t.Fulfilment,
		Status: strings.ReplaceAll(string(t.Status), "_", " "), Age: fmt.Sprintf("%d min", int(age.Minutes())),
		PlacedAtMillis: fmt.Sprint(t.PlacedAt.UnixMilli())}
	if t.OrderNumber == 0 {
		tv.Number = "#" + t.TicketID[:6]
	}
	if !t.DueAt.IsZero() {
		tv.Scheduled = "SCHEDULED for " + t.DueAt.In(d.Location).Format("15:04")
	}
	open := t.Status == kitchen.StatusQueued || t.Status == kitchen.StatusPreparing
	switch {
	case open && age >= d.Ageing.Late:
		tv.Ageing = "late"
	case open && age >= d.Ageing.Attention:
		tv.Ageing = "attention"
	}
	if t.Status == kitchen.StatusCanceled {
		tv.Note = "Canceled by the guest"
		reason := t.CancelReason
		if rest, ok := strings.CutPrefix(reason, managerCanceled); ok {
			tv.Note, reason = "Canceled by a manager", rest
		}
		if reason != "" {
			tv.Note += ": " + reason
		}
	}
	for _, it := range t.Items {
		tv.Items = append(tv.Items, views.TicketItemView{Name: it.Name, Quantity: it.Quantity, Note: it.Note, Allergy: it.Allergy, Options: it.Options})
	}
	state := kitchen.State{TicketID: t.TicketID, Status: t.Status, BumpedAt: t.BumpedAt}
	for _, c := range kitchen.Allowed(state, now) {
		tv.Buttons = append(tv.Buttons, ticketButtons[c])
	}
	return tv
}

// ticketCommand is a kitchen button: 303 back to the display, or the
// display with the reason it could not be done.
func (d Deps) ticketCommand(build func(at time.Time) kitchen.Command) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := chi.URLParam(r, "ticketID")
		if err := checkTicketID(id); err != nil {
			fail(w, r, err)
			return
		}
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		actor := staffActor(ctx)
		res, err := d.runTicketCommand(ctx, id, in.meta(actor, actor), build(d.Now().UTC()))
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				d.renderKitchen(w, r.WithContext(ctx), status, problemOf(r, err, status).Detail)
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"ticket_id": id})
			return
		}
		redirectAfter(w, r, "/kitchen", nil)
	}
}

// runTicketCommand decides a kitchen command on a ticket. A start is decided
// under the order's lock, knowing whether the guest canceled: a cancel at
// the same moment waits, or is refused.
func (d Deps) runTicketCommand(ctx context.Context, id string, meta eventstore.Metadata, cmd kitchen.Command) (eventstore.Result, error) {
	start, ok := cmd.(kitchen.StartTicket)
	if !ok {
		return eventstore.Handle(ctx, d.Store, kitchen.Stream(id), kitchen.Decider, meta, cmd)
	}
	return eventstore.HandleGuarded(ctx, d.Store, kitchen.Stream(id), ordering.Stream(id), kitchen.Decider, meta,
		func(order []eventstore.RecordedEvent) kitchen.Command {
			var s ordering.State
			for _, e := range order {
				s = ordering.Evolve(s, e.Event)
			}
			start.OrderCanceled = s.Status == ordering.StatusCanceled
			return start
		})
}

// checkTicketID answers 404 for an id no ticket can have: a ticket has its
// order's id, a UUID.
func checkTicketID(id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return &requestError{http.StatusNotFound, "There is no such ticket."}
	}
	return nil
}

func (d Deps) startTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(at time.Time) kitchen.Command { return kitchen.StartTicket{At: at} })(w, r)
}

func (d Deps) bumpTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(at time.Time) kitchen.Command { return kitchen.BumpTicket{At: at} })(w, r)
}

func (d Deps) recallTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(at time.Time) kitchen.Command { return kitchen.RecallTicket{At: at} })(w, r)
}

func (d Deps) handOverTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(at time.Time) kitchen.Command { return kitchen.HandOverTicket{At: at} })(w, r)
}
