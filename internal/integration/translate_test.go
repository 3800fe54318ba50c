package integration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type fixture struct {
	t     *testing.T
	store *eventstore.Store
	tr    *Translator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := eventstore.Open(testdb.New(t), contracts.Codec())
	t.Cleanup(store.Close)
	if _, err := demo.SeedMenu(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := projections.NewRunner(store, quiet, append(projections.All(), projections.Policies(store)...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &fixture{t: t, store: store, tr: &Translator{Store: store}}
}

func meta() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "test"} }

func handle[S, C any](f *fixture, stream string, d domain.Decider[S, C], cmds ...any) {
	f.t.Helper()
	for _, c := range cmds {
		if _, err := eventstore.Handle(context.Background(), f.store, stream, d, meta(), c.(C)); err != nil {
			f.t.Fatalf("%s %T: %v", stream, c, err)
		}
	}
}

// event is the stream's last event of the type, as the log has it, waiting
// for it a little (a policy may append it).
func (f *fixture) event(stream, typ string) eventstore.RecordedEvent {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := f.store.ReadStream(context.Background(), stream, 0)
		if err != nil {
			f.t.Fatal(err)
		}
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].Type == typ {
				return events[i]
			}
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("no %s in %s", typ, stream)
		}
		select {
		case <-f.store.Changes():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// translate translates an event to its one message, checks it against its
// type's schema, and decodes its body into v.
func (f *fixture) translate(e eventstore.RecordedEvent, typ string, v any) Message {
	f.t.Helper()
	msgs, err := f.tr.Translate(context.Background(), e)
	if err != nil || len(msgs) != 1 {
		f.t.Fatalf("translate %s: %v, %d messages", e.Type, err, len(msgs))
	}
	m := msgs[0]
	if m.Type != typ || m.ID != e.EventID.String() || m.Stream != e.StreamID || m.Position != e.Position || !m.OccurredAt.Equal(e.RecordedAt) {
		f.t.Fatalf("message of %s: %+v", e.Type, m)
	}
	for _, s := range Specs() {
		if s.Type == typ {
			sc, err := SchemaOf(s)
			if err != nil {
				f.t.Fatal(err)
			}
			if err := Validate(sc, m.Body); err != nil {
				f.t.Errorf("%s: %v\n%s", typ, err, m.Body)
			}
		}
	}
	if err := json.Unmarshal(m.Body, v); err != nil {
		f.t.Fatal(err)
	}
	// A resend carries the same body.
	again, err := f.tr.Translate(context.Background(), e)
	if err != nil || string(again[0].Body) != string(m.Body) {
		f.t.Errorf("translated again, %s reads %s (%v), was %s", typ, again[0].Body, err, m.Body)
	}
	return m
}

var at = time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)

func TestADeliveryOrderOfACustomerTellsItsWholeJourney(t *testing.T) {
	f := newFixture(t)
	customerID, orderID := uuid.NewString(), uuid.NewString()
	handle(f, customers.Stream(customerID), customers.Decider, customers.Command(customers.SignUp{CustomerID: customerID, Name: "Ana Account",
		Email: "ana@example.com", Phone: "+351911111111", At: at}))
	handle(f, ordering.Stream(orderID), ordering.Decider,
		ordering.Command(ordering.OpenOrder{OrderID: orderID, CustomerID: customerID, At: at}),
		ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 2, UnitPrice: domain.Cents(1100),
			Options: []ordering.OptionGroup{{ID: "size", Name: "Size", Min: 1, Max: 1, Required: true,
				Choices: []ordering.OptionChoice{{ID: "large", Name: "Large", PriceChange: domain.Cents(200)}}}},
			Picks: ordering.Picks{"size": {"large"}}},
		ordering.AddItem{LineID: "b", MenuItemID: "tiramisu", Name: "Tiramisu", Quantity: 1, UnitPrice: domain.Cents(650)},
		ordering.GiveDeliveryAddress{Address: ordering.Address{Street: "Rua Augusta 1", City: "Lisboa", PostalCode: "1100-048"}},
		ordering.GiveContact{Name: "Ana", Phone: "+351922222222"},
		ordering.PlaceOrder{At: at})

	var placed OrderPlacedV1
	m := f.translate(f.event(ordering.Stream(orderID), "ordering.OrderPlaced"), OrderPlaced, &placed)
	if placed.OrderID != orderID || placed.Number <= 0 || placed.Fulfilment != "delivery" || !placed.PlacedAt.Equal(at) ||
		placed.Total != (Money{Amount: 3250, Currency: "EUR"}) || placed.Contact != (Contact{Name: "Ana", Email: "ana@example.com"}) || !placed.ScheduledFor.IsZero() {
		t.Errorf("placed: %+v", placed)
	}
	if len(placed.Lines) != 2 || placed.Lines[0].DishID != "margherita" || placed.Lines[0].Quantity != 2 || strings.Join(placed.Lines[0].Options, ",") != "Large" ||
		placed.Lines[1].Options == nil || len(placed.Lines[1].Options) != 0 {
		t.Errorf("lines: %+v", placed.Lines)
	}
	// No more personal data than a consumer needs.
	for _, secret := range []string{"911111111", "922222222", "Rua Augusta", "Lisboa", "1100-048", customerID, "Ana Account"} {
		if strings.Contains(string(m.Body), secret) {
			t.Errorf("the message carries %q: %s", secret, m.Body)
		}
	}
	if strings.Contains(string(m.Body), "scheduled_for") {
		t.Errorf("an order as soon as possible has a time: %s", m.Body)
	}

	f.event(kitchen.Stream(orderID), "kitchen.TicketOpened")
	handle(f, kitchen.Stream(orderID), kitchen.Decider, kitchen.Command(kitchen.StartTicket{At: at.Add(time.Minute)}),
		kitchen.BumpTicket{At: at.Add(10 * time.Minute)})
	var ready OrderReadyV1
	f.translate(f.event(kitchen.Stream(orderID), "kitchen.TicketBumped"), OrderReady, &ready)
	if ready != (OrderReadyV1{OrderID: orderID, Number: placed.Number, ReadyAt: at.Add(10 * time.Minute), Fulfilment: "delivery", Contact: placed.Contact}) {
		t.Errorf("ready: %+v", ready)
	}
	handle(f, kitchen.Stream(orderID), kitchen.Decider, kitchen.Command(kitchen.HandOverTicket{Payment: kitchen.PaymentCard, At: at.Add(12 * time.Minute)}))
	var out OrderOutForDeliveryV1
	f.translate(f.event(kitchen.Stream(orderID), "kitchen.TicketHandedOver"), OrderOutForDelivery, &out)
	if out != (OrderOutForDeliveryV1{OrderID: orderID, Number: placed.Number, At: at.Add(12 * time.Minute), Contact: placed.Contact}) {
		t.Errorf("out for delivery: %+v", out)
	}
	handle(f, kitchen.Stream(orderID), kitchen.Decider, kitchen.Command(kitchen.DeliverTicket{At: at.Add(30 * time.Minute)}))
	var delivered OrderDeliveredV1
	f.translate(f.event(kitchen.Stream(orderID), "kitchen.TicketDelivered"), OrderDelivered, &delivered)
	if delivered != (OrderDeliveredV1{OrderID: orderID, Number: placed.Number, At: at.Add(30 * time.Minute), Payment: "card"}) {
		t.Errorf("delivered: %+v", delivered)
	}

	// Erased, the customer's name and email go out as "" when sent again;
	// the rest of the message is as it was.
	erase(t, f.store, customerID)
	var resent OrderPlacedV1
	msgs, err := f.tr.Translate(context.Background(), f.event(ordering.Stream(orderID), "ordering.OrderPlaced"))
	if err != nil || json.Unmarshal(msgs[0].Body, &resent) != nil {
		t.Fatal(err)
	}
	if resent.Contact != (Contact{}) || resent.Number != placed.Number || len(resent.Lines) != 2 {
		t.Errorf("after the erasure: %+v", resent)
	}
}

func erase(t *testing.T, store *eventstore.Store, customerID string) {
	t.Helper()
	ctx := context.Background()
	tx, err := store.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res, err := eventstore.HandleTx(ctx, tx, store, customers.Stream(customerID), customers.Decider, meta(), customers.Command(customers.Erase{At: at}))
	if err != nil {
		t.Fatal(err)
	}
	subjects := res.Events[0].Event.(customers.CustomerErased).ErasedSubjects()
	if err := store.Erase(ctx, tx, subjects); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	store.Forget(subjects)
}

func TestAGuestsPickupAndACancelation(t *testing.T) {
	f := newFixture(t)
	pickup, canceled := uuid.NewString(), uuid.NewString()
	// The guest of the pickup gives an email for updates; the other none.
	emails := map[string]string{pickup: "rui@example.com"}
	for _, id := range []string{pickup, canceled} {
		handle(f, ordering.Stream(id), ordering.Decider,
			ordering.Command(ordering.OpenOrder{OrderID: id, CustomerID: "guest-" + id, At: at}),
			ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100)},
			ordering.ChoosePickup{}, ordering.GiveContact{Name: "Rui", Email: emails[id]},
			ordering.PlaceOrder{At: at, Window: ordering.Window{}})
	}
	handle(f, ordering.Stream(canceled), ordering.Decider, ordering.Command(ordering.CancelOrder{Reason: "Too late", At: at.Add(time.Minute)}))
	var c OrderCanceledV1
	f.translate(f.event(ordering.Stream(canceled), "ordering.OrderCanceled"), OrderCanceled, &c)
	if c.OrderID != canceled || c.Number <= 0 || c.Reason != "Too late" || !c.CanceledAt.Equal(at.Add(time.Minute)) || c.Contact != (Contact{Name: "Rui"}) {
		t.Errorf("canceled: %+v", c)
	}

	f.event(kitchen.Stream(pickup), "kitchen.TicketOpened")
	handle(f, kitchen.Stream(pickup), kitchen.Decider, kitchen.Command(kitchen.StartTicket{At: at}), kitchen.BumpTicket{At: at.Add(time.Minute)},
		kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: at.Add(2 * time.Minute)})
	var ready OrderReadyV1
	f.translate(f.event(kitchen.Stream(pickup), "kitchen.TicketBumped"), OrderReady, &ready)
	if ready.Fulfilment != "pickup" || ready.Contact != (Contact{Name: "Rui", Email: "rui@example.com"}) {
		t.Errorf("ready: %+v", ready)
	}
	var handed OrderHandedOverV1
	f.translate(f.event(kitchen.Stream(pickup), "kitchen.TicketHandedOver"), OrderHandedOver, &handed)
	if handed.OrderID != pickup || handed.Payment != "cash" || handed.Number <= 0 || !handed.At.Equal(at.Add(2*time.Minute)) {
		t.Errorf("handed over: %+v", handed)
	}

	// Events with no public counterpart give no message.
	for _, typ := range []string{"ordering.OrderOpened", "ordering.ItemAddedToOrder", "ordering.ContactGiven"} {
		msgs, err := f.tr.Translate(context.Background(), f.event(ordering.Stream(pickup), typ))
		if err != nil || msgs != nil {
			t.Errorf("%s: %v, %v", typ, msgs, err)
		}
	}
}

func TestADishSoldOutAndBackInStock(t *testing.T) {
	f := newFixture(t)
	handle(f, menu.Stream("margherita"), menu.Decider, menu.Command(menu.MarkSoldOut{}), menu.MarkBackInStock{})
	var out ItemSoldOutV1
	e := f.event(menu.Stream("margherita"), "menu.MenuItemSoldOut")
	f.translate(e, ItemSoldOut, &out)
	if out.DishID != "margherita" || out.Name != "Margherita" || !out.At.Equal(e.RecordedAt) {
		t.Errorf("sold out: %+v", out)
	}
	var back ItemBackInStockV1
	f.translate(f.event(menu.Stream("margherita"), "menu.MenuItemBackInStock"), ItemBackInStock, &back)
	if back.DishID != "margherita" || back.Name != "Margherita" {
		t.Errorf("back in stock: %+v", back)
	}
}

func TestAMessageWaitsForItsOrdersNumber(t *testing.T) {
	// No projections run: the orders projection never numbers the order,
	// and the message is not sent without its number.
	store := eventstore.Open(testdb.New(t), contracts.Codec())
	t.Cleanup(store.Close)
	f := &fixture{t: t, store: store, tr: &Translator{Store: store, NumberWait: 100 * time.Millisecond}}
	id := uuid.NewString()
	handle(f, ordering.Stream(id), ordering.Decider,
		ordering.Command(ordering.OpenOrder{OrderID: id, CustomerID: "guest-1", At: at}),
		ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1100)},
		ordering.ChoosePickup{}, ordering.GiveContact{Name: "Rui"}, ordering.PlaceOrder{At: at})
	_, err := f.tr.Translate(context.Background(), f.event(ordering.Stream(id), "ordering.OrderPlaced"))
	if err == nil || !strings.Contains(err.Error(), ErrNumberPending.Error()) {
		t.Fatalf("translated without the order's number: %v", err)
	}
}
