package eventstore_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// plated is a test event at schema version 3. Version 1 said "euros", a
// number; version 2 said "price" in cents; version 3 adds the time it was
// plated, which older versions read as the zero time.
type plated struct {
	Name     string       `json:"name"`
	Price    domain.Money `json:"price"`
	Allergen []string     `json:"allergens"`
	PlatedAt time.Time    `json:"plated_at"`
}

func (plated) EventType() string { return "test.Plated" }

func upcastingCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(plated{}, 3)
	c.Register(counted{}, 1)
	c.Upcast("test.Plated", 1, func(data json.RawMessage) (json.RawMessage, error) {
		var v1 struct {
			Name  string `json:"name"`
			Euros int64  `json:"euros"`
		}
		if err := json.Unmarshal(data, &v1); err != nil {
			return nil, err
		}
		if v1.Euros < 0 || v1.Euros > 1_000_000 {
			return nil, errors.New("a price out of range")
		}
		return json.Marshal(map[string]any{"name": v1.Name, "price": domain.Cents(v1.Euros * 100)})
	})
	c.Upcast("test.Plated", 2, func(data json.RawMessage) (json.RawMessage, error) {
		var v2 map[string]json.RawMessage
		if err := json.Unmarshal(data, &v2); err != nil {
			return nil, err
		}
		v2["plated_at"] = json.RawMessage(`"0001-01-01T00:00:00Z"`)
		return json.Marshal(v2)
	})
	return c
}

// FuzzCodecDecode reads arbitrary stored JSON as an event type at any schema
// version: reading never panics; a version newer than the program's, or
// older than the first, is refused; an old version is upcast to a document
// the current version reads as the same event; and a read event is written
// again and reads back equal, written the same way.
func FuzzCodecDecode(f *testing.F) {
	f.Add("test.Plated", 3, []byte(`{"name":"Soup","price":{"amount":750,"currency":"EUR"},"allergens":["celery"],"plated_at":"2026-01-02T12:00:00+01:00"}`))
	f.Add("test.Plated", 2, []byte(`{"name":"Soup","price":{"amount":750,"currency":"EUR"}}`))
	f.Add("test.Plated", 1, []byte(`{"name":"Soup","euros":7}`))
	f.Add("test.Plated", 1, []byte(`{"name":"Soup","euros":7.5}`))
	f.Add("test.Plated", 1, []byte(`[1,2]`))
	f.Add("test.Plated", 0, []byte(`{}`))
	f.Add("test.Plated", 4, []byte(`{}`))
	f.Add("test.Counted", 1, []byte(`{"writer":1,"n":2,"N":3}`))
	f.Add("test.Counted", 1, []byte(`null`))
	f.Add("test.Unknown", 1, []byte(`{}`))
	f.Fuzz(func(t *testing.T, eventType string, version int, data []byte) {
		c := upcastingCodec()
		current := c.Version(eventType)
		e, upgraded, err := c.Decode(eventType, version, data)
		if err != nil {
			// A refusal says which type it could not read.
			if !strings.Contains(err.Error(), "decode "+eventType+":") {
				t.Fatalf("reading %s version %d: %v does not name the type", eventType, version, err)
			}
			return
		}
		switch {
		case current == 0:
			t.Fatalf("an unknown type %q was read as %#v", eventType, e)
		case version > current || version < 1:
			t.Fatalf("%s of version %d was read by a program at version %d", eventType, version, current)
		case e.EventType() != eventType:
			t.Fatalf("%s was read as %T", eventType, e)
		}
		if version == current && !bytes.Equal(upgraded, data) {
			t.Fatalf("%s at the current version was changed on reading", eventType)
		}
		again, _, err := c.Decode(eventType, current, upgraded)
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("%s upcast from version %d to %s reads as %#v (%v), not %#v", eventType, version, upgraded, again, err, e)
		}
		typ, v, encoded, err := c.Encode(e)
		if err != nil {
			t.Fatalf("%#v was read but cannot be written: %v", e, err)
		}
		if typ != eventType || v != current {
			t.Fatalf("%#v is written as %s version %d", e, typ, v)
		}
		back, _, err := c.Decode(typ, v, encoded)
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Fatalf("%s written as %s reads back as %#v (%v), not %#v", eventType, encoded, back, err, e)
		}
		if _, _, twice, err := c.Encode(back); err != nil || !bytes.Equal(twice, encoded) {
			t.Fatalf("%#v is written as %s, then as %s (%v)", e, encoded, twice, err)
		}
	})
}
