package quota

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestTakeHoldsAcrossProcesses has two pools on one database, as two
// server processes would, take uses of one key at once: exactly the limit
// are granted, whoever asks.
func TestTakeHoldsAcrossProcesses(t *testing.T) {
	url := testdb.URL(t)
	ctx := context.Background()
	var counters []Counter
	for range 2 {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		counters = append(counters, Counter{Pool: pool})
	}
	window := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	var granted atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			_, ok, err := counters[i%2].Take(ctx, window, Limit{Key: "placed:address:a", Max: 7})
			if err != nil {
				t.Error(err)
			}
			if ok {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := granted.Load(); n != 7 {
		t.Fatalf("%d uses granted, want 7", n)
	}
}

func TestTakeCountsEveryLimitOrNone(t *testing.T) {
	c := Counter{Pool: testdb.New(t)}
	ctx := context.Background()
	window := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	guest := func(g string) Limit { return Limit{Key: "placed:" + g, Max: 2} }
	address := Limit{Key: "placed:address:a", Max: 3}
	steps := []struct {
		guest  string
		wantOK bool
	}{
		{"g1", true}, {"g1", true},
		{"g1", false}, // the guest's limit; the address keeps its third use
		{"g2", true},
		{"g3", false}, // the address's limit
	}
	for i, s := range steps {
		refused, ok, err := c.Take(ctx, window, guest(s.guest), address)
		if err != nil || ok != s.wantOK {
			t.Fatalf("step %d: ok %v (refused by %q), err %v; want ok %v", i, ok, refused.Key, err, s.wantOK)
		}
	}
	// A use given back may be taken again; the next window starts afresh
	// and forgets the past one.
	if err := c.Return(ctx, window, guest("g2").Key, address.Key); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Take(ctx, window, guest("g3"), address); !ok {
		t.Fatal("a use given back was not granted again")
	}
	next := window.Add(time.Hour)
	if _, ok, _ := c.Take(ctx, next, guest("g1"), address); !ok {
		t.Fatal("the next window should start afresh")
	}
	var old int
	_ = c.Pool.QueryRow(ctx, `SELECT count(*) FROM quota_uses WHERE window_start < $1`, next).Scan(&old)
	if old != 0 {
		t.Fatalf("%d rows of the past window kept", old)
	}
}
