package projections_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/contracts"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// run starts a runner, as one process would, until the test ends or stop
// is called.
func run(t *testing.T, store *eventstore.Store) (*projections.Runner, func()) {
	t.Helper()
	r := projections.NewRunner(store, quiet, append(projections.All(), projections.Policies(store)...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return r, stop
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		<-tick.C
	}
}

func caughtUp(t *testing.T, store *eventstore.Store, r *projections.Runner) {
	t.Helper()
	// The policies append as they go (a placed order's ticket): wait until
	// every projection and policy has reached a head that no longer moves.
	for {
		head, err := store.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Projections() {
			if ok, err := r.WaitFor(context.Background(), p.Name(), head, 15*time.Second); !ok || err != nil {
				t.Fatalf("%s did not catch up (%v)", p.Name(), err)
			}
		}
		again, err := store.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if again == head {
			return
		}
	}
}

// must fails the test on an error, for calls that return a result too.
func must(t *testing.T) func(eventstore.Result, error) {
	return func(_ eventstore.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// trade runs a day's business: orders opened, changed, placed, canceled,
// and the menu changed under them.
func trade(t *testing.T, store *eventstore.Store, orders int) {
	t.Helper()
	ctx := context.Background()
	meta := func() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"} }
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range orders {
		id := uuid.NewString()
		stream := ordering.Stream(id)
		do := func(c ordering.Command) { must(t)(eventstore.Handle(ctx, store, stream, ordering.Decider, meta(), c)) }
		do(ordering.OpenOrder{OrderID: id, CustomerID: fmt.Sprintf("guest-%d", i%3), At: at})
		do(ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: i%4 + 1, UnitPrice: domain.Cents(1100)})
		do(ordering.AddItem{LineID: "b", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, Note: "two spoons", UnitPrice: domain.Cents(750)})
		do(ordering.AddItem{LineID: "c", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100),
			Options: pizzaOptions, Picks: ordering.Picks{"size": {"large"}, "extras": []string{"olives", "basil"}[:i%3]}})
		if i%2 == 1 {
			do(ordering.AddItem{LineID: "d", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, Note: "no nuts", Allergy: true, UnitPrice: domain.Cents(750)})
		}
		switch i % 4 {
		case 0:
			do(ordering.RemoveItem{LineID: "b"})
		case 1:
			do(ordering.ChangeQuantity{LineID: "a", Quantity: 7})
		case 2:
			do(ordering.ChangeItemOptions{LineID: "c", Options: pizzaOptions, Picks: ordering.Picks{"size": {"small"}}})
		}
		if i%2 == 0 {
			do(ordering.ChoosePickup{})
		} else {
			do(ordering.GiveDeliveryAddress{Address: ordering.Address{Street: "Rua Augusta 10", City: "Lisbon", PostalCode: "1100-053"}})
		}
		switch i % 3 {
		case 0:
			do(ordering.GiveContact{Name: fmt.Sprintf("Ana %d", i), Phone: "+351 912 345 678"})
		case 1:
			do(ordering.GiveContact{Name: "Rui", Phone: "912 000 111"})
			do(ordering.GiveContact{Name: "Rui Costa", Phone: "912 000 111"})
		}
		switch i % 6 {
		case 3:
			do(ordering.ScheduleFor{For: at.Add(3 * time.Hour), Window: ordering.Window{Now: at}})
		case 5:
			do(ordering.ScheduleFor{For: at.Add(2 * time.Hour), Window: ordering.Window{Now: at}})
			do(ordering.ClearSchedule{})
		}
		if i%3 != 2 {
			do(ordering.PlaceOrder{At: at.Add(time.Minute), Window: ordering.Window{Now: at}})
		}
		if i%5 == 4 {
			do(ordering.CancelOrder{Reason: "changed my mind", At: at.Add(2 * time.Minute)})
		}
	}
	// The same command ids each time: a second day repeats nothing.
	once := func(name string) eventstore.Metadata {
		return eventstore.Metadata{CommandID: uuid.NewSHA1(uuid.Nil, []byte(name)), Actor: "staff:test"}
	}
	must(t)(eventstore.Handle(ctx, store, menu.Stream("tiramisu"), menu.Decider, once("sell out tiramisu"), menu.Command(menu.MarkSoldOut{})))
	must(t)(eventstore.Handle(ctx, store, menu.Stream("funghi"), menu.Decider, once("remove funghi"), menu.Command(menu.RemoveMenuItem{})))
	// The categories change under the dishes too.
	category := func(name string, c menu.CategoryCommand) {
		must(t)(eventstore.HandleScoped(ctx, store, menu.CategoriesStream, menu.Catalogue, menu.CategoriesDecider, once(name), c))
	}
	category("add specials", menu.AddCategory{CategoryID: "specials", Name: "Specials"})
	category("add soups", menu.AddCategory{CategoryID: "soups", Name: "Soups"})
	category("rename pasta", menu.RenameCategory{CategoryID: "pasta", Name: "Pasta fresca"})
	category("move drinks", menu.MoveCategory{CategoryID: "drinks", Position: 1})
	category("move specials", menu.MoveCategory{CategoryID: "specials", By: -2})
	category("remove soups", menu.RemoveCategory{CategoryID: "soups"})
	carbonara := menu.ModifyMenuItem{Name: "Spaghetti carbonara", CategoryID: "specials", Price: domain.Cents(1550),
		Allergens: []menu.Allergen{menu.Gluten, menu.Eggs, menu.Milk}}
	must(t)(eventstore.HandleGuardedBy(ctx, store, menu.Stream("carbonara"), menu.Catalogue, menu.Decider, once("carbonara to the specials"),
		func(facts []eventstore.RecordedEvent) menu.Command {
			return menu.Filed(carbonara, eventstore.Fold(menu.EvolveCategories, facts))
		}))
	// Lasagne is cooked in 12 portions; two orders take some, one gives
	// them back. Pasta is counted, then not.
	portions := func(dish, name string, c menu.PortionsCommand) {
		must(t)(eventstore.Handle(ctx, store, menu.PortionsStream(dish), menu.PortionsDecider, once(name), c))
	}
	listed := menu.State{Exists: true}
	portions("lasagne", "12 lasagne", menu.SetPortions{ItemID: "lasagne", Portions: 12, Dish: listed})
	portions("lasagne", "order 1 takes 3", menu.TakePortions{OrderID: "o1", Name: "Lasagne", Quantity: 3})
	portions("lasagne", "order 2 takes 2", menu.TakePortions{OrderID: "o2", Name: "Lasagne", Quantity: 2})
	portions("lasagne", "order 1 gives back", menu.ReturnPortions{OrderID: "o1"})
	portions("carbonara", "5 carbonara", menu.SetPortions{ItemID: "carbonara", Portions: 5, Dish: listed})
	portions("carbonara", "no more counting", menu.ClearPortions{})
	// A ticket for later, as the scheduler opens it.
	must(t)(eventstore.Handle(ctx, store, kitchen.Stream("for-later"), kitchen.Decider, once("a ticket for later"), kitchen.Command(kitchen.OpenTicket{
		TicketID: "for-later", OrderNumber: 99, Items: []kitchen.Item{{Name: "Margherita", Quantity: 1}}, Fulfilment: kitchen.FulfilmentPickup,
		PlacedAt: at, At: at.Add(2 * time.Hour), DueAt: at.Add(2*time.Hour + 12*time.Minute)})))
	// A ticket fired by prep time, its dessert held while the pizza
	// cooks, then fired early.
	must(t)(eventstore.Handle(ctx, store, kitchen.Stream("held"), kitchen.Decider, once("a ticket fired by prep time"), kitchen.Command(kitchen.OpenTicket{
		TicketID: "held", OrderNumber: 98, Items: []kitchen.Item{{LineID: "p", Name: "Margherita", Quantity: 1}, {LineID: "t", Name: "Tiramisù", Quantity: 1}},
		Fulfilment: kitchen.FulfilmentPickup, PlacedAt: at, At: at, PrepTimes: []time.Duration{12 * time.Minute, 4 * time.Minute}})))
	must(t)(eventstore.Handle(ctx, store, kitchen.Stream("held"), kitchen.Decider, once("fire the tiramisù now"),
		kitchen.Command(kitchen.FireLine{LineID: "t", At: at.Add(time.Minute)})))
	// The restaurant sets its hours, closes on a day, and pauses a while.
	set := func(name string, c settings.Command) {
		must(t)(eventstore.Handle(ctx, store, settings.Stream, settings.Decider, once(name), c))
	}
	set("hours", settings.SetOpeningHours{Week: settings.Week{time.Friday: {{Opens: 12 * 60, Closes: 22 * 60}}}})
	set("christmas", settings.AddClosedDay{Date: "2026-12-25", At: at})
	set("busy", settings.PauseOnlineOrders{For: 30 * time.Minute, At: at})
	set("fire at once", settings.SetFireByPrepTime{On: false})
	for _, c := range []menu.Command{
		menu.AddOptionGroup{GroupID: "spoons", Name: "Spoons", Required: true, Min: 1, Max: 2},
		menu.AddOptionChoice{GroupID: "spoons", ChoiceID: "one", Name: "One", PriceChange: domain.Cents(0)},
		menu.AddOptionChoice{GroupID: "spoons", ChoiceID: "two", Name: "Two", PriceChange: domain.Cents(50)},
		menu.RenameOptionGroup{GroupID: "spoons", Name: "How many spoons"},
		menu.SetOptionGroupRules{GroupID: "spoons", Min: 0, Max: 1},
		menu.RemoveOptionChoice{GroupID: "spoons", ChoiceID: "one"},
		menu.AddOptionGroup{GroupID: "cream", Name: "Cream", Max: 1},
		menu.RemoveOptionGroup{GroupID: "cream"},
	} {
		must(t)(eventstore.Handle(ctx, store, menu.Stream("tiramisu"), menu.Decider, once(fmt.Sprintf("tiramisu %#v", c)), c))
	}
}

// pizzaOptions are a pizza's groups as an order is told them.
var pizzaOptions = []ordering.OptionGroup{
	{ID: "size", Name: "Size", Required: true, Min: 1, Max: 1, Choices: []ordering.OptionChoice{
		{ID: "regular", Name: "Regular", PriceChange: domain.Cents(0)}, {ID: "large", Name: "Large", PriceChange: domain.Cents(300)},
		{ID: "small", Name: "Small", PriceChange: domain.Cents(-200)}}},
	{ID: "extras", Name: "Extras", Max: 3, Choices: []ordering.OptionChoice{
		{ID: "basil", Name: "Fresh basil", PriceChange: domain.Cents(50)}, {ID: "olives", Name: "Olives", PriceChange: domain.Cents(100)}}},
}

// dump reads every read-model row, in a stable order.
func dump(t *testing.T, store *eventstore.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range projections.All() {
		for _, table := range p.Tables() {
			rows, err := store.Pool().Query(context.Background(), fmt.Sprintf(`SELECT row_to_json(t)::text FROM %s t ORDER BY 1`, table))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out[table] = append(out[table], s)
			}
			rows.Close()
		}
	}
	return out
}

// cook works the open tickets: some started, some with their dishes done
// one by one, some ready, one of those recalled, some handed over.
func cook(t *testing.T, store *eventstore.Store) {
	t.Helper()
	ctx := context.Background()
	rows, err := store.Pool().Query(ctx, `SELECT ticket_id FROM tickets WHERE status = 'queued' ORDER BY ticket_id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) < 4 {
		t.Fatalf("%d open tickets to cook: %v", len(ids), err)
	}
	at := time.Now().UTC()
	for i, id := range ids {
		do := func(c kitchen.Command) {
			must(t)(eventstore.Handle(ctx, store, kitchen.Stream(id), kitchen.Decider,
				eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, c))
		}
		if i%4 == 0 {
			continue
		}
		do(kitchen.StartTicket{At: at})
		if i%4 == 1 {
			// Dish by dish: the second done and undone, the first done;
			// every other such ticket has all its dishes done, and is ready.
			s, _, err := eventstore.Load(ctx, store, kitchen.Stream(id), kitchen.Decider)
			if err != nil || len(s.Items) < 2 || s.Items[1].LineID == "" {
				t.Fatalf("ticket %s has dishes %+v (%v)", id, s.Items, err)
			}
			do(kitchen.BumpLine{LineID: s.Items[1].LineID, At: at})
			do(kitchen.RecallLine{LineID: s.Items[1].LineID, At: at})
			do(kitchen.BumpLine{LineID: s.Items[0].LineID, At: at})
			if i%8 == 5 {
				for _, it := range s.Items[1:] {
					do(kitchen.BumpLine{LineID: it.LineID, At: at.Add(time.Minute)})
				}
			}
		}
		if i%4 >= 2 {
			do(kitchen.BumpTicket{At: at.Add(time.Minute)})
		}
		switch i % 4 {
		case 2:
			do(kitchen.RecallTicket{At: at.Add(2 * time.Minute)})
		case 3:
			do(kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: at.Add(3 * time.Minute)})
		}
	}
}

func newStore(t *testing.T) *eventstore.Store {
	t.Helper()
	s := eventstore.Open(testdb.New(t), contracts.Codec())
	t.Cleanup(s.Close)
	if _, err := demo.SeedMenu(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRebuildGivesTheSameReadModels(t *testing.T) {
	store := newStore(t)
	// Tests run as the server does, so this rebuilds as it would: a role
	// that owns the read models and may only read and insert into the log.
	var super, ownsEvents bool
	if err := store.Pool().QueryRow(context.Background(), `SELECT rolsuper,
		pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE relname = 'events'), 'USAGE')
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &ownsEvents); err != nil || super || ownsEvents {
		t.Fatalf("the test's role is a superuser (%v) or can act as the event log's owner (%v): %v", super, ownsEvents, err)
	}
	r, _ := run(t, store)
	trade(t, store, 24)
	caughtUp(t, store, r)
	cook(t, store)
	caughtUp(t, store, r)
	live := dump(t, store)
	if len(live["orders"]) != 24 || len(live["menu_items"]) != 17 || len(live["menu_categories"]) != 6 {
		t.Fatalf("live read models hold %d orders, %d dishes and %d categories", len(live["orders"]), len(live["menu_items"]), len(live["menu_categories"]))
	}
	// The read model's categories are the domain's, in the same order.
	everything, err := store.ReadAll(context.Background(), eventstore.Cursor{}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var want []projections.Category
	for i, c := range eventstore.Fold(menu.EvolveCategories, everything).List() {
		want = append(want, projections.Category{ID: c.ID, Name: c.Name, Position: i + 1, Dishes: c.Dishes})
	}
	if got, err := (projections.Menus{Pool: store.Pool()}).Categories(context.Background()); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("the read model's categories (%v)\n%+v\nthe domain's\n%+v", err, got, want)
	}
	if tickets := strings.Join(live["tickets"], "\n"); !strings.Contains(tickets, `"done_lines":["`) || !strings.Contains(tickets, `"done_lines":[]`) {
		t.Fatalf("no ticket has dishes done one by one, or every one has: %s", tickets)
	}
	if p := live["dish_portions"]; len(p) != 1 || !strings.Contains(p[0], `"item_id":"lasagne","portions_left":10`) {
		t.Fatalf("portions left: %v", p)
	}
	if s := live["restaurant_settings"]; len(s) != 1 || !strings.Contains(s[0], `"closed": ["2026-12-25"]`) || !strings.Contains(s[0], `"paused": true`) {
		t.Fatalf("settings: %v", s)
	}
	// Rebuild while the live runner keeps going, then add more business.
	for _, p := range projections.All() {
		n, err := projections.Rebuild(context.Background(), store, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("%s rebuilt from no events", p.Name())
		}
	}
	if rebuilt := dump(t, store); !reflect.DeepEqual(live, rebuilt) {
		t.Fatalf("rebuilt read models differ from the live ones:\nlive    %v\nrebuilt %v", live, rebuilt)
	}
	// All of them at once, reading the log once.
	if n, err := projections.RebuildAll(context.Background(), store, projections.All(), nil); err != nil || n == 0 {
		t.Fatalf("rebuilding every read model at once: %d events, %v", n, err)
	}
	if rebuilt := dump(t, store); !reflect.DeepEqual(live, rebuilt) {
		t.Fatalf("read models rebuilt together differ from the live ones:\nlive    %v\nrebuilt %v", live, rebuilt)
	}
	trade(t, store, 3)
	caughtUp(t, store, r)
	if got := len(dump(t, store)["orders"]); got != 27 {
		t.Fatalf("after the rebuild the live runner kept %d orders, want 27", got)
	}
}

// TestOneRunnerPerProjectionAndTakeOver runs two "processes" on one
// database: each event is applied once, and when the active runner stops,
// the other takes over.
func TestOneRunnerPerProjectionAndTakeOver(t *testing.T) {
	first := newStore(t)
	second := eventstore.Open(first.Pool(), contracts.Codec())
	t.Cleanup(second.Close)
	r1, stop1 := run(t, first)
	r2, _ := run(t, second)
	trade(t, first, 10)
	caughtUp(t, first, r1)

	var popularity, numbers, distinct, top int
	// units is what trade adds of margherita in n orders: two lines each.
	units := func(n int) int {
		u := 0
		for i := range n {
			u += i%4 + 1 + 1
		}
		return u
	}
	check := func(orders, want int) {
		t.Helper()
		ctx := context.Background()
		if err := first.Pool().QueryRow(ctx, `SELECT units_added FROM menu_items WHERE item_id = 'margherita'`).Scan(&popularity); err != nil {
			t.Fatal(err)
		}
		if err := first.Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT number), max(number) FROM orders`).Scan(&numbers, &distinct, &top); err != nil {
			t.Fatal(err)
		}
		if popularity != want || numbers != orders || distinct != orders || top != orders {
			t.Fatalf("margherita added %d times (want %d); %d orders numbered %d distinct up to %d (want %d)", popularity, want, numbers, distinct, top, orders)
		}
	}
	check(10, units(10))
	// Every projection and policy has exactly one runner holding its lock.
	want := len(r1.Projections())
	var holders int
	deadline := time.Now().Add(15 * time.Second)
	for {
		if err := first.Pool().QueryRow(context.Background(), `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted`).Scan(&holders); err != nil {
			t.Fatal(err)
		}
		if holders == want || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if holders != want {
		t.Fatalf("%d runner locks held, want one per projection and policy (%d)", holders, want)
	}
	stop1() // the first process goes away
	trade(t, second, 6)
	caughtUp(t, second, r2)
	check(16, units(10)+units(6))
}
