package projections_test

import (
	"context"
	"testing"
	"time"

	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// TestAStandingByRunnerTakesOverTheMomentTheLeaderStops runs two
// "processes" on one database: the second waits on every projection's lock,
// through several of its lock timeouts, and takes over as soon as the first
// goes away, not after a pause.
func TestAStandingByRunnerTakesOverTheMomentTheLeaderStops(t *testing.T) {
	projections.SetStandbyCheck(t, 300*time.Millisecond)
	first := newStore(t)
	second := eventstore.Open(first.Pool(), contracts.Codec())
	t.Cleanup(second.Close)
	ctx := context.Background()
	// locks counts this database's runner locks held (granted) or waited for.
	locks := func(granted bool) int {
		t.Helper()
		var n int
		if err := first.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND granted = $1
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, granted).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	r1, stop1 := run(t, first)
	want := len(r1.Projections())
	eventually(t, 15*time.Second, "the first runner leads every projection", func() bool { return locks(true) == want })
	r2, _ := run(t, second)
	eventually(t, 15*time.Second, "the second runner waits on every lock", func() bool { return locks(false) == want })

	// Its waits end at the lock timeout and start again on the same
	// connections: a wait younger than the first seen has begun since.
	var since time.Time
	if err := first.Pool().QueryRow(ctx, `SELECT max(a.query_start) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`).Scan(&since); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "every wait to start again after its lock timeout", func() bool {
		var oldest time.Time
		if err := first.Pool().QueryRow(ctx, `SELECT min(a.query_start) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`).Scan(&oldest); err != nil {
			t.Fatal(err)
		}
		return oldest.After(since) && locks(false) == want
	})

	trade(t, first, 3)
	caughtUp(t, first, r1)
	stop1()
	stopped := time.Now()
	eventually(t, 15*time.Second, "the second runner to lead every projection", func() bool { return locks(true) == want && locks(false) == 0 })
	// A runner that only looked again after its pause would take a second.
	if took := time.Since(stopped); took > 900*time.Millisecond {
		t.Fatalf("the runner standing by took %s to take over", took)
	}
	trade(t, second, 2)
	caughtUp(t, second, r2)
	var failures int
	if err := first.Pool().QueryRow(ctx, `SELECT count(*) FROM checkpoints WHERE last_error IS NOT NULL`).Scan(&failures); err != nil {
		t.Fatal(err)
	}
	if failures != 0 {
		t.Fatalf("%d projections recorded an error while standing by", failures)
	}
}
