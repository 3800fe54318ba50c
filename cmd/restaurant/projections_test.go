package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"restaurant/internal/bench"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

// Written to a file or a pipe (here a buffer), a rebuild's progress is one
// plain line per step, with no carriage returns to run together.
func TestRebuildProgressIntoAFileIsALinePerStep(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	pool, err := postgres.Open(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := eventstore.Open(pool, contracts.Codec())
	defer store.Close()
	var fill bytes.Buffer
	if err := bench.FillOrders(ctx, store, 3000, &fill); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"projections", "rebuild", "orders"}, func(k string) string {
		return map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}[k]
	}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"filling the log": fill.String(), "the rebuild": out.String()} {
		if strings.Contains(s, "\r") {
			t.Errorf("%s writes carriage returns into a buffer:\n%q", name, s)
		}
	}
	var steps []string
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "rebuilding orders: ") {
			steps = append(steps, strings.TrimSpace(line))
		}
	}
	if len(steps) < 2 || !strings.HasSuffix(steps[len(steps)-1], "events (100 %)") {
		t.Fatalf("want a line per step ending at 100 %%, got:\n%s", &out)
	}
	if !strings.Contains(fill.String(), "filling the log: 3") || !strings.HasSuffix(strings.TrimSpace(fill.String()), "(100 %)") {
		t.Errorf("filling the log reports:\n%s", &fill)
	}
}
