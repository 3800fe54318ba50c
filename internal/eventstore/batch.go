package eventstore

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/internal/postgres"
)

// Group commit in the application. Every transaction costs a WAL flush and a
// round trip, whatever it writes; appends that arrive together therefore
// share one statement and one commit. Each request keeps its own version
// check and its own outcome: a batch is an optimisation, never a coupling.
//
// One dispatcher forms the batches and keeps up to batchesInFlight of them
// running at once, each on a connection of its own: while one batch waits
// for its commit, the next gathers what arrived meanwhile and goes out as
// soon as a slot is free, so no writer waits for a flush it is not in. A
// stream is in at most one batch in flight, and its requests go in the
// order they came, so each request's version check sees the one before it
// and an append expecting Any never loses its version to this process's own
// writers. Batches in flight at once commit in any order; readers stay
// gapless through the fence (see store.go), which orders by transaction.
const (
	// batchesInFlight is how many batches may be written at once. More
	// overlap one batch's commit with the next ones' work; each holds a
	// pool connection while it runs.
	batchesInFlight = 4
	// maxBatchEvents caps the events in one statement.
	maxBatchEvents = 256
)

// ErrClosed is returned by appends to a closed store.
var ErrClosed = errors.New("event store closed")

// submit hands a request to the dispatcher and waits for its outcome.
// If ctx ends first the outcome is unknown, as with any lost reply; the
// command id makes a retry safe.
func (s *Store) submit(ctx context.Context, r *appendRequest) (appendOutcome, error) {
	select {
	case s.queue <- r:
	case <-s.closing:
		return appendOutcome{}, ErrClosed
	case <-ctx.Done():
		return appendOutcome{}, ctx.Err()
	}
	select {
	case out := <-r.done:
		return out, out.err
	case <-s.closing:
		return appendOutcome{}, ErrClosed
	case <-ctx.Done():
		return appendOutcome{}, ctx.Err()
	}
}

// dispatchBatches forms batches from what is queued and writes up to
// batchesInFlight of them at once, until ctx ends; then it waits for those
// in flight and fails what is left.
func (s *Store) dispatchBatches(ctx context.Context) {
	var (
		waiting  []*appendRequest
		busy     = map[string]bool{}                    // streams in a batch in flight
		finished = make(chan []string, batchesInFlight) // a batch's streams
		inFlight = 0
	)
	for {
		for inFlight < batchesInFlight {
			var batch []*appendRequest
			if batch, waiting = nextBatch(waiting, busy); batch == nil {
				break
			}
			inFlight++
			streams := make([]string, len(batch))
			for i, r := range batch {
				streams[i] = r.stream
			}
			go func() {
				s.writeBatch(ctx, batch)
				finished <- streams
			}()
		}
		select {
		case r := <-s.queue:
			waiting = append(waiting, r)
			// Take everything queued now, so one batch carries it.
		drain:
			for len(waiting) < 2*maxBatchEvents {
				select {
				case r := <-s.queue:
					waiting = append(waiting, r)
				default:
					break drain
				}
			}
		case streams := <-finished:
			inFlight--
			for _, stream := range streams {
				delete(busy, stream)
			}
		case <-ctx.Done():
			for ; inFlight > 0; inFlight-- {
				<-finished
			}
			for _, r := range waiting {
				r.done <- appendOutcome{err: ErrClosed}
			}
			failQueued(s.queue)
			return
		}
	}
}

// nextBatch takes from waiting, in order, the requests whose stream is in no
// batch in flight, at most one per stream and maxBatchEvents events, and
// marks their streams busy. A request behind another of its stream stays
// behind it. It returns nil when nothing can go now, and what still waits.
func nextBatch(waiting []*appendRequest, busy map[string]bool) (batch, rest []*appendRequest) {
	held := map[string]bool{}
	events := 0
	for _, r := range waiting {
		switch {
		case busy[r.stream] || held[r.stream],
			len(batch) > 0 && events+len(r.events) > maxBatchEvents:
			held[r.stream] = true
			rest = append(rest, r)
		default:
			busy[r.stream] = true
			events += len(r.events)
			batch = append(batch, r)
		}
	}
	return batch, rest
}

func (s *Store) writeBatch(ctx context.Context, batch []*appendRequest) {
	// Every writer, in every process, inserts streams in the same order, so
	// two batches waiting on each other's rows cannot deadlock.
	slices.SortFunc(batch, func(a, b *appendRequest) int { return strings.Compare(a.stream, b.stream) })
	for len(batch) > 0 {
		outs, err := s.insertAtomically(ctx, batch)
		for attempt := 0; isDeadlock(err) && attempt < 3; attempt++ {
			// Only a caller's own transaction (AppendTx) can still take rows
			// in another order; PostgreSQL broke the cycle, so go again.
			outs, err = s.insertAtomically(ctx, batch)
		}
		var partial *partialError
		var pgErr *pgconn.PgError
		switch {
		case errors.As(err, &partial):
			// That request lost a race part way; the transaction was rolled
			// back. It is a conflict; the others go again without it.
			batch[partial.index].done <- appendOutcome{}
			batch = slices.Delete(batch, partial.index, partial.index+1)
			continue
		case err != nil && len(batch) > 1 && errors.As(err, &pgErr) && !postgres.Unavailable(err):
			// PostgreSQL refused something in the batch: find which
			// request by writing each alone, so the others are not failed.
			// (A database going away refuses everything: no one request is
			// to blame, and every one fails below.)
			for _, r := range batch {
				s.writeBatch(ctx, []*appendRequest{r})
			}
			return
		case err != nil:
			for _, r := range batch {
				r.done <- appendOutcome{err: err}
			}
			return
		}
		s.Committed()
		for i, r := range batch {
			r.done <- appendOutcome{recorded: outs[i]}
		}
		return
	}
}

// insertAtomically runs one batch as one transaction. A batch of
// single-event requests cannot be partly applied, so it runs as a single
// statement without BEGIN and COMMIT round trips.
func (s *Store) insertAtomically(ctx context.Context, batch []*appendRequest) ([][]RecordedEvent, error) {
	multi := false
	for _, r := range batch {
		multi = multi || len(r.events) > 1
	}
	if !multi {
		return s.insert(ctx, s.pool, batch, false)
	}
	var outs [][]RecordedEvent
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		outs, err = s.insert(ctx, tx, batch, false)
		return err
	})
	return outs, err
}

func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// failQueued answers what is still queued when the store closes.
func failQueued(queue chan *appendRequest) {
	for {
		select {
		case r := <-queue:
			r.done <- appendOutcome{err: ErrClosed}
		default:
			return
		}
	}
}
