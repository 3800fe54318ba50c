package eventstore

import (
	"context"
	"errors"
	"hash/fnv"
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
const (
	// batchWriters is how many batches may be in flight at once, so one
	// batch's commit overlaps the next one's work.
	batchWriters = 2
	// maxBatchEvents caps the events in one statement.
	maxBatchEvents = 256
)

// ErrClosed is returned by appends to a closed store.
var ErrClosed = errors.New("event store closed")

// submit hands a request to the batch writers and waits for its outcome.
// If ctx ends first the outcome is unknown, as with any lost reply; the
// command id makes a retry safe.
func (s *Store) submit(ctx context.Context, r *appendRequest) (appendOutcome, error) {
	select {
	case s.queueOf(r.stream) <- r:
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

// queueOf is the writer a stream's appends go to. A stream always goes to
// the same writer, so two batches in flight never race for one stream: an
// append expecting Any never loses its version to this process's own
// writers.
func (s *Store) queueOf(stream string) chan *appendRequest {
	h := fnv.New32a()
	_, _ = h.Write([]byte(stream))
	return s.queues[h.Sum32()%uint32(len(s.queues))]
}

// writeBatches takes what is queued, at most one request per stream and
// maxBatchEvents events, writes it in one statement, and answers each
// request. A second request for a stream already in the batch waits for the
// next batch, so each request's version check sees the one before it.
func (s *Store) writeBatches(ctx context.Context, queue chan *appendRequest) {
	var held []*appendRequest
	for {
		batch, streams, events := []*appendRequest(nil), map[string]bool{}, 0
		add := func(r *appendRequest) bool {
			if streams[r.stream] || (len(batch) > 0 && events+len(r.events) > maxBatchEvents) {
				held = append(held, r)
				return false
			}
			streams[r.stream] = true
			events += len(r.events)
			batch = append(batch, r)
			return true
		}
		pending := held
		held = nil
		for _, r := range pending {
			add(r)
		}
		if len(batch) == 0 {
			select {
			case r := <-queue:
				add(r)
			case <-ctx.Done():
				failQueued(queue)
				return
			}
		}
	drain:
		for len(held) == 0 && events < maxBatchEvents {
			select {
			case r := <-queue:
				add(r)
			default:
				break drain
			}
		}
		s.writeBatch(ctx, batch)
	}
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
