package contracts_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/contracts"
)

// every is each event type the contract knows, in a fixed order.
func every() []domain.Event {
	var all []domain.Event
	for _, group := range [][]domain.Event{menu.Events(), ordering.Events(), staff.Events(), kitchen.Events(), kitchen.StationEvents(), customers.Events(), menu.PortionEvents(), settings.Events()} {
		all = append(all, group...)
	}
	return all
}

// TestEveryEventTypeIsInTheContract: each event a decider can make is
// registered, at a schema version of 1 or more.
func TestEveryEventTypeIsInTheContract(t *testing.T) {
	c := contracts.Codec()
	for _, e := range every() {
		if v := c.Version(e.EventType()); v < 1 {
			t.Errorf("%s has schema version %d", e.EventType(), v)
		}
	}
}

// unknownFrom is the first fuzzed type number that names no event type: the
// numbers below it name every known type in turn, however many there are.
const unknownFrom = 250

// FuzzDecodeStoredEvent reads arbitrary stored JSON as any event type the
// contract knows, at any schema version: reading never panics; a version
// newer than the program's, or one it has no way to upcast from, is refused;
// what is read is the registered type, and writing it again reads back as an
// equal event, written the same way.
func FuzzDecodeStoredEvent(f *testing.F) {
	f.Add(uint8(0), 1, []byte(`{"item_id":"margherita","name":"Margherita","description":"","category":"Pizza","price":{"amount":950,"currency":"EUR"}}`))
	f.Add(uint8(0), 1, []byte(`{"item_id":"x","name":"X","category":"  \t ","price":{"amount":1,"currency":"EUR"}}`))
	f.Add(uint8(1), 1, []byte(`{"item_id":"x","category":7}`))
	f.Add(uint8(0), 2, []byte(`{"item_id":"x","name":"X","category_id":"pizza","price":{"amount":1,"currency":"EUR"},"allergens":["gluten","milk"],"diets":["vegetarian"]}`))
	f.Add(uint8(5), 1, []byte(`{"order_id":"4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f","customer_id":"guest-a","opened_at":"2026-01-02T12:00:00+01:00"}`))
	f.Add(uint8(6), 1, []byte(`{"order_id":"o","line_id":"l","quantity":1e400}`))
	f.Add(uint8(11), 0, []byte(`{"order_id":"o"}`))
	f.Add(uint8(12), 2, []byte(`{}`))
	f.Add(uint8(13), 1, []byte(`null`))
	f.Add(uint8(14), 1, []byte(`{"order_id":"o","name":"Ana Luísa\u2028","phone":"+351912345678"}`))
	f.Add(uint8(15), 1, []byte(`{"username":"noor","role":"kitchen","USERNAME":"x"}`))
	f.Add(uint8(20), 1, []byte(`{"ticket_id":"t","items":[{"name":"Margherita","quantity":2,"note":"\u0000"}],"placed_at":"0000-01-01T00:00:00Z"}`))
	f.Add(uint8(26), 1, []byte(`{"customer_id":"c","name":"João Ñúñez","email":"joão@example.pt","phone":"+351912345678","signed_up_at":"2026-01-02T12:00:00+01:00"}`))
	f.Add(uint8(28), 1, []byte(`{"customer_id":"c","address_id":"a","nickname":"Casa","street":"Rua 1","postal_code":"1000-001","city":"Lisboa","instructions":"Ring twice.\nThird floor."}`))
	f.Add(uint8(33), 1, []byte(`{"customer_id":"c","erased_at":"2026-01-02T12:00:00Z","name":"Ana"}`))
	f.Add(uint8(34), 2, []byte(`{"customer_id":"c"}`))
	f.Add(uint8(35), 1, []byte(`{"customer_id":7}`))
	f.Add(uint8(36), 1, []byte(`{"customer_id":"c","passkey_id":"p","name":"Ana's phone\u0007","added_at":"2026-12-01T10:00:00Z"}`))
	f.Add(uint8(37), 1, []byte(`{"customer_id":"c","passkey_id":"","removed_at":null}`))
	f.Add(uint8(11), 1, []byte(`{"order_id":"4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f","customer_id":"guest-a","opened_at":"2026-01-02T12:00:00+01:00"}`))
	f.Add(uint8(12), 1, []byte(`{"order_id":"o","line_id":"l","quantity":1e400}`))
	f.Add(uint8(12), 1, []byte(`{"order_id":"o","line_id":"l","menu_item_id":"margherita","name":"Margherita","quantity":2,"note":"","unit_price":{"amount":1100,"currency":"EUR"}}`))
	f.Add(uint8(12), 1, []byte(`{"order_id":"o","options":[{"group_id":"size"}]}`))
	f.Add(uint8(12), 2, []byte(`{"order_id":"o","line_id":"l","quantity":1,"unit_price":{"amount":1450,"currency":"EUR"},"options":[{"group_id":"size","group_name":"Size","choice_id":"large","choice_name":"Large","price_change":{"amount":300,"currency":"EUR"}}]}`))
	f.Add(uint8(12), 2, []byte(`{"order_id":"o","options":[]}`))
	f.Add(uint8(12), 2, []byte(`{"order_id":"o","line_id":"l","quantity":1,"note":"no nuts","allergy":true,"unit_price":{"amount":750,"currency":"EUR"},"options":[]}`))
	f.Add(uint8(12), 2, []byte(`{"order_id":"o","note":"","allergy":false}`))
	f.Add(uint8(12), 1, []byte(`{"order_id":"o","allergy":"yes"}`))
	f.Add(uint8(27), 1, []byte(`{"ticket_id":"t","items":[{"name":"Tiramisù","quantity":1,"note":"no nuts","allergy":true}],"placed_at":"2026-01-02T12:00:00Z"}`))
	f.Add(uint8(21), 1, []byte(`{"order_id":"o","line_id":"l","options":null,"unit_price":{"amount":-1,"currency":""}}`))
	f.Add(uint8(5), 1, []byte(`{"item_id":"margherita","group_id":"size","name":"Size","required":true,"min":1,"max":1}`))
	f.Add(uint8(9), 1, []byte(`{"item_id":"margherita","group_id":"size","choice_id":"small","name":"Small","price_change":{"amount":-200,"currency":"EUR"}}`))
	f.Add(uint8(17), 0, []byte(`{"order_id":"o"}`))
	f.Add(uint8(18), 2, []byte(`{}`))
	f.Add(uint8(19), 1, []byte(`null`))
	f.Add(uint8(20), 1, []byte(`{"order_id":"o","name":"Ana Luísa\u2028","phone":"+351912345678"}`))
	f.Add(uint8(22), 1, []byte(`{"username":"noor","role":"kitchen","USERNAME":"x"}`))
	f.Add(uint8(27), 1, []byte(`{"ticket_id":"t","items":[{"name":"Margherita","quantity":2,"note":"\u0000"}],"placed_at":"0000-01-01T00:00:00Z"}`))
	f.Add(uint8(33), 1, []byte(`{"customer_id":"c","name":"João Ñúñez","email":"joão@example.pt","phone":"+351912345678","signed_up_at":"2026-01-02T12:00:00+01:00"}`))
	f.Add(uint8(35), 1, []byte(`{"customer_id":"c","address_id":"a","nickname":"Casa","street":"Rua 1","postal_code":"1000-001","city":"Lisboa","instructions":"Ring twice.\nThird floor."}`))
	f.Add(uint8(40), 1, []byte(`{"customer_id":"c","erased_at":"2026-01-02T12:00:00Z","name":"Ana"}`))
	f.Add(uint8(41), 2, []byte(`{"customer_id":"c"}`))
	f.Add(uint8(42), 1, []byte(`{"customer_id":7}`))
	f.Add(uint8(255), 1, []byte(`{}`))
	f.Add(uint8(1), -9223372036854775808, []byte(`{"name":"\xff"}`))
	f.Fuzz(func(t *testing.T, which uint8, version int, data []byte) {
		c := contracts.Codec()
		all := every()
		eventType := "ordering.NoSuchEvent"
		var want reflect.Type
		if which < unknownFrom {
			e := all[int(which)%len(all)]
			eventType, want = e.EventType(), reflect.TypeOf(e)
		}
		current := c.Version(eventType)
		e, upgraded, err := c.Decode(eventType, version, data)
		if err != nil {
			return
		}
		switch {
		case want == nil:
			t.Fatalf("an unknown type %s was read as %#v", eventType, e)
		case version > current:
			t.Fatalf("%s of version %d was read by a program at version %d", eventType, version, current)
		case version < 1:
			t.Fatalf("%s of version %d was read", eventType, version)
		case reflect.TypeOf(e) != want || e.EventType() != eventType:
			t.Fatalf("%s was read as %T", eventType, e)
		}
		if version == current && !bytes.Equal(upgraded, data) {
			t.Fatalf("%s at the current version was changed on reading", eventType)
		}
		// What the upcasters made reads as the current version alike.
		again, _, err := c.Decode(eventType, current, upgraded)
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("%s upcast to %s reads at version %d as %#v (%v), not %#v", eventType, upgraded, current, again, err, e)
		}
		typ, v, encoded, err := c.Encode(e)
		if err != nil {
			t.Fatalf("%#v was read but cannot be written: %v", e, err)
		}
		if typ != eventType || v != current || !json.Valid(encoded) {
			t.Fatalf("%#v is written as %s version %d: %s", e, typ, v, encoded)
		}
		back, _, err := c.Decode(typ, v, encoded)
		if err != nil {
			t.Fatalf("%s written as %s does not read back: %v", eventType, encoded, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("%s written as %s reads back as %#v, not %#v", eventType, encoded, back, e)
		}
		if _, _, twice, err := c.Encode(back); err != nil || !bytes.Equal(twice, encoded) {
			t.Fatalf("%#v is written as %s, then as %s (%v)", e, encoded, twice, err)
		}
	})
}
