package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"restaurant/internal/bench"
	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

// TestBenchLoadsARunningServer runs the mixed load briefly against a
// running server: guests place orders, cooks work them from a kitchen
// screen, and the report counts what happened, with its baseline.
func TestBenchLoadsARunningServer(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "a long bench password", "LOG_LEVEL": "error",
		"METRICS_TOKEN": "a bench scrape token"} // the bench reads /metrics with it
	maps.Copy(env, unlimitedOrders)
	base := startServer(t, env)
	report := filepath.Join(t.TempDir(), "bench.json")
	out := &output{}
	err := run(context.Background(), []string{"bench", "-url", base, "-duration", "3s", "-guests", "3", "-cooks", "1",
		"-kitchen-screens", "3", "-guest-screens", "3", "-json", report},
		func(k string) string { return env[k] }, strings.NewReader(""), out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.MixReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Orders == 0 || r.Commands < 4*r.Orders || r.Pages < r.Orders {
		t.Fatalf("%d orders placed with %d commands and %d pages:\n%s", r.Orders, r.Commands, r.Pages, out)
	}
	if len(r.Errors) != 0 {
		t.Fatalf("the load met errors: %v\n%s", r.Errors, out)
	}
	if r.KitchenScreenSamples == 0 || r.KitchenScreenP99 < r.KitchenScreenP50 {
		t.Fatalf("kitchen screens: %d samples, p50 %.1f ms, p99 %.1f ms", r.KitchenScreenSamples, r.KitchenScreenP50, r.KitchenScreenP99)
	}
	if r.BareRequestsPerSec <= 0 || r.RatioToBare <= 0 || r.PgBenchInserts != 0 {
		t.Fatalf("baselines: bare handler %.0f/s (ratio %.2f), pgbench %.0f/s (not run against another server)", r.BareRequestsPerSec, r.RatioToBare, r.PgBenchInserts)
	}
	if r.ServerRSS <= 0 || r.ServerHeap <= 0 {
		t.Fatalf("server memory: %d RSS, %d heap", r.ServerRSS, r.ServerHeap)
	}
	for _, want := range []string{"commands", "commit to kitchen screen", "bare net/http handler"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("the printed report has no %q:\n%s", want, out)
		}
	}
}

// TestBenchChainChecksEveryRestaurantsLog runs the chain's simulation
// briefly on a server of its own: both layouts at two restaurants, each
// restaurant's log checked whole and in order, the baseline beside them,
// and the partitioned restaurants' databases gone afterwards.
func TestBenchChainChecksEveryRestaurantsLog(t *testing.T) {
	owner := testdb.EmptyURL(t)
	env := map[string]string{"DATABASE_URL": owner, "LOG_LEVEL": "error"}
	databases := func() int {
		pool, err := postgres.Open(context.Background(), owner, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_database`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := databases()
	report := filepath.Join(t.TempDir(), "chain.json")
	out := &output{}
	err := run(context.Background(), []string{"bench", "chain", "-restaurants", "2", "-writers", "1", "-duration", "1s", "-json", report},
		func(k string) string { return env[k] }, strings.NewReader(""), out)
	if err != nil {
		t.Fatalf("bench chain: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var figs []bench.ChainFigure
	if err := json.Unmarshal(b, &figs); err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 || figs[0].Layout != "shared" || figs[1].Layout != "partitioned" {
		t.Fatalf("want a shared and a partitioned run, got %+v", figs)
	}
	for _, f := range figs {
		if !f.Checked || f.Restaurants != 2 || f.Orders == 0 || f.Events != 11*f.Orders || f.PerRestMinS <= 0 || f.PgBench <= 0 || f.Ratio <= 0 {
			t.Fatalf("%s: %+v", f.Layout, f)
		}
	}
	if after := databases(); after != before {
		t.Fatalf("%d databases before the bench, %d after: the restaurants' databases were left behind", before, after)
	}
	if !strings.Contains(out.String(), "partitioned") {
		t.Fatalf("the printed table has no partitioned row:\n%s", out)
	}
}
