package kitchen

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
)

// A pizza of 12 minutes and a salad of 4, ordered together: the salad is
// held 8 minutes, until heldUntil.
var (
	pizzaAndSalad = []Item{{LineID: "p", Name: "Margherita", Quantity: 1, Station: "oven"}, {LineID: "s", Name: "Salad", Quantity: 1, Station: "cold"}}
	heldUntil     = t0.Add(8 * time.Minute)
	openedHeld    = TicketOpened{TicketID: tid, OrderNumber: 7, Fulfilment: FulfilmentPickup, PlacedAt: placedAt, OpenedAt: t0,
		Items: []Item{pizzaAndSalad[0], {LineID: "s", Name: "Salad", Quantity: 1, Station: "cold", FireAt: heldUntil}}}
	saladFired = TicketLineFired{TicketID: tid, LineID: "s", Station: "cold", FiredAt: t1}
)

func TestFireTimes(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		name string
		prep []time.Duration
		want []time.Time
	}{
		{name: "the slowest fires at once, the others by what they lack", prep: []time.Duration{12 * m, 4 * m, 10 * m},
			want: []time.Time{{}, t0.Add(8 * m), t0.Add(2 * m)}},
		{name: "dishes as slow as each other fire together", prep: []time.Duration{6 * m, 6 * m}, want: []time.Time{{}, {}}},
		{name: "a dish of unknown time fires at once and holds nothing", prep: []time.Duration{0, 4 * m}, want: []time.Time{{}, {}}},
		{name: "unknown among known", prep: []time.Duration{0, 4 * m, 12 * m}, want: []time.Time{{}, t0.Add(8 * m), {}}},
		{name: "no prep times", prep: []time.Duration{0, 0}, want: []time.Time{{}, {}}},
		{name: "no dishes", prep: nil, want: []time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FireTimes(t0, tc.prep); !slices.EqualFunc(got, tc.want, time.Time.Equal) {
				t.Errorf("FireTimes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOpenTicketFiresByPrepTime(t *testing.T) {
	byPrep := func(prep ...time.Duration) OpenTicket {
		return OpenTicket{TicketID: tid, OrderNumber: 7, Items: slices.Clone(pizzaAndSalad), Fulfilment: FulfilmentPickup, PlacedAt: placedAt, At: t0, PrepTimes: prep}
	}
	atOnce := TicketOpened{TicketID: tid, OrderNumber: 7, Items: pizzaAndSalad, Fulfilment: FulfilmentPickup, PlacedAt: placedAt, OpenedAt: t0}
	lineless := byPrep(12*time.Minute, 4*time.Minute)
	lineless.Items[1].LineID = ""
	linelessOpened := atOnce
	linelessOpened.Items = slices.Clone(pizzaAndSalad)
	linelessOpened.Items[1].LineID = ""
	stale := byPrep()
	stale.Items[1].FireAt = t3
	runAll(t, []spec{
		{name: "the salad waits while the pizza cooks", when: byPrep(12*time.Minute, 4*time.Minute), then: given(openedHeld)},
		{name: "without prep times every dish fires at once", when: byPrep(), then: given(atOnce)},
		{name: "with unknown prep times every dish fires at once", when: byPrep(0, 0), then: given(atOnce)},
		{name: "a dish bumped only with its ticket is never held", when: lineless, then: given(linelessOpened)},
		{name: "a fire time comes from the prep times only", when: stale, then: given(atOnce)},
		{name: "prep times that do not match the dishes", when: byPrep(12 * time.Minute), wantErr: domain.EINVALID, wantField: "items"},
	})
}

func TestHeldDish(t *testing.T) {
	s := fold(openedHeld)
	if !LineHeld(s, "s", t1) || LineHeld(s, "p", t1) {
		t.Errorf("at %v the salad is held %v, the pizza %v", t1, LineHeld(s, "s", t1), LineHeld(s, "p", t1))
	}
	if LineHeld(s, "s", heldUntil) || LineHeld(s, "s", heldUntil.Add(time.Second)) {
		t.Error("the salad is still held at its fire time")
	}
	if got := LineAllowed(s, "s", t1); !slices.Equal(got, []LineCommandName{CmdFireLine}) {
		t.Errorf("a held dish offers %v, want fire only", got)
	}
	if got := LineAllowed(s, "s", heldUntil); !slices.Equal(got, []LineCommandName{CmdBumpLine}) {
		t.Errorf("a dish at its fire time offers %v, want done", got)
	}
	runAll(t, []spec{
		{name: "a held dish cannot be marked done", given: given(openedHeld), when: BumpLine{LineID: "s", At: t1}, wantErr: domain.ECONFLICT,
			wantMsg: "This dish is held until its fire time; fire it now first to cook it early."},
		{name: "at its fire time it can", given: given(openedHeld, started), when: BumpLine{LineID: "s", At: heldUntil},
			then: given(TicketLineBumped{TicketID: tid, LineID: "s", Station: "cold", BumpedAt: heldUntil})},
		{name: "the slowest dish is never held", given: given(openedHeld, started), when: BumpLine{LineID: "p", At: t1},
			then: given(TicketLineBumped{TicketID: tid, LineID: "p", Station: "oven", BumpedAt: t1})},
		{name: "fired early, it can", given: given(openedHeld, started, saladFired), when: BumpLine{LineID: "s", At: t1},
			then: given(TicketLineBumped{TicketID: tid, LineID: "s", Station: "cold", BumpedAt: t1})},
		{name: "the whole ticket may still be bumped", given: given(openedHeld, started), when: BumpTicket{At: t1},
			then: given(TicketBumped{TicketID: tid, BumpedAt: t1})},
	})
}

func TestFireNow(t *testing.T) {
	fire := func(line string) FireLine { return FireLine{LineID: line, At: t1} }
	runAll(t, []spec{
		{name: "a held dish fires now, on its station", given: given(openedHeld), when: fire("s"), then: given(saladFired)},
		{name: "while the ticket cooks", given: given(openedHeld, started), when: fire("s"), then: given(saladFired)},
		{name: "fired twice", given: given(openedHeld, saladFired), when: fire("s"), wantErr: domain.ECONFLICT,
			wantMsg: "This dish is not held: it has fired already, so it can be cooked now."},
		{name: "past its fire time", given: given(openedHeld), when: FireLine{LineID: "s", At: heldUntil}, wantErr: domain.ECONFLICT},
		{name: "the slowest dish was never held", given: given(openedHeld), when: fire("p"), wantErr: domain.ECONFLICT},
		{name: "a ticket opened before dishes were held", given: given(openedByLine), when: fire("a"), wantErr: domain.ECONFLICT},
		{name: "an unknown dish", given: given(openedHeld), when: fire("z"), wantErr: domain.ENOTFOUND, wantMsg: "There is no such dish on this ticket."},
		{name: "no dish named", given: given(openedHeld), when: fire(" "), wantErr: domain.EINVALID, wantField: "line_id"},
		{name: "a ready ticket", given: given(openedHeld, started, TicketBumped{TicketID: tid, BumpedAt: t1}), when: fire("s"), wantErr: domain.ECONFLICT,
			wantMsg: "This ticket is already ready."},
		{name: "a canceled ticket", given: given(openedHeld, TicketCanceled{TicketID: tid, CanceledAt: t1}), when: fire("s"), wantErr: domain.ECONFLICT},
		{name: "no ticket", when: fire("s"), wantErr: domain.ENOTFOUND},
	})
	s := fold(openedHeld, saladFired)
	if LineHeld(s, "s", t1) || !LineFiredEarly(s, "s") || LineFiredEarly(s, "p") {
		t.Errorf("fired now, the salad is held %v, fired early %v", LineHeld(s, "s", t1), LineFiredEarly(s, "s"))
	}
}

func TestRecallFiresEveryDish(t *testing.T) {
	ready := given(openedHeld, started, TicketLineBumped{TicketID: tid, LineID: "p", Station: "oven", BumpedAt: t1}, TicketBumped{TicketID: tid, BumpedAt: t1})
	at := t1.Add(time.Minute) // the salad's time is still to come
	fired := TicketLineFired{TicketID: tid, LineID: "s", Station: "cold", FiredAt: at, ByRecall: true}
	runAll(t, []spec{
		{name: "the expo's recall", given: ready, when: RecallTicket{At: at, Redo: true}, then: given(
			TicketRecalled{TicketID: tid, RecalledAt: at}, TicketLineRecalled{TicketID: tid, LineID: "p", Station: "oven", RecalledAt: at}, fired)},
		{name: "the display's recall", given: ready, when: RecallTicket{At: at}, then: given(TicketRecalled{TicketID: tid, RecalledAt: at}, fired)},
		{name: "a dish fired already fires no more", given: given(openedHeld, started, saladFired, TicketBumped{TicketID: tid, BumpedAt: t1}),
			when: RecallTicket{At: at, Redo: true}, then: given(TicketRecalled{TicketID: tid, RecalledAt: at})},
		{name: "a dish past its time fires no more", given: ready, when: RecallTicket{At: heldUntil, Redo: true}, then: given(
			TicketRecalled{TicketID: tid, RecalledAt: heldUntil}, TicketLineRecalled{TicketID: tid, LineID: "p", Station: "oven", RecalledAt: heldUntil})},
	})
	if LineHeld(fold(ready...), "s", at) {
		t.Error("a dish of a ready ticket is held")
	}
	s := fold(append(ready, TicketRecalled{TicketID: tid, RecalledAt: at}, fired)...)
	if LineHeld(s, "s", at) {
		t.Error("the salad is still held after the recall")
	}
	if got := LineAllowed(s, "s", at); !slices.Equal(got, []LineCommandName{CmdBumpLine}) {
		t.Errorf("after the recall the salad offers %v", got)
	}
}

func TestFireTimesAreStored(t *testing.T) {
	b, err := json.Marshal(openedHeld)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"station":"cold","fire_at":"2025-03-14T18:38:02Z"}`) || strings.Count(string(b), "fire_at") != 1 {
		t.Errorf("a held dish is stored as %s", b)
	}
	var back TicketOpened
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, openedHeld) {
		t.Errorf("a held dish reads back as %#v (%v)", back, err)
	}
	// A ticket stored before dishes were held fires them all at once.
	before := `{"ticket_id":"order-1","order_number":7,"items":[{"line_id":"p","name":"Margherita","quantity":1,"note":"","station":"oven"},` +
		`{"line_id":"s","name":"Salad","quantity":1,"note":"","station":"cold"}],"fulfilment":"pickup","placed_at":"2025-03-14T18:30:00Z","opened_at":"2025-03-14T18:30:02Z"}`
	var old TicketOpened
	if err := json.Unmarshal([]byte(before), &old); err != nil {
		t.Fatal(err)
	}
	s := Evolve(State{}, old)
	for _, line := range []string{"p", "s"} {
		if LineHeld(s, line, t0) {
			t.Errorf("dish %s of a ticket stored before is held", line)
		}
	}
}
