package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"time"

	"restaurant/internal/bench"
	"restaurant/internal/demo"
	"restaurant/internal/live"
	"restaurant/internal/web"
	"restaurant/migrations"
	"restaurant/projections"
)

// runBenchHTTP is "restaurant bench http": wrk against the menu page and the
// add-item command, beside a bare handler and pgbench, on a fresh database.
func runBenchHTTP(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench http", getenv, stdout)
	conns := fs.Int("connections", 32, "concurrent connections, for wrk and pgbench alike")
	orders := fs.Int("orders", 4000, "open orders the add-item load spreads over")
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	a, log := env.app, env.log
	runner := projections.NewRunner(a.Store, log, append(projections.All(), projections.Policies(a.Store)...)...)
	hub := live.NewHub()
	runner.Notify = func(topics []live.Topic) {
		if err := live.Notify(context.Background(), a.Pool, topics); err != nil {
			slog.Warn("live notices not sent", "err", err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); runner.Run(runCtx) }()
	go hub.Listen(runCtx, a.Pool)
	defer func() { stop(); <-done }()
	if _, err := demo.SeedMenu(ctx, a.Store); err != nil {
		return err
	}
	if err := bench.PhotographDishes(ctx, a.Store, a.Pool, demo.DishIDs()); err != nil {
		return err
	}
	handler := web.Handler(web.Deps{
		Pool: a.Pool, Store: a.Store, Runner: runner,
		Menus: projections.Menus{Pool: a.Pool}, Orders: projections.Orders{Pool: a.Pool},
		Pending: func(ctx context.Context) (int, error) { return migrations.Pending(ctx, a.Pool) },
		Hub:     hub,
		// The load orders from one address, far past what one guest would.
		OrderLimits: web.OrderLimits{OpenedPerGuest: 1e9, OpenedPerAddress: 1e9, PlacedPerGuest: 1e9, PlacedPerAddress: 1e9},
	})
	if head, err := a.Store.Head(ctx); err == nil {
		_, _ = runner.WaitFor(ctx, "menu", head, 10*time.Second)
	}
	figs, err := bench.RunHTTP(ctx, a.Pool, handler, bench.HTTPOptions{
		Connections: *conns, Duration: env.duration, Orders: *orders,
		PgBench: env.pgbench, PgBenchConn: []string{a.ConnString},
	}, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	b, err := json.MarshalIndent(figs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(env.jsonOut, append(b, '\n'), 0o644)
}
