package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"restaurant/internal/live"
	"restaurant/projections"
	"restaurant/views"
)

// ordersPerPage is how many orders a page of the staff's list shows.
const ordersPerPage = 50

// showStaffOrders lists every order, newest first, by status, day and number.
func (d Deps) showStaffOrders(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "orders")
	v, status, err := d.staffOrdersView(r.Context(), r.URL.Query())
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, status, views.StaffOrdersPage(v))
}

// staffOrdersView is a page of the staff's list, for the page and its pushes.
func (d Deps) staffOrdersView(ctx context.Context, q url.Values) (views.StaffOrdersView, int, error) {
	v := views.StaffOrdersView{Nav: staffNav(ctx), Progress: q.Get("progress"), Day: q.Get("day"), Number: q.Get("number"),
		Guest: strings.TrimSpace(q.Get("guest")), Flash: bulkCancelFlash(q), CancelCommandID: uuid.NewString()}
	f := projections.OrderFilter{Progress: v.Progress, Guest: v.Guest}
	var problems []string
	if v.Day != "" {
		day, err := time.ParseInLocation("2006-01-02", v.Day, time.Local)
		if err != nil {
			problems = append(problems, "Choose a day like 2026-11-25.")
		} else {
			f.From, f.To = day, day.AddDate(0, 0, 1)
		}
	}
	if v.Number != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(v.Number), "#"), 10, 64)
		if err != nil || n < 1 {
			problems = append(problems, "An order number is a whole number, like 12.")
		} else {
			f.Number = n
		}
	}
	var after *projections.PageKey
	if a := q.Get("after"); a != "" {
		nanos, number, ok := strings.Cut(a, ".")
		ns, err1 := strconv.ParseInt(nanos, 10, 64)
		n, err2 := strconv.ParseInt(number, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			problems = append(problems, "That page does not exist; showing the newest orders.")
		} else {
			after = &projections.PageKey{OpenedAt: time.Unix(0, ns), Number: n}
		}
	}
	status := http.StatusOK
	if len(problems) > 0 {
		v.Message = strings.Join(problems, " ")
		status = http.StatusUnprocessableEntity
	}
	rows, next, err := d.Orders.List(ctx, f, after, ordersPerPage)
	if err != nil {
		return v, 0, err
	}
	for _, o := range rows {
		progress := string(o.Status)
		if o.KitchenStatus != "" && o.Status == "placed" {
			progress = strings.ReplaceAll(string(o.KitchenStatus), "_", " ")
		}
		v.Rows = append(v.Rows, views.OrderRowView{ID: o.OrderID, History: "/staff/orders/" + o.OrderID + "/history", Number: o.Number,
			Guest: shortGuest(o.CustomerID), Contact: o.Contact.Name, Phone: o.Contact.Phone, ContactErased: o.ContactErased, GuestHref: "/staff/orders?" + url.Values{"guest": {o.CustomerID}}.Encode(), Cancelable: o.Cancelable(),
			Progress: progress, Items: o.ItemCount, Total: o.Total.String(), OpenedAt: o.OpenedAt.In(time.Local).Format("2 Jan 15:04")})
	}
	if next != nil {
		v.NextHref = nextPage("/staff/orders", q, "after", strconv.FormatInt(next.OpenedAt.UnixNano(), 10)+"."+strconv.FormatInt(next.Number, 10))
	}
	if after == nil {
		lq := url.Values{live.Param: {string(live.OrdersTopic())}}
		for _, k := range []string{"progress", "day", "number", "guest"} {
			if q.Get(k) != "" {
				lq.Set(k, q.Get(k))
			}
		}
		v.LiveHref = live.Path + "?" + lq.Encode()
	}
	return v, status, nil
}

// shortGuest names a guest briefly but the same on each of their orders:
// the start of their id's hash.
func shortGuest(customerID string) string {
	s := strings.TrimPrefix(customerID, "guest-")
	if len(s) > 8 {
		s = s[:8]
	}
	return s
}

// bulkCancelFlash says what a bulk cancel did, from the counts it sent the
// manager back with.
func bulkCancelFlash(q url.Values) string {
	canceled, err1 := strconv.Atoi(q.Get("canceled"))
	skipped, err2 := strconv.Atoi(q.Get("skipped"))
	if err1 != nil || err2 != nil || canceled < 0 || skipped < 0 {
		return ""
	}
	msg := fmt.Sprintf("Canceled %s.", plural(canceled, "order", "orders"))
	if skipped > 0 {
		msg += fmt.Sprintf(" %d could not be canceled: the kitchen had started them, or they were canceled already.", skipped)
	}
	return msg
}
