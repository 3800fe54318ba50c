package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"restaurant/internal/bench"
)

// runBenchLive is "restaurant bench live": N kitchen screens on a server
// running as its own process (so its memory is its own), orders placed one
// after another, commit-to-screen latency and memory per idle screen; with
// -stuck, the latency again beside screens that never read.
func runBenchLive(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench live", getenv, stdout)
	sockets := fs.String("sockets", "1,100,1000", "kitchen screens, comma separated")
	orders := fs.Int("orders", 20, "orders placed for each number of screens")
	stuck := fs.Int("stuck", 0, "extra screens that connect and never read; the orders are then timed again beside them")
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	ns, err := positiveInts("sockets", *sockets)
	if err != nil {
		return err
	}
	if *stuck < 0 {
		return fmt.Errorf("-stuck: %d is not a number of screens", *stuck)
	}
	server, err := startServerProcess(ctx, env.app.ConnString, false)
	if err != nil {
		return err
	}
	defer server.stop()
	figs, err := bench.RunLive(ctx, bench.LiveOptions{Sockets: ns, Orders: *orders, Stuck: *stuck, Base: server.base, PID: server.pid, Metrics: server.metrics,
		Username: "admin", Password: server.password}, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	b, err := json.MarshalIndent(figs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(env.jsonOut, append(b, '\n'), 0o644)
}
