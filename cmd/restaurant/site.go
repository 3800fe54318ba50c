package main

import (
	"flag"
	"fmt"
	"net/netip"
	"net/url"

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
