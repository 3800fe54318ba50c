package live

import (
	"slices"
	"sync/atomic"
	"testing"
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
	if !slices.Equal(taken, []string{"kitchen", "orders"}) {
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
