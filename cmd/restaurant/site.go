package main

import (
	"flag"
	"fmt"
	"net/netip"
	"net/url"

	"restaurant/internal/web"
)

// site is how the server is reached: behind which proxies, at which public
// address.
type site struct {
	publicURL      *url.URL
	trustedProxies []netip.Prefix
}

// siteFlags adds serve's flags for the public address and the proxies.
// Call parse once the flags are parsed.
func siteFlags(fs *flag.FlagSet, getenv func(string) string) (parse func() (site, error)) {
	publicURL := fs.String("public-url", getenv("PUBLIC_URL"),
		"where guests reach the site, e.g. https://order.example.com; https makes every cookie Secure and sends HSTS (PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", getenv("TRUSTED_PROXIES"),
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For, -Proto and -Host are believed (TRUSTED_PROXIES)")
	return func() (site, error) {
		var s site
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
