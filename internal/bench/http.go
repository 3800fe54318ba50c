package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// HTTPOptions choose the web measurements.
type HTTPOptions struct {
	Connections int
	Duration    time.Duration
	// Orders is how many open orders the add-item load spreads over (an
	// order takes at most 50 lines).
	Orders  int
	PgBench string
	// PgBenchConn is the database for pgbench's baseline.
	PgBenchConn []string
}

// HTTPFigure is one wrk run beside its baseline.
type HTTPFigure struct {
	What          string  `json:"what"`
	RequestsSec   float64 `json:"requests_per_sec"`
	P99Millis     float64 `json:"p99_ms"`
	Errors        int     `json:"errors"`
	Baseline      string  `json:"baseline"`
	BaselineValue float64 `json:"baseline_per_sec"`
	Ratio         float64 `json:"ratio"`
}

// RunHTTP measures the menu page and the add-item command with wrk, beside
// a bare net/http handler and pgbench's one-row insert at the same
// concurrency, all in this run. app is the real handler, serving on its own
// listener.
func RunHTTP(ctx context.Context, pool *pgxpool.Pool, app http.Handler, opts HTTPOptions, out io.Writer) ([]HTTPFigure, error) {
	appURL, stopApp, err := serveOn(app)
	if err != nil {
		return nil, err
	}
	defer stopApp()
	bareURL, stopBare, err := serveOn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	}))
	if err != nil {
		return nil, err
	}
	defer stopBare()

	bare, err := wrk(ctx, opts, bareURL+"/", "")
	if err != nil {
		return nil, err
	}
	// A second baseline: a bare handler writing the menu page's bytes, to
	// tell the cost of the page's size from the cost of making it.
	page, err := fetch(ctx, appURL+"/")
	if err != nil {
		return nil, err
	}
	sameURL, stopSame, err := serveOn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	if err != nil {
		return nil, err
	}
	defer stopSame()
	same, err := wrk(ctx, opts, sameURL+"/", "")
	if err != nil {
		return nil, err
	}
	menu, err := wrk(ctx, opts, appURL+"/", "")
	if err != nil {
		return nil, err
	}
	// As a browser asks for it.
	menuGzip, err := wrk(ctx, opts, appURL+"/", "", "Accept-Encoding: gzip, deflate, br")
	if err != nil {
		return nil, err
	}
	script, err := addItemScript(ctx, appURL, opts.Orders)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(filepath.Dir(script))
	adds, err := wrk(ctx, opts, appURL+"/", script)
	if err != nil {
		return nil, err
	}
	inserts, _, err := pgbenchInsert(ctx, pool, Options{Duration: opts.Duration, PgBench: opts.PgBench, PgBenchConn: opts.PgBenchConn}, opts.Connections)
	if err != nil {
		return nil, err
	}
	figs := []HTTPFigure{
		{What: "GET / (menu, gzip)", RequestsSec: menuGzip.rate, P99Millis: menuGzip.p99, Errors: menuGzip.errors,
			Baseline: "bare net/http handler", BaselineValue: bare.rate, Ratio: menuGzip.rate / bare.rate},
		{What: "GET / (menu page)", RequestsSec: menu.rate, P99Millis: menu.p99, Errors: menu.errors,
			Baseline: "bare net/http handler", BaselineValue: bare.rate, Ratio: menu.rate / bare.rate},
		{What: "GET / (menu page)", RequestsSec: menu.rate, P99Millis: menu.p99, Errors: menu.errors,
			Baseline: fmt.Sprintf("bare handler, %d KB page", len(page)/1024), BaselineValue: same.rate, Ratio: menu.rate / same.rate},
		{What: "POST add-item (303)", RequestsSec: adds.rate, P99Millis: adds.p99, Errors: adds.errors,
			Baseline: "pgbench one-row insert", BaselineValue: inserts, Ratio: adds.rate / inserts},
	}
	fmt.Fprintf(out, "%d connections, %s each\n\n%-22s %10s %9s %7s  %-28s %10s %7s\n", opts.Connections, opts.Duration,
		"what", "req/s", "p99", "errors", "baseline", "per sec", "ratio")
	for _, f := range figs {
		fmt.Fprintf(out, "%-22s %10.0f %7.1fms %7d  %-28s %10.0f %7.2f\n", f.What, f.RequestsSec, f.P99Millis, f.Errors, f.Baseline, f.BaselineValue, f.Ratio)
	}
	return figs, nil
}

func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func serveOn(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

type wrkResult struct {
	rate   float64
	p99    float64
	errors int
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99    = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func wrk(ctx context.Context, opts HTTPOptions, url, script string, headers ...string) (wrkResult, error) {
	args := []string{"-t", strconv.Itoa(min(opts.Connections, 2)), "-c", strconv.Itoa(opts.Connections),
		"-d", fmt.Sprintf("%ds", int(opts.Duration.Seconds())), "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	if script != "" {
		args = append(args, "-s", script)
	}
	raw, err := exec.CommandContext(ctx, "wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk (Debian: apt-get install wrk): %w: %s", err, raw)
	}
	out := string(raw)
	m := wrkRate.FindStringSubmatch(out)
	p := wrkP99.FindStringSubmatch(out)
	if m == nil || p == nil {
		return wrkResult{}, fmt.Errorf("wrk printed no rate or latency: %s", out)
	}
	r := wrkResult{}
	r.rate, _ = strconv.ParseFloat(m[1], 64)
	r.p99, _ = strconv.ParseFloat(p[1], 64)
	switch p[2] {
	case "us":
		r.p99 /= 1000
	case "s":
		r.p99 *= 1000
	}
	if n := wrkNon2xx.FindStringSubmatch(out); n != nil {
		r.errors, _ = strconv.Atoi(n[1])
	}
	if s := wrkSocket.FindStringSubmatch(out); s != nil {
		for _, v := range s[1:] {
			n, _ := strconv.Atoi(v)
			r.errors += n
		}
	}
	return r, nil
}

// addItemScript opens orders for as many guests through the JSON API, then
// writes a wrk script that adds one dish per request, each time with a new
// command id, spreading the requests over the orders.
func addItemScript(ctx context.Context, appURL string, orders int) (string, error) {
	type guestOrder struct{ cookie, order string }
	var gs []guestOrder
	client := &http.Client{Timeout: 10 * time.Second}
	for range orders {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		cookie := "guest=" + base64.RawURLEncoding.EncodeToString(secret)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, appURL+"/orders/commands/open", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", cookie)
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("open an order for the load: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return "", fmt.Errorf("open an order for the load: %s", resp.Status)
		}
		gs = append(gs, guestOrder{cookie, resp.Header.Get("Location")})
	}
	var b strings.Builder
	b.WriteString("local guests = {\n")
	for _, g := range gs {
		fmt.Fprintf(&b, "  {%q, %q},\n", g.cookie, g.order+"/items/commands/add")
	}
	b.WriteString(`}
local n = 0
math.randomseed(os.time())
function setup(thread) thread:set("offset", math.random(#guests)) end
request = function()
  n = n + 1
  local g = guests[((n + offset) % #guests) + 1]
  local id = string.format("%08x-%04x-%04x-%04x-%06x%06x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
    math.random(0, 0xffff), math.random(0, 0xffff), math.random(0, 0xffffff), math.random(0, 0xffffff))
  local body = "command_id=" .. id .. "&menu_item_id=margherita&option-size=regular&quantity=1"
  return wrk.format("POST", g[2], {["Cookie"] = g[1], ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
`)
	dir, err := os.MkdirTemp("", "restaurant-wrk-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "add-item.lua")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}
