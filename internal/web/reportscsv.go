package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/projections"
)

// reportCSV answers a report as a CSV download, for the period its address
// names as the page's does; a bad period is a problem document naming the
// field.
func (d Deps) reportCSV(name string, write func(ctx context.Context, p projections.Period, w *csv.Writer) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d.waitFor(r, reportReadModels...)
		p, err := reportPeriod(r.URL.Query(), d.Now(), d.Location)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := write(r.Context(), p, cw); err != nil {
			writeProblem(w, r, err)
			return
		}
		if cw.Flush(); cw.Error() != nil {
			writeProblem(w, r, fmt.Errorf("write %s as CSV: %w", name, cw.Error()))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-to-%s.csv"`, name, p.From.Format(dateForm), lastDay(p)))
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}

// cell keeps a text cell from being taken for a formula by a spreadsheet:
// one that begins with =, +, -, @, a tab or a carriage return is written
// after a ', so a guest's cancel reason is read as the words it is.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// decimal is an amount of money as a spreadsheet reads it: "12.50".
func decimal(m domain.Money) string {
	sign, a := "", m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d", sign, a/100, a%100)
}

// inMinutes is a duration in minutes with two decimals; empty when nothing
// was measured.
func inMinutes(d time.Duration, measured int) string {
	if measured == 0 {
		return ""
	}
	return strconv.FormatFloat(d.Minutes(), 'f', 2, 64)
}

// salesCSV is the sales by day and hour: a row for each hour of each day
// that had an order placed, which adds up to the page's tables.
func (d Deps) salesCSV(ctx context.Context, p projections.Period, w *csv.Writer) error {
	s, err := projections.Reports{Pool: d.Pool}.Sales(ctx, p)
	if err != nil {
		return err
	}
	rows := [][]string{{"date", "hour", "orders_placed", "orders_canceled", "dishes", "revenue_eur", "average_order_eur"}}
	for _, slot := range s.Slots {
		rows = append(rows, []string{slot.Day.Format(dateForm), fmt.Sprintf("%02d:00", slot.Hour), strconv.Itoa(slot.Placed), strconv.Itoa(slot.Canceled),
			strconv.Itoa(slot.Items), decimal(slot.Revenue()), decimal(slot.Average())})
	}
	return w.WriteAll(rows)
}

// itemsCSV is the item mix: a row for each way each dish was made.
func (d Deps) itemsCSV(ctx context.Context, p projections.Period, w *csv.Writer) error {
	mix, err := projections.Reports{Pool: d.Pool}.ItemMix(ctx, p)
	if err != nil {
		return err
	}
	rows := [][]string{{"dish", "choices", "sold", "revenue_eur"}}
	for _, dish := range mix {
		for _, o := range dish.Variants {
			rows = append(rows, []string{cell(dish.Name), cell(o.Options), strconv.Itoa(o.Quantity), decimal(o.Revenue)})
		}
	}
	return w.WriteAll(rows)
}

// prepCSV is the prep times, every dish's after all dishes'.
func (d Deps) prepCSV(ctx context.Context, p projections.Period, w *csv.Writer) error {
	prep, err := projections.Reports{Pool: d.Pool}.Prep(ctx, p, d.Ageing.Late, d.Now())
	if err != nil {
		return err
	}
	rows := [][]string{{"dish", "tickets", "started_and_ready", "start_to_ready_median_min", "start_to_ready_p90_min",
		"handed_over", "placed_to_handed_over_median_min", "placed_to_handed_over_p90_min", "late", "recalls"}}
	for _, t := range append([]projections.PrepTimes{prep.All}, prep.Dishes...) {
		rows = append(rows, []string{cell(cmp.Or(t.Dish, "All dishes")), strconv.Itoa(t.Tickets), strconv.Itoa(t.Cooked),
			inMinutes(t.Cooking, t.Cooked), inMinutes(t.CookingP90, t.Cooked), strconv.Itoa(t.HandedOver),
			inMinutes(t.Turnaround, t.HandedOver), inMinutes(t.TurnaroundP90, t.HandedOver), strconv.Itoa(t.Late), strconv.Itoa(t.Recalls)})
	}
	return w.WriteAll(rows)
}

// cancellationsCSV is every cancellation of the period.
func (d Deps) cancellationsCSV(ctx context.Context, p projections.Period, w *csv.Writer) error {
	canceled, err := projections.Reports{Pool: d.Pool}.Cancellations(ctx, p)
	if err != nil {
		return err
	}
	rows := [][]string{{"canceled_at", "order_number", "order_id", "placed", "value_eur", "reason", "canceled_by"}}
	for _, c := range canceled {
		rows = append(rows, []string{c.CanceledAt.In(p.Location).Format(time.RFC3339), strconv.FormatInt(c.Number, 10), c.OrderID,
			strconv.FormatBool(c.Placed), decimal(c.Value), cell(cancelReason(c.Reason)), cell(describeActor(c.Actor))})
	}
	return w.WriteAll(rows)
}

// takingsCSV is the takings by payment method: a row for each method, the
// unpaid ones a row for each reason, which add up to the sales' revenue.
func (d Deps) takingsCSV(ctx context.Context, p projections.Period, w *csv.Writer) error {
	t, err := projections.Reports{Pool: d.Pool}.Takings(ctx, p)
	if err != nil {
		return err
	}
	rows := [][]string{{"payment", "unpaid_reason", "orders", "takings_eur"}}
	for _, m := range t.Methods {
		if m.Method == string(kitchen.PaymentUnpaid) && len(t.Unpaid) > 0 {
			for _, u := range t.Unpaid {
				rows = append(rows, []string{u.Method, cell(u.Reason), strconv.Itoa(u.Orders), decimal(u.Value)})
			}
			continue
		}
		rows = append(rows, []string{m.Method, "", strconv.Itoa(m.Orders), decimal(m.Value)})
	}
	return w.WriteAll(rows)
}
