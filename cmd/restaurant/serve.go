package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"restaurant/internal/app"
	"restaurant/internal/eventstore"
	"restaurant/internal/web"
	"restaurant/internal/wiring"
)

// serve runs the server's roles (every one unless -roles chooses) until
// ctx ends, then shuts down gracefully.
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
	broker := brokerFlags(fs, getenv) // where the relay publishes and notifications consume
	parseNotify := notifyFlags(fs, getenv, broker)
	timeZone := fs.String("timezone", getenv("RESTAURANT_TIMEZONE"),
		"the restaurant's time zone, which its opening hours are in, e.g. Europe/Lisbon; empty: the server's local zone, as TZ sets it (RESTAURANT_TIMEZONE)")
	roleList := fs.String("roles", getenv("ROLES"),
		"comma-separated roles this process runs: "+rolesHelp()+"; empty: every role (ROLES)")
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
	// Every live screen is an open socket: ten thousand need the hard limit.
	if fl, err := raiseFileLimit(); err != nil {
		log.Warn("open files limit not raised", "error", err, "soft", fl.Soft, "hard", fl.Hard)
	} else {
		log.Info("open files limit", "soft", fl.Soft, "hard", fl.Hard, "raised_from", fl.Before)
	}
	notifyCfg, err := parseNotify(cfg, log)
	if err != nil {
		return err
	}

	roles, err := wiring.ParseRoles(*roleList)
	if err != nil {
		return fmt.Errorf("-roles (ROLES): %w", err)
	}

	a, err := app.Open(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Store.WarnFenceAfter(fenceWarn)
	if a.Embedded != nil && len(roles) < len(wiring.Roles) {
		log.Warn("the embedded database is this process's own: no other process can run the roles left out; set DATABASE_URL to share one",
			"roles", wiring.RoleNames(roles))
	}

	rt := wiring.New(a, log, wiring.Settings{
		Addr:            cfg.Addr,
		ConnsPerAddress: lim.connsPerAddress,
		MetricsAddr:     st.metricsAddr,
		DemoMenu:        *demoMenu,
		AdminPassword:   adminPassword,
		Stdout:          stdout,
		Getenv:          getenv,
		Web: web.Deps{
			Ageing:                ageing,
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
			RelayExchange:         broker.exchange,
		},
		Relay:  wiring.RelaySettings{URL: broker.url, Exchange: broker.exchange},
		Notify: notifyCfg,
	}, roles)
	defer rt.Close()
	if err := rt.Prepare(ctx); err != nil {
		return err
	}

	if *debugAddr != "" {
		stopDebug, err := serveProfiles(*debugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	log.Info("starting", "roles", wiring.RoleNames(roles), "database", describeDatabase(cfg))
	if !rt.Runs(wiring.RoleWeb) {
		log.Info("no web role: this process serves no pages", "roles", wiring.RoleNames(roles))
	}
	return rt.Run(ctx)
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

// rolesHelp names each role and what it runs, for -roles' help.
func rolesHelp() string {
	var b strings.Builder
	for i, r := range wiring.Roles {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", r.Name, r.Runs)
	}
	return b.String()
}
