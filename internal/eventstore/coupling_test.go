package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"restaurant/internal/eventstore"
)

// A policy's transaction may append to a stream it wrote to earlier in the
// same transaction: an order placed, then canceled, in one batch.
func TestOneTransactionMayAppendToAStreamTwice(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := s.AppendTx(ctx, tx, "s-1", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendTx(ctx, tx, "s-1", eventstore.Exact(1), meta(), counted{N: 2}); err != nil {
		t.Fatalf("the second append of one transaction to one stream: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	events, err := s.ReadStream(ctx, "s-1", 0)
	if err != nil || len(events) != 2 || events[0].Position >= events[1].Position {
		t.Fatalf("stream holds %d events (%v), want 2 in order", len(events), err)
	}
}

// An application transaction holding uncommitted events on two streams
// makes appends to those streams wait for it, and no other append.
func TestAnOpenTransactionHoldsBackOnlyItsOwnStreams(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, stream := range []string{"held-1", "held-2"} {
		if _, err := s.AppendTx(ctx, tx, stream, eventstore.NoStream, meta(), counted{N: 1}); err != nil {
			t.Fatal(err)
		}
	}
	heldDone := make(chan eventstore.Result, 2)
	heldErr := make(chan error, 2)
	for _, stream := range []string{"held-1", "held-2"} {
		go func() {
			res, err := s.Append(ctx, stream, eventstore.Any, meta(), counted{N: 2})
			heldErr <- err
			heldDone <- res
		}()
	}
	// Others arrive with them, so that they share their batches.
	var others sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		others.Go(func() {
			_, err := s.Append(ctx, fmt.Sprintf("free-%d", i), eventstore.NoStream, meta(), counted{N: i})
			errs <- err
		})
	}
	finished := make(chan struct{})
	go func() { others.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("appends to other streams waited for a transaction that holds none of them")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-heldDone:
		t.Fatal("an append to a stream with uncommitted events went ahead of them")
	default:
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-heldErr; err != nil {
			t.Fatalf("the held append, once the transaction ended: %v", err)
		}
		if res := <-heldDone; res.StreamVersion != 2 {
			t.Fatalf("the held append landed at version %d, want 2, after the transaction's event", res.StreamVersion)
		}
	}
}

// Writers that expect Any never hear of a conflict, however hot the stream
// and however many processes write to it: here 64 writers in eight
// processes on one stream (a bounded number of retries failed about one run
// in two of this).
func TestAnyNeverConflicts(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	stores := []*eventstore.Store{s}
	for range 7 {
		other := eventstore.Open(s.Pool(), testCodec())
		defer other.Close()
		stores = append(stores, other)
	}
	const writers, each = 64, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		store := stores[w%len(stores)]
		wg.Go(func() {
			for n := range each {
				if _, err := store.Append(ctx, "hot", eventstore.Any, meta(), counted{Writer: w, N: n}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("an append expecting Any failed: %v", err)
	}
	events, err := s.ReadStream(ctx, "hot", 0)
	if err != nil || len(events) != writers*each {
		t.Fatalf("the stream holds %d events (%v), want %d", len(events), err, writers*each)
	}
}
