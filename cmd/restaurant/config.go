package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"restaurant/internal/app"
	"restaurant/internal/eventstore"
)

// flags makes a subcommand's flag set with the shared configuration, each
// flag defaulting from its environment variable.
func flags(name string, getenv func(string) string, stdout io.Writer) (*flag.FlagSet, *app.Config) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	setUsage(fs, name, stdout)
	cfg := &app.Config{}
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "ADDR", ":8080"), "address to listen on (ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL to use; empty runs the embedded one (DATABASE_URL)")
	fs.StringVar(&cfg.MigrateDatabaseURL, "migrate-database-url", getenv("MIGRATE_DATABASE_URL"), "the owner's PostgreSQL, for migrations and grants; empty migrates with DATABASE_URL (MIGRATE_DATABASE_URL)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(getenv, "DATA_DIR", "data"), "home of the embedded PostgreSQL (DATA_DIR)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(getenv, "LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	// A malformed SNAPSHOT_EVERY reads as -1, which opening the app refuses.
	every, err := envInt(getenv, "SNAPSHOT_EVERY", eventstore.DefaultSnapshotEvery)
	if err != nil {
		every = -1
	}
	fs.IntVar(&cfg.SnapshotEvery, "snapshot-every", every,
		"snapshot a long stream's state each time it grows by this many events, so it loads from there; 0: never (SNAPSHOT_EVERY)")
	return fs, cfg
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

// newLogger logs in text to standard error, at the configured level.
func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// describeDatabase names the database for people, without its password.
func describeDatabase(cfg *app.Config) string {
	if cfg.DatabaseURL == "" {
		abs, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			abs = cfg.DataDir
		}
		return "embedded PostgreSQL in " + abs
	}
	return "external PostgreSQL (DATABASE_URL)"
}

// positiveInts parses a comma-separated list of counts for a flag.
func positiveInts(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-%s: %q is not a positive number", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// openApp opens the application with the configured logger, for the
// subcommands that work on the database and exit.
func openApp(ctx context.Context, cfg *app.Config) (*app.App, error) {
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, *cfg, log)
}
