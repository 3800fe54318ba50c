package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// A chain of restaurants on one PostgreSQL server, laid out two ways and
// loaded alike: every restaurant's guests place whole orders (open, three
// dishes, contact and pickup, place) and its kitchen works each ticket
// (open, start, bump, hand over), as fast as the server lets them.
//
//   - shared: every restaurant's streams in one event store, so one gapless
//     global order, and one fence, covers them all;
//   - partitioned: each restaurant in a database of its own on the same
//     server, each with its own event store and its own gapless order.
//
// After each run every log is checked: each restaurant's events are all
// there once, in order (the commit order every subscriber reads, each stream's versions
// 1, 2, 3, ...), whatever the other restaurants did meanwhile.

// ChainOptions choose what RunChain measures.
type ChainOptions struct {
	Restaurants []int // how many restaurants, one run of each layout per count
	Writers     int   // guests ordering at once in each restaurant
	Duration    time.Duration
	// Open makes an empty, migrated event store for one restaurant of a
	// partitioned run, in a database of its own on the shared server;
	// close drops it.
	Open func(ctx context.Context) (store *eventstore.Store, close func(), err error)
	// Shared is the one store of the shared layout; each run writes streams
	// of fresh names to it.
	Shared *eventstore.Store
	// PgBench and PgBenchConn run the baseline, pgbench's durable one-row
	// insert with as many clients as the run has writers, on the shared
	// store's database.
	PgBench     string
	PgBenchConn []string
}

// ChainFigure is one run: a layout and a number of restaurants.
type ChainFigure struct {
	Layout      string  `json:"layout"`
	Restaurants int     `json:"restaurants"`
	Writers     int     `json:"writers_per_restaurant"`
	Orders      int64   `json:"orders"`
	Events      int64   `json:"events"`
	EventsPerS  float64 `json:"events_per_sec"`
	OrdersPerS  float64 `json:"orders_per_sec"`
	PerRestMinS float64 `json:"slowest_restaurant_orders_per_sec"`
	P99Millis   float64 `json:"append_p99_ms"`
	// PgBench is the baseline's inserts a second, at as many clients;
	// Ratio is events a second over it.
	PgBench float64 `json:"pgbench_inserts_per_sec"`
	Ratio   float64 `json:"ratio"`
	Checked bool    `json:"logs_checked"`
}

// eventsPerOrder is what one order writes: seven events in six appends to
// its order stream, and four appends to its ticket.
const eventsPerOrder = 11

// RunChain measures each layout at each count of restaurants and prints a
// table to out.
func RunChain(ctx context.Context, opts ChainOptions, out io.Writer) ([]ChainFigure, error) {
	if opts.Writers < 1 || len(opts.Restaurants) == 0 {
		return nil, errors.New("a chain needs at least one restaurant and one writer in each")
	}
	var figs []ChainFigure
	fmt.Fprintf(out, "%-12s %11s %8s %12s %12s %22s %10s %16s %7s\n", "layout", "restaurants", "writers", "events/s", "orders/s",
		"slowest restaurant/s", "p99 ms", "pgbench inserts/s", "ratio")
	for _, n := range opts.Restaurants {
		baseline, _, err := pgbenchInsert(ctx, opts.Shared.Pool(), Options{PgBench: opts.PgBench, PgBenchConn: opts.PgBenchConn, Duration: opts.Duration}, n*opts.Writers)
		if err != nil {
			return figs, err
		}
		for _, layout := range []string{"shared", "partitioned"} {
			stores := make([]*eventstore.Store, n)
			var closers []func()
			var err error
			for i := range stores {
				if layout == "shared" {
					stores[i] = opts.Shared
					continue
				}
				var closeStore func()
				if stores[i], closeStore, err = opts.Open(ctx); err != nil {
					break
				}
				closers = append(closers, closeStore)
			}
			var fig ChainFigure
			if err == nil {
				fig, err = chainRun(ctx, layout, stores, opts)
			}
			for _, c := range closers {
				c()
			}
			if err != nil {
				return figs, fmt.Errorf("%s, %d restaurants: %w", layout, n, err)
			}
			fig.PgBench, fig.Ratio = baseline, fig.EventsPerS/baseline
			figs = append(figs, fig)
			fmt.Fprintf(out, "%-12s %11d %8d %12.0f %12.1f %22.1f %10.1f %16.0f %7.2f\n", fig.Layout, fig.Restaurants, fig.Writers*fig.Restaurants,
				fig.EventsPerS, fig.OrdersPerS, fig.PerRestMinS, fig.P99Millis, fig.PgBench, fig.Ratio)
		}
	}
	return figs, nil
}

// restaurantLoad is what one restaurant wrote in a run.
type restaurantLoad struct {
	prefix string // every stream of the restaurant in this run starts with it
	orders atomic.Int64
	events atomic.Int64
}

func chainRun(ctx context.Context, layout string, stores []*eventstore.Store, opts ChainOptions) (ChainFigure, error) {
	run := uuid.NewString()[:8]
	loads := make([]*restaurantLoad, len(stores))
	for i := range loads {
		loads[i] = &restaurantLoad{prefix: fmt.Sprintf("r%03d-%s-", i+1, run)}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deadline := time.Now().Add(opts.Duration)
	var mu sync.Mutex
	var latencies []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for i, store := range stores {
		for w := range opts.Writers {
			wg.Go(func() {
				var local []time.Duration
				for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
					orderID := fmt.Sprintf("%sw%d-%d", loads[i].prefix, w, n)
					if err := placeAndCook(ctx, store, orderID, &local); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						cancel()
						return
					}
					loads[i].orders.Add(1)
					loads[i].events.Add(eventsPerOrder)
				}
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return ChainFigure{}, firstErr
	}
	fig := ChainFigure{Layout: layout, Restaurants: len(stores), Writers: opts.Writers, P99Millis: percentile(latencies, 0.99)}
	slowest := int64(-1)
	for _, l := range loads {
		fig.Orders += l.orders.Load()
		fig.Events += l.events.Load()
		if slowest < 0 || l.orders.Load() < slowest {
			slowest = l.orders.Load()
		}
	}
	fig.EventsPerS = float64(fig.Events) / elapsed.Seconds()
	fig.OrdersPerS = float64(fig.Orders) / elapsed.Seconds()
	fig.PerRestMinS = float64(slowest) / elapsed.Seconds()
	for i, store := range stores {
		if err := checkRestaurantLog(ctx, store, loads[i]); err != nil {
			return fig, err
		}
	}
	fig.Checked = true
	return fig, nil
}

// placeAndCook writes one whole order and its ticket, as the web and the
// kitchen would, each command one append with its expected version.
func placeAndCook(ctx context.Context, store *eventstore.Store, orderID string, latencies *[]time.Duration) error {
	now := time.Now().UTC()
	guest := "guest-" + orderID
	price := domain.Cents(1250)
	line := func(n int) ordering.ItemAddedToOrder {
		return ordering.ItemAddedToOrder{OrderID: orderID, LineID: fmt.Sprintf("%s-l%d", orderID, n), MenuItemID: "margherita",
			Name: "Margherita", Quantity: 1, UnitPrice: price}
	}
	order, ticket := ordering.Stream(orderID), kitchen.Stream(orderID)
	steps := []struct {
		stream string
		events []domain.Event
	}{
		{order, []domain.Event{ordering.OrderOpened{OrderID: orderID, CustomerID: guest, OpenedAt: now}}},
		{order, []domain.Event{line(1)}},
		{order, []domain.Event{line(2)}},
		{order, []domain.Event{line(3)}},
		{order, []domain.Event{ordering.ContactGiven{OrderID: orderID, SubjectID: guest, Name: "Ana"},
			ordering.PickupChosen{OrderID: orderID}}},
		{order, []domain.Event{ordering.OrderPlaced{OrderID: orderID, PlacedAt: now, Total: domain.Cents(3 * 1250)}}},
		{ticket, []domain.Event{kitchen.TicketOpened{TicketID: orderID, OrderNumber: 1, Fulfilment: "pickup", SubjectID: guest,
			ContactName: "Ana", PlacedAt: now, OpenedAt: now,
			Items: []kitchen.Item{{LineID: orderID + "-l1", Name: "Margherita", Quantity: 3}}}}},
		{ticket, []domain.Event{kitchen.TicketStarted{TicketID: orderID, StartedAt: now}}},
		{ticket, []domain.Event{kitchen.TicketBumped{TicketID: orderID, BumpedAt: now}}},
		{ticket, []domain.Event{kitchen.TicketHandedOver{TicketID: orderID, HandedOverAt: now, Payment: kitchen.PaymentCard}}},
	}
	versions := map[string]int{}
	for _, s := range steps {
		t0 := time.Now()
		_, err := store.Append(ctx, s.stream, eventstore.Exact(versions[s.stream]), eventstore.Metadata{CommandID: uuid.New(), Actor: "chain"}, s.events...)
		if err != nil {
			return fmt.Errorf("order %s: %w", orderID, err)
		}
		*latencies = append(*latencies, time.Since(t0))
		versions[s.stream] += len(s.events)
	}
	return nil
}

// checkRestaurantLog reads the whole log of a store in its global order and
// checks the restaurant's part of it: as many events as it wrote, each once,
// in the global order subscribers see (commit order), and each stream's versions counting 1, 2, 3, ...
func checkRestaurantLog(ctx context.Context, store *eventstore.Store, l *restaurantLoad) error {
	var seen int64
	var last eventstore.Cursor
	versions := map[string]int{}
	ids := map[uuid.UUID]bool{}
	read := func(events []eventstore.RecordedEvent) error {
		for _, e := range events {
			if !last.Less(e.Cursor()) {
				return fmt.Errorf("event at %+v after %+v: the log is out of order", e.Cursor(), last)
			}
			last = e.Cursor()
			if !ofRestaurant(e.StreamID, l.prefix) {
				continue
			}
			if ids[e.EventID] {
				return fmt.Errorf("event %s twice in the log", e.EventID)
			}
			ids[e.EventID] = true
			if e.Version != versions[e.StreamID]+1 {
				return fmt.Errorf("stream %s: version %d after %d", e.StreamID, e.Version, versions[e.StreamID])
			}
			versions[e.StreamID] = e.Version
			seen++
		}
		return nil
	}
	// The log is read behind the fence: an event committed after a
	// transaction that is still open (a projection's, in this process or
	// another) is readable once that one ends, so read on until every
	// written event is there, or the fence has had time enough to pass.
	want := l.events.Load()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := store.Replay(ctx, last, 5000, read); err != nil {
			return err
		}
		if seen >= want || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	if seen != want {
		return fmt.Errorf("restaurant %s: %d events in the log, %d written", l.prefix, seen, want)
	}
	return nil
}

// ofRestaurant says whether an order or ticket stream is the restaurant's.
func ofRestaurant(stream, restaurant string) bool {
	for _, context := range []string{ordering.StreamPrefix, kitchen.StreamPrefix} {
		if id, ok := strings.CutPrefix(stream, context); ok {
			return strings.HasPrefix(id, restaurant)
		}
	}
	return false
}
