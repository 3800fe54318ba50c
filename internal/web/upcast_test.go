package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/staff"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

// TestHistoryReadsOldSchemaVersionsThroughUpcasters: an order opened by an
// older program, whose OrderOpened said "guest" where version 2 says
// "customer_id", shows in the history as it was meant, with its schema noted.
func TestHistoryReadsOldSchemaVersionsThroughUpcasters(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	codec := eventstore.NewCodec()
	for _, group := range [][]domain.Event{menu.Events(), ordering.Events(), staff.Events(), kitchen.Events()} {
		for _, e := range group {
			if e.EventType() == "ordering.OrderOpened" {
				codec.Register(e, 2)
				continue
			}
			codec.Register(e, 1)
		}
	}
	codec.Upcast("ordering.OrderOpened", 1, func(data json.RawMessage) (json.RawMessage, error) {
		var v1 map[string]any
		if err := json.Unmarshal(data, &v1); err != nil {
			return nil, err
		}
		v1["customer_id"] = v1["guest"]
		delete(v1, "guest")
		return json.Marshal(v1)
	})
	store := eventstore.Open(pool, codec)
	t.Cleanup(store.Close)
	id := uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		VALUES ($1, $2, 1, 'ordering.OrderOpened', 1, $3, $4, $4, 'customer:guest-old')`,
		uuid.New(), ordering.Stream(id), `{"order_id":"`+id+`","guest":"guest-old","opened_at":"2025-01-01T12:00:00Z"}`, uuid.New()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, ordering.Stream(id), eventstore.Exact(1), eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:guest-old"},
		ordering.ItemAddedToOrder{OrderID: id, LineID: "a", MenuItemID: "espresso", Name: "Espresso", Quantity: 2, UnitPrice: domain.Cents(280)}); err != nil {
		t.Fatal(err)
	}
	acc := accounts.Accounts{Store: store}
	if err := acc.Add(ctx, "maria", staff.Manager, managerPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	sessions, closeSessions := NewSessions(pool)
	t.Cleanup(closeSessions)
	a := &testApp{t: t, store: store, accounts: acc, h: Handler(Deps{Pool: pool, Store: store, Sessions: sessions, Accounts: acc,
		Orders: projections.Orders{Pool: pool}, Runner: projections.NewRunner(store, nil)})}
	m := a.guest()
	m.signIn("maria", managerPassword)
	body := m.get("/staff/orders/" + id + "/history?at=1").Body.String()
	for _, want := range []string{"Order opened", "stored as version 1, read as version 2", `customer_id&#34;: &#34;guest-old`, `id="history-status">open`} {
		if !strings.Contains(body, want) {
			t.Errorf("the history of an old order lacks %q", want)
		}
	}
}

// TestALineStoredBeforeOptionsShowsEverywhere: a dish an older program
// added to an open order (ItemAddedToOrder version 1, straight into the
// log) is a line without options on the guest's page, the kitchen's ticket
// and the history, whose time travel folds it as such beside a line of
// today with its choices.
func TestALineStoredBeforeOptionsShowsEverywhere(t *testing.T) {
	a := withStaff(t)
	g, m, cook := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	id := strings.TrimPrefix(orderHref(g.follow(g.post("/orders/commands/open",
		choose("menu_item_id", "margherita", "quantity", "1", "option-size", "large", "option-extras", "rocket"))).Body.String()), "/orders/")
	if _, err := a.store.Pool().Exec(context.Background(), `INSERT INTO events
		(event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		VALUES ($1, $2, 3, 'ordering.ItemAddedToOrder', 1, $3, $4, $4, 'customer:guest-old')`,
		uuid.New(), ordering.Stream(id), `{"order_id":"`+id+`","line_id":"old","menu_item_id":"diavola","name":"Diavola","quantity":2,"note":"extra hot","unit_price":{"amount":1300,"currency":"EUR"}}`,
		uuid.New()); err != nil {
		t.Fatal(err)
	}
	a.caughtUp()
	order := g.order(id)
	// 11.00 + 3.00 + 1.00, and two of 13.00 as they were priced then.
	if len(order.Lines) != 2 || order.Total != domain.Cents(1500+2600) || len(order.Lines[1].Options) != 0 || order.Lines[1].UnitPrice != domain.Cents(1300) {
		t.Fatalf("the order reads %s with lines %#v", order.Total, order.Lines)
	}
	page := g.get("/orders/" + id).Body.String()
	if old := within(t, page, `id="line-old"`, `class="line-actions"`); !strings.Contains(old, "2 × Diavola") || strings.Contains(old, "line-options") ||
		!strings.Contains(old, "The menu price is now €13.50; your order keeps €13.00") {
		t.Fatalf("the old line on the order page: %s", old)
	}
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	ticket := within(t, cook.afterOthers("/kitchen").Body.String(), `id="ticket-`+id+`"`, `class="ticket-buttons"`)
	if !strings.Contains(ticket, "<li>Large</li><li>Rocket</li>") || !strings.Contains(ticket, "</strong> Diavola <span class=\"ticket-note\">extra hot") {
		t.Fatalf("the ticket: %s", ticket)
	}
	href := "/staff/orders/" + id + "/history"
	for at, want := range map[string][]string{
		"?at=2": {"1 × Margherita, Large (+€3.00), Rocket (+€1.00)", `id="history-total">€15.00`},
		"?at=3": {"2 × Diavola", "(note: extra hot)", `id="history-total">€41.00`, "stored as version 1, read as version 2", "3</a>. Added 2 × Diavola (€13.00 each), note: extra hot"},
		"":      {`id="history-status">placed`, "Placed the order, total €41.00"},
	} {
		body := m.get(href + at).Body.String()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("the history%s lacks %q", at, w)
			}
		}
	}
}
