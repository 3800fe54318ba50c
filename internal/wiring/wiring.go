// Package wiring assembles one process of the restaurant from the roles it
// is given. It is the one place where the event store, the read models'
// runner, the live hub and the web handler are put together: `serve` uses
// it for every role, the benchmarks and the tests that start a server go
// through it too.
//
// internal/web's own tests cannot use it (this package imports
// internal/web), so they keep a setup of their own.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/accounts"
	"restaurant/internal/app"
	"restaurant/internal/demo"
	"restaurant/internal/live"
	"restaurant/internal/notify"
	"restaurant/internal/web"
	"restaurant/migrations"
	"restaurant/projections"
)

// Settings are what the operator chose for the process, through serve's
// flags and environment.
type Settings struct {
	// Addr is where the web role listens.
	Addr string
	// ConnsPerAddress caps one client address's open connections to the
	// web role; zero: no cap.
	ConnsPerAddress int
	// MetricsAddr serves /metrics on an address of its own, whatever the
	// roles; empty: none.
	MetricsAddr string
	// DemoMenu puts the demo menu on a restaurant that never had one.
	DemoMenu bool
	// AdminPassword creates or resets the admin manager; empty on a first
	// start: a password is generated and printed once.
	AdminPassword string
	// Web holds the web handler's own settings (limits, site, clock, time
	// zone, kitchen ageing); the wiring fills in what it assembles: the
	// pool, store, runner, read models, hub, sessions and accounts.
	Web web.Deps
	// Relay is where the relay role publishes.
	Relay RelaySettings
	// Notify configures the notify role; the wiring fills in its pool and
	// log. Without an AMQPURL it follows the event store in process.
	Notify notify.Config
	// Stdout is where the process says where it listens and prints a
	// generated admin password; nil: nowhere.
	Stdout io.Writer
	// Getenv reads the settings of a role's own; nil: none are set.
	Getenv func(string) string
}

// Runtime is one process: the application, what its roles share, and the
// roles it runs.
type Runtime struct {
	App      *app.App
	Log      *slog.Logger
	Settings Settings
	// Runner runs the read models and the policies in the projector role;
	// every role reads through it how far they have got (read-your-writes
	// waits, the projections page), from the database's checkpoints.
	Runner *projections.Runner
	// Roles are what this process runs, in start order.
	Roles []Role

	hub      *live.Hub
	hubOnce  sync.Once
	handler  http.Handler
	webOnce  sync.Once
	closers  []func()
	bg       context.Context
	stopBg   context.CancelFunc
	services sync.WaitGroup
}

// New assembles a process with the roles named, on an open application.
// It starts nothing: Prepare, then Run (or Start).
func New(a *app.App, log *slog.Logger, s Settings, roles []Role) *Runtime {
	if s.Stdout == nil {
		s.Stdout = io.Discard
	}
	if s.Getenv == nil {
		s.Getenv = func(string) string { return "" }
	}
	rt := &Runtime{App: a, Log: log, Settings: s, Roles: roles}
	rt.bg, rt.stopBg = context.WithCancel(context.Background())
	rt.Runner = projections.NewRunner(a.Store, log, append(projections.All(), projections.Policies(a.Store)...)...)
	rt.hub = live.NewHub()
	// A busy topic goes out at most every 50 µs per screen following it,
	// and at most every 50 ms: a thousand kitchen displays then get at most
	// 20 pushes a second each, however fast tickets change, while a guest's
	// own order, or any change after a quiet moment, goes out at once.
	rt.hub.PerFollower, rt.hub.MaxEvery = 50*time.Microsecond, 50*time.Millisecond
	rt.Runner.Notify = func(topics []live.Topic) {
		if err := rt.hub.Notify(context.Background(), a.Pool, topics); err != nil {
			log.Warn("live notices not sent", "err", err)
		}
	}
	return rt
}

// Runs reports whether the process runs the role.
func (rt *Runtime) Runs(name string) bool {
	for _, r := range rt.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// LiveHub is the process's live hub, which hears every process's change
// notices through PostgreSQL once something here follows it: the web
// role's screens, the projector's ticket scheduler.
func (rt *Runtime) LiveHub() *live.Hub {
	rt.hubOnce.Do(func() {
		rt.services.Go(func() { rt.hub.Listen(rt.bg, rt.App.Pool) })
	})
	return rt.hub
}

// Handler is the web role's handler, assembled once.
func (rt *Runtime) Handler() http.Handler {
	rt.webOnce.Do(func() {
		a := rt.App
		sessions, closeSessions := web.NewSessions(a.Pool)
		customerSessions, closeCustomerSessions := web.NewCustomerSessions(a.Pool)
		rt.closers = append(rt.closers, closeSessions, closeCustomerSessions)
		d := rt.Settings.Web
		d.Pool, d.Store, d.Runner = a.Pool, a.Store, rt.Runner
		d.Menus, d.Orders, d.Team, d.Tickets = projections.Menus{Pool: a.Pool}, projections.Orders{Pool: a.Pool}, projections.Team{Pool: a.Pool}, projections.Tickets{Pool: a.Pool}
		d.Customers = projections.Customers{Pool: a.Pool}
		d.Hub = rt.LiveHub()
		d.Sessions, d.Accounts = sessions, accounts.Accounts{Store: a.Store}
		d.CustomerSessions, d.CustomerAccounts = customerSessions, accounts.Customers{Store: a.Store}
		d.Pending = func(ctx context.Context) (int, error) { return migrations.Pending(ctx, a.Pool) }
		rt.handler = web.Handler(d)
	})
	return rt.handler
}

// metricsHandler serves the process's metrics: the event store's and the
// read models', and the web role's when it runs here.
func (rt *Runtime) metricsHandler() http.Handler {
	return web.MetricsHandler(web.Deps{Store: rt.App.Store, Runner: rt.Runner})
}

// startupLock is the advisory lock that lets one starting process at a
// time add the demo menu and the admin account. It is outside the range
// of hashtext, which keys the runners' locks.
const startupLock = 7_319_024_700

// Prepare does what every process does once before its roles start, one
// process at a time across the database, so that several starting at once
// add the demo menu once and agree on the admin's password (only the first
// prints a generated one). The schema is already up to date: app.Open
// migrates under goose's own advisory lock.
func (rt *Runtime) Prepare(ctx context.Context) error {
	a := rt.App
	locking := time.Now()
	conn, err := pgx.ConnectConfig(ctx, a.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect for the start-up lock: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(startupLock)); err != nil {
		return fmt.Errorf("take the start-up lock: %w", err)
	}
	// Closing the connection releases it too, if this fails.
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(startupLock))
	}()
	rt.Log.Debug("start-up step done", "step", "start-up lock", "took", time.Since(locking))

	began := time.Now()
	if rt.Settings.DemoMenu {
		added, err := demo.SeedMenu(ctx, a.Store)
		if err != nil {
			return err
		}
		if added > 0 {
			rt.Log.Info("demo menu added", "dishes", added)
		}
		rt.Log.Debug("start-up step done", "step", "demo menu", "took", time.Since(began))
	}
	began = time.Now()
	generated, err := accounts.Accounts{Store: a.Store}.EnsureAdmin(ctx, rt.Settings.AdminPassword)
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	rt.Log.Debug("start-up step done", "step", "admin account", "took", time.Since(began))
	if generated != "" {
		fmt.Fprintf(rt.Settings.Stdout, "Staff sign-in at /login: user %q, password %q (shown only this once; set RESTAURANT_ADMIN_PASSWORD to choose one)\n",
			accounts.AdminUsername, generated)
	}
	return nil
}

// WaitCaughtUp waits, at most within in all, until every read model and
// policy has applied the log as it is now, wherever they run; it returns
// those still behind.
func (rt *Runtime) WaitCaughtUp(ctx context.Context, within time.Duration) ([]string, error) {
	head, err := rt.App.Store.Head(ctx)
	if err != nil {
		return nil, err
	}
	// One look at every checkpoint first: on a restart most read models
	// are caught up already, and only those behind are waited for.
	ps := rt.Runner.Projections()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	at, err := rt.App.Store.Checkpoints(ctx, names)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(within)
	var behind []string
	for _, name := range names {
		if !at[name].Less(head) {
			continue
		}
		if none, err := rt.Runner.NothingBetween(ctx, name, at[name], head); err != nil {
			return nil, err
		} else if none {
			continue // none of its events since its saved place
		}
		rt.Log.Debug("waiting for a read model to catch up", "projection", name, "at", at[name], "head", head)
		ok, err := rt.Runner.WaitFor(ctx, name, head, max(time.Until(deadline), time.Millisecond))
		if err != nil {
			return nil, err
		}
		if !ok {
			behind = append(behind, name)
		}
	}
	return behind, nil
}

// Started is the process's roles, started.
type Started struct {
	rt      *Runtime
	running []*Running
	names   []string
	failed  chan error
}

// Start serves the metrics address and starts every role, in order; on an error
// it stops what it started. The roles work until Stop.
func (rt *Runtime) Start(ctx context.Context) (*Started, error) {
	st := &Started{rt: rt, failed: make(chan error, len(rt.Roles)+1)}
	if rt.Settings.MetricsAddr != "" {
		stop, err := serveMetrics(rt.Settings.MetricsAddr, rt.metricsHandler(), rt.Settings.Stdout, rt.Log)
		if err != nil {
			return nil, err
		}
		st.running, st.names = append(st.running, &Running{Stop: func(context.Context) error { stop(); return nil }}), append(st.names, "metrics")
	}
	for _, role := range rt.Roles {
		r, err := role.Start(ctx, rt)
		if err != nil {
			_ = st.Stop(context.Background())
			return nil, fmt.Errorf("start the %s role: %w", role.Name, err)
		}
		st.running, st.names = append(st.running, r), append(st.names, role.Name)
		if r.Failed != nil {
			go func(name string, failed <-chan error) {
				if err, ok := <-failed; ok && err != nil {
					st.failed <- fmt.Errorf("%s: %w", name, err)
				}
			}(role.Name, r.Failed)
		}
		rt.Log.Info("role running", "role", role.Name, "runs", role.Runs)
	}
	var what []string
	for _, r := range rt.Roles {
		what = append(what, r.Name+" ("+r.Runs+")")
	}
	fmt.Fprintf(rt.Settings.Stdout, "running %s\n", strings.Join(what, ", "))
	return st, nil
}

// Failed yields the first role whose work ended on its own.
func (st *Started) Failed() <-chan error { return st.failed }

// Stop stops the roles in the reverse of their start order, each
// gracefully within ctx, and waits for them.
func (st *Started) Stop(ctx context.Context) error {
	var errs []error
	for i := len(st.running) - 1; i >= 0; i-- {
		if err := st.running[i].Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", st.names[i], err))
		}
	}
	st.running, st.names = nil, nil
	return errors.Join(errs...)
}

// Run starts the roles and runs them until ctx ends, a role fails, or the
// embedded database stops; then it stops them, giving the web role ten
// seconds to finish its requests.
func (rt *Runtime) Run(ctx context.Context) error {
	st, err := rt.Start(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // asked to stop while starting
		}
		return err
	}
	var dbGone <-chan struct{} // nil, and never ready, with an external database
	if rt.App.Embedded != nil {
		dbGone = rt.App.Embedded.Exited()
	}
	var failure error
	select {
	case failure = <-st.Failed():
	case <-dbGone:
		failure = errors.New("the embedded PostgreSQL stopped unexpectedly; see postgres.log in DATA_DIR")
	case <-ctx.Done():
		rt.Log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(failure, st.Stop(shutdownCtx))
}

// Close ends what the roles shared (the hub's listening, the sessions'
// clean-up); call it after the roles have stopped, before closing the
// application.
func (rt *Runtime) Close() {
	rt.stopBg()
	rt.services.Wait()
	for _, c := range rt.closers {
		c()
	}
	rt.closers = nil
}
