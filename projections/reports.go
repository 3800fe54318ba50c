package projections

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
)

// Reports reads the managers' reports: questions put to the history long
// after its events were written, answered by the order-reports and
// kitchen-reports read models.
type Reports struct{ Pool *pgxpool.Pool }

// Period is a run of whole days of the restaurant's calendar: from the
// midnight that begins From's day to the one that ends To's, in Location.
type Period struct {
	From, To time.Time // local midnights: [From, To)
	Location *time.Location
}

// Days are the period's days, each its local midnight (or the day's first
// moment, where summer time skips midnight).
func (p Period) Days() []time.Time {
	var days []time.Time
	first := p.From.In(p.Location)
	for i := 0; ; i++ {
		d := dayOf(first, i, p.Location)
		if !d.Before(p.To) {
			return days
		}
		days = append(days, d)
	}
}

// dayOf is the start of the day n days after t's, in loc.
func dayOf(t time.Time, n int, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+n, 0, 0, 0, 0, loc)
}

// SalesFigures add up orders by the moment they were placed. An order
// placed and then canceled counts among Placed and Canceled, and in nothing
// else: Items, Cents (the revenue, in the house currency) and the average
// are those of the orders that stand. Orders canceled before they were
// placed were never sales; the cancellations report lists them.
type SalesFigures struct {
	Placed   int
	Canceled int
	Items    int
	Cents    int64
}

// Revenue is what the orders that stand came to.
func (f SalesFigures) Revenue() domain.Money { return domain.Cents(f.Cents) }

// Kept counts the orders that stand: placed, and not canceled since.
func (f SalesFigures) Kept() int { return f.Placed - f.Canceled }

// Average is the mean revenue of the orders that stand.
func (f SalesFigures) Average() domain.Money {
	if f.Kept() == 0 {
		return domain.Cents(0)
	}
	return domain.Cents(f.Cents / int64(f.Kept()))
}

func (f *SalesFigures) add(o placedOrder) {
	f.Placed++
	if o.canceled {
		f.Canceled++
		return
	}
	f.Items += o.items
	f.Cents += o.revenue
}

// DaySales are a day's sales; HourSales an hour of the day's, over the
// whole period; SlotSales one hour of one day's.
type (
	DaySales struct {
		Day time.Time
		SalesFigures
	}
	HourSales struct {
		Hour int
		SalesFigures
	}
	SlotSales struct {
		Day  time.Time
		Hour int
		SalesFigures
	}
)

// Sales are a period's sales: in all, by day (every day of the period), by
// hour of the day (from the first hour anything was placed in to the
// last), and by each hour of each day that had any.
type Sales struct {
	Total SalesFigures
	Days  []DaySales
	Hours []HourSales
	Slots []SlotSales
}

type placedOrder struct {
	at       time.Time
	items    int
	revenue  int64
	canceled bool
}

// Sales reads the period's sales. Orders are put in their day and hour
// here, in the restaurant's zone, so every zone (half-hour offsets, summer
// time) counts right.
func (r Reports) Sales(ctx context.Context, p Period) (Sales, error) {
	rows, err := r.Pool.Query(ctx, `SELECT placed_at, items, revenue, canceled_at IS NOT NULL FROM report_orders
		WHERE placed_at >= $1 AND placed_at < $2 ORDER BY placed_at, number`, p.From, p.To)
	if err != nil {
		return Sales{}, fmt.Errorf("read sales: %w", err)
	}
	orders, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (placedOrder, error) {
		var o placedOrder
		return o, row.Scan(&o.at, &o.items, &o.revenue, &o.canceled)
	})
	if err != nil {
		return Sales{}, fmt.Errorf("read sales: %w", err)
	}
	var s Sales
	for _, d := range p.Days() {
		s.Days = append(s.Days, DaySales{Day: d})
	}
	days := map[time.Time]*SalesFigures{} // by the day's start, in UTC
	for i := range s.Days {
		days[s.Days[i].Day.UTC()] = &s.Days[i].SalesFigures
	}
	var hours [24]SalesFigures
	first, last := 24, -1
	for _, o := range orders {
		local := o.at.In(p.Location)
		day, hour := dayOf(local, 0, p.Location), local.Hour()
		s.Total.add(o)
		if f := days[day.UTC()]; f != nil {
			f.add(o)
		}
		hours[hour].add(o)
		first, last = min(first, hour), max(last, hour)
		if n := len(s.Slots); n == 0 || !s.Slots[n-1].Day.Equal(day) || s.Slots[n-1].Hour != hour {
			s.Slots = append(s.Slots, SlotSales{Day: day, Hour: hour})
		}
		s.Slots[len(s.Slots)-1].add(o)
	}
	for h := first; h <= last; h++ {
		s.Hours = append(s.Hours, HourSales{Hour: h, SalesFigures: hours[h]})
	}
	return s, nil
}

// DishMix is how often a dish was ordered in a period and what it brought
// in, in all and by the choices it was made with ("Large, Olives"; "" for
// none). Only orders that stand count.
type DishMix struct {
	MenuItemID string
	Name       string // as it was last ordered under
	Quantity   int
	Revenue    domain.Money
	Variants   []VariantMix
}

// VariantMix is a dish made with one set of choices.
type VariantMix struct {
	Options  string
	Quantity int
	Revenue  domain.Money
}

// ItemMix reads the period's item mix, the most ordered dish first, each
// dish's most ordered variant first.
func (r Reports) ItemMix(ctx context.Context, p Period) ([]DishMix, error) {
	rows, err := r.Pool.Query(ctx, `SELECT l.menu_item_id, (array_agg(l.name ORDER BY o.placed_at DESC, o.number DESC))[1], max(o.placed_at),
			l.options, sum(l.quantity), sum(l.quantity * l.unit_amount), min(l.currency)
		FROM report_lines l JOIN report_orders o USING (order_id)
		WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.canceled_at IS NULL
		GROUP BY l.menu_item_id, l.options`, p.From, p.To)
	if err != nil {
		return nil, fmt.Errorf("read the item mix: %w", err)
	}
	var dishes []DishMix
	at := map[string]int{} // a dish's index in dishes
	latest := map[string]time.Time{}
	var id, name, options, currency string
	var last time.Time
	var quantity int
	var revenue int64
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &last, &options, &quantity, &revenue, &currency}, func() error {
		i, ok := at[id]
		if !ok {
			i, at[id] = len(dishes), len(dishes)
			dishes = append(dishes, DishMix{MenuItemID: id, Revenue: domain.Money{Currency: currency}})
		}
		d := &dishes[i]
		if last.After(latest[id]) {
			d.Name, latest[id] = name, last
		}
		v := VariantMix{Options: options, Quantity: quantity, Revenue: domain.Money{Amount: revenue, Currency: currency}}
		d.Quantity += v.Quantity
		d.Revenue = d.Revenue.Plus(v.Revenue)
		d.Variants = append(d.Variants, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the item mix: %w", err)
	}
	for i := range dishes {
		slices.SortFunc(dishes[i].Variants, func(a, b VariantMix) int {
			return cmp.Or(cmp.Compare(b.Quantity, a.Quantity), cmp.Compare(a.Options, b.Options))
		})
	}
	slices.SortFunc(dishes, func(a, b DishMix) int {
		return cmp.Or(cmp.Compare(b.Quantity, a.Quantity), cmp.Compare(a.Name, b.Name), cmp.Compare(a.MenuItemID, b.MenuItemID))
	})
	return dishes, nil
}

// Cancellation is one canceled order: when, whether it had been placed (and
// what it came to then), why, and who canceled it (the actor in the event
// log: "customer:…", "staff:maria").
type Cancellation struct {
	OrderID    string
	Number     int64
	CanceledAt time.Time
	Placed     bool
	Value      domain.Money
	Reason     string
	Actor      string
}

// Cancellations reads the orders canceled in a period, in the order they
// were canceled.
func (r Reports) Cancellations(ctx context.Context, p Period) ([]Cancellation, error) {
	rows, err := r.Pool.Query(ctx, `SELECT order_id, number, canceled_at, placed_at IS NOT NULL, revenue, currency, cancel_reason, canceled_by
		FROM report_orders WHERE canceled_at >= $1 AND canceled_at < $2 ORDER BY canceled_at, number`, p.From, p.To)
	if err != nil {
		return nil, fmt.Errorf("read cancellations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Cancellation, error) {
		var c Cancellation
		return c, row.Scan(&c.OrderID, &c.Number, &c.CanceledAt, &c.Placed, &c.Value.Amount, &c.Value.Currency, &c.Reason, &c.Actor)
	})
	if err != nil {
		return nil, fmt.Errorf("read cancellations: %w", err)
	}
	return out, nil
}
