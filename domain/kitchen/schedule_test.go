package kitchen

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
)

// openedForLater is the ticket of an order for later, due at the counter
// at 20:00, opened when its cooking time was left.
var (
	dueAt          = time.Date(2025, 3, 14, 20, 0, 0, 0, time.UTC)
	openedForLater = TicketOpened{TicketID: tid, OrderNumber: 42, Items: dishes, Fulfilment: FulfilmentPickup, SubjectID: "guest-1", ContactName: "Ana",
		PlacedAt: placedAt, OpenedAt: dueAt.Add(-12 * time.Minute), DueAt: dueAt}
)

func TestOpenTicketForLater(t *testing.T) {
	runAll(t, []spec{
		{name: "carries its time", when: open(func(c *OpenTicket) { c.At, c.DueAt = openedForLater.OpenedAt, dueAt }), then: []domain.Event{openedForLater}},
		{name: "again once opened", given: given(openedForLater), when: open(func(c *OpenTicket) { c.DueAt = dueAt })},
	})
	if s := fold(openedForLater); !s.DueAt.Equal(dueAt) || s.Status != StatusQueued {
		t.Errorf("the ticket of an order for later folds to %#v", s)
	}
}

func TestScheduledTicketsJoinTheQueueWhenOpened(t *testing.T) {
	if !openedForLater.Scheduled() || opened.Scheduled() {
		t.Errorf("scheduled: %v for later, %v as soon as possible", openedForLater.Scheduled(), opened.Scheduled())
	}
	if !openedForLater.Since().Equal(openedForLater.OpenedAt) || !opened.Since().Equal(placedAt) {
		t.Errorf("in the queue since %v for later, %v as soon as possible", openedForLater.Since(), opened.Since())
	}
	for _, tc := range []struct {
		name         string
		cook, travel time.Duration
		want         time.Time
	}{
		{"a pickup", 12 * time.Minute, 0, dueAt.Add(-12 * time.Minute)},
		{"a delivery", 12 * time.Minute, 25 * time.Minute, dueAt.Add(-37 * time.Minute)},
		{"nothing to cook", 0, 0, dueAt},
	} {
		if got := FireAt(dueAt, tc.cook, tc.travel); !got.Equal(tc.want) {
			t.Errorf("%s: opened at %v, want %v", tc.name, got, tc.want)
		}
	}
	// A ticket as soon as possible is stored as tickets were before;
	// one for later reads back with its time.
	if b, _ := json.Marshal(opened); strings.Contains(string(b), "due_at") {
		t.Errorf("a ticket as soon as possible is stored as %s", b)
	}
	b, _ := json.Marshal(openedForLater)
	var back TicketOpened
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, openedForLater) || !strings.Contains(string(b), `"due_at":"2025-03-14T20:00:00Z"`) {
		t.Errorf("a ticket for later is stored as %s and reads back as %#v (%v)", b, back, err)
	}
}
