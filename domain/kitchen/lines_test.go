package kitchen

import (
	"slices"
	"testing"
	"time"

	"restaurant/domain"
)

// A ticket whose dishes came from order lines "a" and "b", each marked on
// its own.
var (
	byLine       = []Item{{LineID: "a", Name: "Margherita", Quantity: 2, Note: "Extra basil."}, {LineID: "b", Name: "Tiramisu", Quantity: 1}}
	openedByLine = TicketOpened{TicketID: tid, OrderNumber: 42, Items: byLine, Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana", PlacedAt: placedAt, OpenedAt: t0}
	pizzaDone    = TicketLineBumped{TicketID: tid, LineID: "a", BumpedAt: t2}
	pizzaUndone  = TicketLineRecalled{TicketID: tid, LineID: "a", RecalledAt: t3}
	dessertDone  = TicketLineBumped{TicketID: tid, LineID: "b", BumpedAt: t2}

	lineQueued  = given(openedByLine)
	lineCooking = given(openedByLine, started)
	pizzaIsDone = given(openedByLine, started, pizzaDone)
	allDone     = given(openedByLine, started, pizzaDone, dessertDone, TicketBumped{TicketID: tid, BumpedAt: t2})
)

func TestBumpLine(t *testing.T) {
	bump := func(line string) BumpLine { return BumpLine{LineID: line, At: t2} }
	runAll(t, []spec{
		{name: "one dish of a ticket being cooked", given: lineCooking, when: bump("a"), then: given(pizzaDone)},
		{name: "the last dish makes the ticket ready", given: pizzaIsDone, when: bump("b"),
			then: given(dessertDone, TicketBumped{TicketID: tid, BumpedAt: t2})},
		{name: "a dish of a queued ticket starts it", given: lineQueued, when: bump("a"),
			then: given(TicketStarted{TicketID: tid, StartedAt: t2}, pizzaDone)},
		{name: "the only dish of a queued ticket starts it and makes it ready",
			given: given(TicketOpened{TicketID: tid, Items: byLine[:1], Fulfilment: FulfilmentPickup, PlacedAt: placedAt, OpenedAt: t0}), when: bump("a"),
			then: given(TicketStarted{TicketID: tid, StartedAt: t2}, pizzaDone, TicketBumped{TicketID: tid, BumpedAt: t2})},
		{name: "undone, then done again", given: given(openedByLine, started, pizzaDone, pizzaUndone), when: bump("a"), then: given(pizzaDone)},
		{name: "after the ticket was recalled, the dish to make again",
			given: given(openedByLine, started, pizzaDone, dessertDone, bumped, recalled, TicketLineRecalled{TicketID: tid, LineID: "b", RecalledAt: t3}),
			when:  BumpLine{LineID: "b", At: t3}, then: given(TicketLineBumped{TicketID: tid, LineID: "b", BumpedAt: t3}, TicketBumped{TicketID: tid, BumpedAt: t3})},
		{name: "twice", given: pizzaIsDone, when: bump("a"), wantErr: domain.ECONFLICT, wantMsg: "This dish is already marked done."},
		{name: "an unknown dish", given: lineCooking, when: bump("z"), wantErr: domain.ENOTFOUND, wantMsg: "There is no such dish on this ticket."},
		{name: "no dish named", given: lineCooking, when: bump(" "), wantErr: domain.EINVALID, wantField: "line_id"},
		{name: "a ticket of dishes without line ids", given: isCooking, when: bump("a"), wantErr: domain.ENOTFOUND},
		{name: "a ticket of dishes without line ids, no dish named", given: isCooking, when: bump(""), wantErr: domain.EINVALID, wantField: "line_id"},
		{name: "a ready ticket", given: allDone, when: bump("a"), wantErr: domain.ECONFLICT, wantMsg: "This ticket is already ready."},
		{name: "a ticket bumped whole", given: given(openedByLine, started, bumped), when: bump("a"), wantErr: domain.ECONFLICT},
		{name: "a handed-over ticket", given: given(openedByLine, started, bumped, handed), when: bump("a"), wantErr: domain.ECONFLICT, wantMsg: "This ticket was already handed over."},
		{name: "a canceled ticket", given: given(openedByLine, canceled), when: bump("a"), wantErr: domain.ECONFLICT, wantMsg: "This ticket was canceled."},
		{name: "the state before the dish", given: given(openedByLine, canceled), when: bump("z"), wantErr: domain.ECONFLICT},
		{name: "a queued ticket whose order the guest canceled", given: lineQueued, when: BumpLine{LineID: "a", At: t2, OrderCanceled: true},
			wantErr: domain.ECONFLICT, wantMsg: guestCanceled},
		{name: "a started ticket whose order was canceled since", given: lineCooking, when: BumpLine{LineID: "a", At: t2, OrderCanceled: true},
			then: given(pizzaDone)},
	})
}

func TestRecallLine(t *testing.T) {
	undo := func(line string) RecallLine { return RecallLine{LineID: line, At: t3} }
	runAll(t, []spec{
		{name: "a dish marked done", given: pizzaIsDone, when: undo("a"), then: given(pizzaUndone)},
		{name: "after the ticket was recalled", given: given(openedByLine, started, pizzaDone, dessertDone, bumped, recalled), when: undo("a"), then: given(pizzaUndone)},
		{name: "a dish not marked done", given: pizzaIsDone, when: undo("b"), wantErr: domain.ECONFLICT, wantMsg: "This dish is not marked done, so there is nothing to undo."},
		{name: "undone twice", given: given(openedByLine, started, pizzaDone, pizzaUndone), when: undo("a"), wantErr: domain.ECONFLICT},
		{name: "an unknown dish", given: pizzaIsDone, when: undo("z"), wantErr: domain.ENOTFOUND},
		{name: "no dish named", given: pizzaIsDone, when: undo(""), wantErr: domain.EINVALID, wantField: "line_id"},
		{name: "a ready ticket", given: allDone, when: undo("a"), wantErr: domain.ECONFLICT, wantMsg: "This ticket is ready; recall the ticket before undoing one of its dishes."},
		{name: "a handed-over ticket", given: given(openedByLine, started, pizzaDone, dessertDone, bumped, handed), when: undo("a"), wantErr: domain.ECONFLICT},
		{name: "a canceled ticket", given: given(openedByLine, started, pizzaDone, canceled), when: undo("a"), wantErr: domain.ECONFLICT},
	})
}

func TestEvolveLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		given []domain.Event
		done  []string
	}{
		{"none marked", lineCooking, nil},
		{"one marked", pizzaIsDone, []string{"a"}},
		{"both, in the order marked", given(openedByLine, started, dessertDone, pizzaDone), []string{"b", "a"}},
		{"one undone", given(openedByLine, started, dessertDone, pizzaDone, TicketLineRecalled{TicketID: tid, LineID: "b", RecalledAt: t3}), []string{"a"}},
		{"a recall of the ticket keeps them", given(openedByLine, started, pizzaDone, dessertDone, bumped, recalled), []string{"a", "b"}},
	} {
		if got := fold(tc.given...).DoneLines; !slices.Equal(got, tc.done) {
			t.Errorf("%s: done lines %v, want %v", tc.name, got, tc.done)
		}
	}

	// Marking and undoing never write into an earlier state's lines.
	one := fold(pizzaIsDone...)
	two := Evolve(one, dessertDone)
	undone := Evolve(two, pizzaUndone)
	again := Evolve(one, TicketLineBumped{TicketID: tid, LineID: "c", BumpedAt: t3})
	if !slices.Equal(one.DoneLines, []string{"a"}) || !slices.Equal(two.DoneLines, []string{"a", "b"}) ||
		!slices.Equal(undone.DoneLines, []string{"b"}) || !slices.Equal(again.DoneLines, []string{"a", "c"}) {
		t.Errorf("states share their done lines: %v, %v, %v, %v", one.DoneLines, two.DoneLines, undone.DoneLines, again.DoneLines)
	}
}

// lineCommand is the command behind a dish's button, pressed at now.
func lineCommand(name LineCommandName, line string, now time.Time) Command {
	switch name {
	case CmdBumpLine:
		return BumpLine{LineID: line, At: now}
	case CmdRecallLine:
		return RecallLine{LineID: line, At: now}
	case CmdFireLine:
		return FireLine{LineID: line, At: now}
	}
	panic("unknown button " + string(name))
}

func TestLineAllowed(t *testing.T) {
	all := []LineCommandName{CmdBumpLine, CmdRecallLine, CmdFireLine}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		line  string
		want  []LineCommandName
		done  bool
	}{
		{name: "never opened", line: "a"},
		{name: "queued", given: lineQueued, line: "a", want: []LineCommandName{CmdBumpLine}},
		{name: "cooking", given: lineCooking, line: "b", want: []LineCommandName{CmdBumpLine}},
		{name: "marked done", given: pizzaIsDone, line: "a", want: []LineCommandName{CmdRecallLine}, done: true},
		{name: "the other dish", given: pizzaIsDone, line: "b", want: []LineCommandName{CmdBumpLine}},
		{name: "ready", given: allDone, line: "a", done: true},
		{name: "recalled with its dishes done", given: given(openedByLine, started, pizzaDone, dessertDone, bumped, recalled), line: "b", want: []LineCommandName{CmdRecallLine}, done: true},
		{name: "handed over", given: given(openedByLine, started, bumped, handed), line: "a"},
		{name: "canceled", given: given(openedByLine, canceled), line: "a"},
		{name: "an unknown dish", given: lineCooking, line: "z"},
		{name: "a dish without a line id", given: isCooking, line: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fold(tc.given...)
			got := LineAllowed(s, tc.line, t3)
			if !slices.Equal(got, tc.want) {
				t.Errorf("LineAllowed = %v, want %v", got, tc.want)
			}
			for _, name := range all {
				es, err := Decide(s, lineCommand(name, tc.line, t3))
				if slices.Contains(got, name) {
					if err != nil || len(es) == 0 {
						t.Errorf("%s is allowed but Decide gives events %#v, error %v", name, es, err)
					}
				} else if err == nil && len(es) > 0 {
					t.Errorf("%s is not allowed but Decide gives %#v", name, es)
				}
			}
			if done := LineDone(s, tc.line); done != tc.done {
				t.Errorf("LineDone = %v", done)
			}
		})
	}
}
