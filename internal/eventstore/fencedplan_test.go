package eventstore_test

import (
	"context"
	"strings"
	"testing"

	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// A caught-up subscriber asks, each time it wakes and finds nothing, whether
// events wait behind the fence. That question must cost the same on a log of
// a million events as on an empty one: PostgreSQL must answer it from the
// log's index, starting at the cursor, with the plan it keeps for the
// prepared statement (generic once it has run a few times), never by reading
// the whole table.
func TestTheFenceCheckReadsTheIndexNotTheLog(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	s := eventstore.Open(pool, testCodec())
	t.Cleanup(s.Close)
	if _, err := pool.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data,
			command_id, correlation_id, causation_id, actor)
		SELECT gen_random_uuid(), 'counted-' || g, 1, 'test.Counted', 1, '{"writer":1,"n":1}',
			gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'test'
		FROM generate_series(1, 50000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE events`); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `PREPARE fenced(xid8, bigint) AS `+eventstore.FencedSQL); err != nil {
		t.Fatal(err)
	}
	var last string
	if err := conn.QueryRow(ctx, `SELECT max(transaction_id)::text FROM events`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN (FORMAT TEXT) EXECUTE fenced('`+last+`', 0)`)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "\n")
	if strings.Contains(got, "Seq Scan") || !strings.Contains(got, "events_transaction_position_idx") {
		t.Fatalf("the fence check does not walk the log's index from the cursor:\n%s", got)
	}
}
