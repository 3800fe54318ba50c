package eventstore

import (
	"encoding/json"
	"fmt"
	"reflect"

	"restaurant/domain"
)

// Upcaster turns the JSON of one schema version of an event into the next
// version's. History is never rewritten: old events are upcast on every read.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// Codec maps stable event type names to Go types and schema versions, and
// holds the upcasters. It is the event contract between writers and readers.
type Codec struct {
	types     map[string]codecEntry
	upcasters map[string]map[int]Upcaster // type -> from version -> upcaster
}

type codecEntry struct {
	version int
	typ     reflect.Type
	// personal are the index paths of the fields sealed per person (see
	// personal.go); nil for an event with no personal data.
	personal [][]int
}

// NewCodec makes an empty codec.
func NewCodec() *Codec {
	return &Codec{types: map[string]codecEntry{}, upcasters: map[string]map[int]Upcaster{}}
}

// Register declares an event type at its current schema version. Events must
// be value types (structs), so decoded events compare by value.
func (c *Codec) Register(e domain.Event, version int) {
	if version < 1 {
		panic(fmt.Sprintf("eventstore: %s: schema version must be at least 1", e.EventType()))
	}
	t := reflect.TypeOf(e)
	if t.Kind() == reflect.Pointer {
		panic(fmt.Sprintf("eventstore: %s: register the value type, not a pointer", e.EventType()))
	}
	if _, dup := c.types[e.EventType()]; dup {
		panic(fmt.Sprintf("eventstore: %s registered twice", e.EventType()))
	}
	personal := personalFields(t)
	if _, ok := e.(domain.Personal); len(personal) > 0 && !ok {
		panic(fmt.Sprintf("eventstore: %s has personal fields but names no data subject (domain.Personal)", e.EventType()))
	}
	c.types[e.EventType()] = codecEntry{version: version, typ: t, personal: personal}
}

// Upcast declares how to read version from of a type as version from+1.
func (c *Codec) Upcast(eventType string, from int, fn Upcaster) {
	if c.upcasters[eventType] == nil {
		c.upcasters[eventType] = map[int]Upcaster{}
	}
	c.upcasters[eventType][from] = fn
}

// Encode serialises an event at its current schema version.
func (c *Codec) Encode(e domain.Event) (eventType string, version int, data []byte, err error) {
	entry, ok := c.types[e.EventType()]
	if !ok {
		return "", 0, nil, fmt.Errorf("encode %s: event type not registered", e.EventType())
	}
	if reflect.TypeOf(e) != entry.typ {
		return "", 0, nil, fmt.Errorf("encode %s: got %T, registered %s", e.EventType(), e, entry.typ)
	}
	data, err = json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s: %w", e.EventType(), err)
	}
	return e.EventType(), entry.version, data, nil
}

// Upgrade upcasts stored JSON to the current schema version of its type.
func (c *Codec) Upgrade(eventType string, version int, data json.RawMessage) (json.RawMessage, int, error) {
	entry, ok := c.types[eventType]
	if !ok {
		return nil, 0, fmt.Errorf("decode %s: unknown event type", eventType)
	}
	if version > entry.version {
		return nil, 0, fmt.Errorf("decode %s: schema version %d is newer than this program's %d", eventType, version, entry.version)
	}
	for v := version; v < entry.version; v++ {
		up, ok := c.upcasters[eventType][v]
		if !ok {
			return nil, 0, fmt.Errorf("decode %s: no upcaster from schema version %d", eventType, v)
		}
		next, err := up(data)
		if err != nil {
			return nil, 0, fmt.Errorf("decode %s: upcast from version %d: %w", eventType, v, err)
		}
		data = next
	}
	return data, entry.version, nil
}

// Decode reads stored JSON of any known schema version as the current Go type.
func (c *Codec) Decode(eventType string, version int, data json.RawMessage) (domain.Event, json.RawMessage, error) {
	data, _, err := c.Upgrade(eventType, version, data)
	if err != nil {
		return nil, nil, err
	}
	ptr := reflect.New(c.types[eventType].typ)
	if err := json.Unmarshal(data, ptr.Interface()); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return ptr.Elem().Interface().(domain.Event), data, nil
}

// personal are the sealed fields of an event type, nil for none.
func (c *Codec) personal(eventType string) [][]int { return c.types[eventType].personal }

// Version is an event type's current schema version (0 if unknown).
func (c *Codec) Version(eventType string) int { return c.types[eventType].version }
