package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"restaurant/internal/connlimit"
	"restaurant/projections"
)

// A Role is one kind of work a process can do. Adding a role is one entry
// in Roles: its name, what it runs, and its start function, which returns
// how it stops.
type Role struct {
	Name string
	// Runs says what the role runs, for the help and the log.
	Runs string
	// Start starts the role's work on rt and returns once it is under
	// way; the work goes on until the returned Stop. ctx ends when the
	// process is asked to stop, which should cut short any wait at start;
	// the work itself lives on (context.WithoutCancel) until Stop, so that
	// the roles stop in order.
	Start func(ctx context.Context, rt *Runtime) (*Running, error)
}

// Running is a started role.
type Running struct {
	// Failed yields an error if the work ends on its own, and is closed
	// once it has ended; nil: it only ends at Stop.
	Failed <-chan error
	// Stop ends the work, gracefully within ctx, and waits for it.
	Stop func(ctx context.Context) error
}

// The roles' names.
const (
	RoleWeb       = "web"
	RoleProjector = "projector"
	RoleRelay     = "relay"
	RoleNotify    = "notify"
)

// Roles are every role a process can run, in the order they start (and the
// reverse of the order they stop): the projector first, so that the web
// role's first pages find the read models caught up.
var Roles = []Role{
	{Name: RoleProjector, Runs: "read models, policies and the ticket scheduler", Start: startProjector},
	{Name: RoleRelay, Runs: "integration messages published to RabbitMQ, when AMQP_URL is set", Start: startRelay},
	{Name: RoleNotify, Runs: "guests' emails about their orders, by SMTP_URL or into DATA_DIR/outbox", Start: startNotify},
	{Name: RoleWeb, Runs: "pages, commands and live screens", Start: startWeb},
}

// RoleNames lists the roles' names, comma separated.
func RoleNames(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	return strings.Join(names, ",")
}

// ParseRoles reads a comma-separated list of role names, in any order; an
// empty list is every role. The roles come back in start order.
func ParseRoles(list string) ([]Role, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(Roles), nil
	}
	asked := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if !slices.ContainsFunc(Roles, func(r Role) bool { return r.Name == name }) {
			return nil, fmt.Errorf("unknown role %q: the roles are %s", name, strings.ReplaceAll(RoleNames(Roles), ",", ", "))
		}
		asked[name] = true
	}
	if len(asked) == 0 {
		return nil, fmt.Errorf("no role in %q: the roles are %s", list, strings.ReplaceAll(RoleNames(Roles), ",", ", "))
	}
	var roles []Role
	for _, r := range Roles {
		if asked[r.Name] {
			roles = append(roles, r)
		}
	}
	return roles, nil
}

// startProjector runs the read models and the policies (one active runner
// per projection across every process, through advisory locks: the others
// stand by to take over), and the scheduler that opens the tickets of
// orders for later.
func startProjector(ctx context.Context, rt *Runtime) (*Running, error) {
	work, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { rt.Runner.Run(work) })
	scheduler := &projections.TicketScheduler{Store: rt.App.Store, Hub: rt.LiveHub(), Log: rt.Log}
	wg.Go(func() { scheduler.Run(work) })
	return &Running{Stop: func(context.Context) error {
		stop()
		wg.Wait()
		return nil
	}}, nil
}

// firstPageWait is how long the web role gives the read models, wherever
// they run, to catch up with the log before it takes requests.
const firstPageWait = 10 * time.Second

// startWeb serves the pages, commands and live screens on the address.
func startWeb(ctx context.Context, rt *Runtime) (*Running, error) {
	handler := rt.Handler()
	// The first pages should show the menu: give the read models a moment
	// to catch up with the log before taking requests.
	began := time.Now()
	behind, err := rt.WaitCaughtUp(ctx, firstPageWait)
	rt.Log.Debug("start-up step done", "step", "read models caught up", "took", time.Since(began))
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		rt.Log.Warn("could not read the read models' progress", "error", err)
	}
	if len(behind) > 0 {
		attrs := []any{"projections", strings.Join(behind, ",")}
		if !rt.Runs(RoleProjector) {
			attrs = append(attrs, "hint", "this process runs no projector: is one running on this database?")
		}
		rt.Log.Warn("read models still catching up; pages may lag for a while", attrs...)
	}
	ln, err := net.Listen("tcp", rt.Settings.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", rt.Settings.Addr, err)
	}
	ln = connlimit.Wrap(ln, rt.Settings.ConnsPerAddress)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	srv.RegisterOnShutdown(rt.LiveHub().DropAll)
	fmt.Fprintf(rt.Settings.Stdout, "listening on http://%s\n", displayAddr(ln.Addr()))
	rt.Log.Info("serving", "addr", ln.Addr().String())
	failed := make(chan error, 1)
	go func() {
		defer close(failed)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("serve: %w", err)
		}
	}()
	return &Running{Failed: failed, Stop: func(ctx context.Context) error {
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	}}, nil
}

// displayAddr turns ":8080" into "localhost:8080" for a clickable URL.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return fmt.Sprintf("localhost:%d", tcp.Port)
}

// serveMetrics serves /metrics on an address of its own, apart from the
// public one, and says where on stdout.
func serveMetrics(addr string, metrics http.Handler, stdout io.Writer, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s (set METRICS_ADDR, or off): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", ln.Addr())
	log.Info("serving metrics", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
