package live

import (
	"context"
	"sync"
	"testing"
	"time"

	"restaurant/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// A hub's own notice reaches its screens at once, before PostgreSQL brings
// it back, and only once: the hub drops it when it comes back. Another
// process's hub hears it once, through PostgreSQL.
func TestAHubTellsItsOwnScreensOnceAndAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := testdb.New(t)
	here, there := NewHub(), NewHub()
	sentinel := OrderTopic("5b0c6a52-0d0b-4c55-9b59-0cf5c7f6b2a1")
	var mu sync.Mutex
	got := map[*Hub][]Topic{}
	follow := func(h *Hub) *Subscription {
		var s *Subscription
		s = h.Subscribe(func() {
			mu.Lock()
			defer mu.Unlock()
			got[h] = append(got[h], s.Take()...)
		}, KitchenTopic(), MenuTopic(), sentinel)
		return s
	}
	mu.Lock()
	follow(here)
	follow(there)
	mu.Unlock()
	var listening sync.WaitGroup
	for _, h := range []*Hub{here, there} {
		listening.Go(func() { h.Listen(ctx, pool) })
	}
	defer listening.Wait()
	defer cancel()
	// Both listen once a notice sent from outside any hub reaches both.
	waitUntil(t, "both hubs to listen", func() bool {
		if err := Notify(ctx, pool, []Topic{MenuTopic()}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return len(got[here]) > 0 && len(got[there]) > 0
	})
	count := func(h *Hub, topic Topic) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, t := range got[h] {
			if t == topic {
				n++
			}
		}
		return n
	}

	// (A hub that starts listening tells its screens of every topic once,
	// as notices may have been missed: counts start from here.)
	before := map[*Hub]int{here: count(here, KitchenTopic()), there: count(there, KitchenTopic())}
	if err := here.Notify(ctx, pool, []Topic{KitchenTopic()}); err != nil {
		t.Fatal(err)
	}
	if n := count(here, KitchenTopic()) - before[here]; n != 1 {
		t.Fatalf("the hub's own screens were told %d times before the notice went round", n)
	}
	// A notice sent after it comes back after it: once both have it, the
	// kitchen's notice has come back too.
	if err := Notify(ctx, pool, []Topic{sentinel}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the later notice to reach both hubs", func() bool {
		return count(here, sentinel) > 1 && count(there, sentinel) > 1
	})
	for h, name := range map[*Hub]string{here: "here", there: "there"} {
		if n := count(h, KitchenTopic()) - before[h]; n != 1 {
			t.Errorf("the hub %s told its screens of the kitchen's notice %d times, want once", name, n)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
