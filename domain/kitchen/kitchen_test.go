package kitchen

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

// spec is one given/when/then case: fold given, decide when, expect then or
// an error with wantErr code (and wantField for invalid input). A spec with
// neither then nor wantErr expects zero events and no error.
type spec struct {
	name      string
	given     []domain.Event
	when      Command
	then      []domain.Event
	wantErr   string
	wantField string
	wantMsg   string // when set, the exact message of the rejection
}

func fold(es ...domain.Event) State {
	var s State
	for _, e := range es {
		s = Evolve(s, e)
	}
	return s
}

// run checks one spec and prints both sides when they differ.
func run(t *testing.T, tc spec) {
	t.Helper()
	got, err := Decide(fold(tc.given...), tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.wantField, Message: tc.wantMsg})
	var de *domain.Error
	if tc.wantMsg != "" && errors.As(err, &de) && de.Message != tc.wantMsg {
		t.Errorf("message %q, want %q", de.Message, tc.wantMsg)
	}
}

func runAll(t *testing.T, specs []spec) {
	t.Helper()
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func given(es ...domain.Event) []domain.Event { return es }

const tid = "order-1"

var (
	placedAt = time.Date(2025, 3, 14, 18, 30, 0, 0, time.UTC)
	t0       = placedAt.Add(2 * time.Second)
	t1       = t0.Add(5 * time.Minute)
	t2       = t1.Add(12 * time.Minute)
	t3       = t2.Add(4 * time.Minute)

	dishes = []Item{{Name: "Margherita", Quantity: 2, Note: "Extra basil."}, {Name: "Tiramisu", Quantity: 1}}

	opened    = TicketOpened{TicketID: tid, OrderNumber: 42, Items: dishes, Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana", PlacedAt: placedAt, OpenedAt: t0}
	started   = TicketStarted{TicketID: tid, StartedAt: t1}
	bumped    = TicketBumped{TicketID: tid, BumpedAt: t2}
	recalled  = TicketRecalled{TicketID: tid, RecalledAt: t3}
	handed    = TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentCash}
	canceled  = TicketCanceled{TicketID: tid, Reason: "The guest canceled.", CanceledAt: t3}
	openCmd   = OpenTicket{TicketID: tid, OrderNumber: 42, Items: dishes, Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana", PlacedAt: placedAt, At: t0}
	isQueued  = given(opened)
	isCooking = given(opened, started)
	isReady   = given(opened, started, bumped)
	isHanded  = given(opened, started, bumped, handed)
	isGone    = given(opened, canceled)
)

func open(f func(*OpenTicket)) OpenTicket {
	c := openCmd
	c.Items = slices.Clone(dishes)
	f(&c)
	return c
}

func TestOpenTicket(t *testing.T) {
	delivery := opened
	delivery.Fulfilment = FulfilmentDelivery
	trimmed := opened
	trimmed.Items = []Item{{Name: "Margherita", Quantity: 2, Note: "Extra basil."}}
	runAll(t, []spec{
		{name: "opens", when: openCmd, then: given(opened)},
		{name: "trims the contact's name", when: open(func(c *OpenTicket) { c.ContactName = " Ana " }), then: given(opened)},
		{name: "an order without a name", when: open(func(c *OpenTicket) { c.ContactName = "" }),
			then: []domain.Event{TicketOpened{TicketID: tid, OrderNumber: 42, Items: dishes, Fulfilment: FulfilmentPickup, SubjectID: "guest-1", PlacedAt: placedAt, OpenedAt: t0}}},
		{name: "opens for delivery", when: open(func(c *OpenTicket) { c.Fulfilment = FulfilmentDelivery }), then: given(delivery)},
		{name: "trims names and notes", when: open(func(c *OpenTicket) { c.Items = []Item{{Name: " Margherita ", Quantity: 2, Note: " Extra basil.\n"}} }), then: given(trimmed)},
		{name: "carries how the guest chose the dishes", when: open(func(c *OpenTicket) {
			c.Items = []Item{{Name: "Margherita", Quantity: 1, Options: []string{"Large", "Olives"}}}
		}),
			then: []domain.Event{TicketOpened{TicketID: tid, OrderNumber: 42, Items: []Item{{Name: "Margherita", Quantity: 1, Options: []string{"Large", "Olives"}}},
				Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana", PlacedAt: placedAt, OpenedAt: t0}}},
		{name: "carries an allergy with what to leave out", when: open(func(c *OpenTicket) {
			c.Items = []Item{{Name: "Tiramisu", Quantity: 1, Note: " no nuts ", Allergy: true}}
		}),
			then: []domain.Event{TicketOpened{TicketID: tid, OrderNumber: 42, Items: []Item{{Name: "Tiramisu", Quantity: 1, Note: "no nuts", Allergy: true}},
				Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana", PlacedAt: placedAt, OpenedAt: t0}}},
		{name: "missing ticket id", when: open(func(c *OpenTicket) { c.TicketID = "" }), wantErr: domain.EINVALID, wantField: "ticket_id"},
		{name: "blank ticket id", when: open(func(c *OpenTicket) { c.TicketID = "  " }), wantErr: domain.EINVALID, wantField: "ticket_id"},
		{name: "no items", when: open(func(c *OpenTicket) { c.Items = nil }), wantErr: domain.EINVALID, wantField: "items"},
		{name: "empty items", when: open(func(c *OpenTicket) { c.Items = []Item{} }), wantErr: domain.EINVALID, wantField: "items"},
		{name: "zero quantity", when: open(func(c *OpenTicket) { c.Items[1].Quantity = 0 }), wantErr: domain.EINVALID, wantField: "items"},
		{name: "negative quantity", when: open(func(c *OpenTicket) { c.Items[0].Quantity = -1 }), wantErr: domain.EINVALID, wantField: "items"},
		{name: "nameless item", when: open(func(c *OpenTicket) { c.Items[0].Name = " " }), wantErr: domain.EINVALID, wantField: "items"},
		{name: "no fulfilment", when: open(func(c *OpenTicket) { c.Fulfilment = "" }), wantErr: domain.EINVALID, wantField: "fulfilment"},
		{name: "unknown fulfilment", when: open(func(c *OpenTicket) { c.Fulfilment = "drone" }), wantErr: domain.EINVALID, wantField: "fulfilment"},
		{name: "ticket id checked before items", when: OpenTicket{At: t0}, wantErr: domain.EINVALID, wantField: "ticket_id"},
		// Idempotent: the opening policy may run twice.
		{name: "again when queued", given: isQueued, when: openCmd},
		{name: "again when preparing", given: isCooking, when: openCmd},
		{name: "again when ready", given: isReady, when: openCmd},
		{name: "again when handed over", given: isHanded, when: openCmd},
		{name: "again when canceled", given: isGone, when: openCmd},
		{name: "again with different input", given: isQueued, when: open(func(c *OpenTicket) { c.Items = nil; c.At = t3 })},
	})
}

func TestMissingTicket(t *testing.T) {
	for _, c := range []Command{StartTicket{At: t1}, BumpTicket{At: t1}, RecallTicket{At: t1}, HandOverTicket{At: t1}, CancelTicket{Reason: "x", At: t1},
		BumpLine{LineID: "a", At: t1}, RecallLine{LineID: "a", At: t1}, nil} {
		run(t, spec{when: c, wantErr: domain.ENOTFOUND, wantMsg: "There is no such ticket."})
	}
}

func TestStartTicket(t *testing.T) {
	start := StartTicket{At: t1}
	runAll(t, []spec{
		{name: "from queued", given: isQueued, when: start, then: given(started)},
		{name: "double tap", given: isCooking, when: StartTicket{At: t2}},
		{name: "after a recall", given: given(opened, started, bumped, recalled), when: start},
		{name: "when ready", given: isReady, when: start, wantErr: domain.ECONFLICT},
		{name: "when bumped without start", given: given(opened, bumped), when: start, wantErr: domain.ECONFLICT},
		{name: "when handed over", given: isHanded, when: start, wantErr: domain.ECONFLICT},
		{name: "when canceled", given: isGone, when: start, wantErr: domain.ECONFLICT},
		{name: "its order canceled, not yet told", given: isQueued, when: StartTicket{At: t1, OrderCanceled: true}, wantErr: domain.ECONFLICT},
		{name: "double tap, its order canceled since", given: isCooking, when: StartTicket{At: t2, OrderCanceled: true}},
	})
}

func TestBumpTicket(t *testing.T) {
	bump := BumpTicket{At: t2}
	runAll(t, []spec{
		{name: "from preparing", given: isCooking, when: bump, then: given(bumped)},
		{name: "from queued, skipping start", given: isQueued, when: bump, then: given(bumped)},
		{name: "after a recall", given: given(opened, started, bumped, recalled), when: BumpTicket{At: t3}, then: given(TicketBumped{TicketID: tid, BumpedAt: t3})},
		{name: "double tap", given: isReady, when: BumpTicket{At: t3}},
		{name: "when handed over", given: isHanded, when: bump, wantErr: domain.ECONFLICT},
		{name: "when canceled", given: isGone, when: bump, wantErr: domain.ECONFLICT},
	})
}

func TestRecallTicket(t *testing.T) {
	tooLate := "This ticket was bumped more than 30 minutes ago."
	at := func(d time.Duration) RecallTicket { return RecallTicket{At: t2.Add(d)} }
	runAll(t, []spec{
		{name: "from ready", given: isReady, when: RecallTicket{At: t3}, then: given(recalled)},
		{name: "right after the bump", given: isReady, when: at(0), then: given(TicketRecalled{TicketID: tid, RecalledAt: t2})},
		{name: "exactly at the window's end", given: isReady, when: at(RecallWindow), then: given(TicketRecalled{TicketID: tid, RecalledAt: t2.Add(30 * time.Minute)})},
		{name: "one second too late", given: isReady, when: at(RecallWindow + time.Second), wantErr: domain.ECONFLICT, wantMsg: tooLate},
		{name: "hours too late", given: isReady, when: at(3 * time.Hour), wantErr: domain.ECONFLICT, wantMsg: tooLate},
		{name: "window counts from the latest bump", given: given(opened, started, bumped, recalled, TicketBumped{TicketID: tid, BumpedAt: t3}), when: RecallTicket{At: t3.Add(RecallWindow)}, then: given(TicketRecalled{TicketID: tid, RecalledAt: t3.Add(RecallWindow)})},
		{name: "bumped without start", given: given(opened, bumped), when: RecallTicket{At: t3}, then: given(recalled)},
		{name: "already back on the screen", given: given(opened, started, bumped, recalled), when: RecallTicket{At: t3}},
		{name: "preparing, never bumped", given: isCooking, when: RecallTicket{At: t3}},
		{name: "when queued", given: isQueued, when: RecallTicket{At: t3}, wantErr: domain.ECONFLICT},
		{name: "when handed over", given: isHanded, when: RecallTicket{At: t3}, wantErr: domain.ECONFLICT},
		{name: "when canceled", given: isGone, when: RecallTicket{At: t3}, wantErr: domain.ECONFLICT},
		{name: "when canceled after a bump", given: given(opened, bumped, canceled), when: RecallTicket{At: t3}, wantErr: domain.ECONFLICT},
	})
}

func TestHandOverTicket(t *testing.T) {
	hand := HandOverTicket{Payment: PaymentCash, At: t3}
	bumpFirst := "Bump the ticket before handing it over."
	long := strings.Repeat("é", MaxUnpaidReasonLength)
	unpaid := func(reason string) HandOverTicket {
		return HandOverTicket{Payment: PaymentUnpaid, UnpaidReason: reason, At: t3}
	}
	runAll(t, []spec{
		{name: "from ready", given: isReady, when: hand, then: given(handed)},
		{name: "paid by card", given: isReady, when: HandOverTicket{Payment: PaymentCard, At: t3},
			then: given(TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentCard})},
		{name: "unpaid, with the reason trimmed", given: isReady, when: unpaid(" guest left without paying\n"),
			then: given(TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentUnpaid, UnpaidReason: "guest left without paying"})},
		{name: "unpaid, reason of 200 runes", given: isReady, when: unpaid(long),
			then: given(TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentUnpaid, UnpaidReason: long})},
		{name: "a reason with a paid order is dropped", given: isReady, when: HandOverTicket{Payment: PaymentCash, UnpaidReason: "x", At: t3}, then: given(handed)},
		{name: "a delivery goes out for delivery", given: given(delivery(opened), started, bumped), when: HandOverTicket{Payment: PaymentCard, At: t3},
			then: given(TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentCard, OutForDelivery: true})},
		{name: "no method", given: isReady, when: HandOverTicket{At: t3}, wantErr: domain.EINVALID, wantField: "payment"},
		{name: "an unknown method", given: isReady, when: HandOverTicket{Payment: "cheque", At: t3}, wantErr: domain.EINVALID, wantField: "payment"},
		{name: "unpaid without a reason", given: isReady, when: unpaid("  "), wantErr: domain.EINVALID, wantField: "unpaid_reason"},
		{name: "unpaid, reason of 201 runes", given: isReady, when: unpaid(long + "x"), wantErr: domain.EINVALID, wantField: "unpaid_reason"},
		{name: "long after the bump", given: isReady, when: HandOverTicket{Payment: PaymentCash, At: t2.Add(2 * time.Hour)},
			then: given(TicketHandedOver{TicketID: tid, HandedOverAt: t2.Add(2 * time.Hour), Payment: PaymentCash})},
		{name: "double tap", given: isHanded, when: HandOverTicket{At: t3.Add(time.Minute)}},
		{name: "double tap of a delivery", given: given(delivery(opened), bumped, outForDelivery), when: hand},
		{name: "when queued", given: isQueued, when: hand, wantErr: domain.ECONFLICT, wantMsg: bumpFirst},
		{name: "when preparing", given: isCooking, when: hand, wantErr: domain.ECONFLICT, wantMsg: bumpFirst},
		{name: "after a recall", given: given(opened, started, bumped, recalled), when: hand, wantErr: domain.ECONFLICT, wantMsg: bumpFirst},
		{name: "when canceled", given: isGone, when: hand, wantErr: domain.ECONFLICT},
	})
}

// delivery is a ticket's opening for a delivery order.
func delivery(e TicketOpened) TicketOpened {
	e.Fulfilment = FulfilmentDelivery
	return e
}

var (
	outForDelivery = TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentCard, OutForDelivery: true}
	delivered      = TicketDelivered{TicketID: tid, DeliveredAt: t3.Add(20 * time.Minute)}
)

func TestDeliverTicket(t *testing.T) {
	deliver := DeliverTicket{At: t3.Add(20 * time.Minute)}
	out := given(delivery(opened), started, bumped, outForDelivery)
	runAll(t, []spec{
		{name: "out for delivery", given: out, when: deliver, then: given(delivered)},
		{name: "twice", given: append(out, delivered), when: deliver, wantErr: domain.ECONFLICT, wantMsg: "This order was already delivered."},
		{name: "a pickup order", given: isHanded, when: deliver, wantErr: domain.ECONFLICT, wantMsg: "This order is for pickup; there is nothing to deliver."},
		{name: "a pickup order, ready", given: isReady, when: deliver, wantErr: domain.ECONFLICT, wantMsg: "This order is for pickup; there is nothing to deliver."},
		{name: "before hand-over", given: given(delivery(opened), started, bumped), when: deliver, wantErr: domain.ECONFLICT,
			wantMsg: "Hand the order to the courier before marking it delivered."},
		{name: "before cooking", given: given(delivery(opened)), when: deliver, wantErr: domain.ECONFLICT},
		{name: "handed over before deliveries were followed", given: given(delivery(opened), bumped, TicketHandedOver{TicketID: tid, HandedOverAt: t3}),
			when: deliver, wantErr: domain.ECONFLICT},
		{name: "canceled", given: given(delivery(opened), canceled), when: deliver, wantErr: domain.ECONFLICT, wantMsg: "This ticket was canceled."},
		{name: "no dish after hand-over", given: out, when: BumpLine{LineID: "a", At: t3}, wantErr: domain.ECONFLICT},
	})
}

func TestEvolveDelivery(t *testing.T) {
	s := fold(delivery(opened), bumped, outForDelivery)
	if s.Status != StatusOutForDelivery || s.Payment != PaymentCard || !s.HandedOverAt.Equal(t3) {
		t.Errorf("out for delivery: %#v", s)
	}
	if s = Evolve(s, delivered); s.Status != StatusDelivered || !s.DeliveredAt.Equal(delivered.DeliveredAt) {
		t.Errorf("delivered: %#v", s)
	}
	old := fold(delivery(opened), bumped, TicketHandedOver{TicketID: tid, HandedOverAt: t3})
	if old.Status != StatusHandedOver || old.Payment != PaymentNotRecorded {
		t.Errorf("a hand-over from before payments were recorded: %#v", old)
	}
	unpaid := fold(opened, bumped, TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentUnpaid, UnpaidReason: "left"})
	if unpaid.Payment != PaymentUnpaid || unpaid.UnpaidReason != "left" {
		t.Errorf("unpaid: %#v", unpaid)
	}
}

func TestHandedOverReadsOldEvents(t *testing.T) {
	var e TicketHandedOver
	if err := json.Unmarshal([]byte(`{"ticket_id":"order-1","handed_over_at":"2025-03-14T18:51:02Z"}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Payment != PaymentNotRecorded || e.OutForDelivery || e.UnpaidReason != "" {
		t.Errorf("an old hand-over reads %#v", e)
	}
	b, err := json.Marshal(TicketHandedOver{TicketID: tid, HandedOverAt: t3})
	if err != nil || strings.Contains(string(b), "payment") || strings.Contains(string(b), "out_for_delivery") {
		t.Errorf("a hand-over without payment stores %s (%v)", b, err)
	}
}

func TestCancelTicket(t *testing.T) {
	cancel := CancelTicket{Reason: "The guest canceled.", At: t3}
	long := strings.Repeat("é", MaxReasonLength)
	runAll(t, []spec{
		{name: "from queued", given: isQueued, when: cancel, then: given(canceled)},
		{name: "from preparing", given: isCooking, when: cancel, then: given(canceled)},
		{name: "from ready", given: isReady, when: cancel, then: given(canceled)},
		{name: "without a reason", given: isQueued, when: CancelTicket{At: t3}, then: given(TicketCanceled{TicketID: tid, CanceledAt: t3})},
		{name: "reason trimmed", given: isQueued, when: CancelTicket{Reason: "  The guest canceled.\n", At: t3}, then: given(canceled)},
		{name: "reason of 200 runes", given: isQueued, when: CancelTicket{Reason: " " + long + " ", At: t3}, then: given(TicketCanceled{TicketID: tid, Reason: long, CanceledAt: t3})},
		{name: "reason of 201 runes", given: isQueued, when: CancelTicket{Reason: long + "x", At: t3}, wantErr: domain.EINVALID, wantField: "reason"},
		{name: "already canceled", given: isGone, when: cancel},
		{name: "already canceled, long reason", given: isGone, when: CancelTicket{Reason: long + "x", At: t3}},
		{name: "when handed over", given: isHanded, when: cancel, wantErr: domain.ECONFLICT},
	})
}

func TestEvolve(t *testing.T) {
	if s := fold(); !reflect.DeepEqual(s, State{}) || s.Status != StatusNone {
		t.Errorf("empty history: %#v", s)
	}
	queued := State{TicketID: tid, OrderNumber: 42, Items: dishes, Fulfilment: FulfilmentPickup, ContactName: "Ana", Status: StatusQueued, PlacedAt: placedAt, OpenedAt: t0}
	cooking := queued
	cooking.Status, cooking.StartedAt = StatusPreparing, t1
	ready := cooking
	ready.Status, ready.BumpedAt = StatusReady, t2
	back := ready
	back.Status, back.BumpedAt, back.Recalls = StatusPreparing, time.Time{}, 1
	readyAgain := back
	readyAgain.Status, readyAgain.BumpedAt = StatusReady, t3
	handedOver := ready
	handedOver.Status, handedOver.HandedOverAt, handedOver.Payment = StatusHandedOver, t3, PaymentCash
	gone := queued
	gone.Status, gone.CanceledAt = StatusCanceled, t3
	quick := queued
	quick.Status, quick.BumpedAt = StatusReady, t2
	twice := readyAgain
	twice.Status, twice.BumpedAt, twice.Recalls = StatusPreparing, time.Time{}, 2

	type unknown struct{ domain.Event }
	for _, tc := range []struct {
		name  string
		given []domain.Event
		want  State
	}{
		{"opened", isQueued, queued},
		{"started", isCooking, cooking},
		{"bumped", isReady, ready},
		{"recalled keeps StartedAt and clears BumpedAt", given(opened, started, bumped, recalled), back},
		{"bumped again", given(opened, started, bumped, recalled, TicketBumped{TicketID: tid, BumpedAt: t3}), readyAgain},
		{"recalled twice", given(opened, started, bumped, recalled, TicketBumped{TicketID: tid, BumpedAt: t3}, recalled), twice},
		{"bumped without start", given(opened, bumped), quick},
		{"handed over", isHanded, handedOver},
		{"canceled", isGone, gone},
		{"unknown event", given(opened, unknown{}), queued},
	} {
		if got := fold(tc.given...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s\n got: %#v\nwant: %#v", tc.name, got, tc.want)
		}
	}
}

// TestEvolveKeepsOldStates checks that evolving never writes into the Items of
// an earlier state or of an event, so a ticket can be shown as it was at any
// revision and a stored event never changes.
func TestEvolveKeepsOldStates(t *testing.T) {
	e := TicketOpened{TicketID: tid, Items: slices.Clone(dishes), Fulfilment: FulfilmentPickup}
	a := Evolve(State{}, e)
	snapshot := slices.Clone(a.Items)

	// The state does not share its Items with the event.
	e.Items[0].Name = "Changed in the event"
	if !reflect.DeepEqual(a.Items, snapshot) {
		t.Fatalf("changing the event changed the state: %#v", a.Items)
	}

	// Later revisions do not share Items with earlier ones in a harmful way:
	// writing into a later state's Items leaves the earlier state alone.
	b := Evolve(a, TicketOpened{TicketID: tid, Items: []Item{{Name: "Soup", Quantity: 1}}, Fulfilment: FulfilmentDelivery})
	b.Items[0].Name = "Changed in B"
	if !reflect.DeepEqual(a.Items, snapshot) {
		t.Fatalf("state A changed by a later open\n got: %#v\nwant: %#v", a.Items, snapshot)
	}

	history := given(opened, started, bumped, recalled, TicketBumped{TicketID: tid, BumpedAt: t3}, handed)
	var revisions []State
	var s State
	for _, e := range history {
		s = Evolve(s, e)
		revisions = append(revisions, s)
	}
	for n := range history {
		if got := revisions[n]; !reflect.DeepEqual(got, fold(history[:n+1]...)) {
			t.Errorf("revision %d was changed by later events: %#v", n+1, got)
		}
	}
	if !reflect.DeepEqual(dishes, []Item{{Name: "Margherita", Quantity: 2, Note: "Extra basil."}, {Name: "Tiramisu", Quantity: 1}}) {
		t.Errorf("shared fixture changed: %#v", dishes)
	}

	// Decide copies the command's items, so the caller can reuse its slice.
	c := open(func(*OpenTicket) {})
	got, err := Decide(State{}, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Items[0].Name = "Changed in the command"
	if name := got[0].(TicketOpened).Items[0].Name; name != "Margherita" {
		t.Errorf("event shares items with the command: %q", name)
	}
}

// command is the command behind a kitchen button, pressed at now.
func command(name CommandName, now time.Time) Command {
	switch name {
	case CmdStart:
		return StartTicket{At: now}
	case CmdReady:
		return BumpTicket{At: now}
	case CmdRecall:
		return RecallTicket{At: now}
	case CmdHandOver:
		return HandOverTicket{Payment: PaymentCard, At: now}
	case CmdDelivered:
		return DeliverTicket{At: now}
	}
	panic("unknown button " + string(name))
}

func TestAllowed(t *testing.T) {
	all := []CommandName{CmdStart, CmdReady, CmdRecall, CmdHandOver, CmdDelivered}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		now   time.Time
		want  []CommandName
	}{
		{name: "never opened", now: t1, want: nil},
		{name: "queued", given: isQueued, now: t1, want: []CommandName{CmdStart, CmdReady}},
		{name: "preparing", given: isCooking, now: t2, want: []CommandName{CmdReady}},
		{name: "ready", given: isReady, now: t3, want: []CommandName{CmdRecall, CmdHandOver}},
		{name: "ready, window's last moment", given: isReady, now: t2.Add(RecallWindow), want: []CommandName{CmdRecall, CmdHandOver}},
		{name: "ready, window closed", given: isReady, now: t2.Add(RecallWindow + time.Second), want: []CommandName{CmdHandOver}},
		{name: "ready without start", given: given(opened, bumped), now: t3, want: []CommandName{CmdRecall, CmdHandOver}},
		{name: "recalled", given: given(opened, started, bumped, recalled), now: t3, want: []CommandName{CmdReady}},
		{name: "ready again", given: given(opened, started, bumped, recalled, TicketBumped{TicketID: tid, BumpedAt: t3}), now: t3.Add(time.Minute), want: []CommandName{CmdRecall, CmdHandOver}},
		{name: "handed over", given: isHanded, now: t3, want: nil},
		{name: "out for delivery", given: given(delivery(opened), bumped, outForDelivery), now: t3, want: []CommandName{CmdDelivered}},
		{name: "delivered", given: given(delivery(opened), bumped, outForDelivery, delivered), now: t3, want: nil},
		{name: "canceled while queued", given: isGone, now: t3, want: nil},
		{name: "canceled while preparing", given: given(opened, started, canceled), now: t3, want: nil},
		{name: "canceled when ready", given: given(opened, started, bumped, canceled), now: t3, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fold(tc.given...)
			got := Allowed(s, tc.now)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Allowed = %v, want %v", got, tc.want)
			}
			for _, name := range all {
				es, err := Decide(s, command(name, tc.now))
				if slices.Contains(got, name) {
					if err != nil || len(es) == 0 {
						t.Errorf("%s is allowed but Decide gives events %#v, error %v", name, es, err)
					}
				} else if err == nil && len(es) > 0 {
					t.Errorf("%s is not allowed but Decide gives %#v", name, es)
				}
			}
		})
	}
}

func TestEvents(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var checkTags func(rt reflect.Type)
	checkTags = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			j, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !tag.MatchString(j) || opts != "" && opts != "omitempty" && opts != "omitzero" {
				t.Errorf("%s.%s has json tag %q, want snake_case", rt.Name(), f.Name, f.Tag.Get("json"))
			}
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
				checkTags(ft)
			}
		}
	}
	seen := map[string]bool{}
	for _, e := range Events() {
		name := e.EventType()
		if seen[name] {
			t.Errorf("event type %q appears twice", name)
		}
		seen[name] = true
		rt := reflect.TypeOf(e)
		if rt.Kind() != reflect.Struct {
			t.Fatalf("%s should be a struct value", name)
		}
		if name != "kitchen."+rt.Name() {
			t.Errorf("event type %q does not match type %s", name, rt.Name())
		}
		if !reflect.ValueOf(e).IsZero() {
			t.Errorf("Events should hold zero values, got %#v", e)
		}
		checkTags(rt)
	}
	if len(seen) != 10 {
		t.Errorf("want 10 event types, got %d", len(seen))
	}

	// Every event survives a JSON round trip, with every field set so that
	// a missing tag or an unexported field would show.
	unpaidDelivery := TicketHandedOver{TicketID: tid, HandedOverAt: t3, Payment: PaymentUnpaid, UnpaidReason: "guest left without paying", OutForDelivery: true}
	ovenDone, ovenUndone := pizzaDone, pizzaUndone
	ovenDone.Station, ovenUndone.Station = "oven", "oven"
	samples := []domain.Event{openedForLater, started, bumped, recalled, unpaidDelivery, canceled, ovenDone, ovenUndone, delivered,
		TicketLineFired{TicketID: tid, LineID: "b", Station: "cold", FiredAt: t1, ByRecall: true}}
	if len(samples) != len(Events()) {
		t.Fatalf("round trip covers %d of %d event types", len(samples), len(Events()))
	}
	for _, e := range samples {
		v := reflect.ValueOf(e)
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("sample %s leaves %s empty", e.EventType(), v.Type().Field(i).Name)
			}
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(e))
		if err := json.Unmarshal(b, p.Interface()); err != nil {
			t.Fatal(err)
		}
		if got := p.Elem().Interface(); !reflect.DeepEqual(got, e) {
			t.Errorf("round trip of %s\n got: %#v\nwant: %#v", b, got, e)
		}
	}
	b, _ := json.Marshal(opened)
	want := `{"ticket_id":"order-1","order_number":42,"items":[{"name":"Margherita","quantity":2,"note":"Extra basil.","options":null},{"name":"Tiramisu","quantity":1,"note":"","options":null}],"fulfilment":"pickup","subject_id":"guest-1","contact_name":"Ana","placed_at":"2025-03-14T18:30:00Z","opened_at":"2025-03-14T18:30:02Z"}`
	if string(b) != want {
		t.Errorf("stored form of TicketOpened changed\n got: %s\nwant: %s", b, want)
	}
	// A ticket stored before tickets carried a name, or dishes options,
	// reads as one without.
	before := `{"ticket_id":"order-1","order_number":42,"items":[{"name":"Margherita","quantity":2,"note":"Extra basil."},{"name":"Tiramisu","quantity":1,"note":""}],"fulfilment":"pickup","placed_at":"2025-03-14T18:30:00Z","opened_at":"2025-03-14T18:30:02Z"}`
	var old TicketOpened
	if err := json.Unmarshal([]byte(before), &old); err != nil {
		t.Fatal(err)
	}
	nameless := opened
	nameless.ContactName, nameless.SubjectID = "", ""
	if !reflect.DeepEqual(old, nameless) {
		t.Errorf("a ticket stored without a name reads as %#v", old)
	}
	// A dish for an allergy says so; a ticket stored before guests could
	// say so reads as none, as above.
	nuts := opened
	nuts.Items = []Item{{Name: "Tiramisu", Quantity: 1, Note: "no nuts", Allergy: true}}
	b, _ = json.Marshal(nuts)
	if !strings.Contains(string(b), `{"name":"Tiramisu","quantity":1,"note":"no nuts","allergy":true,"options":null}`) {
		t.Errorf("a dish for an allergy is stored as %s", b)
	}
	var back TicketOpened
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, nuts) {
		t.Errorf("a dish for an allergy reads back as %#v (%v)", back, err)
	}
	// A dish marked on its own carries its order line's id; a ticket
	// stored before, without, reads as one bumped whole (above).
	b, _ = json.Marshal(openedByLine)
	if !strings.Contains(string(b), `"items":[{"line_id":"a","name":"Margherita","quantity":2,"note":"Extra basil.","options":null},{"line_id":"b",`) {
		t.Errorf("dishes with line ids are stored as %s", b)
	}
	var lined TicketOpened
	if err := json.Unmarshal(b, &lined); err != nil || !reflect.DeepEqual(lined, openedByLine) {
		t.Errorf("dishes with line ids read back as %#v (%v)", lined, err)
	}
}
