package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/progress"
	"restaurant/projections"
)

// RebuildFigure compares rebuilding every read model with a COPY of the
// same rows.
type RebuildFigure struct {
	Events         int64    `json:"events"`
	Projections    []string `json:"projections"`
	FillPerSec     float64  `json:"fill_events_per_sec"`
	RebuildSeconds float64  `json:"rebuild_seconds"`
	RebuildPerSec  float64  `json:"rebuild_events_per_sec"`
	// Again, with the read models the first rebuild left in place: what an
	// operator does. Each rebuild writes new tables and swaps them in.
	AgainSeconds float64 `json:"rebuild_again_seconds"`
	AgainPerSec  float64 `json:"rebuild_again_events_per_sec"`
	AgainRatio   float64 `json:"rebuild_again_ratio"`
	CopyPerSec   float64 `json:"copy_rows_per_sec"`
	Ratio        float64 `json:"ratio"`
}

// RunRebuild fills the log with whole orders (each opened, given dishes,
// placed, cooked and handed over: ten events over an order and a ticket)
// until it holds at least events, then times rebuilding every read model
// from the first event (into new tables, swapped in at the end, as
// projections.RebuildAll does) beside a COPY of the same rows.
func RunRebuild(ctx context.Context, store *eventstore.Store, events int, progress io.Writer, out io.Writer) (RebuildFigure, error) {
	var f RebuildFigure
	var have int64
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&have); err != nil {
		return f, err
	}
	t0 := time.Now()
	if err := FillOrders(ctx, store, int64(events)-have, progress); err != nil {
		return f, err
	}
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&f.Events); err != nil {
		return f, err
	}
	f.FillPerSec = float64(f.Events-have) / time.Since(t0).Seconds()
	// Vacuum and analyse, as a database that has run for a while would be.
	if _, err := store.Pool().Exec(ctx, `VACUUM ANALYZE events`); err != nil {
		return f, err
	}
	copyTime, rows, err := copyAll(ctx, store)
	if err != nil {
		return f, err
	}
	f.CopyPerSec = float64(rows) / copyTime.Seconds()
	ps := projections.All()
	for _, p := range ps {
		f.Projections = append(f.Projections, p.Name())
	}
	rebuild := func() (float64, error) {
		var n int64
		took, err := timed(func() error {
			var err error
			n, err = projections.RebuildAll(ctx, store, ps, nil)
			return err
		})
		if err != nil {
			return 0, err
		}
		if n != f.Events {
			return 0, fmt.Errorf("the rebuild read %d events of %d", n, f.Events)
		}
		return took.Seconds(), nil
	}
	if f.RebuildSeconds, err = rebuild(); err != nil {
		return f, err
	}
	f.RebuildPerSec = float64(f.Events) / f.RebuildSeconds
	f.Ratio = f.RebuildPerSec / f.CopyPerSec
	if f.AgainSeconds, err = rebuild(); err != nil {
		return f, err
	}
	f.AgainPerSec = float64(f.Events) / f.AgainSeconds
	f.AgainRatio = f.AgainPerSec / f.CopyPerSec
	fmt.Fprintf(out, "%d events, COPY of the same rows: %.0f rows/s\n", f.Events, f.CopyPerSec)
	fmt.Fprintf(out, "rebuild every read model (%d), from empty:     %.0f events/s, %.1f s; ratio %.2f\n",
		len(ps), f.RebuildPerSec, f.RebuildSeconds, f.Ratio)
	fmt.Fprintf(out, "rebuild every read model again, over the last: %.0f events/s, %.1f s; ratio %.2f\n",
		f.AgainPerSec, f.AgainSeconds, f.AgainRatio)
	return f, nil
}

// FillOrders appends whole orders, decided by the domain, until at least n
// more events are in the log: the quickest way to a long log that looks like
// a restaurant's, for the benchmarks and for tests that need one.
// Progress goes to w, if any: one line redrawn on a terminal, a line per
// tenth of the way elsewhere.
func FillOrders(ctx context.Context, store *eventstore.Store, n int64, w io.Writer) error {
	if n <= 0 {
		return nil
	}
	const writers = 16
	var report *progress.Line
	if w != nil {
		report = progress.New(w, "filling the log")
	}
	var written, number atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range writers {
		wg.Go(func() {
			for written.Load() < n {
				k, err := appendOrder(ctx, store, number.Add(1))
				if err != nil {
					once.Do(func() { firstErr = err; close(stop) })
					return
				}
				done := written.Add(int64(k))
				if report != nil {
					report.Update(min(done, n), n)
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	if report != nil {
		report.Finish()
	}
	return firstErr
}

var (
	pizza = ordering.AddItem{MenuItemID: "margherita", Name: "Margherita", Quantity: 2, UnitPrice: domain.Money{Amount: 1100, Currency: "EUR"}}
	salad = ordering.AddItem{MenuItemID: "caesar-salad", Name: "Caesar salad", Quantity: 1, Note: "no croutons", UnitPrice: domain.Money{Amount: 950, Currency: "EUR"}}
)

// appendOrder appends one order's life and its ticket's, and returns how
// many events that took.
func appendOrder(ctx context.Context, store *eventstore.Store, number int64) (int, error) {
	orderID := uuid.New()
	id := orderID.String()
	at := time.Now().UTC()
	first, second := pizza, salad
	first.LineID, second.LineID = uuid.NewString(), uuid.NewString()
	// Guests come back: a few hundred of them place the orders, as in a
	// restaurant, each with the one key that seals their contacts.
	guest := "bench-" + strconv.FormatInt(number%500, 10)
	orderEvents, err := decideAll[ordering.State, ordering.Command](ordering.Decide, ordering.Evolve, ordering.State{},
		ordering.OpenOrder{OrderID: id, CustomerID: guest, At: at},
		first, second, ordering.ChoosePickup{}, ordering.GiveContact{Name: "Guest " + strconv.FormatInt(number, 10)},
		ordering.PlaceOrder{At: at}, ordering.NoteKitchenStarted{At: at})
	if err != nil {
		return 0, err
	}
	ticketEvents, err := decideAll[kitchen.State, kitchen.Command](kitchen.Decide, kitchen.Evolve, kitchen.State{},
		kitchen.OpenTicket{TicketID: id, OrderNumber: number, Fulfilment: "pickup", SubjectID: guest, ContactName: "Guest " + strconv.FormatInt(number, 10), PlacedAt: at, At: at,
			Items: []kitchen.Item{{Name: first.Name, Quantity: first.Quantity}, {Name: second.Name, Quantity: second.Quantity, Note: second.Note}}},
		kitchen.StartTicket{At: at}, kitchen.BumpTicket{At: at}, kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: at})
	if err != nil {
		return 0, err
	}
	meta := eventstore.Metadata{CommandID: orderID, Actor: "bench"}
	ticketMeta := eventstore.Metadata{CommandID: uuid.NewSHA1(orderID, []byte("ticket")), Actor: "bench"}
	if _, err := store.Append(ctx, ordering.Stream(id), eventstore.NoStream, meta, orderEvents...); err != nil {
		return 0, err
	}
	if _, err := store.Append(ctx, kitchen.Stream(id), eventstore.NoStream, ticketMeta, ticketEvents...); err != nil {
		return 0, err
	}
	return len(orderEvents) + len(ticketEvents), nil
}

// decideAll runs commands through a decider, folding each one's events.
func decideAll[S, C any](decide func(S, C) ([]domain.Event, error), evolve func(S, domain.Event) S, s S, cmds ...C) ([]domain.Event, error) {
	var all []domain.Event
	for _, c := range cmds {
		events, err := decide(s, c)
		if err != nil {
			return nil, fmt.Errorf("%T: %w", c, err)
		}
		for _, e := range events {
			s = evolve(s, e)
		}
		all = append(all, events...)
	}
	return all, nil
}
