package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"restaurant/internal/web"
)

// defaultMetricsAddr keeps the metrics on this machine unless the operator
// says otherwise. It is not 9090, Prometheus's own port, so that the two
// can run side by side.
const defaultMetricsAddr = "127.0.0.1:9464"

// site is how the server is reached: behind which proxies, at which public
// address, and where its metrics are served.
type site struct {
	publicURL      *url.URL
	trustedProxies []netip.Prefix
	metricsAddr    string // empty: no metrics address of its own
	metricsToken   string // empty: no /metrics on the public address
}

// siteFlags adds serve's flags for the public address, the proxies and the
// metrics; the token is read from the environment only, to keep it out of
// process lists. Call parse once the flags are parsed.
func siteFlags(fs *flag.FlagSet, getenv func(string) string) (parse func() (site, error)) {
	publicURL := fs.String("public-url", getenv("PUBLIC_URL"),
		"where guests reach the site, e.g. https://order.example.com; https makes every cookie Secure and sends HSTS (PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", getenv("TRUSTED_PROXIES"),
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For, -Proto and -Host are believed (TRUSTED_PROXIES)")
	metricsAddr := fs.String("metrics-addr", envOr(getenv, "METRICS_ADDR", defaultMetricsAddr),
		`serve /metrics on this address of its own; empty or "off": none (METRICS_ADDR)`)
	return func() (site, error) {
		s := site{metricsAddr: *metricsAddr, metricsToken: getenv("METRICS_TOKEN")}
		if s.metricsAddr == "off" {
			s.metricsAddr = ""
		}
		var err error
		if *publicURL != "" {
			if s.publicURL, err = web.ParsePublicURL(*publicURL); err != nil {
				return s, fmt.Errorf("-public-url: %w", err)
			}
		}
		if s.trustedProxies, err = web.ParseTrustedProxies(*proxies); err != nil {
			return s, fmt.Errorf("-trusted-proxies: %w", err)
		}
		return s, nil
	}
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
