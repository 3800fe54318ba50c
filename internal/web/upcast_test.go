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
