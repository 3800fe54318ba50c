package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"restaurant/internal/app"
	"restaurant/internal/bench"
	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
)

// runBenchChain is "restaurant bench chain": restaurants of a chain on one
// PostgreSQL server, sharing one event store or each in a database of its
// own, under the same load (see internal/bench/chain.go).
func runBenchChain(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench chain", getenv, stdout)
	restaurants := fs.String("restaurants", "1,4,16", "restaurants in the chain, comma separated: one run of each layout per count")
	writers := fs.Int("writers", 2, "guests ordering at once in each restaurant")
	server := *cfg // before startBench points it at its own scratch database
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	counts, err := positiveInts("restaurants", *restaurants)
	if err != nil {
		return err
	}
	if *writers < 1 {
		return fmt.Errorf("-writers must be at least 1")
	}
	// A partitioned restaurant's database sits on the server the shared one
	// is on: the embedded server, or the configured one.
	ownerURL := server.MigrateDatabaseURL
	if ownerURL == "" {
		ownerURL = server.DatabaseURL
	}
	if env.app.Embedded != nil {
		ownerURL = env.app.Embedded.ConnString("postgres")
	}
	quiet := slog.New(slog.DiscardHandler)
	open := func(ctx context.Context) (*eventstore.Store, func(), error) {
		name, drop, err := scratchDatabase(ctx, ownerURL)
		if err != nil {
			return nil, nil, err
		}
		url, err := postgres.WithDatabase(ownerURL, name)
		if err != nil {
			drop()
			return nil, nil, err
		}
		a, err := app.Open(ctx, app.Config{DatabaseURL: url, LogLevel: "error"}, quiet)
		if err != nil {
			drop()
			return nil, nil, err
		}
		return a.Store, func() { a.Close(); drop() }, nil
	}
	figs, err := bench.RunChain(ctx, bench.ChainOptions{
		Restaurants: counts, Writers: *writers, Duration: env.duration, Open: open,
		Shared: env.app.Store, PgBench: env.pgbench, PgBenchConn: []string{env.app.ConnString},
	}, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	return writeJSONFile(env.jsonOut, figs)
}
