package live

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestHubWakesOnlyFollowersAndFoldsNotices: a notice wakes the screens that
// follow its topic and no other; notices not yet taken fold into one Take;
// a closed subscription is not woken; DropAll marks every subscription
// gone and wakes it once.
func TestHubWakesOnlyFollowersAndFoldsNotices(t *testing.T) {
	h := NewHub()
	var kitchenWakes, menuWakes atomic.Int32
	kitchen := h.Subscribe(func() { kitchenWakes.Add(1) }, "kitchen", "orders")
	menu := h.Subscribe(func() { menuWakes.Add(1) }, "menu")

	h.Publish("kitchen")
	h.Publish("kitchen")
	h.Publish("orders")
	if got := kitchenWakes.Load(); got != 3 {
		t.Fatalf("kitchen woken %d times, want 3", got)
	}
	if got := menuWakes.Load(); got != 0 {
		t.Fatalf("menu woken %d times by others' notices", got)
	}
	taken := kitchen.Take()
	slices.Sort(taken)
	if !slices.Equal(taken, []Topic{"kitchen", "orders"}) {
		t.Fatalf("took %v, want each changed topic once", taken)
	}
	if again := kitchen.Take(); len(again) != 0 {
		t.Fatalf("took %v again", again)
	}

	menu.Close()
	h.Publish("menu")
	if got := menuWakes.Load(); got != 0 {
		t.Fatalf("a closed subscription was woken %d times", got)
	}

	if kitchen.Gone() {
		t.Fatal("gone before the hub dropped it")
	}
	h.DropAll()
	h.DropAll()
	if !kitchen.Gone() || kitchenWakes.Load() != 4 {
		t.Fatalf("after DropAll: gone %v, woken %d times, want gone and woken once more", kitchen.Gone(), kitchenWakes.Load())
	}
}

// TestHubDeliversABusyTopicOncePerWindow: a quiet topic's notice goes out
// at once; notices within the window after it go out together at the
// window's end, once; the window is forgotten after; and the window grows
// with the topic's followers.
func TestHubDeliversABusyTopicOncePerWindow(t *testing.T) {
	h := NewHub()
	h.PerFollower, h.MaxEvery = 20*time.Millisecond, 40*time.Millisecond
	var wakes, orderWakes atomic.Int32
	sub := h.Subscribe(func() { wakes.Add(1) }, "kitchen")
	defer sub.Close()
	other := h.Subscribe(func() {}, "kitchen") // two followers: a 40 ms window
	defer other.Close()
	order := h.Subscribe(func() { orderWakes.Add(1) }, "order:1")
	defer order.Close()

	h.Publish("kitchen")
	if got := wakes.Load(); got != 1 {
		t.Fatalf("a quiet topic's notice woke the screen %d times at once, want 1", got)
	}
	sub.Take()
	for range 20 {
		h.Publish("kitchen")
	}
	if got := wakes.Load(); got != 1 {
		t.Fatalf("notices within the window woke the screen at once (%d wakes)", got)
	}
	eventually(t, func() bool { return wakes.Load() == 2 })
	if taken := sub.Take(); !slices.Equal(taken, []Topic{"kitchen"}) {
		t.Fatalf("took %v after the window", taken)
	}
	eventually(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.windows) == 0
	})
	if got := wakes.Load(); got != 2 {
		t.Fatalf("the window's notices went out %d times, want once", got-1)
	}
	h.Publish("kitchen")
	if got := wakes.Load(); got != 3 {
		t.Fatalf("a notice after a quiet window waited (%d wakes)", got)
	}
	// One follower: a 20 ms window, capped as set; the second notice waits.
	h.Publish("order:1")
	h.Publish("order:1")
	if got := orderWakes.Load(); got != 1 {
		t.Fatalf("a single follower's topic woke it %d times at once, want 1", got)
	}
	eventually(t, func() bool { return orderWakes.Load() == 2 })
	h.MaxEvery = 0 // no window: every notice at once
	h.Publish("order:1")
	h.Publish("order:1")
	if got := orderWakes.Load(); got != 4 {
		t.Fatalf("without a window: %d wakes, want 4", got)
	}
}

// eventually waits, with a deadline, until ok holds.
func eventually(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("not so within 5 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestNoticesCarryWhenTheirChangeCommitted: a notice from another process
// says when its change committed, and a screen's Take gives the earliest
// of the notices folded together, through a busy topic's window too; a
// notice of this process's own, or one without a time, reads as not known.
func TestNoticesCarryWhenTheirChangeCommitted(t *testing.T) {
	committed := time.Date(2026, 12, 1, 19, 30, 0, 123456789, time.UTC)
	for _, origin := range []string{"", "0a1b2c3d4e5f6071"} {
		payloads := wire([]Topic{KitchenTopic(), OrderTopic("6f1c1a52-0d0b-4c55-9b59-0cf5c7f6b2a1")}, committed, origin)
		for i, want := range []Topic{KitchenTopic(), OrderTopic("6f1c1a52-0d0b-4c55-9b59-0cf5c7f6b2a1")} {
			topic, at, from := unwire(payloads[i])
			if topic != want || !at.Equal(committed) || from != origin {
				t.Fatalf("%q read as %q at %v from %q", payloads[i], topic, at, from)
			}
		}
	}
	if topic, at, origin := unwire("kitchen"); topic != KitchenTopic() || !at.IsZero() || origin != "" {
		t.Fatalf("a notice without a time read as %q at %v from %q", topic, at, origin)
	}

	for _, window := range []time.Duration{0, 30 * time.Millisecond} {
		h := NewHub()
		h.PerFollower, h.MaxEvery = window, window
		woken := make(chan struct{}, 10)
		s := h.Subscribe(func() { woken <- struct{}{} }, KitchenTopic())
		h.publish(KitchenTopic(), committed.Add(time.Second))
		h.publish(KitchenTopic(), committed)
		h.publish(KitchenTopic(), committed.Add(2*time.Second))
		h.Publish(KitchenTopic())
		// With a window the first notice goes out at once, and the others
		// fold into the delivery at the window's end.
		var notices []Notice
		earliest := time.Time{}
		deadline := time.After(5 * time.Second)
		for !earliest.Equal(committed) {
			select {
			case <-woken:
				for _, n := range s.TakeNotices() {
					if n.Topic != KitchenTopic() || n.Committed.IsZero() {
						t.Fatalf("window %s: took %v", window, n)
					}
					notices = append(notices, n)
					earliest = earlier(earliest, n.Committed)
				}
			case <-deadline:
				t.Fatalf("window %s: notices %v, want the kitchen at the earliest commit", window, notices)
			}
		}
		if window == 0 && len(notices) != 1 {
			t.Fatalf("without a window the notices folded into %v, want one", notices)
		}
	}
	if k := OrderTopic("6f1c1a52-0d0b-4c55-9b59-0cf5c7f6b2a1").Kind(); k != "order" {
		t.Fatalf("an order's topic is of kind %q", k)
	}
	if k := KitchenTopic().Kind(); k != "kitchen" {
		t.Fatalf("the kitchen's topic is of kind %q", k)
	}
}
