package eventstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// A dial for testing what commands decide: set it to a value (nothing to
// do when it shows that value already), or turn it down one (refused at 0).
type dialSet struct {
	N int `json:"n"`
}

func (dialSet) EventType() string { return "test.DialSet" }

type setDial struct{ n int }
type turnDown struct{}

var dial = domain.Decider[int, any]{
	Evolve: func(s int, e domain.Event) int { return e.(dialSet).N },
	Decide: func(s int, cmd any) ([]domain.Event, error) {
		switch c := cmd.(type) {
		case setDial:
			if c.n == s {
				return nil, nil
			}
			return []domain.Event{dialSet{N: c.n}}, nil
		case turnDown:
			if s == 0 {
				return nil, domain.Conflict("The dial is at 0 already.")
			}
			return []domain.Event{dialSet{N: s - 1}}, nil
		}
		return nil, errors.New("unknown command")
	},
}

func dialCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	c.Register(dialSet{}, 1)
	return c
}

func onDial(tb testing.TB, s *eventstore.Store, m eventstore.Metadata, cmd any) (eventstore.Result, error) {
	tb.Helper()
	return eventstore.Handle(context.Background(), s, "dial-1", dial, m, cmd)
}

func dialAt(tb testing.TB, s *eventstore.Store) (int, int) {
	tb.Helper()
	state, history, err := eventstore.Load(context.Background(), s, "dial-1", dial)
	if err != nil {
		tb.Fatal(err)
	}
	return state, len(history)
}

// Each case runs in a fresh process (store) too: what a command decided
// must be remembered in the database, not in one process's memory.
func TestACommandThatDecidedNothingIsNotDecidedAgain(t *testing.T) {
	for _, freshProcess := range []bool{false, true} {
		s := openStore(t, dialCodec())
		noop := eventstore.Metadata{CommandID: uuid.New(), Actor: "test", Request: "set 2"}
		if _, err := onDial(t, s, meta(), setDial{2}); err != nil {
			t.Fatal(err)
		}
		first, err := onDial(t, s, noop, setDial{2})
		if err != nil || len(first.Events) != 0 {
			t.Fatalf("setting 2 on a dial at 2: %+v, %v; want no change", first, err)
		}
		if _, err := onDial(t, s, meta(), setDial{5}); err != nil {
			t.Fatal(err)
		}
		again := s
		if freshProcess {
			again = eventstore.Open(s.Pool(), dialCodec())
			defer again.Close()
		}
		repeat, err := onDial(t, again, noop, setDial{2})
		if err != nil || len(repeat.Events) != 0 || !repeat.Duplicate {
			t.Fatalf("the repeat answered %+v, %v; want the first answer: no change, a duplicate", repeat, err)
		}
		if at, n := dialAt(t, s); at != 5 || n != 2 {
			t.Fatalf("fresh process %v: the dial is at %d after %d events, want 5 after 2: the repeat was decided again", freshProcess, at, n)
		}
	}
}

func TestARefusedCommandIsRefusedAgainWhenRepeated(t *testing.T) {
	s := openStore(t, dialCodec())
	down := eventstore.Metadata{CommandID: uuid.New(), Actor: "test"}
	_, first := onDial(t, s, down, turnDown{})
	if domain.ErrorCode(first) != domain.ECONFLICT {
		t.Fatalf("turning down a dial at 0: %v, want a refusal", first)
	}
	if _, err := onDial(t, s, meta(), setDial{3}); err != nil {
		t.Fatal(err)
	}
	other := eventstore.Open(s.Pool(), dialCodec())
	defer other.Close()
	_, again := onDial(t, other, down, turnDown{})
	if again == nil || again.Error() != first.Error() {
		t.Fatalf("the repeat answered %v, want the first answer %q", again, first)
	}
	if at, n := dialAt(t, s); at != 3 || n != 1 {
		t.Fatalf("the dial is at %d after %d events, want 3 after 1", at, n)
	}
	refused, err := s.RefusedCommands(context.Background(), "dial-1")
	if err != nil || len(refused) != 1 || refused[0].Reason == nil || refused[0].Reason.Message != "The dial is at 0 already." ||
		refused[0].Type != "eventstore_test.turnDown" || refused[0].Actor != "test" {
		t.Fatalf("refused commands %+v (%v), want the one refusal with its reason, command and actor", refused, err)
	}
}

func TestACommandIDReusedForAnotherRequestChangesNothing(t *testing.T) {
	s := openStore(t, dialCodec())
	id := uuid.New()
	if _, err := onDial(t, s, eventstore.Metadata{CommandID: id, Actor: "test", Request: "set 4"}, setDial{4}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		stream string
		meta   eventstore.Metadata
		cmd    any
	}{
		{"another body", "dial-1", eventstore.Metadata{CommandID: id, Actor: "test", Request: "set 7"}, setDial{7}},
		{"another command", "dial-1", eventstore.Metadata{CommandID: id, Actor: "test", Request: "set 4"}, turnDown{}},
		{"another stream", "dial-2", eventstore.Metadata{CommandID: id, Actor: "test", Request: "set 4"}, setDial{4}},
	}
	for _, c := range cases {
		for _, freshProcess := range []bool{false, true} {
			st := s
			if freshProcess {
				st = eventstore.Open(s.Pool(), dialCodec())
				defer st.Close()
			}
			_, err := eventstore.Handle(context.Background(), st, c.stream, dial, c.meta, c.cmd)
			if !errors.Is(err, eventstore.ErrCommandReused) {
				t.Fatalf("%s (fresh process %v): got %v, want the command id refused as reused", c.name, freshProcess, err)
			}
		}
	}
	if at, n := dialAt(t, s); at != 4 || n != 1 {
		t.Fatalf("the dial is at %d after %d events, want 4 after 1", at, n)
	}
	other, err := s.ReadStream(context.Background(), "dial-2", 0)
	if err != nil || len(other) != 0 {
		t.Fatalf("the other stream holds %d events (%v), want none", len(other), err)
	}
	// The same request again is a plain repeat.
	res, err := onDial(t, s, eventstore.Metadata{CommandID: id, Actor: "test", Request: "set 4"}, setDial{4})
	if err != nil || !res.Duplicate || len(res.Events) != 1 {
		t.Fatalf("the same request again: %+v, %v; want its first answer", res, err)
	}
}
