package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/projections"
	"restaurant/views"
)

// myOrdersLimit bounds the list of a customer's orders.
const myOrdersLimit = 200

// showMyOrders lists every order of the signed-in customer, newest first:
// the guest orders they adopted and those opened while signed in.
func (d Deps) showMyOrders(w http.ResponseWriter, r *http.Request) {
	d.renderMyOrders(w, r, http.StatusOK, "")
}

func (d Deps) renderMyOrders(w http.ResponseWriter, r *http.Request, status int, message string) {
	d.waitFor(r, "orders", "customers")
	id := signedInID(r.Context())
	list, err := d.Customers.Orders(r.Context(), id, myOrdersLimit)
	if err != nil {
		fail(w, r, err)
		return
	}
	v := views.MyOrdersView{Nav: d.nav(r.Context(), id), CommandID: commandIDs(), Message: message}
	for _, o := range list {
		v.Orders = append(v.Orders, views.MyOrderView{
			ID: o.OrderID, Number: o.Number, Status: string(o.Status), Items: o.ItemCount,
			Total: o.Total.String(), OpenedAt: o.OpenedAt.UTC().Format("2 Jan 2006 15:04"),
		})
	}
	render(w, r, status, views.MyOrdersPage(v))
}

// orderAgain opens a new order with the dishes and notes of one of the
// customer's orders that are still on the menu, at today's prices, and says
// which were left out.
func (d Deps) orderAgain(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 10*time.Second)
	defer cancel()
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	d.waitFor(r, "orders", "customers")
	customerID := signedInID(ctx)
	from, err := d.guestOrder(r.WithContext(ctx), chi.URLParam(r, "orderID"), customerID)
	if err != nil {
		fail(w, r, err)
		return
	}
	openID := in.commandID(customerID)
	orderID := uuid.NewSHA1(openID, []byte("order")).String()
	adds, leftOut, err := d.againLines(r, from, openID)
	if err == nil && len(adds) == 0 {
		err = domain.Conflict("None of the dishes of order %d are on the menu now.", from.Number)
	}
	if err == nil {
		err = d.openAgain(r.WithContext(ctx), in, customerID, orderID, openID, adds)
	}
	if err != nil {
		commandFailed(w, r, in, err, func(status int) { d.renderMyOrders(w, r, status, problemOf(r, err, status).Detail) })
		return
	}
	href := "/orders/" + orderID
	if in.json {
		w.Header().Set("Location", href)
		writeJSON(w, http.StatusCreated, "application/json", map[string]any{"order_id": orderID, "left_out": leftOut,
			"_links": map[string]link{"order": {Href: href}}})
		return
	}
	redirectAfter(w, r, href, url.Values{"again": {"1"}, "left_out": leftOut})
}

// againLines are the commands that add an order's dishes to a new order,
// as the menu offers them now, and the dishes left out, with why.
func (d Deps) againLines(r *http.Request, from projections.Order, openID uuid.UUID) ([]ordering.AddItem, []string, error) {
	menu, err := d.menuByID(r.Context(), true)
	if err != nil {
		return nil, nil, err
	}
	var adds []ordering.AddItem
	var leftOut []string
	for _, l := range from.Lines {
		why := whyNotOffered(menu, l.MenuItemID)
		groups := dishOptions(menu[l.MenuItemID])
		if _, err := ordering.ChooseOptions(groups, l.ChoiceIDs()); why == "" && err != nil {
			why = "its choices have changed"
		}
		if why != "" {
			leftOut = append(leftOut, dishTitle(l.Name, l.Options)+" ("+why+")")
			continue
		}
		it := menu[l.MenuItemID]
		adds = append(adds, ordering.AddItem{
			LineID: uuid.NewSHA1(openID, []byte("line-"+l.LineID)).String(), MenuItemID: it.ItemID, Name: it.Name,
			Quantity: l.Quantity, Note: l.Note, Allergy: l.Allergy, UnitPrice: it.Price, Options: groups, Picks: l.ChoiceIDs(),
		})
	}
	return adds, leftOut, nil
}

// openAgain opens the new order and adds its dishes, counted against the
// customer's order limit like any order opened.
func (d Deps) openAgain(r *http.Request, in input, customerID, orderID string, openID uuid.UUID, adds []ordering.AddItem) error {
	ctx := r.Context()
	giveBack, err := d.takeOrderQuota(ctx, r, customerID, opening, openID)
	if err != nil {
		return err
	}
	open, err := d.openOrderCommand(ctx, orderID, customerID)
	if err != nil {
		giveBack()
		return err
	}
	res, err := d.runOrderCommand(ctx, orderID, customerID, openID, in.request, open)
	if wroteNothing(err, res.Duplicate, len(res.Events)) {
		giveBack()
	}
	for _, add := range adds {
		if err != nil {
			return err
		}
		_, err = d.runOrderCommand(ctx, orderID, customerID, uuid.NewSHA1(openID, []byte("add-"+add.LineID)), in.request, add)
	}
	return err
}

// againFlash tells, on the new order's page, what ordering again left out.
func againFlash(q url.Values) string {
	if q.Get("again") == "" {
		return ""
	}
	if left := q["left_out"]; len(left) > 0 {
		return "Your order is open again. Left out: " + strings.Join(left, ", ") + "."
	}
	return "Your order is open again, with every dish at today's price."
}
