package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// These benchmarks run on the test database: the throwaway server (fsync
// off) unless DATABASE_URL names another. They measure the store's own cost;
// "restaurant bench" measures durable commits against pgbench and COPY.

func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 32} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openStore(b, testCodec())
			ctx := context.Background()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range writers {
				wg.Go(func() {
					version := 0
					stream := fmt.Sprintf("bench-%d", w)
					for next.Add(1) <= int64(b.N) {
						if _, err := s.Append(ctx, stream, eventstore.Exact(version), eventstore.Metadata{CommandID: uuid.New(), Actor: "bench"}, counted{Writer: w, N: version}); err != nil {
							b.Error(err)
							return
						}
						version++
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

func BenchmarkReadAll(b *testing.B) {
	s := openStore(b, testCodec())
	ctx := context.Background()
	const events = 50000
	if _, err := s.Pool().Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		SELECT gen_random_uuid(), 's-' || (g / 10), g % 10 + 1, 'test.Counted', 1, json_build_object('writer', 1, 'n', g), gen_random_uuid(), gen_random_uuid(), 'bench'
		FROM generate_series(0, $1 - 1) g`, events); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := s.Replay(ctx, eventstore.Cursor{}, 5000, func(batch []eventstore.RecordedEvent) error { n += len(batch); return nil }); err != nil {
			b.Fatal(err)
		}
		if n != events {
			b.Fatalf("read %d events, want %d", n, events)
		}
	}
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkLoadLongStream runs a command that decides nothing on a stream
// of 10,000 events, loading it cold each time (as a process that has not
// folded it yet), from its first event and from its snapshot, and reports
// both and their ratio.
func BenchmarkLoadLongStream(b *testing.B) {
	pool := testdb.New(b)
	ctx := context.Background()
	const events = 10000
	if _, err := pool.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
		SELECT gen_random_uuid(), 'ledger-long', g, 'test.Deposited', 1, json_build_object('amount', 1), gen_random_uuid(), gen_random_uuid(), 'bench'
		FROM generate_series(1, $1) g`, events); err != nil {
		b.Fatal(err)
	}
	without := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(0))
	with := eventstore.Open(pool, ledgerCodec(), eventstore.SnapshotEvery(eventstore.DefaultSnapshotEvery))
	b.Cleanup(without.Close)
	b.Cleanup(with.Close)
	d := ledgerDecider(1, nil)
	load := func(s *eventstore.Store) time.Duration {
		eventstore.ForgetAggregates(s)
		start := time.Now()
		res, err := eventstore.Handle(ctx, s, "ledger-long", d, eventstore.Metadata{CommandID: uuid.New(), Actor: "bench"}, any(check{}))
		if err != nil || res.StreamVersion != events {
			b.Fatalf("%+v, %v", res, err)
		}
		return time.Since(start)
	}
	load(with) // writes the snapshot
	var full, snap time.Duration
	b.ResetTimer()
	for b.Loop() {
		full += load(without)
		snap += load(with)
	}
	n := float64(b.N)
	b.ReportMetric(full.Seconds()*1000/n, "ms/load-full")
	b.ReportMetric(snap.Seconds()*1000/n, "ms/load-snapshot")
	b.ReportMetric(full.Seconds()/snap.Seconds(), "x-faster")
}
