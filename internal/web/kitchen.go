package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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
type Ageing = kitchen.Ageing

// DefaultAgeing is a kitchen's usual patience.
var DefaultAgeing = kitchen.DefaultAgeing

// millis is a moment as the screen's JavaScript reads it.
func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// buttons of the kitchen display, by command.
var ticketButtons = map[kitchen.CommandName]views.TicketButton{
	kitchen.CmdStart:     {Command: "start", Label: "Start"},
	kitchen.CmdReady:     {Command: "ready", Label: "Ready", Class: "go"},
	kitchen.CmdRecall:    {Command: "recall", Label: "Recall", Class: "secondary"},
	kitchen.CmdHandOver:  {Command: "hand-over", Label: "Hand over", Class: "go", AsksPayment: true},
	kitchen.CmdDelivered: {Command: "delivered", Label: "Delivered", Class: "go"},
}

// lineButtons are a dish's buttons on a ticket, by command.
var lineButtons = map[kitchen.LineCommandName]views.TicketButton{
	kitchen.CmdBumpLine:   {Command: "bump", Label: "Done", Class: "go"},
	kitchen.CmdRecallLine: {Command: "recall", Label: "Undo", Class: "secondary"},
	kitchen.CmdFireLine:   {Command: "fire", Label: "Fire now", Class: "secondary"},
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
	d.renderBoard(w, r, status, false, views.KitchenRefusal{Message: message})
}

// renderBoard answers with the kitchen screen the request is for (the
// whole kitchen, a station's, the expo), or with its board alone for a
// tap, and why the last command was refused, if it was.
func (d Deps) renderBoard(w http.ResponseWriter, r *http.Request, status int, tap bool, refusal views.KitchenRefusal) {
	screen := screenOf(r)
	v, err := d.kitchenView(r.Context(), screen)
	if err != nil {
		fail(w, r, err)
		return
	}
	v.Error, v.Refusal = refusal.Message, refusal
	switch {
	case screen.expo && tap:
		render(w, r, status, views.ExpoTap(v))
		return
	case screen.expo:
		render(w, r, status, views.ExpoPage(v))
		return
	case tap:
		render(w, r, status, views.KitchenTap(v))
		return
	}
	render(w, r, status, views.KitchenPage(v))
}

// kitchenView is the content of one of the kitchen's screens now, for the
// page and for every push alike.
func (d Deps) kitchenView(ctx context.Context, screen boardScreen) (views.KitchenView, error) {
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
	v := views.KitchenView{Nav: staffNav(ctx), CommandID: commandIDs(), Ordering: ordering, NowMillis: millis(now)}
	for _, it := range dishes {
		dish := views.KitchenDishView{ID: it.ItemID, Name: it.Name, SoldOut: it.SoldOut, NoneLeft: it.NoneLeft()}
		if it.Limited {
			dish.Left = fmt.Sprintf("%d left", it.PortionsLeft)
		}
		v.Dishes = append(v.Dishes, dish)
	}
	if err := d.screenBoard(ctx, &v, screen, tickets, now); err != nil {
		return views.KitchenView{}, err
	}
	v.Done, v.Road = onTheRoad(v.Done)
	// Each open ticket says when it should be ready, by the queue's sums
	// (the guests are quoted the same); a quote that cannot be made now
	// leaves the tickets as they are.
	due, err := d.dueTimes(ctx)
	if err != nil {
		slog.Warn("the kitchen display without due times", "err", err)
	}
	for i := range v.Open {
		if at, ok := due[v.Open[i].ID]; ok {
			v.Open[i].Due = "due " + at.In(d.Location).Format("15:04")
		}
	}
	return v, nil
}

// onTheRoad parts the tickets at the pass from the delivery orders with
// the courier, which wait for their Delivered.
func onTheRoad(done []views.TicketView) (pass, road []views.TicketView) {
	for _, t := range done {
		if t.OutForDelivery {
			road = append(road, t)
		} else {
			pass = append(pass, t)
		}
	}
	return pass, road
}

func (d Deps) ticketView(t projections.Ticket, now time.Time) views.TicketView {
	age := now.Sub(t.PlacedAt)
	tv := views.TicketView{ID: t.TicketID, Number: "#" + fmt.Sprint(t.OrderNumber), Name: t.ContactName, Fulfilment: t.Fulfilment,
		Status: strings.ReplaceAll(string(t.Status), "_", " "), Age: fmt.Sprintf("%d min", int(age.Minutes())),
		PlacedAtMillis: millis(t.PlacedAt), PlacedAt: t.PlacedAt.In(d.Location).Format("15:04"), PlacedAtISO: t.PlacedAt.Format(time.RFC3339)}
	if t.OrderNumber == 0 {
		tv.Number = "#" + t.TicketID[:6]
	}
	tv.OutForDelivery = t.Status == kitchen.StatusOutForDelivery
	if t.Fulfilment == kitchen.FulfilmentDelivery {
		tv.CardLabel = "Card on delivery"
	}
	if !t.DueAt.IsZero() {
		tv.Scheduled = "SCHEDULED for " + t.DueAt.In(d.Location).Format("15:04")
	}
	if t.Status == kitchen.StatusQueued || t.Status == kitchen.StatusPreparing {
		tv.Ageing = d.Ageing.Of(age)
		tv.WaitingAtMillis, tv.LateAtMillis = millis(t.PlacedAt.Add(d.Ageing.Attention)), millis(t.PlacedAt.Add(d.Ageing.Late))
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
	state := t.State()
	href := "/kitchen/tickets/" + url.PathEscape(t.TicketID)
	button := func(it kitchen.Item, c kitchen.LineCommandName) views.TicketButton {
		b := lineButtons[c]
		b.Href = href + "/items/" + url.PathEscape(it.LineID) + "/commands/" + b.Command
		b.About = fmt.Sprintf("%d × %s", it.Quantity, it.Name)
		return b
	}
	for i, it := range t.Items {
		item := views.TicketItemView{Name: it.Name, Quantity: it.Quantity, Note: it.Note, Allergy: it.Allergy, Options: it.Options,
			Done: kitchen.LineDone(state, it.LineID), Index: i}
		for _, c := range kitchen.LineAllowed(state, it.LineID, now) {
			item.Buttons = append(item.Buttons, button(it, c))
		}
		// A held dish waits for its fire time: the screen turns it into a
		// live dish, with the buttons it has then, when the time comes.
		if kitchen.LineHeld(state, it.LineID, now) {
			item.Held, item.FireAtMillis = true, millis(it.FireAt)
			item.FiresAt = "fires " + it.FireAt.In(d.Location).Format("15:04")
			for _, c := range kitchen.LineAllowed(state, it.LineID, it.FireAt) {
				item.Then = append(item.Then, button(it, c))
			}
		}
		tv.Items = append(tv.Items, item)
	}
	for _, c := range kitchen.Allowed(state, now) {
		b := ticketButtons[c]
		b.Href = href + "/commands/" + b.Command
		tv.Buttons = append(tv.Buttons, b)
	}
	return tv
}

// ticketCommand is a kitchen button: 303 back to the display, or the
// display with the reason it could not be done. Sent by htmx from the
// display (a tap), it is answered with the board alone.
func (d Deps) ticketCommand(build func(in input, at time.Time) kitchen.Command) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			d.ticketRefused(w, r, in, err)
			return
		}
		id := chi.URLParam(r, "ticketID")
		if err := checkTicketID(id); err != nil {
			d.ticketRefused(w, r, in, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		r = r.WithContext(ctx)
		actor := staffActor(ctx)
		res, err := d.runTicketCommand(ctx, id, in.meta(actor, actor), build(in, d.Now().UTC()))
		switch {
		case err != nil:
			d.ticketRefused(w, r, in, err)
		case in.json:
			accepted(w, http.StatusAccepted, res, map[string]any{"ticket_id": id})
		case isTap(r):
			d.waitFor(r, "tickets")
			d.renderBoard(w, r, http.StatusOK, true, views.KitchenRefusal{})
		default:
			redirectAfter(w, r, screenOf(r).page(), nil)
		}
	}
}

// ticketRefused answers a kitchen button that could not be done: a tap with
// the board and the reason, in the refusal's status (unless the server
// failed: the display then says so by itself), a form with the display and
// the reason, JSON with a problem.
func (d Deps) ticketRefused(w http.ResponseWriter, r *http.Request, in input, err error) {
	refusal := func(status int) views.KitchenRefusal {
		p := problemOf(r, err, status)
		return views.KitchenRefusal{Message: p.Detail, TicketID: chi.URLParam(r, "ticketID"), Field: p.Field}
	}
	if status := statusOf(err); isTap(r) && !in.json && status < http.StatusInternalServerError {
		d.renderBoard(w, r, status, true, refusal(status))
		return
	}
	commandFailed(w, r, in, err, func(status int) {
		d.renderBoard(w, r, status, false, refusal(status))
	})
}

// isTap says a kitchen button was sent by htmx from the display, which
// takes the board back in place of a new page.
func isTap(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// runTicketCommand decides a kitchen command on a ticket. A command that may
// start the ticket (Start, a dish done) is decided under the order's lock,
// knowing whether the guest canceled: a cancel at the same moment waits, or
// is refused.
func (d Deps) runTicketCommand(ctx context.Context, id string, meta eventstore.Metadata, cmd kitchen.Command) (eventstore.Result, error) {
	start, ok := cmd.(kitchen.Starting)
	if !ok {
		return eventstore.Handle(ctx, d.Store, kitchen.Stream(id), kitchen.Decider, meta, cmd)
	}
	return eventstore.HandleGuarded(ctx, d.Store, kitchen.Stream(id), ordering.Stream(id), kitchen.Decider, meta,
		func(order []eventstore.RecordedEvent) kitchen.Command {
			var s ordering.State
			for _, e := range order {
				s = ordering.Evolve(s, e.Event)
			}
			return start.KnowingOrder(s.Status == ordering.StatusCanceled)
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
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.StartTicket{At: at} })(w, r)
}

func (d Deps) bumpTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.BumpTicket{At: at} })(w, r)
}

func (d Deps) recallTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.RecallTicket{At: at} })(w, r)
}

// handOverTicket gives the food to the guest or the courier, with how the
// order was paid: form or JSON fields payment (cash, card, unpaid) and
// unpaid_reason.
func (d Deps) handOverTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(in input, at time.Time) kitchen.Command {
		return kitchen.HandOverTicket{Payment: kitchen.Payment(strings.TrimSpace(in.values["payment"])), UnpaidReason: in.values["unpaid_reason"], At: at}
	})(w, r)
}

// deliverTicket says a delivery order reached its guest.
func (d Deps) deliverTicket(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.DeliverTicket{At: at} })(w, r)
}

// bumpLine marks one dish of a ticket done: the line {lineID} of its order.
func (d Deps) bumpLine(w http.ResponseWriter, r *http.Request) {
	line := chi.URLParam(r, "lineID")
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.BumpLine{LineID: line, At: at} })(w, r)
}

// recallLine undoes a dish marked done.
func (d Deps) recallLine(w http.ResponseWriter, r *http.Request) {
	line := chi.URLParam(r, "lineID")
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.RecallLine{LineID: line, At: at} })(w, r)
}

// fireLine fires a held dish now (fire by prep time), from its station's
// screen, the whole kitchen's or the expo.
func (d Deps) fireLine(w http.ResponseWriter, r *http.Request) {
	line := chi.URLParam(r, "lineID")
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.FireLine{LineID: line, At: at} })(w, r)
}
