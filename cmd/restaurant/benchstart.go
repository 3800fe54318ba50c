package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"restaurant/internal/bench"
)

// runBenchStart is "restaurant bench start": the time from starting the
// server to its first page, on a new DATA_DIR and again on that one.
func runBenchStart(ctx context.Context, args []string, stdout io.Writer) error {
	// Each start makes a DATA_DIR of its own on the embedded PostgreSQL, on
	// a free port: none of the shared database flags apply.
	fs := flag.NewFlagSet("bench start", flag.ContinueOnError)
	fs.SetOutput(stdout)
	setUsage(fs, "bench start", stdout)
	runs := fs.Int("runs", 5, "starts of each kind: each run a new DATA_DIR, started twice")
	binary := fs.String("binary", "", "the restaurant program to start; empty: this one")
	jsonOut := fs.String("json", "", "also write the figures to this JSON file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	bin := *binary
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		bin = self
	}
	figs, err := bench.RunStart(ctx, bench.StartOptions{Binary: bin, Runs: *runs, Env: os.Environ()}, stdout)
	if err != nil || *jsonOut == "" {
		return err
	}
	return writeJSONFile(*jsonOut, figs)
}
