package projections_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// storeV1Lines writes lines as a program from before dishes had options
// wrote them, straight into the log: ItemAddedToOrder at schema version 1,
// without options, at the stream's next versions.
func storeV1Lines(t *testing.T, store *eventstore.Store, orderID string, from int, lines ...string) {
	t.Helper()
	for i, line := range lines {
		if _, err := store.Pool().Exec(context.Background(), `INSERT INTO events
			(event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
			VALUES ($1, $2, $3, 'ordering.ItemAddedToOrder', 1, $4, $5, $5, 'customer:guest-old')`,
			uuid.New(), ordering.Stream(orderID), from+i, line, uuid.New()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLinesStoredBeforeOptionsReadAsLinesWithout: an order whose lines were
// stored at schema version 1 is read, folded, projected and rebuilt as one
// whose lines have no options, priced as they were; a line of it takes
// options afterwards, and a line of today's version sits beside them.
func TestLinesStoredBeforeOptionsReadAsLinesWithout(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	r, _ := run(t, store)
	id := uuid.NewString()
	stream := ordering.Stream(id)
	do := func(c ordering.Command) {
		t.Helper()
		must(t)(eventstore.Handle(ctx, store, stream, ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:guest-old"}, c))
	}
	do(ordering.OpenOrder{OrderID: id, CustomerID: "guest-old", At: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)})
	storeV1Lines(t, store, id, 2,
		`{"order_id":"`+id+`","line_id":"old-pizza","menu_item_id":"margherita","name":"Margherita","quantity":2,"note":"well done","unit_price":{"amount":1100,"currency":"EUR"}}`,
		`{"order_id":"`+id+`","line_id":"old-soup","menu_item_id":"minestrone","name":"Minestrone","quantity":1,"note":"","unit_price":{"amount":700,"currency":"EUR"}}`)
	do(ordering.AddItem{LineID: "new-pizza", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100),
		Options: pizzaOptions, Picks: ordering.Picks{"size": {"large"}, "extras": {"basil"}}})
	do(ordering.ChangeItemOptions{LineID: "old-pizza", Options: pizzaOptions, Picks: ordering.Picks{"size": {"small"}}})
	do(ordering.ChoosePickup{})
	do(ordering.GiveContact{Name: "Ana"})
	do(ordering.PlaceOrder{At: time.Date(2025, 6, 1, 12, 5, 0, 0, time.UTC)})

	// Read: the old lines come as version 2, with no options.
	events, err := store.ReadStream(ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	soup, ok := events[2].Event.(ordering.ItemAddedToOrder)
	if !ok || events[2].SchemaVersion != 1 || len(soup.Options) != 0 || soup.UnitPrice != domain.Cents(700) || soup.Quantity != 1 {
		t.Fatalf("a version 1 line reads as %#v (stored as version %d)", events[2].Event, events[2].SchemaVersion)
	}
	// Folded: the domain prices them as they were, and the changed one
	// keeps the price it was added at plus its choice.
	order, _, err := eventstore.Load(ctx, store, stream, ordering.Decider)
	if err != nil {
		t.Fatal(err)
	}
	// 2 small pizzas at 11 - 2, a soup at 7, a large pizza with basil at 11 + 3 + 0.50.
	if order.Total() != domain.Cents(2*900+700+1450) || order.Status != ordering.StatusPlaced {
		t.Fatalf("the order folds to %s, %s: %#v", order.Total(), order.Status, order.Lines)
	}
	caughtUp(t, store, r)

	// Projected: the orders' read model and the kitchen's ticket.
	o, err := projections.Orders{Pool: store.Pool()}.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.Total != order.Total() || len(o.Lines) != 3 || o.Lines[1].Options != nil || len(o.Lines[0].Options) != 1 || len(o.Lines[2].Options) != 2 {
		t.Fatalf("the read model has %s and lines %#v", o.Total, o.Lines)
	}
	tickets, err := projections.Tickets{Pool: store.Pool()}.Board(ctx, time.Date(2025, 6, 1, 12, 6, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var items []kitchen.Item
	for _, tk := range tickets {
		if tk.TicketID == id {
			items = tk.Items
		}
	}
	want := []kitchen.Item{{LineID: "old-pizza", Name: "Margherita", Quantity: 2, Note: "well done", Options: []string{"Small"}},
		{LineID: "old-soup", Name: "Minestrone", Quantity: 1}, {LineID: "new-pizza", Name: "Margherita", Quantity: 1, Options: []string{"Large", "Fresh basil"}}}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("the ticket has\n %#v, want\n %#v", items, want)
	}
	var lineOptions string
	if err := store.Pool().QueryRow(ctx, `SELECT options::text FROM order_lines WHERE order_id = $1 AND line_id = 'old-soup'`, id).Scan(&lineOptions); err != nil || lineOptions != "[]" {
		t.Fatalf("the old soup's row keeps options %s (%v)", lineOptions, err)
	}

	// Rebuilt: every read model, the in-memory folds included, as live.
	live := dump(t, store)
	if _, err := projections.RebuildAll(ctx, store, projections.All(), nil); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dump(t, store); !reflect.DeepEqual(live, rebuilt) {
		for table := range live {
			if !reflect.DeepEqual(live[table], rebuilt[table]) {
				t.Errorf("%s rebuilt differs:\nlive    %s\nrebuilt %s", table, strings.Join(live[table], "\n        "), strings.Join(rebuilt[table], "\n        "))
			}
		}
	}
	for _, p := range projections.All() {
		if _, err := projections.Rebuild(ctx, store, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	if rebuilt := dump(t, store); !reflect.DeepEqual(live, rebuilt) {
		t.Fatal("the read models rebuilt one by one differ from the live ones")
	}
}
