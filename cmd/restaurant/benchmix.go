package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"restaurant/internal/bench"
)

// runBenchMix is "restaurant bench": guests ordering, cooks working the
// tickets and screens following them, against a server it starts on a fresh
// database (or, with -url, a running one), beside a bare handler and
// pgbench under the same concurrency.
func runBenchMix(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench", getenv, stdout)
	target := fs.String("url", "", "a running server to load (default: start one on a fresh database)")
	username := fs.String("username", "admin", "the staff member the cooks and kitchen screens sign in as (with -url)")
	metricsURL := fs.String("metrics-url", getenv("METRICS_URL"),
		"the running server's metrics (with -url), e.g. http://127.0.0.1:9464/metrics; default: -url's /metrics, with the token in METRICS_TOKEN (METRICS_URL)")
	guests := fs.Int("guests", 32, "guests ordering at once")
	cooks := fs.Int("cooks", 16, "kitchen staff working the tickets (enough to keep up with the guests: a ticket is three commands, an order five and two pages)")
	kitchenScreens := fs.Int("kitchen-screens", 100, "kitchen displays following the board")
	guestScreens := fs.Int("guest-screens", 100, "guests following their order's status, at most at once")
	orders := fs.Int("orders", 0, "stop once this many orders are placed (0: run for -duration)")
	duration := fs.Duration("duration", 30*time.Second, "how long the load runs")
	jsonOut := fs.String("json", "", "also write the figures to this JSON file")
	serverProfile := fs.String("server-cpuprofile", "", "write a CPU profile of the server under the load to this file (the server started here)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *guests < 1 || *cooks < 1 || *kitchenScreens < 0 || *guestScreens < 0 || *orders < 0 || *duration <= 0 {
		return fmt.Errorf("bench: -guests and -cooks must be at least 1; screens, orders and duration cannot be negative")
	}
	opts := bench.MixOptions{Guests: *guests, Cooks: *cooks, KitchenScreens: *kitchenScreens, GuestScreens: *guestScreens,
		Orders: *orders, Duration: *duration, Progress: os.Stderr, ProgressLines: !isTerminal(os.Stderr)}
	if *target != "" {
		opts.Base, opts.Username, opts.Password = strings.TrimSuffix(*target, "/"), *username, getenv("RESTAURANT_ADMIN_PASSWORD")
		opts.Metrics = bench.Metrics{URL: *metricsURL, Token: getenv("METRICS_TOKEN")}
		if opts.Metrics.URL == "" {
			opts.Metrics.URL = opts.Base + "/metrics"
		}
		if opts.Password == "" {
			return fmt.Errorf("bench -url: give the password of -username in RESTAURANT_ADMIN_PASSWORD")
		}
	} else {
		log, err := newLogger(cfg.LogLevel)
		if err != nil {
			return err
		}
		if opts.PgBench, err = findPgBench(); err != nil {
			return err
		}
		a, cleanup, err := benchApp(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer cleanup()
		server, err := startServerProcess(ctx, a.ConnString, *serverProfile != "")
		if err != nil {
			return err
		}
		defer server.stop()
		opts.Base, opts.PID, opts.Username, opts.Password = server.base, server.pid, "admin", server.password
		opts.Metrics = server.metrics
		opts.Pool, opts.PgBenchConn = a.Pool, []string{a.ConnString}
		if *serverProfile != "" {
			done := profileServer(ctx, server.debug, opts.Duration, *serverProfile)
			defer func() {
				if err := <-done; err != nil {
					fmt.Fprintln(stdout, "server profile:", err)
				}
			}()
		}
	}
	fmt.Fprintf(stdout, "loading %s: %d guests, %d cooks, %d kitchen and %d guest screens\n",
		opts.Base, opts.Guests, opts.Cooks, opts.KitchenScreens, opts.GuestScreens)
	report, err := bench.RunMix(ctx, opts, stdout)
	if err != nil || *jsonOut == "" {
		return err
	}
	return bench.WriteMixJSON(*jsonOut, report)
}

// serverProcess is the server run as a process of its own, so that its
// memory is its own.
type serverProcess struct {
	base     string
	metrics  bench.Metrics // on an address of their own
	debug    string        // its profiles, when asked for
	pid      int
	password string
	stop     func()
}

// startServerProcess starts "restaurant serve" on the database, with a new
// admin password, and waits until it is ready.
func startServerProcess(ctx context.Context, databaseURL string, profiles bool) (*serverProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	metricsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	// The load comes from one address by design: no per-address caps.
	args := []string{"serve", "-addr", addr, "-metrics-addr", metricsAddr, "-max-conns-per-address", "0",
		"-live-sockets-per-address", "1000000", "-live-sockets-max", "1000000"}
	var debug string
	if profiles {
		if debug, err = freeAddr(); err != nil {
			return nil, err
		}
		args = append(args, "-debug-addr", debug)
	}
	secret := make([]byte, 18)
	_, _ = rand.Read(secret)
	password := base64.RawURLEncoding.EncodeToString(secret)
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL, "RESTAURANT_ADMIN_PASSWORD="+password, "LOG_LEVEL=warn", "GOGC=")
	// The load orders from one address, far past what one guest would.
	for k, v := range unlimitedOrders {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	p := &serverProcess{base: "http://" + addr, metrics: bench.Metrics{URL: "http://" + metricsAddr + "/metrics"}, debug: debug, pid: cmd.Process.Pid, password: password,
		stop: func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("the server did not become ready within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeAddr finds a free local port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// profileServer records the server's CPU profile for the length of the
// load, starting a second in (once the screens are connected).
func profileServer(ctx context.Context, debugAddr string, d time.Duration, path string) <-chan error {
	return profileServerFor(ctx, debugAddr, max(1, int(d.Seconds())-2), path)
}

// profileServerFor records the server's CPU profile for the seconds from
// now into path; the channel says when it is written.
func profileServerFor(ctx context.Context, debugAddr string, seconds int, path string) <-chan error {
	done := make(chan error, 1)
	go func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, seconds), nil)
		if err != nil {
			done <- err
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	return done
}

// isTerminal says whether f is a terminal, where a progress bar redraws
// itself; elsewhere (a log, CI) progress is printed as lines.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
