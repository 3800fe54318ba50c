package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

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
	every := fs.Duration("every", 100*time.Millisecond, "least time between two orders; the kitchen board goes to many screens at most every 50 ms, and orders closer together wait for that window")
	stuck := fs.Int("stuck", 0, "extra screens that connect and never read; the orders are then timed again beside them")
	dialers := fs.Int("dialers", 32, "screens that connect at once")
	serverProfile := fs.String("server-cpuprofile", "", "write a CPU profile of the server to this file, taken while the orders for the last number of screens are placed")
	profileSeconds := fs.Int("server-cpuprofile-seconds", 10, "length of the server's CPU profile; orders go on until it ends")
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
	if *dialers < 1 {
		return fmt.Errorf("-dialers: %d is not a number of screens", *dialers)
	}
	if *profileSeconds < 1 {
		return fmt.Errorf("-server-cpuprofile-seconds: give 1 or more")
	}
	// Each screen is a socket here and another in the server.
	need := uint64(slices.Max(ns) + *stuck + fileSlack)
	fl, err := raiseFileLimit()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "this process's "+fl.String())
	if fl.Soft < need {
		return fmt.Errorf("%d screens need about %d open files, and this process may open %d: raise the hard limit (ulimit -Hn, or LimitNOFILE= in systemd)", need-fileSlack, need, fl.Soft)
	}
	server, err := startServerProcess(ctx, env.app.ConnString, *serverProfile != "")
	if err != nil {
		return err
	}
	defer server.stop()
	soft, hard, err := processFileLimit(server.pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the server's (process %d, its own) open files: soft limit %d, hard %d\n", server.pid, soft, hard)
	if soft < need {
		return fmt.Errorf("%d screens need about %d open files in the server, and it may open %d", need-fileSlack, need, soft)
	}
	opts := bench.LiveOptions{Sockets: ns, Orders: *orders, Every: *every, Stuck: *stuck, Base: server.base, PID: server.pid, Metrics: server.metrics,
		Username: "admin", Password: server.password, Dialers: *dialers}
	if *serverProfile != "" {
		opts.ProfileServer = func(ctx context.Context) <-chan error {
			return profileServerFor(ctx, server.debug, *profileSeconds, *serverProfile)
		}
	}
	figs, err := bench.RunLive(ctx, opts, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	b, err := json.MarshalIndent(figs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(env.jsonOut, append(b, '\n'), 0o644)
}

// fileSlack is the open files a process needs beside its screens: the
// database's connections, the commands' clients, logs and listeners.
const fileSlack = 256
