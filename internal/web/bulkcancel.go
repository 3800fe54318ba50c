package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// managerCanceled starts the reason of every order a manager's bulk cancel
// calls off, so that the kitchen and the order's history say who did it;
// floodReason follows it unless the manager gives a reason of their own.
const (
	managerCanceled = "canceled by manager: "
	floodReason     = "suspected flood"
)

// maxBulkCancel bounds the orders one bulk cancel calls off, so that it is
// answered within the request's deadline; a manager presses again for more.
const maxBulkCancel = 500

// maxFloodMinutes is how far back "the last N minutes" may reach: a day.
const maxFloodMinutes = 24 * 60

// cancelOrders is a manager calling off many orders at once: those ticked
// in the list, or every order not yet started that was opened in the last
// minutes (from one guest, when guest is given). Each is a CancelOrder of
// its own, by the manager, so the kitchen's policy takes its ticket off the
// board as for any cancel.
func (d Deps) cancelOrders(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	reason := strings.TrimSpace(in.values["reason"])
	if reason == "" {
		reason = floodReason
	}
	reason = managerCanceled + reason
	ids, err := d.ordersToCancel(r, in)
	if err == nil && utf8.RuneCountInString(reason) > ordering.MaxReasonLength {
		err = domain.Invalid("reason", "The reason can be at most %d characters long.", ordering.MaxReasonLength)
	}
	var canceled, skipped int
	if err == nil {
		canceled, skipped, err = d.cancelEach(r.Context(), in, ids, reason)
	}
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			v, _, listErr := d.staffOrdersView(r.Context(), url.Values{"guest": {in.values["guest"]}})
			if listErr != nil {
				fail(w, r, listErr)
				return
			}
			v.Message = problemOf(r, err, status).Detail
			render(w, r, status, views.StaffOrdersPage(v))
		})
		return
	}
	if in.json {
		writeJSON(w, http.StatusOK, "application/json", map[string]int{"canceled": canceled, "skipped": skipped})
		return
	}
	back := url.Values{"canceled": {strconv.Itoa(canceled)}, "skipped": {strconv.Itoa(skipped)}}
	if g := in.values["guest"]; g != "" {
		back.Set("guest", g)
	}
	redirectAfter(w, r, "/staff/orders", back)
}

// ordersToCancel reads which orders a bulk cancel is for: the ticked
// order_id fields (order_ids, comma-separated, in JSON), or with scope
// "recent", every cancelable order opened in the last minutes.
func (d Deps) ordersToCancel(r *http.Request, in input) ([]string, error) {
	if in.values["scope"] == "recent" {
		m := strings.TrimSpace(in.values["minutes"])
		minutes, err := strconv.Atoi(m)
		if err != nil || minutes < 1 || minutes > maxFloodMinutes {
			return nil, domain.Invalid("minutes", "Give the minutes as a whole number from 1 to %d.", maxFloodMinutes)
		}
		since := d.Now().Add(-time.Duration(minutes) * time.Minute)
		return d.Orders.CancelableSince(r.Context(), since, strings.TrimSpace(in.values["guest"]), maxBulkCancel)
	}
	var ids []string
	if !in.json {
		ids = r.PostForm["order_id"]
	} else if s := in.values["order_ids"]; s != "" {
		ids = strings.Split(s, ",")
	}
	if len(ids) == 0 {
		return nil, domain.Invalid("order_id", "Tick the orders to cancel, or give the minutes to look back.")
	}
	if len(ids) > maxBulkCancel {
		return nil, domain.Invalid("order_id", "Cancel at most %d orders at once.", maxBulkCancel)
	}
	for i, id := range ids {
		ids[i] = strings.TrimSpace(id)
		if _, err := uuid.Parse(ids[i]); err != nil {
			return nil, domain.Invalid("order_id", "%q is not an order id.", id)
		}
	}
	return ids, nil
}

// cancelEach cancels the orders one command each, and counts those now
// canceled and those that could not be (canceled already, or started).
func (d Deps) cancelEach(ctx context.Context, in input, ids []string, reason string) (canceled, skipped int, err error) {
	actor := staffActor(ctx)
	bulk := in.commandID(actor)
	at := d.Now().UTC()
	for _, id := range ids {
		meta := eventstore.Metadata{CommandID: uuid.NewSHA1(bulk, []byte(id)), Actor: actor, Request: in.request + ":" + id}
		_, err := d.cancelOrderGuarded(ctx, id, ordering.Decider, meta, ordering.CancelOrder{Reason: reason, At: at})
		var de *domain.Error
		switch {
		case err == nil:
			canceled++
		case errors.As(err, &de):
			skipped++
		default:
			return canceled, skipped, fmt.Errorf("cancel order %s: %w", id, err)
		}
	}
	return canceled, skipped, nil
}
