package eventstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"restaurant/internal/eventstore"
)

// contactNoted is a test event with personal data, a nested field too.
type contactNoted struct {
	Person string `json:"person"`
	Name   string `json:"name" personal:"true"`
	Home   place  `json:"home"`
	Table  int    `json:"table"`
}

type place struct {
	Street string `json:"street" personal:"true"`
}

func (contactNoted) EventType() string     { return "test.ContactNoted" }
func (e contactNoted) DataSubject() string { return e.Person }

// personForgotten is a test erasure event.
type personForgotten struct {
	Person string `json:"person"`
}

func (personForgotten) EventType() string          { return "test.PersonForgotten" }
func (e personForgotten) ErasedSubjects() []string { return []string{e.Person} }

func personalCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(contactNoted{}, 1)
	c.Register(personForgotten{}, 1)
	return c
}

func zelda(person string) contactNoted {
	return contactNoted{Person: person, Name: "Zelda Quist", Home: place{Street: "Rua Secreta 7"}, Table: 4}
}

// storedData is the whole events table's data as PostgreSQL keeps it.
func storedData(t *testing.T, s *eventstore.Store) string {
	t.Helper()
	var all string
	if err := s.Pool().QueryRow(context.Background(), `SELECT coalesce(string_agg(data::text, ' '), '') FROM events`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	return all
}

func erase(t *testing.T, s *eventstore.Store, people ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := s.Erase(ctx, tx, people); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s.Forget(people)
}

func TestPersonalFieldsAreStoredSealedAndReadOpen(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, personalCodec())
	res, err := s.Append(ctx, "contact-1", eventstore.NoStream, meta(), zelda("guest-1"))
	if err != nil {
		t.Fatal(err)
	}
	stored := storedData(t, s)
	for _, clear := range []string{"Zelda", "Quist", "Secreta"} {
		if strings.Contains(stored, clear) {
			t.Fatalf("%q is stored in clear: %s", clear, stored)
		}
	}
	if strings.Count(stored, "sealed:v1:") != 2 || !strings.Contains(stored, `"table":4`) || !strings.Contains(stored, `"person":"guest-1"`) {
		t.Fatalf("want the two personal fields sealed and the rest in clear: %s", stored)
	}
	if !strings.Contains(string(res.Events[0].Data), "Zelda Quist") {
		t.Fatalf("the append's result should read as written: %s", res.Events[0].Data)
	}
	// A store that never saw the key (another process) reads it back too.
	other := eventstore.Open(s.Pool(), personalCodec())
	defer other.Close()
	for _, reader := range []*eventstore.Store{s, other} {
		events, err := reader.ReadStream(ctx, "contact-1", 0)
		if err != nil || len(events) != 1 {
			t.Fatalf("read: %v (%d events)", err, len(events))
		}
		if got := events[0].Event.(contactNoted); got != zelda("guest-1") || events[0].Erased || !strings.Contains(string(events[0].Data), "Rua Secreta 7") {
			t.Fatalf("read back %+v (erased %v) %s", got, events[0].Erased, events[0].Data)
		}
	}
}

// TestAKeyThatExpiresFromMemoryIsNoErasure: keys leave memory after a
// while; one that leaves between loading a batch's keys and opening its
// events must still open them.
func TestAKeyThatExpiresFromMemoryIsNoErasure(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, personalCodec())
	eventstore.SetKeyLifetime(s, time.Nanosecond)
	for i := range 3 {
		if _, err := s.Append(ctx, "contact-1", eventstore.Any, meta(), contactNoted{Person: "guest-1", Name: "Zelda Quist", Table: i}); err != nil {
			t.Fatal(err)
		}
	}
	events, err := s.ReadStream(ctx, "contact-1", 0)
	if err != nil || len(events) != 3 {
		t.Fatalf("read: %v (%d events)", err, len(events))
	}
	for _, e := range events {
		if e.Erased || e.Event.(contactNoted).Name != "Zelda Quist" {
			t.Fatalf("an expired key read as an erasure: %+v (erased %v)", e.Event, e.Erased)
		}
	}
}

func TestAnErasedPersonReadsAsEmptyAndCannotBeWrittenAgain(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, personalCodec())
	for _, p := range []string{"guest-1", "guest-2"} {
		if _, err := s.Append(ctx, "contact-"+p, eventstore.NoStream, meta(), zelda(p)); err != nil {
			t.Fatal(err)
		}
	}
	erase(t, s, "guest-1")
	other := eventstore.Open(s.Pool(), personalCodec())
	defer other.Close()
	for _, reader := range []*eventstore.Store{s, other} {
		events, err := reader.ReadAll(ctx, eventstore.Cursor{}, 10)
		if err != nil || len(events) != 2 {
			t.Fatalf("read: %v (%d events)", err, len(events))
		}
		gone, kept := events[0].Event.(contactNoted), events[1].Event.(contactNoted)
		if gone != (contactNoted{Person: "guest-1", Table: 4}) || !events[0].Erased || strings.Contains(string(events[0].Data), "sealed:") {
			t.Fatalf("the erased person's event reads %+v (erased %v) %s", gone, events[0].Erased, events[0].Data)
		}
		if kept != zelda("guest-2") || events[1].Erased {
			t.Fatalf("another person's event reads %+v (erased %v)", kept, events[1].Erased)
		}
	}
	_, err := s.Append(ctx, "contact-guest-1", eventstore.Any, meta(), zelda("guest-1"))
	if !errors.Is(err, eventstore.ErrErased) {
		t.Fatalf("writing for an erased person: %v, want ErrErased", err)
	}
	// Nothing personal is needed to say the person was erased.
	if _, err := s.Append(ctx, "contact-guest-1", eventstore.Any, meta(), contactNoted{Person: "guest-1", Table: 5}); err != nil {
		t.Fatalf("an event of theirs without personal data: %v", err)
	}
	var keys, tombstones int
	if err := s.Pool().QueryRow(ctx, `SELECT count(key), count(*) FILTER (WHERE key IS NULL) FROM personal_keys`).Scan(&keys, &tombstones); err != nil {
		t.Fatal(err)
	}
	if keys != 1 || tombstones != 1 {
		t.Fatalf("%d keys and %d tombstones, want 1 and 1", keys, tombstones)
	}
}

// TestAnotherProcessForgetsAKeyWhenItReadsTheErasure: a process that holds
// a person's key in memory drops it as soon as it reads the erasure event,
// without waiting for the key to expire.
func TestAnotherProcessForgetsAKeyWhenItReadsTheErasure(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, personalCodec())
	if _, err := s.Append(ctx, "contact-1", eventstore.NoStream, meta(), zelda("guest-1")); err != nil {
		t.Fatal(err)
	}
	other := eventstore.Open(s.Pool(), personalCodec())
	defer other.Close()
	read := func() contactNoted {
		events, err := other.ReadStream(ctx, "contact-1", 0)
		if err != nil || len(events) != 1 {
			t.Fatalf("read: %v", err)
		}
		return events[0].Event.(contactNoted)
	}
	if read().Name != "Zelda Quist" {
		t.Fatal("the other process cannot read the contact before the erasure")
	}
	ctx2 := context.Background()
	tx, err := s.Pool().Begin(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendTx(ctx2, tx, "people-1", eventstore.NoStream, meta(), personForgotten{Person: "guest-1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx2, tx, []string{"guest-1"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx2); err != nil {
		t.Fatal(err)
	}
	if read().Name != "Zelda Quist" {
		t.Fatal("the test shows nothing: the other process should still hold the key it read")
	}
	if _, err := other.ReadStream(ctx, "people-1", 0); err != nil {
		t.Fatal(err)
	}
	if got := read(); got.Name != "" || got.Home.Street != "" {
		t.Fatalf("after reading the erasure the other process still reads %+v", got)
	}
}

func TestPersonalDataWithoutAPersonIsNotWritten(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, personalCodec())
	_, err := s.Append(ctx, "contact-1", eventstore.NoStream, meta(), zelda(""))
	if err == nil || !strings.Contains(err.Error(), "names no person") {
		t.Fatalf("personal data for nobody: %v, want it refused", err)
	}
	if stored := storedData(t, s); stored != "" {
		t.Fatalf("something was written: %s", stored)
	}
	if _, err := s.Append(ctx, "contact-1", eventstore.NoStream, meta(), contactNoted{Table: 1}); err != nil {
		t.Fatalf("an event with its personal fields empty needs no person: %v", err)
	}
}

type unsealable struct {
	Name string `json:"name" personal:"true"`
}

func (unsealable) EventType() string { return "test.Unsealable" }

func TestAPersonalEventMustNameItsPerson(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "names no data subject") {
			t.Fatalf("registering personal fields without a data subject: %v, want a panic", r)
		}
	}()
	eventstore.NewCodec().Register(unsealable{}, 1)
}
