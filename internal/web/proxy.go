package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/alexedwards/scs/v2"
)

// hsts asks browsers to come back over HTTPS only, for a year.
const hsts = "max-age=31536000; includeSubDomains"

// ParseTrustedProxies reads a comma-separated list of CIDRs (a bare address
// counts as its own /32 or /128), for Deps.TrustedProxies.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("trusted proxy %q is not a CIDR or an address: %w", s, err)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ParsePublicURL reads the site's public address, for Deps.PublicURL: an
// http or https URL with a host, e.g. https://order.example.com.
func ParsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("public URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("public URL %q: want http:// or https:// and a host, e.g. https://order.example.com", s)
	}
	return u, nil
}

// proxies is what the server believes about how a request reached it.
type proxies struct {
	trusted []netip.Prefix
	// https: the public address is https (PUBLIC_URL), whatever the hop
	// from the proxy to here is.
	https bool
}

type httpsKey struct{}

// isHTTPS says whether the client asked over HTTPS: directly, through a
// trusted proxy that says so, or because the site is only public over it.
func isHTTPS(r *http.Request) bool {
	https, _ := r.Context().Value(httpsKey{}).(bool)
	return https || r.TLS != nil
}

// clientAddress is the address of the client: the peer's, or, from a
// trusted proxy, the one it forwarded for (handle rewrites RemoteAddr
// before any handler runs, so every use of the address agrees).
func clientAddress(r *http.Request) string {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().String()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handle believes X-Forwarded-For, -Proto and -Host from trusted proxies
// only, and drops them from anyone else; it marks HTTPS requests, which get
// Secure cookies and Strict-Transport-Security.
func (p proxies) handle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := p.https || r.TLS != nil
		if peer, ok := p.trustedPeer(r.RemoteAddr); ok {
			r = r.Clone(r.Context())
			if client := p.forwardedFor(peer, r.Header.Values("X-Forwarded-For")); client != peer {
				r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
			}
			if strings.EqualFold(lastValue(r.Header.Values("X-Forwarded-Proto")), "https") {
				https = true
			}
			if host := lastValue(r.Header.Values("X-Forwarded-Host")); host != "" {
				r.Host = host
			}
		} else if hasForwarded(r.Header) {
			r = r.Clone(r.Context())
			for _, h := range forwardedHeaders {
				r.Header.Del(h)
			}
		}
		if https {
			w.Header().Set("Strict-Transport-Security", hsts)
			r = r.WithContext(context.WithValue(r.Context(), httpsKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
}

var forwardedHeaders = []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"}

func hasForwarded(h http.Header) bool {
	for _, name := range forwardedHeaders {
		if _, ok := h[name]; ok {
			return true
		}
	}
	return false
}

// trustedPeer returns the peer's address when it is a trusted proxy.
func (p proxies) trustedPeer(remoteAddr string) (netip.Addr, bool) {
	if len(p.trusted) == 0 {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), p.trusts(ap.Addr().Unmap())
}

func (p proxies) trusts(a netip.Addr) bool {
	for _, prefix := range p.trusted {
		if prefix.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the nearest hop back, past the
// trusted proxies: the first address no trusted proxy holds is the client.
// What a client wrote itself, further left, is never reached.
func (p proxies) forwardedFor(peer netip.Addr, values []string) netip.Addr {
	hops := strings.Split(strings.Join(values, ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = a.Unmap()
		if !p.trusts(client) {
			break
		}
	}
	return client
}

// lastValue is the last of a header's comma-separated values: the one the
// nearest proxy set.
func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// loadSessions is the session middleware with the cookie Secure on HTTPS
// requests. The Secure one is a copy of the manager that differs only in
// that attribute: it shares the store and the key a request's session is
// kept under, so the handlers' calls on either find the same session.
func loadSessions(s *scs.SessionManager) func(http.Handler) http.Handler {
	if s == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	secure := *s
	secure.Cookie.Secure = true
	return func(next http.Handler) http.Handler {
		plain, overTLS := s.LoadAndSave(next), secure.LoadAndSave(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isHTTPS(r) {
				overTLS.ServeHTTP(w, r)
				return
			}
			plain.ServeHTTP(w, r)
		})
	}
}
