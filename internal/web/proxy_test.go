package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"restaurant/domain/staff"
)

// httptest's requests come from 192.0.2.1: the proxy in these tests.
const (
	proxyNet   = "192.0.2.0/24"
	strangerIP = "198.51.100.7"
)

// behindProxy is the app behind a trusted proxy, with a kitchen account.
func behindProxy(t *testing.T, adjust func(*Deps)) *testApp {
	t.Helper()
	proxies, err := ParseTrustedProxies(proxyNet + ", 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAppWith(t, func(d *Deps) {
		d.TrustedProxies = proxies
		if adjust != nil {
			adjust(d)
		}
	})
	if err := a.accounts.Add(context.Background(), "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	return a
}

// cookiesOf opens an order and signs in, each request changed by edit as
// it leaves the browser, and returns the guest and staff cookies and the
// answers' headers.
func cookiesOf(t *testing.T, a *testApp, edit func(*http.Request)) (guestC, sessionC *http.Cookie, headers []http.Header) {
	t.Helper()
	g := a.guest()
	open := httptest.NewRequest(http.MethodPost, "/orders/commands/open", strings.NewReader(form("menu_item_id", "tiramisu", "quantity", "1").Encode()))
	open.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	edit(open)
	rec := g.do(open)
	headers = append(headers, rec.Header())
	login := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"username": {"kai"}, "password": {kitchenPassword}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	edit(login)
	rec2 := g.do(login)
	if rec.Code != http.StatusSeeOther || rec2.Code != http.StatusSeeOther {
		t.Fatalf("open an order: %d, sign in: %d %s", rec.Code, rec2.Code, rec2.Body)
	}
	headers = append(headers, rec2.Header())
	return g.cookies[guestCookie], g.cookies["staff_session"], headers
}

func TestCookiesAreSecureOverHTTPSThroughATrustedProxy(t *testing.T) {
	a := behindProxy(t, nil)
	tests := []struct {
		name   string
		edit   func(*http.Request)
		secure bool
	}{
		{"plain HTTP", func(*http.Request) {}, false},
		{"HTTPS at the trusted proxy", func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") }, true},
		{"a stranger saying HTTPS", func(r *http.Request) {
			r.RemoteAddr = strangerIP + ":4711"
			r.Header.Set("X-Forwarded-Proto", "https")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			guestC, sessionC, headers := cookiesOf(t, a, tt.edit)
			if guestC == nil || sessionC == nil {
				t.Fatalf("guest cookie %v, staff session cookie %v", guestC, sessionC)
			}
			if guestC.Secure != tt.secure || sessionC.Secure != tt.secure {
				t.Errorf("Secure: guest cookie %t, staff session cookie %t, want %t", guestC.Secure, sessionC.Secure, tt.secure)
			}
			for _, h := range headers {
				if got := h.Get("Strict-Transport-Security"); (got == hsts) != tt.secure || (got != "" && got != hsts) {
					t.Errorf("Strict-Transport-Security %q, want it %t", got, tt.secure)
				}
			}
		})
	}
}

func TestAnHTTPSPublicURLMakesEveryCookieSecure(t *testing.T) {
	public, err := ParsePublicURL("https://order.example.com")
	if err != nil {
		t.Fatal(err)
	}
	a := behindProxy(t, func(d *Deps) { d.PublicURL = public })
	guestC, sessionC, headers := cookiesOf(t, a, func(r *http.Request) { r.RemoteAddr = strangerIP + ":4711" })
	if !guestC.Secure || !sessionC.Secure {
		t.Errorf("Secure: guest cookie %t, staff session cookie %t", guestC.Secure, sessionC.Secure)
	}
	for _, h := range headers {
		if got := h.Get("Strict-Transport-Security"); got != hsts {
			t.Errorf("Strict-Transport-Security %q, want %q", got, hsts)
		}
	}
	// A proxy that sends its own Host: the public origin still passes the
	// cross-origin check, another still does not.
	for origin, want := range map[string]int{"https://order.example.com": http.StatusSeeOther, "https://evil.example": http.StatusForbidden} {
		req := httptest.NewRequest(http.MethodPost, "/orders/commands/open", strings.NewReader(form("menu_item_id", "tiramisu", "quantity", "1").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "10.0.0.5:8080"
		req.Header.Set("Origin", origin)
		if rec := a.guest().do(req); rec.Code != want {
			t.Errorf("a post from %s through a proxy: %d, want %d", origin, rec.Code, want)
		}
	}
}

func TestClientAddressBelievesOnlyTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies(proxyNet + ",2001:db8::/32, 203.0.113.9")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, forwardedFor, want string
	}{
		{"direct", "203.0.113.50:1234", "", "203.0.113.50"},
		{"a stranger's header is ignored", strangerIP + ":1234", "203.0.113.50", strangerIP},
		{"through the proxy", "192.0.2.1:1234", "203.0.113.50", "203.0.113.50"},
		{"what the client wrote before is ignored", "192.0.2.1:1234", "10.9.9.9, 203.0.113.50", "203.0.113.50"},
		{"through two trusted proxies", "192.0.2.1:1234", "203.0.113.50, 203.0.113.9", "203.0.113.50"},
		{"a proxy over IPv6", "[2001:db8::1]:443", "2001:db8:ffff::7, 198.51.100.20", "198.51.100.20"},
		{"the proxy forwarded nothing", "192.0.2.1:1234", "", "192.0.2.1"},
		{"a garbled header", "192.0.2.1:1234", "not an address", "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var proto []string
			h := proxies{trusted: trusted}.handle(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got, proto = clientAddress(r), r.Header.Values("X-Forwarded-Proto")
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tt.remote
			if tt.forwardedFor != "" {
				req.Header.Set("X-Forwarded-For", tt.forwardedFor)
			}
			req.Header.Set("X-Forwarded-Proto", "https")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got != tt.want {
				t.Errorf("client address %q, want %q", got, tt.want)
			}
			if p, _ := netip.ParseAddrPort(tt.remote); !(proxies{trusted: trusted}).trusts(p.Addr()) && len(proto) != 0 {
				t.Errorf("a stranger's X-Forwarded-Proto reached the handlers: %q", proto)
			}
		})
	}
}

func TestPublicMetricsNeedTheToken(t *testing.T) {
	tests := []struct {
		name, token, authorization string
		want                       int
	}{
		{"no token set", "", "", http.StatusNotFound},
		{"no token set, one sent", "", "Bearer s3cret-scrape-token", http.StatusNotFound},
		{"none sent", "s3cret-scrape-token", "", http.StatusUnauthorized},
		{"a wrong one", "s3cret-scrape-token", "Bearer s3cret-scrape-tokem", http.StatusUnauthorized},
		{"a prefix of it", "s3cret-scrape-token", "Bearer s3cret", http.StatusUnauthorized},
		{"as a password", "s3cret-scrape-token", "Basic s3cret-scrape-token", http.StatusUnauthorized},
		{"the token", "s3cret-scrape-token", "Bearer s3cret-scrape-token", http.StatusOK},
		{"the token, scheme in lower case", "s3cret-scrape-token", "bearer s3cret-scrape-token", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			Handler(Deps{MetricsToken: tt.token}).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(), "go_goroutines") {
				t.Fatalf("no metrics in %s", rec.Body)
			}
		})
	}
	rec := httptest.NewRecorder()
	MetricsHandler(Deps{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("the metrics address's handler: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/healthz"} {
		rec := httptest.NewRecorder()
		Handler(Deps{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d, want it public", path, rec.Code)
		}
	}
}
