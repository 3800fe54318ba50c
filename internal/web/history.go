package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/views"
)

// showHistory is an order's audit history: every event of the order and of
// its kitchen ticket, in the global order, told in words with who did it and
// why; ?at=N shows the order as it was after revision N, folded from the
// first N events by the domain's own Evolve.
func (d Deps) showHistory(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "orderID")
	at := 0
	if s := r.URL.Query().Get("at"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fail(w, r, &requestError{http.StatusNotFound, "A revision is a number from 1."})
			return
		}
		at = n
	}
	v, err := d.historyView(r.Context(), id, at)
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, views.HistoryPage(v))
}

// historyView is an order's history as it is now, shown at revision at
// (zero: the latest), for the page and its pushes alike.
func (d Deps) historyView(ctx context.Context, id string, at int) (views.HistoryView, error) {
	if _, err := uuid.Parse(id); err != nil {
		return views.HistoryView{}, errNoSuchOrder
	}
	orderEvents, err := d.Store.ReadStream(ctx, ordering.Stream(id), 0)
	if err != nil {
		return views.HistoryView{}, err
	}
	if len(orderEvents) == 0 {
		return views.HistoryView{}, errNoSuchOrder
	}
	ticketEvents, err := d.Store.ReadStream(ctx, kitchen.Stream(id), 0)
	if err != nil {
		return views.HistoryView{}, err
	}
	events := append(orderEvents, ticketEvents...)
	slices.SortFunc(events, func(a, b eventstore.RecordedEvent) int {
		switch {
		case a.Cursor().Less(b.Cursor()):
			return -1
		case b.Cursor().Less(a.Cursor()):
			return 1
		}
		return 0
	})
	if at > len(events) {
		return views.HistoryView{}, &requestError{http.StatusNotFound, fmt.Sprintf("This order has revisions 1 to %d.", len(events))}
	}
	v := views.HistoryView{Nav: staffNav(ctx), Href: "/staff/orders/" + id + "/history", At: at, Last: len(events)}
	if at == 0 {
		// The order as it is now, and as it goes on.
		v.At, at = len(events), len(events)
		v.LiveHref = live.Href(live.HistoryTopic(id))
	}
	if o, err := d.Orders.Get(ctx, id); err == nil {
		v.Number = o.Number
	}
	revisionOf := map[uuid.UUID]int{}
	byCorrelation := map[uuid.UUID][]int{}
	for i, e := range events {
		revisionOf[e.EventID] = i + 1
		byCorrelation[e.CorrelationID] = append(byCorrelation[e.CorrelationID], i+1)
	}
	var order ordering.State
	var ticket kitchen.State
	var dishes []kitchen.Item        // the ticket's, to tell its dishes done by name
	stations, err := d.stations(ctx) // to tell who did them
	if err != nil {
		return views.HistoryView{}, err
	}
	for i, e := range events {
		rev := i + 1
		row := views.HistoryRow{Revision: rev, Anchor: "event-" + e.EventID.String(), Time: e.RecordedAt.Local().Format("2 Jan 15:04:05"),
			Stream: "order", Who: describeActor(e.Actor), Command: e.CommandID.String()[:8], Later: rev > at}
		if strings.HasPrefix(e.StreamID, kitchen.StreamPrefix) {
			row.Stream = "kitchen"
		}
		if opened, ok := e.Event.(kitchen.TicketOpened); ok {
			dishes = opened.Items
		}
		row.What = describe(order, dishes, stations, e.Event, d.Location)
		if e.Erased {
			row.What = describeErased(e.Event, row.What)
		}
		if n, ok := revisionOf[e.CausationID]; ok {
			row.CausedBy, row.CausedByRev = "event-"+e.CausationID.String(), n
		}
		for _, n := range byCorrelation[e.CorrelationID] {
			if n != rev {
				row.SameAction = append(row.SameAction, n)
			}
		}
		if cur := d.Store.Codec().Version(e.Type); e.SchemaVersion != cur {
			row.Schema = fmt.Sprintf("stored as version %d, read as version %d", e.SchemaVersion, cur)
		}
		var raw bytes.Buffer
		_ = json.Indent(&raw, e.Data, "", "  ")
		row.Raw = fmt.Sprintf("%s (stream %s, version %d, position %d)\n%s", e.Type, e.StreamID, e.Version, e.Position, raw.String())
		v.Rows = append(v.Rows, row)
		if rev <= at {
			order = ordering.Evolve(order, e.Event)
			ticket = kitchen.Evolve(ticket, e.Event)
		}
	}
	v.Status = string(order.Status)
	if order.Status == ordering.StatusNone {
		v.Status = "not opened"
	}
	if ticket.Status != kitchen.StatusNone {
		v.Kitchen = strings.ReplaceAll(string(ticket.Status), "_", " ")
	}
	v.Fulfilment = string(order.Fulfilment)
	if a := order.DeliveryAddress; order.Fulfilment == ordering.FulfilmentDelivery {
		v.Fulfilment = fmt.Sprintf("delivery to %s, %s %s", a.Street, a.PostalCode, a.City)
		if a == (ordering.Address{}) {
			v.Fulfilment = "delivery to the address of an " + views.ErasedPerson
		}
	}
	for _, l := range order.Lines {
		v.Lines = append(v.Lines, views.HistoryLine{Quantity: l.Quantity, Name: l.Name, Options: strings.Join(optionLabels(l.Options), ", "),
			Note: l.Note, Allergy: l.Allergy, Total: l.Total().String()})
	}
	v.Total = order.Total().String()
	var refused []eventstore.CommandRecord
	for _, stream := range []string{ordering.Stream(id), kitchen.Stream(id)} {
		cs, err := d.Store.RefusedCommands(ctx, stream)
		if err != nil {
			return views.HistoryView{}, err
		}
		refused = append(refused, cs...)
	}
	slices.SortStableFunc(refused, func(a, b eventstore.CommandRecord) int { return a.RecordedAt.Compare(b.RecordedAt) })
	for _, c := range refused {
		reason := "no reason given"
		if c.Reason != nil {
			reason = c.Reason.Message
		}
		v.Refused = append(v.Refused, views.HistoryRefusal{Time: c.RecordedAt.Local().Format("2 Jan 15:04:05"),
			Who: describeActor(c.Actor), What: attempted(c.Type), Reason: reason, Command: c.CommandID.String()[:8]})
	}
	return v, nil
}

// attemptWords say what a refused command tried to do.
var attemptWords = map[string]string{
	"ordering.OpenOrder": "open the order", "ordering.AddItem": "add a dish", "ordering.RemoveItem": "remove a dish",
	"ordering.ChangeQuantity": "change a quantity", "ordering.ChangeItemOptions": "change a dish's choices", "ordering.ChoosePickup": "choose pickup",
	"ordering.GiveDeliveryAddress": "give a delivery address", "ordering.PlaceOrder": "place the order",
	"ordering.CancelOrder": "cancel the order", "ordering.NoteKitchenStarted": "note that the kitchen started",
	"ordering.ScheduleFor": "ask for the order at a time for later", "ordering.ClearSchedule": "ask for the order as soon as possible",
	"kitchen.OpenTicket": "open a kitchen ticket", "kitchen.StartTicket": "start cooking", "kitchen.BumpTicket": "mark it ready",
	"kitchen.RecallTicket": "recall it", "kitchen.HandOverTicket": "hand it over", "kitchen.CancelTicket": "cancel the kitchen ticket",
	"kitchen.BumpLine": "mark a dish done", "kitchen.RecallLine": "undo a dish marked done",
	"kitchen.FireLine": "fire a held dish now",
}

func attempted(commandType string) string {
	if w, ok := attemptWords[commandType]; ok {
		return w
	}
	return "run " + commandType
}

// describeActor names who acted, for people.
func describeActor(actor string) string {
	kind, who, _ := strings.Cut(actor, ":")
	switch kind {
	case "customer":
		return "the guest (session " + strings.TrimPrefix(who, "guest-")[:min(8, len(strings.TrimPrefix(who, "guest-")))] + ")"
	case "staff":
		return who + " (staff)"
	case "policy":
		return "the " + strings.ReplaceAll(who, "-", " ") + " policy"
	}
	return actor
}

// describeErased tells an event whose personal data was erased with its
// person, in the words of the history.
func describeErased(e any, otherwise string) string {
	switch ev := e.(type) {
	case ordering.DeliveryAddressGiven:
		return "Asked for delivery to the address of an " + views.ErasedPerson
	case ordering.ContactGiven:
		return "Gave the contact: " + views.ErasedPerson
	case kitchen.TicketOpened:
		return fmt.Sprintf("Kitchen ticket opened with %d dish(es) for an %s", len(ev.Items), views.ErasedPerson)
	}
	return otherwise
}

// describe tells an event in words, given the order as it was before it and
// the dishes of its kitchen ticket and the kitchen's stations, by which a
// dish done says who did it; times of day are told in the restaurant's
// zone, loc.
func describe(before ordering.State, dishes []kitchen.Item, stations kitchen.Stations, e any, loc *time.Location) string {
	day := func(t time.Time) string { return t.In(loc).Format("15:04 on Monday 2 January") }
	switch ev := e.(type) {
	case ordering.OrderOpened:
		return "Order opened"
	case ordering.ItemAddedToOrder:
		s := fmt.Sprintf("Added %d × %s (%s each)", ev.Quantity, ev.Name, ev.UnitPrice)
		if len(ev.Options) > 0 {
			s = fmt.Sprintf("Added %d × %s, %s; %s each", ev.Quantity, ev.Name, strings.Join(optionLabels(ev.Options), ", "), ev.UnitPrice)
		}
		switch {
		case ev.Allergy:
			s += ", allergy: " + ev.Note
		case ev.Note != "":
			s += ", note: " + ev.Note
		}
		return s
	case ordering.ItemOptionsChanged:
		chosen := "no choices"
		if len(ev.Options) > 0 {
			chosen = strings.Join(optionLabels(ev.Options), ", ")
		}
		if l, ok := before.Line(ev.LineID); ok {
			return fmt.Sprintf("Changed %s to %s; %s each", l.Name, chosen, ev.UnitPrice)
		}
		return fmt.Sprintf("Changed a dish to %s; %s each", chosen, ev.UnitPrice)
	case ordering.ItemRemovedFromOrder:
		if l, ok := before.Line(ev.LineID); ok {
			return fmt.Sprintf("Removed %d × %s", l.Quantity, dishTitle(l.Name, l.Options))
		}
		return "Removed a dish"
	case ordering.ItemQuantityChanged:
		if l, ok := before.Line(ev.LineID); ok {
			return fmt.Sprintf("Changed %s from %d to %d", l.Name, l.Quantity, ev.Quantity)
		}
		return fmt.Sprintf("Changed a quantity to %d", ev.Quantity)
	case ordering.PickupChosen:
		return "Chose pickup"
	case ordering.DeliveryAddressGiven:
		return fmt.Sprintf("Asked for delivery to %s, %s %s", ev.Address.Street, ev.Address.PostalCode, ev.Address.City)
	case ordering.ContactGiven:
		said := "Gave the contact: " + ev.Name
		if ev.Phone != "" {
			said += ", " + views.Phone(ev.Phone)
		}
		if ev.Email != "" {
			said += ", " + ev.Email
		}
		return said
	case ordering.OrderPlaced:
		if !ev.ScheduledFor.IsZero() {
			return "Placed the order for " + day(ev.ScheduledFor) + ", total " + ev.Total.String()
		}
		return "Placed the order, total " + ev.Total.String()
	case ordering.OrderScheduled:
		return "Asked for the order at " + day(ev.For)
	case ordering.OrderScheduleCleared:
		return "Asked for the order as soon as possible again"
	case ordering.OrderCanceled:
		if ev.Reason != "" {
			return "Canceled the order: " + ev.Reason
		}
		return "Canceled the order"
	case ordering.OrderPreparationStarted:
		return "Noted that the kitchen started: too late to cancel"
	case kitchen.TicketOpened:
		s := fmt.Sprintf("Kitchen ticket opened with %d dish(es)", len(ev.Items))
		if ev.ContactName != "" {
			s += " for " + ev.ContactName
		}
		if ev.Scheduled() {
			s += ", scheduled for " + day(ev.DueAt)
		}
		return s + routedTo(stations, ev.Items) + heldBack(ev.Items, loc)
	case kitchen.TicketStarted:
		return "The kitchen started cooking"
	case kitchen.TicketBumped:
		return "The kitchen marked it ready"
	case kitchen.TicketRecalled:
		return "The kitchen recalled it"
	case kitchen.TicketHandedOver:
		return describeHandOver(ev)
	case kitchen.TicketDelivered:
		return "Delivered to the guest"
	case kitchen.TicketCanceled:
		return "The kitchen ticket was canceled"
	case kitchen.TicketLineBumped:
		if ev.Station != "" {
			return stationName(stations, ev.Station) + ": done " + ticketDish(dishes, ev.LineID)
		}
		return "Line done: " + ticketDish(dishes, ev.LineID)
	case kitchen.TicketLineRecalled:
		if ev.Station != "" {
			return stationName(stations, ev.Station) + ": not done after all, " + ticketDish(dishes, ev.LineID)
		}
		return "Line not done after all: " + ticketDish(dishes, ev.LineID)
	case kitchen.TicketLineFired:
		s := "Fired now: "
		if ev.Station != "" {
			s = stationName(stations, ev.Station) + ": fired now "
		}
		s += ticketDish(dishes, ev.LineID)
		if at := fireTime(dishes, ev.LineID); !at.IsZero() {
			s += ", held until " + at.In(loc).Format("15:04")
		}
		if ev.ByRecall {
			s += " (the ticket was recalled)"
		}
		return s
	}
	return fmt.Sprintf("%T", e)
}

// paidWords say how a hand-over was paid, by method.
var paidWords = map[kitchen.Payment]string{
	kitchen.PaymentCash: "paid in cash", kitchen.PaymentCard: "paid by card", kitchen.PaymentUnpaid: "unpaid",
}

// describeHandOver tells a hand-over: to whom, and how it was paid ("Out
// for delivery with the courier, paid by card on delivery"; "Handed over,
// unpaid: guest left without paying"). Hand-overs from before the payment
// was asked say nothing of it.
func describeHandOver(ev kitchen.TicketHandedOver) string {
	s := "Handed over"
	if ev.OutForDelivery {
		s = "Out for delivery with the courier"
	}
	if paid, ok := paidWords[ev.Payment]; ok {
		s += ", " + paid
	}
	if ev.Payment == kitchen.PaymentCard && ev.OutForDelivery {
		s += " on delivery"
	}
	if ev.UnpaidReason != "" {
		s += ": " + ev.UnpaidReason
	}
	return s
}

// ticketDish names the dish of a ticket from the order's line lineID:
// "2 × Margherita, Large".
func ticketDish(dishes []kitchen.Item, lineID string) string {
	for _, it := range dishes {
		if it.LineID == lineID {
			return fmt.Sprintf("%d × %s", it.Quantity, strings.Join(append([]string{it.Name}, it.Options...), ", "))
		}
	}
	return "a dish"
}

// heldBack tells the dishes of a new ticket held by fire by prep time:
// "; Salad held until 19:38 (fire by prep time)".
func heldBack(items []kitchen.Item, loc *time.Location) string {
	s := ""
	for _, it := range items {
		if !it.FireAt.IsZero() {
			s += "; " + it.Name + " held until " + it.FireAt.In(loc).Format("15:04") + " (fire by prep time)"
		}
	}
	return s
}

// fireTime is when the dish of the order's line lineID was to fire; zero
// for one that fired at once.
func fireTime(dishes []kitchen.Item, lineID string) time.Time {
	for _, it := range dishes {
		if it.LineID == lineID {
			return it.FireAt
		}
	}
	return time.Time{}
}
