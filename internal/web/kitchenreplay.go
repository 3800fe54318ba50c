package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// replayStep is how far the replay's links move the moment.
const replayStep = 5 * time.Minute

// momentForm is how a moment is written, as a datetime-local input sends
// it, in the restaurant's zone.
const momentForm = "2006-01-02T15:04"

// kitchenNowOrThen is the kitchen display; with ?at= it is the board as it
// was at that moment, for managers: a look back at a service, which the
// cooks at the pass have no use for.
func (d Deps) kitchenNowOrThen(w http.ResponseWriter, r *http.Request) {
	if !r.URL.Query().Has("at") {
		d.showKitchen(w, r)
		return
	}
	if signedIn(r.Context()).Role != staff.Manager {
		fail(w, r, &requestError{http.StatusForbidden, "Only managers may see the kitchen as it was; the display shows it now."})
		return
	}
	d.showKitchenReplay(w, r)
}

// showKitchenReplay is the board as it was at a moment, read only.
func (d Deps) showKitchenReplay(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "kitchen-reports")
	v := views.KitchenReplayView{Nav: staffNav(r.Context()), At: r.URL.Query().Get("at")}
	at, err := replayMoment(v.At, d.Now(), d.Location)
	var invalid *domain.Error
	if errors.As(err, &invalid) {
		v.Error = invalid.Message
		render(w, r, http.StatusUnprocessableEntity, views.KitchenReplayPage(v))
		return
	}
	if err == nil {
		v, err = d.replayView(r.Context(), v, at)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, views.KitchenReplayPage(v))
}

// replayMoment reads the moment to replay: a date and time of the
// restaurant's clock ("2026-12-01T20:15", seconds allowed), or RFC 3339. A
// moment still to come is refused: the live display shows the kitchen now.
func replayMoment(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	at, err := time.ParseInLocation(momentForm, s, loc)
	if err != nil {
		at, err = time.ParseInLocation(momentForm+":05", s, loc)
	}
	if err != nil {
		at, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return time.Time{}, domain.Invalid("at", "Choose a moment as a date and a time, like %s.", now.In(loc).Format(momentForm))
	}
	if at.After(now) {
		return time.Time{}, domain.Invalid("at", "That moment is still to come; the live display shows the kitchen now.")
	}
	return at, nil
}

// replayView folds the board at the moment: the tickets whose lives span
// it, each folded by the domain's Evolve from its own events up to then.
func (d Deps) replayView(ctx context.Context, v views.KitchenReplayView, at time.Time) (views.KitchenReplayView, error) {
	ids, err := projections.Reports{Pool: d.Pool}.TicketsAround(ctx, at)
	if err != nil {
		return v, err
	}
	streams := make([]string, len(ids))
	for i, id := range ids {
		streams[i] = kitchen.Stream(id)
	}
	var events map[string][]eventstore.RecordedEvent
	if len(streams) > 0 {
		err = pgx.BeginTxFunc(ctx, d.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			events, err = d.Store.ReadStreamsTx(ctx, tx, streams)
			return err
		})
		if err != nil {
			return v, err
		}
	}
	var tickets []projections.Ticket
	for _, stream := range streams {
		if t, shown := ticketAt(events[stream], at); shown {
			tickets = append(tickets, t)
		}
	}
	slices.SortStableFunc(tickets, func(a, b projections.Ticket) int { return a.PlacedAt.Compare(b.PlacedAt) })
	board := views.KitchenView{Nav: v.Nav}
	board.Open, board.Done, board.AllDay = d.board(tickets, at)
	for _, list := range [][]views.TicketView{board.Open, board.Done} {
		for i := range list {
			// Read only, and its age and ageing stand still at the moment.
			t := &list[i]
			t.Buttons, t.PlacedAtMillis, t.WaitingAtMillis, t.LateAtMillis = nil, "", "", ""
			for j := range t.Items {
				t.Items[j].Buttons = nil
			}
		}
	}
	local, now := at.In(d.Location), d.Now().In(d.Location)
	v.Shown, v.Board, v.At = true, board, local.Format(momentForm)
	v.Banner = "The kitchen as it was at " + local.Format("15:04 on Monday 2 January")
	if local.Year() != now.Year() {
		v.Banner += local.Format(" 2006")
	}
	v.Earlier = "/kitchen?" + url.Values{"at": {local.Add(-replayStep).Format(momentForm)}}.Encode()
	if later := local.Add(replayStep); !later.After(now) {
		v.Later = "/kitchen?" + url.Values{"at": {later.Format(momentForm)}}.Encode()
	}
	return v, nil
}

// ticketAt folds a ticket's events that had happened by the moment, by the
// kitchen's clock, and says whether the board showed it then: open, or
// bumped or canceled within the recall window, as the live board does.
func ticketAt(events []eventstore.RecordedEvent, at time.Time) (projections.Ticket, bool) {
	var s kitchen.State
	var reason string
	for _, e := range events {
		when, ok := kitchen.HappenedAt(e.Event)
		if !ok {
			continue
		}
		if when.After(at) {
			break // what follows happened later still
		}
		s = kitchen.Evolve(s, e.Event)
		if c, ok := e.Event.(kitchen.TicketCanceled); ok {
			reason = c.Reason
		}
	}
	since := at.Add(-kitchen.RecallWindow)
	switch {
	case s.Status == kitchen.StatusQueued, s.Status == kitchen.StatusPreparing:
	case s.Status == kitchen.StatusReady && s.BumpedAt.After(since):
	case s.Status == kitchen.StatusCanceled && s.CanceledAt.After(since):
	default:
		return projections.Ticket{}, false
	}
	return projections.Ticket{TicketID: s.TicketID, OrderNumber: s.OrderNumber, Items: s.Items, Fulfilment: s.Fulfilment,
		ContactName: s.ContactName, Status: s.Status, PlacedAt: s.PlacedAt, StartedAt: s.StartedAt, BumpedAt: s.BumpedAt,
		CanceledAt: s.CanceledAt, CancelReason: reason, DoneLines: s.DoneLines, FiredLines: s.FiredLines}, true
}
