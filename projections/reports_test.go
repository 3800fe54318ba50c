package projections_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// kolkata is the restaurant's zone in the reports' test: half an hour off
// UTC, so an order's day and hour are the restaurant's only if they are
// worked out in its zone.
var kolkata = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		panic(err)
	}
	return loc
}()

// kolkataAt is a wall-clock time in the test's restaurant.
func kolkataAt(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, kolkata)
	if err != nil {
		panic(err)
	}
	return t
}

// reportOrder is an order of the reports' test: who, its dishes, when it is
// placed (zero: never).
type reportOrder struct {
	guest  string
	lines  []ordering.AddItem
	placed time.Time
}

// openAndPlace opens an order with its dishes, for pickup with a contact,
// and places it when it says so; it returns the order's id.
func openAndPlace(t *testing.T, store *eventstore.Store, o reportOrder, opened time.Time) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	do := func(c ordering.Command) {
		t.Helper()
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:" + o.guest}, c))
	}
	do(ordering.OpenOrder{OrderID: id, CustomerID: o.guest, At: opened})
	for _, l := range o.lines {
		do(l)
	}
	do(ordering.ChoosePickup{})
	do(ordering.GiveContact{Name: "Ana"})
	if !o.placed.IsZero() {
		do(ordering.PlaceOrder{At: o.placed})
	}
	return id
}

func margherita(line, size string, extras ...string) ordering.AddItem {
	return ordering.AddItem{LineID: line, MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100),
		Options: pizzaOptions, Picks: ordering.Picks{"size": {size}, "extras": extras}}
}

func tiramisu(line string, quantity int) ordering.AddItem {
	return ordering.AddItem{LineID: line, MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: quantity, UnitPrice: domain.Cents(750)}
}

// cookAt works a ticket at the kitchen's times.
func cookAt(t *testing.T, store *eventstore.Store, id string, commands ...kitchen.Command) {
	t.Helper()
	for _, c := range commands {
		must(t)(eventstore.Handle(context.Background(), store, kitchen.Stream(id), kitchen.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:kai"}, c))
	}
}

// TestReportsFromHistory runs two days of a restaurant in Kolkata, and a
// day either side, at known times: the reports give known figures, and a
// rebuild from the log gives the same tables and the same figures.
func TestReportsFromHistory(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	r, _ := run(t, store)
	day1, day2 := "2026-12-01", "2026-12-02"
	large := func(line string) ordering.AddItem { a := margherita(line, "large"); a.Quantity = 2; return a }
	before := openAndPlace(t, store, reportOrder{guest: "guest-0", lines: []ordering.AddItem{tiramisu("a", 1)},
		placed: kolkataAt("2026-11-30", "23:50")}, kolkataAt("2026-11-30", "23:40"))
	lunch := openAndPlace(t, store, reportOrder{guest: "guest-1", lines: []ordering.AddItem{large("a"), tiramisu("b", 1)},
		placed: kolkataAt(day1, "12:10")}, kolkataAt(day1, "12:00"))
	late := openAndPlace(t, store, reportOrder{guest: "guest-2", lines: []ordering.AddItem{margherita("a", "regular"), margherita("b", "large", "olives")},
		placed: kolkataAt(day1, "12:40")}, kolkataAt(day1, "12:30"))
	changedMind := openAndPlace(t, store, reportOrder{guest: "guest-3", lines: []ordering.AddItem{tiramisu("a", 3)},
		placed: kolkataAt(day1, "19:05")}, kolkataAt(day1, "19:00"))
	flood := openAndPlace(t, store, reportOrder{guest: "guest-4", lines: []ordering.AddItem{tiramisu("a", 9)}}, kolkataAt(day1, "20:00"))
	night := openAndPlace(t, store, reportOrder{guest: "guest-5", lines: []ordering.AddItem{margherita("a", "large")},
		placed: kolkataAt(day2, "00:15")}, kolkataAt(day2, "00:05"))
	after := openAndPlace(t, store, reportOrder{guest: "guest-6", lines: []ordering.AddItem{tiramisu("a", 1)},
		placed: kolkataAt("2026-12-03", "10:00")}, kolkataAt("2026-12-03", "09:55"))
	cancel := func(id, actor, reason string, at time.Time) {
		must(t)(eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider,
			eventstore.Metadata{CommandID: uuid.New(), Actor: actor}, ordering.Command(ordering.CancelOrder{Reason: reason, At: at})))
	}
	cancel(changedMind, "customer:guest-3", "changed my mind", kolkataAt(day1, "19:07"))
	cancel(flood, "staff:maria", "canceled by manager: suspected flood", kolkataAt(day1, "20:05"))
	caughtUp(t, store, r) // the kitchen has its tickets
	cookAt(t, store, lunch, kitchen.StartTicket{At: kolkataAt(day1, "12:12")}, kitchen.BumpTicket{At: kolkataAt(day1, "12:20")},
		kitchen.HandOverTicket{Payment: kitchen.PaymentCard, At: kolkataAt(day1, "12:25")})
	cookAt(t, store, late, kitchen.StartTicket{At: kolkataAt(day1, "12:45")}, kitchen.BumpTicket{At: kolkataAt(day1, "12:55")},
		kitchen.RecallTicket{At: kolkataAt(day1, "12:57")}, kitchen.BumpTicket{At: kolkataAt(day1, "13:00")},
		kitchen.HandOverTicket{Payment: kitchen.PaymentUnpaid, UnpaidReason: "guest left without paying", At: kolkataAt(day1, "13:05")})
	cookAt(t, store, night, kitchen.BumpTicket{At: kolkataAt(day2, "00:30")}, kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: kolkataAt(day2, "00:31")})
	cookAt(t, store, before, kitchen.BumpTicket{At: kolkataAt("2026-12-01", "00:30")})
	cookAt(t, store, after, kitchen.StartTicket{At: kolkataAt("2026-12-03", "10:01")})
	caughtUp(t, store, r)

	reports := projections.Reports{Pool: store.Pool()}
	period := projections.Period{From: kolkataAt(day1, "00:00"), To: kolkataAt("2026-12-03", "00:00"), Location: kolkata}
	now := kolkataAt("2026-12-03", "12:00")
	want := reportFigures{
		sales: projections.Sales{
			Total: projections.SalesFigures{Placed: 4, Canceled: 1, Items: 6, Cents: 3550 + 2600 + 1400},
			Days: []projections.DaySales{
				{Day: kolkataAt(day1, "00:00"), SalesFigures: projections.SalesFigures{Placed: 3, Canceled: 1, Items: 5, Cents: 6150}},
				{Day: kolkataAt(day2, "00:00"), SalesFigures: projections.SalesFigures{Placed: 1, Items: 1, Cents: 1400}},
			},
			Slots: []projections.SlotSales{
				{Day: kolkataAt(day1, "00:00"), Hour: 12, SalesFigures: projections.SalesFigures{Placed: 2, Items: 5, Cents: 6150}},
				{Day: kolkataAt(day1, "00:00"), Hour: 19, SalesFigures: projections.SalesFigures{Placed: 1, Canceled: 1}},
				{Day: kolkataAt(day2, "00:00"), Hour: 0, SalesFigures: projections.SalesFigures{Placed: 1, Items: 1, Cents: 1400}},
			},
		},
		mix: []projections.DishMix{
			{MenuItemID: "margherita", Name: "Margherita", Quantity: 5, Revenue: domain.Cents(6800), Variants: []projections.VariantMix{
				{Options: "Large", Quantity: 3, Revenue: domain.Cents(4200)},
				{Options: "Large, Olives", Quantity: 1, Revenue: domain.Cents(1500)},
				{Options: "Regular", Quantity: 1, Revenue: domain.Cents(1100)},
			}},
			{MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, Revenue: domain.Cents(750), Variants: []projections.VariantMix{
				{Quantity: 1, Revenue: domain.Cents(750)},
			}},
		},
		prep: projections.Prep{
			Late: 12 * time.Minute,
			// Cooking: 8 and 15 minutes (the night's ticket was never
			// started); turnaround 15, 25 and 16 minutes.
			All: projections.PrepTimes{Tickets: 3, Cooked: 2, Cooking: 690 * time.Second, CookingP90: 858 * time.Second,
				HandedOver: 3, Turnaround: 16 * time.Minute, TurnaroundP90: 1392 * time.Second, Late: 2, Recalls: 1},
			Dishes: []projections.PrepTimes{
				{Dish: "Margherita", Tickets: 3, Cooked: 2, Cooking: 690 * time.Second, CookingP90: 858 * time.Second,
					HandedOver: 3, Turnaround: 16 * time.Minute, TurnaroundP90: 1392 * time.Second, Late: 2, Recalls: 1},
				{Dish: "Tiramisù", Tickets: 1, Cooked: 1, Cooking: 8 * time.Minute, CookingP90: 8 * time.Minute,
					HandedOver: 1, Turnaround: 15 * time.Minute, TurnaroundP90: 15 * time.Minute},
			},
		},
		// Lunch paid by card, the late one left unpaid, the night's in
		// cash; the orders outside the period are not in.
		takings: projections.Takings{
			Methods: []projections.MethodTakings{
				{Method: "cash", Orders: 1, Value: domain.Cents(1400)},
				{Method: "card", Orders: 1, Value: domain.Cents(3550)},
				{Method: "unpaid", Orders: 1, Value: domain.Cents(2600)},
				{Method: "not_recorded", Value: domain.Cents(0)},
				{Method: "not_handed_over", Value: domain.Cents(0)},
			},
			Unpaid: []projections.MethodTakings{{Method: "unpaid", Reason: "guest left without paying", Orders: 1, Value: domain.Cents(2600)}},
		},
		cancellations: []projections.Cancellation{
			{OrderID: changedMind, Number: 4, CanceledAt: kolkataAt(day1, "19:07"), Placed: true, Value: domain.Cents(2250),
				Reason: "changed my mind", Actor: "customer:guest-3"},
			{OrderID: flood, Number: 5, CanceledAt: kolkataAt(day1, "20:05"), Value: domain.Cents(0),
				Reason: "canceled by manager: suspected flood", Actor: "staff:maria"},
		},
	}
	// Sales by hour of the day run from midnight to 19:00, empty hours
	// included.
	for h := range 20 {
		f := projections.SalesFigures{}
		switch h {
		case 0:
			f = projections.SalesFigures{Placed: 1, Items: 1, Cents: 1400}
		case 12:
			f = projections.SalesFigures{Placed: 2, Items: 5, Cents: 6150}
		case 19:
			f = projections.SalesFigures{Placed: 1, Canceled: 1}
		}
		want.sales.Hours = append(want.sales.Hours, projections.HourSales{Hour: h, SalesFigures: f})
	}
	live := readReports(t, reports, period, now)
	live.check(t, "live", want)
	if got := want.sales.Total.Average(); got != domain.Cents(2516) {
		t.Errorf("average order %s, want €25.16", got)
	}

	tables := dump(t, store)
	if _, err := projections.RebuildAll(ctx, store, []projections.Projection{projections.OrderReportsProjection{}, projections.KitchenReportsProjection{}}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := dump(t, store)
	for _, table := range []string{"report_orders", "report_lines", "report_tickets", "report_ticket_dishes"} {
		if len(tables[table]) == 0 || !reflect.DeepEqual(tables[table], rebuilt[table]) {
			t.Errorf("%s rebuilt differs from live:\nlive    %v\nrebuilt %v", table, tables[table], rebuilt[table])
		}
	}
	readReports(t, reports, period, now).check(t, "rebuilt", want)
}

// reportFigures are every report over one period.
type reportFigures struct {
	sales         projections.Sales
	mix           []projections.DishMix
	prep          projections.Prep
	cancellations []projections.Cancellation
	takings       projections.Takings
}

func readReports(t *testing.T, r projections.Reports, p projections.Period, now time.Time) reportFigures {
	t.Helper()
	ctx := context.Background()
	var f reportFigures
	var err error
	if f.sales, err = r.Sales(ctx, p); err != nil {
		t.Fatal(err)
	}
	if f.mix, err = r.ItemMix(ctx, p); err != nil {
		t.Fatal(err)
	}
	if f.prep, err = r.Prep(ctx, p, 0, now); err != nil {
		t.Fatal(err)
	}
	if f.cancellations, err = r.Cancellations(ctx, p); err != nil {
		t.Fatal(err)
	}
	if f.takings, err = r.Takings(ctx, p); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f reportFigures) check(t *testing.T, what string, want reportFigures) {
	t.Helper()
	for i := range f.cancellations { // read back in the database session's zone
		f.cancellations[i].CanceledAt = f.cancellations[i].CanceledAt.In(kolkata)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"sales in all", f.sales.Total, want.sales.Total},
		{"sales by day", f.sales.Days, want.sales.Days},
		{"sales by hour", f.sales.Hours, want.sales.Hours},
		{"sales by day and hour", f.sales.Slots, want.sales.Slots},
		{"item mix", f.mix, want.mix},
		{"prep times", f.prep, want.prep},
		{"cancellations", f.cancellations, want.cancellations},
		{"takings", f.takings, want.takings},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %s\ngot  %+v\nwant %+v", what, c.name, c.got, c.want)
		}
	}
}
