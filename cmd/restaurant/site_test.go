package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"restaurant/internal/testdb"
)

var metricsOn = regexp.MustCompile(`metrics on (http://\S+)`)

// getWith GETs a URL with one header set.
func getWith(t *testing.T, url, header, value string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if header != "" {
		req.Header.Set(header, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// openOrder opens an order as a browser would, one header set, and returns
// the answer.
func openOrder(t *testing.T, base, header, value string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/orders/commands/open", strings.NewReader(`{"menu_item_id":"tiramisu","quantity":1}`))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set(header, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open an order: %d", resp.StatusCode)
	}
	return resp
}

func guestCookieOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "guest" {
			return c
		}
	}
	t.Fatalf("no guest cookie in %v", resp.Header)
	return nil
}

// TestMetricsOnTheirOwnAddressAndBehindATokenOnThePublicOne boots the real
// program: the metrics are on the metrics address, and on the public one
// only with METRICS_TOKEN; an https PUBLIC_URL makes the cookies Secure.
func TestMetricsOnTheirOwnAddressAndBehindATokenOnThePublicOne(t *testing.T) {
	const token = "a scrape token for the test"
	base, out := startServerOutput(t, map[string]string{"DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "error",
		"METRICS_TOKEN": token, "PUBLIC_URL": "https://order.example.com"})
	if code, _ := getWith(t, base+"/metrics", "", ""); code != http.StatusUnauthorized {
		t.Errorf("public /metrics without the token: %d, want 401", code)
	}
	if code, _ := getWith(t, base+"/metrics", "Authorization", "Bearer not the token"); code != http.StatusUnauthorized {
		t.Errorf("public /metrics with a wrong token: %d, want 401", code)
	}
	if code, body := getWith(t, base+"/metrics", "Authorization", "Bearer "+token); code != 200 || !strings.Contains(body, "restaurant_projection_lag_events") {
		t.Errorf("public /metrics with the token: %d %.300s", code, body)
	}
	m := metricsOn.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no metrics address printed:\n%s", out)
	}
	if code, body := getWith(t, m[1], "", ""); code != 200 || !strings.Contains(body, "restaurant_projection_lag_events") {
		t.Errorf("the metrics address: %d %.300s", code, body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _ := getWith(t, base+path, "", ""); code != 200 {
			t.Errorf("%s: %d, want it public", path, code)
		}
	}
	resp := openOrder(t, base, "", "")
	if c := guestCookieOf(t, resp); !c.Secure {
		t.Errorf("with an https PUBLIC_URL the guest cookie is not Secure: %v", resp.Header.Values("Set-Cookie"))
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
		t.Errorf("Strict-Transport-Security %q", got)
	}
}

// TestATrustedProxySaysHTTPS boots the real program behind a proxy on this
// machine (TRUSTED_PROXIES), with no metrics token and no metrics address.
func TestATrustedProxySaysHTTPS(t *testing.T) {
	base, out := startServerOutput(t, map[string]string{"DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "error",
		"TRUSTED_PROXIES": "127.0.0.0/8,::1/128", "METRICS_ADDR": "off"})
	if metricsOn.MatchString(out.String()) {
		t.Errorf("METRICS_ADDR=off still serves metrics:\n%s", out)
	}
	if code, _ := getWith(t, base+"/metrics", "", ""); code != http.StatusNotFound {
		t.Errorf("public /metrics without METRICS_TOKEN: %d, want 404", code)
	}
	if c := guestCookieOf(t, openOrder(t, base, "", "")); c.Secure {
		t.Error("over plain HTTP the guest cookie is Secure")
	}
	resp := openOrder(t, base, "X-Forwarded-Proto", "https")
	if c := guestCookieOf(t, resp); !c.Secure {
		t.Error("HTTPS at a trusted proxy, and the guest cookie is not Secure")
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("HTTPS at a trusted proxy, and no Strict-Transport-Security")
	}
}
