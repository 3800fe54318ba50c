package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"time"

	"restaurant/internal/bench"
	"restaurant/internal/demo"
	"restaurant/internal/web"
	"restaurant/internal/wiring"
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
	// The process's own assembly: the projector role runs here, and the
	// load goes to the web role's handler, served by the bench beside its
	// baselines.
	roles, err := wiring.ParseRoles(wiring.RoleProjector)
	if err != nil {
		return err
	}
	rt := wiring.New(a, log, wiring.Settings{
		DemoMenu: true,
		Web: web.Deps{
			// The load orders from one address, far past what one guest would.
			OrderLimits: web.OrderLimits{OpenedPerGuest: 1e9, OpenedPerAddress: 1e9, PlacedPerGuest: 1e9, PlacedPerAddress: 1e9},
		},
	}, roles)
	defer rt.Close()
	if err := rt.Prepare(ctx); err != nil {
		return err
	}
	started, err := rt.Start(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = started.Stop(context.Background()) }()
	if err := bench.PhotographDishes(ctx, a.Store, a.Pool, demo.DishIDs()); err != nil {
		return err
	}
	handler := rt.Handler()
	if behind, err := rt.WaitCaughtUp(ctx, 10*time.Second); err != nil || len(behind) > 0 {
		log.Warn("read models still catching up", "projections", behind, "error", err)
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
