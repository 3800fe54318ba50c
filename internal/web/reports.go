package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/projections"
	"restaurant/views"
)

// reportReadModels are what the reports read.
var reportReadModels = []string{"order-reports", "kitchen-reports"}

// maxReportDays bounds a report's period: a year, a leap one included.
const maxReportDays = 366

// cancellationsShown is how many cancellations the page lists; the CSV
// has every one.
const cancellationsShown = 100

// dateForm is how the period's dates are written, as a date input sends
// them.
const dateForm = "2006-01-02"

// showReports is the managers' reports for a period of days.
func (d Deps) showReports(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, reportReadModels...)
	ctx := r.Context()
	v := views.ReportsView{Nav: staffNav(ctx), From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	p, err := reportPeriod(r.URL.Query(), d.Now(), d.Location)
	var invalid *domain.Error
	if errors.As(err, &invalid) {
		v.Error = formError(r, "period", input{}, err)
		render(w, r, http.StatusUnprocessableEntity, views.ReportsPage(v))
		return
	}
	if err == nil {
		v, err = d.reportsView(ctx, v, p)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, views.ReportsPage(v))
}

// reportPeriod reads a report's period from its from and to dates, days of
// the restaurant's calendar, both included. Without them it is the last 7
// days to today; without one, the other end is today, or 7 days before
// to. A date that is not one, an end before the start, or more than a
// year, is refused with its message on its field.
func reportPeriod(q url.Values, now time.Time, loc *time.Location) (projections.Period, error) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	var problems []domain.FieldError
	day := func(field, which string) (time.Time, bool) {
		s := strings.TrimSpace(q.Get(field))
		if s == "" {
			return time.Time{}, false
		}
		t, err := time.ParseInLocation(dateForm, s, loc)
		if err != nil {
			problems = append(problems, domain.FieldError{Field: field,
				Message: fmt.Sprintf("Choose the %s day as a date, like %s.", which, today.Format(dateForm))})
			return time.Time{}, false
		}
		return t, true
	}
	from, hasFrom := day("from", "first")
	to, hasTo := day("to", "last")
	if err := domain.Fields(problems...); err != nil {
		return projections.Period{}, err
	}
	switch {
	case !hasFrom && !hasTo:
		to, from = today, today.AddDate(0, 0, -6)
	case !hasFrom:
		from = to.AddDate(0, 0, -6)
	case !hasTo:
		to = today
		if to.Before(from) {
			to = from
		}
	}
	switch {
	case to.Before(from):
		return projections.Period{}, domain.Invalid("to", "The last day is before the first (%s); choose one on or after it.", from.Format(dateForm))
	case from.AddDate(0, 0, maxReportDays-1).Before(to):
		return projections.Period{}, domain.Invalid("to", "Choose at most %d days at a time.", maxReportDays)
	}
	return projections.Period{From: from, To: to.AddDate(0, 0, 1), Location: loc}, nil
}

// lastDay is the period's last day, as the form writes it.
func lastDay(p projections.Period) string { return p.To.AddDate(0, 0, -1).Format(dateForm) }

// reportsView reads every report of the period.
func (d Deps) reportsView(ctx context.Context, v views.ReportsView, p projections.Period) (views.ReportsView, error) {
	reports := projections.Reports{Pool: d.Pool}
	sales, err := reports.Sales(ctx, p)
	if err != nil {
		return v, err
	}
	mix, err := reports.ItemMix(ctx, p)
	if err != nil {
		return v, err
	}
	prep, err := reports.Prep(ctx, p, d.Ageing.Late, d.Now())
	if err != nil {
		return v, err
	}
	canceled, err := reports.Cancellations(ctx, p)
	if err != nil {
		return v, err
	}
	takings, err := reports.Takings(ctx, p)
	if err != nil {
		return v, err
	}
	v.Shown, v.From, v.To = true, p.From.Format(dateForm), lastDay(p)
	v.Period = fmt.Sprintf("From %s to %s", p.From.Format("Monday 2 January"), p.To.AddDate(0, 0, -1).Format("Monday 2 January 2006"))
	query := "?" + url.Values{"from": {v.From}, "to": {v.To}}.Encode()
	v.CSV = views.ReportLinks{Sales: "/staff/reports/sales.csv" + query, Items: "/staff/reports/items.csv" + query,
		Prep: "/staff/reports/prep.csv" + query, Cancellations: "/staff/reports/cancellations.csv" + query,
		Takings: "/staff/reports/takings.csv" + query}
	salesViews(&v, sales)
	v.Dishes = mixView(mix)
	v.Prep = prepView(prep)
	cancellationsView(&v, canceled, p.Location)
	v.Takings, v.Unpaid = takingsView(takings)
	return v, nil
}

// takingsWords name the takings' rows, by method.
var takingsWords = map[string]string{
	string(kitchen.PaymentCash):    "Cash",
	string(kitchen.PaymentCard):    "Card (at the counter or on delivery)",
	string(kitchen.PaymentUnpaid):  "Unpaid",
	projections.TakenNotRecorded:   "Not recorded (handed over before the kitchen asked)",
	projections.TakenNotHandedOver: "Not handed over yet",
}

// takingsView is the takings by method, and the unpaid ones by reason.
func takingsView(t projections.Takings) (methods, unpaid []views.TakingsRowView) {
	for _, m := range t.Methods {
		methods = append(methods, views.TakingsRowView{Label: takingsWords[m.Method], Orders: m.Orders, Value: m.Value.String()})
	}
	for _, m := range t.Unpaid {
		unpaid = append(unpaid, views.TakingsRowView{Label: m.Reason, Orders: m.Orders, Value: m.Value.String()})
	}
	return methods, unpaid
}

func salesRow(label string, f projections.SalesFigures) views.SalesRowView {
	return views.SalesRowView{Label: label, Placed: f.Placed, Canceled: f.Canceled, Items: f.Items,
		Revenue: f.Revenue().String(), Average: f.Average().String()}
}

// salesViews are the sales' tables and charts: revenue by day, orders by
// hour of the day.
func salesViews(v *views.ReportsView, s projections.Sales) {
	v.Total = salesRow("In all", s.Total)
	var days, hours []views.Bar
	for _, d := range s.Days {
		v.Days = append(v.Days, salesRow(d.Day.Format("Mon 2 Jan"), d.SalesFigures))
		label, sub := d.Day.Format("Mon"), d.Day.Format("2")
		if len(s.Days) > 8 {
			label, sub = d.Day.Format("2"), d.Day.Format("Jan")
		}
		days = append(days, views.Bar{Label: label, Sub: sub, Value: d.Cents, Words: d.Revenue().String()})
	}
	for _, h := range s.Hours {
		v.Hours = append(v.Hours, salesRow(fmt.Sprintf("%02d:00–%02d:00", h.Hour, (h.Hour+1)%24), h.SalesFigures))
		label := fmt.Sprintf("%02d", h.Hour)
		if len(s.Hours) <= 8 {
			label += ":00"
		}
		hours = append(hours, views.Bar{Label: label, Value: int64(h.Placed), Words: plural(h.Placed, "order", "orders")})
	}
	v.DayChart = views.NewBarChart("chart-revenue-by-day", "Revenue by day", days)
	v.HourChart = views.NewBarChart("chart-orders-by-hour", "Orders placed by hour of the day", hours)
}

// mixView is the item mix, each dish with its share of the revenue and its
// variants beneath when it was made with choices.
func mixView(mix []projections.DishMix) []views.DishMixView {
	var total int64
	for _, d := range mix {
		total += d.Revenue.Amount
	}
	out := make([]views.DishMixView, 0, len(mix))
	for _, d := range mix {
		dv := views.DishMixView{Name: d.Name, Quantity: d.Quantity, Revenue: d.Revenue.String(), Share: "—"}
		if total > 0 {
			dv.Share = fmt.Sprintf("%.0f%%", float64(d.Revenue.Amount)*100/float64(total))
		}
		if len(d.Variants) > 1 || len(d.Variants) == 1 && d.Variants[0].Options != "" {
			for _, o := range d.Variants {
				dv.Variants = append(dv.Variants, views.VariantMixView{Options: cmp.Or(o.Options, "no choices"), Quantity: o.Quantity, Revenue: o.Revenue.String()})
			}
		}
		out = append(out, dv)
	}
	return out
}

// prepView is the prep-time report, its summary in words.
func prepView(p projections.Prep) views.PrepView {
	row := func(t projections.PrepTimes) views.PrepRowView {
		return views.PrepRowView{Dish: cmp.Or(t.Dish, "All dishes"), Tickets: t.Tickets,
			Cooking: minutes(t.Cooking, t.Cooked), CookingP90: minutes(t.CookingP90, t.Cooked),
			Turnaround: minutes(t.Turnaround, t.HandedOver), TurnaroundP90: minutes(t.TurnaroundP90, t.HandedOver), Late: t.Late, Recalls: t.Recalls}
	}
	v := views.PrepView{Late: minutes(p.Late, 1), All: row(p.All)}
	for _, d := range p.Dishes {
		v.Dishes = append(v.Dishes, row(d))
	}
	a := v.All
	if p.All.Tickets == 0 {
		v.Summary = "No tickets of this period's orders reached the kitchen."
		return v
	}
	v.Summary = fmt.Sprintf("%s of this period's orders, canceled ones aside. From the kitchen's start to ready: %s at the median, %s for 9 in 10. "+
		"From placing to handing over: %s at the median, %s for 9 in 10. %s late (not ready %s after placing); %s.",
		plural(p.All.Tickets, "ticket", "tickets"), a.Cooking, a.CookingP90, a.Turnaround, a.TurnaroundP90,
		wereLate(p.All.Late), v.Late, plural(p.All.Recalls, "recall", "recalls"))
	return v
}

func wereLate(n int) string {
	if n == 1 {
		return "1 was"
	}
	return fmt.Sprintf("%d were", n)
}

// minutes is a duration for people: "7 min 30 s"; "—" when nothing was
// measured.
func minutes(d time.Duration, measured int) string {
	if measured == 0 {
		return "—"
	}
	d = d.Round(time.Second)
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return fmt.Sprintf("%d s", s)
	case s == 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d min %d s", m, s)
}

// cancelReason is a cancellation's reason in words: a manager's bulk
// cancel prefixes its own, which the canceled-by column already says.
func cancelReason(reason string) string {
	reason = strings.TrimPrefix(reason, managerCanceled)
	return cmp.Or(reason, "no reason given")
}

// cancellationsView counts the cancellations by reason, most given first,
// and lists the first page of them.
func cancellationsView(v *views.ReportsView, canceled []projections.Cancellation, loc *time.Location) {
	count := map[string]int{}
	for i, c := range canceled {
		count[cancelReason(c.Reason)]++
		if i >= cancellationsShown {
			v.MoreCancellations++
			continue
		}
		stage := "before placing"
		if c.Placed {
			stage = "placed, " + c.Value.String()
		}
		v.Cancellations = append(v.Cancellations, views.CancellationView{When: c.CanceledAt.In(loc).Format("Mon 2 Jan 15:04"),
			Number: fmt.Sprintf("#%d", c.Number), History: "/staff/orders/" + c.OrderID + "/history", Stage: stage,
			Reason: cancelReason(c.Reason), Who: describeActor(c.Actor)})
	}
	for reason, n := range count {
		v.Reasons = append(v.Reasons, views.ReasonView{Reason: reason, Count: n})
	}
	slices.SortFunc(v.Reasons, func(a, b views.ReasonView) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
}
