package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"restaurant/internal/accounts"
	"restaurant/internal/app"
	"restaurant/internal/connlimit"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/internal/web"
	"restaurant/migrations"
	"restaurant/projections"
)

// serve runs the web server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("serve", getenv, stdout)
	demoMenu := fs.Bool("demo-menu", envOr(getenv, "DEMO_MENU", "true") == "true", "put a demo menu on an empty restaurant (DEMO_MENU)")
	adminPassword := getenv("RESTAURANT_ADMIN_PASSWORD")
	attention, err := time.ParseDuration(envOr(getenv, "KITCHEN_ATTENTION_AFTER", "8m"))
	if err != nil {
		return fmt.Errorf("KITCHEN_ATTENTION_AFTER: %w", err)
	}
	late, err := time.ParseDuration(envOr(getenv, "KITCHEN_LATE_AFTER", "12m"))
	if err != nil {
		return fmt.Errorf("KITCHEN_LATE_AFTER: %w", err)
	}
	fenceWarn, err := time.ParseDuration(envOr(getenv, "FENCE_WARN_AFTER", eventstore.DefaultFenceWarnAfter.String()))
	if err != nil {
		return fmt.Errorf("FENCE_WARN_AFTER: %w", err)
	}
	fs.DurationVar(&attention, "kitchen-attention", attention, "a ticket this old asks for attention (KITCHEN_ATTENTION_AFTER)")
	fs.DurationVar(&fenceWarn, "fence-warn-after", fenceWarn,
		"events waiting this long behind an open transaction anywhere on the PostgreSQL server are reported, naming it (FENCE_WARN_AFTER)")
	fs.DurationVar(&late, "kitchen-late", late, "a ticket this old is late (KITCHEN_LATE_AFTER)")
	lim, err := limitFlags(fs, getenv)
	if err != nil {
		return err
	}
	readOrderLimits := orderLimitFlags(fs, getenv)
	debugAddr := fs.String("debug-addr", getenv("DEBUG_ADDR"), "serve Go's profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; empty: none (DEBUG_ADDR)")
	parseSite := siteFlags(fs, getenv)
	relayOpts := relayFlags(fs, getenv) // the relay to RabbitMQ; started below
	timeZone := fs.String("timezone", getenv("RESTAURANT_TIMEZONE"),
		"the restaurant's time zone, which its opening hours are in, e.g. Europe/Lisbon; empty: the server's local zone, as TZ sets it (RESTAURANT_TIMEZONE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	location, err := restaurantLocation(*timeZone)
	if err != nil {
		return err
	}
	ageing, err := kitchenAgeing(attention, late)
	if err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	st, err := parseSite()
	if err != nil {
		return err
	}
	limits, err := readOrderLimits()
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	slog.SetDefault(log)

	a, err := app.Open(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Store.WarnFenceAfter(fenceWarn)

	runner := projections.NewRunner(a.Store, log, append(projections.All(), projections.Policies(a.Store)...)...)
	hub := live.NewHub()
	// A busy topic goes out at most every 50 µs per screen following it,
	// and at most every 50 ms: a thousand kitchen displays then get at most
	// 20 pushes a second each, however fast tickets change, while a guest's
	// own order, or any change after a quiet moment, goes out at once.
	hub.PerFollower, hub.MaxEvery = 50*time.Microsecond, 50*time.Millisecond
	runner.Notify = func(topics []live.Topic) {
		if err := live.Notify(context.Background(), a.Pool, topics); err != nil {
			slog.Warn("live notices not sent", "err", err)
		}
	}
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	runnerDone := make(chan struct{})
	go func() { defer close(runnerDone); runner.Run(runCtx) }()
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Listen(runCtx, a.Pool) }()
	// The tickets of orders for later open in time, from any process.
	schedulerDone := make(chan struct{})
	go func() {
		defer close(schedulerDone)
		(&projections.TicketScheduler{Store: a.Store, Hub: hub, Log: log}).Run(runCtx)
	}()
	defer func() { <-hubDone; <-schedulerDone }()
	defer func() { stopRunner(); <-runnerDone }()
	// Integration messages go to RabbitMQ when AMQP_URL is set (the relay role).
	defer startRelay(a.Store, relayOpts, log)()

	if *demoMenu {
		added, err := demo.SeedMenu(ctx, a.Store)
		if err != nil {
			return err
		}
		if added > 0 {
			log.Info("demo menu added", "dishes", added)
		}
	}

	staffAccounts := accounts.Accounts{Store: a.Store}
	generated, err := staffAccounts.EnsureAdmin(ctx, adminPassword)
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	if generated != "" {
		fmt.Fprintf(stdout, "Staff sign-in at /login: user %q, password %q (shown only this once; set RESTAURANT_ADMIN_PASSWORD to choose one)\n",
			accounts.AdminUsername, generated)
	}
	sessions, closeSessions := web.NewSessions(a.Pool)
	defer closeSessions()
	customerSessions, closeCustomerSessions := web.NewCustomerSessions(a.Pool)
	defer closeCustomerSessions()

	// The first pages should show the menu: give the read models a moment
	// to catch up with the log before taking requests.
	if head, err := a.Store.Head(ctx); err == nil {
		for _, p := range runner.Projections() {
			if ok, _ := runner.WaitFor(ctx, p.Name(), head, 10*time.Second); !ok {
				log.Warn("read model still catching up; pages may lag for a while", "projection", p.Name())
			}
		}
	}

	if *debugAddr != "" {
		stopDebug, err := serveProfiles(*debugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}

	if st.metricsAddr != "" {
		stopMetrics, err := serveMetrics(st.metricsAddr, web.MetricsHandler(web.Deps{Store: a.Store, Runner: runner}), stdout, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	ln = connlimit.Wrap(ln, lim.connsPerAddress)
	srv := &http.Server{
		Handler: web.Handler(web.Deps{
			Pool:     a.Pool,
			Store:    a.Store,
			Runner:   runner,
			Menus:    projections.Menus{Pool: a.Pool},
			Orders:   projections.Orders{Pool: a.Pool},
			Team:     projections.Team{Pool: a.Pool},
			Tickets:  projections.Tickets{Pool: a.Pool},
			Ageing:   ageing,
			Hub:      hub,
			Sessions: sessions,
			Accounts: staffAccounts,

			Customers:        projections.Customers{Pool: a.Pool},
			CustomerSessions: customerSessions,
			CustomerAccounts: accounts.Customers{Store: a.Store},
			Pending:          func(ctx context.Context) (int, error) { return migrations.Pending(ctx, a.Pool) },

			BodyTimeout:           lim.bodyTimeout,
			WriteTimeout:          lim.writeTimeout,
			LiveSocketsPerAddress: lim.livePerAddress,
			LiveSocketsMax:        lim.liveSockets,
			MetricsToken:          st.metricsToken,
			PublicURL:             st.publicURL,
			TrustedProxies:        st.trustedProxies,
			OrderLimits:           limits.perHour,
			OrderCaps:             limits.caps,
			Location:              location,
			RelayExchange:         relayOpts.exchange,
		}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	srv.RegisterOnShutdown(hub.DropAll)
	fmt.Fprintf(stdout, "listening on http://%s\n", displayAddr(ln.Addr()))
	log.Info("serving", "addr", ln.Addr().String(), "database", describeDatabase(cfg))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var dbGone <-chan struct{} // nil, and never ready, with an external database
	if a.Embedded != nil {
		dbGone = a.Embedded.Exited()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-dbGone:
		return errors.New("the embedded PostgreSQL stopped unexpectedly; see postgres.log in DATA_DIR")
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// serveProfiles serves net/http/pprof on an address of its own, kept apart
// from the public one: profiles are for the operator.
func serveProfiles(addr string, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for profiles on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("serving profiles", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// displayAddr turns ":8080" into "localhost:8080" for a clickable URL.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return fmt.Sprintf("localhost:%d", tcp.Port)
}

// restaurantLocation reads the restaurant's time zone: an IANA name, or
// empty for the server's local zone.
func restaurantLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("-timezone (RESTAURANT_TIMEZONE) %q: use a zone name such as Europe/Lisbon: %w", name, err)
	}
	return loc, nil
}

// kitchenAgeing checks when the kitchen display marks a ticket waiting, then
// late: both after some time, and late after waiting.
func kitchenAgeing(attention, late time.Duration) (web.Ageing, error) {
	if attention <= 0 || late <= attention {
		return web.Ageing{}, fmt.Errorf("-kitchen-attention (KITCHEN_ATTENTION_AFTER) must be more than zero and -kitchen-late (KITCHEN_LATE_AFTER) longer still; they are %s and %s", attention, late)
	}
	return web.Ageing{Attention: attention, Late: late}, nil
}
