package eventstore_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// queryCounter counts the statements a pool sends, and among them the
// subscribers' reads of the log.
type queryCounter struct{ n, reads atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	if strings.Contains(data.SQL, "FROM events") && strings.Contains(data.SQL, "pg_snapshot_xmin") {
		c.reads.Add(1)
	}
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// countedStore opens a store whose every statement is counted.
func countedStore(t *testing.T) (*eventstore.Store, *queryCounter) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := eventstore.Open(pool, testCodec())
	t.Cleanup(s.Close)
	return s, counter
}

// TestAHeldFenceCostsLittle holds the fence for two seconds with a few idle
// subscribers waiting behind it and counts the statements the store sends
// meanwhile: they back off instead of re-reading every few milliseconds.
func TestAHeldFenceCostsLittle(t *testing.T) {
	ctx := context.Background()
	s, counter := countedStore(t)
	const subscribers = 3
	var delivered atomic.Int64
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for i := range subscribers {
		wg.Go(func() {
			_ = s.Subscribe(runCtx, "idle-"+string(rune('a'+i)), func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
				delivered.Add(int64(len(events)))
				return nil
			}, eventstore.SubscribeOptions{})
		})
	}
	release := testdb.HoldFence(t, `CREATE TABLE fence_holder (n int)`).Release
	if _, err := s.Append(ctx, "behind-the-fence", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
		t.Fatal(err)
	}

	// A measurement window, not synchronisation: count what two seconds of
	// a held fence cost.
	const window = 2 * time.Second
	before := counter.n.Load()
	<-time.After(window)
	sent := counter.n.Load() - before
	perSecond := float64(sent) / window.Seconds()
	t.Logf("%d subscribers behind a held fence: %d statements in %s (%.0f a second)", subscribers, sent, window, perSecond)
	if delivered.Load() != 0 {
		t.Fatal("an event behind the fence was delivered")
	}
	if perSecond > 30*subscribers {
		t.Errorf("a held fence costs %.0f statements a second for %d idle subscribers; want at most %d", perSecond, subscribers, 30*subscribers)
	}

	release()
	waitFor(t, "the events once the fence clears", func() bool { return delivered.Load() == subscribers })
}
