package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StartOptions say how to measure the server's start.
type StartOptions struct {
	// Binary is the restaurant program to start.
	Binary string
	// Runs is how many times to start it on a fresh data directory, and
	// then again on that one.
	Runs int
	// Env is the environment the server starts with; the measurement adds
	// DATA_DIR, ADDR, METRICS_ADDR=off and LOG_LEVEL=debug, and leaves out
	// any database address, so that the embedded PostgreSQL runs.
	Env []string
	// Within bounds each start; zero means two minutes.
	Within time.Duration
}

// StartFigures are the time from starting the process to its first page.
type StartFigures struct {
	Runs int `json:"runs"`
	// First is on a new DATA_DIR: initdb, migrations, the demo menu, the
	// admin account.
	First StartStats `json:"first_start"`
	// Second is on the DATA_DIR the first start left.
	Second StartStats `json:"second_start"`
	// SecondSteps are the steps of the second start, as the server logs
	// them, with their median time.
	SecondSteps []StepFigure `json:"second_start_steps"`
}

// StartStats summarise the starts of one kind.
type StartStats struct {
	MedianMillis float64   `json:"median_ms"`
	WorstMillis  float64   `json:"worst_ms"`
	Millis       []float64 `json:"runs_ms"`
}

// StepFigure is one step of a start.
type StepFigure struct {
	Step         string  `json:"step"`
	MedianMillis float64 `json:"median_ms"`
}

// StartRun is one start: how long until GET / answered 200, and the steps
// the server logged.
type StartRun struct {
	ToFirstPage time.Duration
	Steps       map[string]time.Duration
	Order       []string // the steps in the order logged
}

// RunStart starts the server Runs times on a fresh data directory and once
// more on each, timing each start until GET / answers 200, and reports the
// median and the worst of each kind.
func RunStart(ctx context.Context, opts StartOptions, out io.Writer) (StartFigures, error) {
	if opts.Runs < 1 {
		return StartFigures{}, errors.New("at least one run")
	}
	figs := StartFigures{Runs: opts.Runs}
	var first, second []time.Duration
	steps := map[string][]time.Duration{}
	var order []string
	for i := range opts.Runs {
		dir, err := os.MkdirTemp("", "restaurant-start-")
		if err != nil {
			return figs, err
		}
		// PostgreSQL runs as its own user when this runs as root: it must
		// be able to enter the directory.
		if err := os.Chmod(dir, 0o755); err != nil {
			os.RemoveAll(dir)
			return figs, err
		}
		a, err := StartOnce(ctx, opts, dir)
		if err != nil {
			os.RemoveAll(dir)
			return figs, fmt.Errorf("run %d, first start: %w", i+1, err)
		}
		b, err := StartOnce(ctx, opts, dir)
		os.RemoveAll(dir)
		if err != nil {
			return figs, fmt.Errorf("run %d, second start: %w", i+1, err)
		}
		fmt.Fprintf(out, "run %d: first start %s, second start %s to the first page\n", i+1, millis(a.ToFirstPage), millis(b.ToFirstPage))
		first, second = append(first, a.ToFirstPage), append(second, b.ToFirstPage)
		for _, s := range b.Order {
			if _, seen := steps[s]; !seen {
				order = append(order, s)
			}
			steps[s] = append(steps[s], b.Steps[s])
		}
	}
	figs.First, figs.Second = startStats(first), startStats(second)
	for _, s := range order {
		figs.SecondSteps = append(figs.SecondSteps, StepFigure{Step: s, MedianMillis: ms(median(steps[s]))})
	}
	fmt.Fprintf(out, "\n%-14s %10s %10s\n", "to first 200", "median", "worst")
	fmt.Fprintf(out, "%-14s %8.0fms %8.0fms\n", "first start", figs.First.MedianMillis, figs.First.WorstMillis)
	fmt.Fprintf(out, "%-14s %8.0fms %8.0fms\n", "second start", figs.Second.MedianMillis, figs.Second.WorstMillis)
	if len(figs.SecondSteps) > 0 {
		fmt.Fprintf(out, "\nsecond start, median of each step the server logs:\n")
		var sum float64
		for _, s := range figs.SecondSteps {
			fmt.Fprintf(out, "  %-44s %8.1fms\n", s.Step, s.MedianMillis)
			sum += s.MedianMillis
		}
		fmt.Fprintf(out, "  %-44s %8.1fms\n", "the rest (process, runtime, first request)", max(0, figs.Second.MedianMillis-sum))
	}
	return figs, nil
}

// StartOnce starts the server on dir, waits until GET / answers 200, then
// stops it with SIGTERM and waits for it to exit cleanly.
func StartOnce(ctx context.Context, opts StartOptions, dir string) (StartRun, error) {
	within := opts.Within
	if within == 0 {
		within = 2 * time.Minute
	}
	addr, err := freePort()
	if err != nil {
		return StartRun{}, err
	}
	env := []string{"DATA_DIR=" + dir, "ADDR=" + addr, "METRICS_ADDR=off", "LOG_LEVEL=debug"}
	for _, kv := range opts.Env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "DATA_DIR", "ADDR", "METRICS_ADDR", "LOG_LEVEL", "DATABASE_URL", "MIGRATE_DATABASE_URL", "ROLES", "DEBUG_ADDR":
		default:
			env = append(env, kv)
		}
	}
	cmd := exec.Command(opts.Binary, "serve")
	cmd.Env = env
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, logs
	// The server dies with this process, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	exited := make(chan error, 1)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return StartRun{}, fmt.Errorf("start %s: %w", opts.Binary, err)
	}
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("the server stopped with %w; its log:\n%s", err, logs.tail())
			}
			return nil
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-exited
			return errors.New("the server did not stop within a minute of SIGTERM")
		}
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				run := StartRun{ToFirstPage: time.Since(began)}
				run.Steps, run.Order = parseSteps(logs.String())
				return run, stop()
			}
		}
		select {
		case err := <-exited:
			return StartRun{}, fmt.Errorf("the server exited before its first page (%v); its log:\n%s", err, logs.tail())
		case <-ctx.Done():
			_ = stop()
			return StartRun{}, ctx.Err()
		case <-deadline.C:
			_ = stop()
			return StartRun{}, fmt.Errorf("GET / did not answer 200 within %s; the server's log:\n%s", within, logs.tail())
		case <-poll.C:
		}
	}
}

// stepLine is the server's debug line for a start-up step.
var stepLine = regexp.MustCompile(`msg="start-up step done" step=("(?:[^"\\]|\\.)*"|\S+) took=(\S+)`)

// parseSteps reads the start-up steps from the server's log.
func parseSteps(log string) (map[string]time.Duration, []string) {
	steps := map[string]time.Duration{}
	var order []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		m := stepLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[1]
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		d, err := time.ParseDuration(m[2])
		if err != nil {
			continue
		}
		if _, seen := steps[name]; !seen {
			order = append(order, name)
		}
		steps[name] += d
	}
	return steps, order
}

func startStats(ds []time.Duration) StartStats {
	s := StartStats{MedianMillis: ms(median(ds)), WorstMillis: ms(slices.Max(ds))}
	for _, d := range ds {
		s.Millis = append(s.Millis, ms(d))
	}
	return s
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func millis(d time.Duration) string { return fmt.Sprintf("%.0f ms", ms(d)) }

// freePort finds a free local address.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// lockedBuffer collects a child's output as it writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) tail() string {
	s := l.String()
	if len(s) > 4096 {
		s = s[len(s)-4096:]
	}
	return s
}
