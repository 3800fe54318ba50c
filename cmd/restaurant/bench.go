package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"time"

	"restaurant/internal/app"
	"restaurant/internal/bench"
	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
)

// bench measures the event store on a fresh database: on a new embedded
// server (durable, as in production) or, with -database-url, in a new
// database on that server, dropped afterwards.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "http" {
		return runBenchHTTP(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "live" {
		return runBenchLive(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "store" {
		return runBenchStore(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "rebuild" {
		return runBenchRebuild(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "start" {
		return runBenchStart(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "chain" {
		return runBenchChain(ctx, args[1:], getenv, stdout)
	}
	return runBenchMix(ctx, args, getenv, stdout)
}

// runBenchStore is "restaurant bench store": appends and reading the whole
// log, beside pgbench's one-row insert and COPY.
func runBenchStore(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench store", getenv, stdout)
	writers := fs.String("writers", "1,8,32", "concurrent writers, comma separated")
	events := fs.Int("events", 200000, "events in the log for the read-all measurement")
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	ws, err := positiveInts("writers", *writers)
	if err != nil {
		return err
	}
	a := env.app
	report, err := bench.Run(ctx, a.Store, bench.Options{
		Writers: ws, Duration: env.duration, Events: *events,
		PgBench: env.pgbench, PgBenchConn: []string{a.ConnString},
	}, stdout)
	if err != nil {
		return err
	}
	if env.jsonOut != "" {
		return bench.WriteJSON(env.jsonOut, report)
	}
	return nil
}

// runBenchRebuild is "restaurant bench rebuild": every read model rebuilt
// from a log of whole orders, beside a COPY of the same rows.
func runBenchRebuild(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench rebuild", getenv, stdout)
	events := fs.Int("events", 1000000, "events in the log to rebuild from")
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	if *events < 1 {
		return fmt.Errorf("-events must be at least 1")
	}
	fig, err := bench.RunRebuild(ctx, env.app.Store, *events, os.Stderr, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	return writeJSONFile(env.jsonOut, fig)
}

// writeJSONFile writes a report as indented JSON.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// benchEnv is what every measurement starts from.
type benchEnv struct {
	app      *app.App
	log      *slog.Logger
	pgbench  string
	duration time.Duration
	jsonOut  string
	close    func()
}

// startBench adds the flags every measurement shares, parses them, and
// opens the application on a fresh database.
func startBench(ctx context.Context, fs *flag.FlagSet, cfg *app.Config, args []string) (*benchEnv, error) {
	env := &benchEnv{}
	fs.DurationVar(&env.duration, "duration", 10*time.Second, "length of each measurement")
	fs.StringVar(&env.jsonOut, "json", "", "also write the figures to this JSON file")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process to the file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	if env.log, err = newLogger(cfg.LogLevel); err != nil {
		return nil, err
	}
	if env.pgbench, err = findPgBench(); err != nil {
		return nil, err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return nil, err
	}
	a, cleanup, err := benchApp(ctx, cfg, env.log)
	if err != nil {
		stopProfile()
		return nil, err
	}
	env.app = a
	env.close = func() { cleanup(); stopProfile() }
	return env, nil
}

// benchApp opens the application on a fresh database: a new durable
// embedded server, or a scratch database on the configured one.
func benchApp(ctx context.Context, cfg *app.Config, log *slog.Logger) (*app.App, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	if cfg.DatabaseURL == "" {
		dir, err := os.MkdirTemp("", "restaurant-bench-")
		if err != nil {
			return nil, nil, err
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			cleanup()
			return nil, nil, err
		}
		cfg.DataDir = dir
	} else {
		owner := cfg.DatabaseURL
		if cfg.MigrateDatabaseURL != "" {
			owner = cfg.MigrateDatabaseURL
		}
		name, drop, err := scratchDatabase(ctx, owner)
		if err != nil {
			return nil, nil, err
		}
		cleanups = append(cleanups, drop)
		if cfg.MigrateDatabaseURL != "" {
			cfg.MigrateDatabaseURL, err = postgres.WithDatabase(cfg.MigrateDatabaseURL, name)
		}
		if err == nil {
			cfg.DatabaseURL, err = postgres.WithDatabase(cfg.DatabaseURL, name)
		}
		if err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	a, err := app.Open(ctx, *cfg, log)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { a.Close() })
	return a, cleanup, nil
}

// startCPUProfile profiles this process into path, if one is given.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func findPgBench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	dir, err := pgembed.FindBinaries(nil, 0)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "pgbench")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("pgbench is not installed beside %s (Debian: apt-get install postgresql-contrib or postgresql-client): %w", dir, err)
	}
	return p, nil
}

// scratchDatabase creates a throwaway database on an external server and
// returns its name.
func scratchDatabase(ctx context.Context, url string) (string, func(), error) {
	admin, err := postgres.Open(ctx, url, 1)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "restaurant_bench_" + hex.EncodeToString(b)
	if err := postgres.CreateDatabase(ctx, admin, name, ""); err != nil {
		admin.Close()
		return "", nil, err
	}
	return name, func() {
		_ = postgres.DropDatabase(context.Background(), admin, name)
		admin.Close()
	}, nil
}
