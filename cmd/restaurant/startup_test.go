package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"restaurant/internal/bench"
)

// TestTheSecondStartServesTheMenu starts the built program on a new
// DATA_DIR, stops it as an operator would, and starts it again on the same
// one: the second start answers / with the menu the first one seeded, and
// stops cleanly too. (How fast it does so is measured by "restaurant bench
// start", not asserted here: the machine is shared.)
func TestTheSecondStartServesTheMenu(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program and starts it twice with a durable PostgreSQL of its own; skipped with -short")
	}
	bin := buildBinary(t)
	dir, err := os.MkdirTemp("", "restaurant-restart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The postgres user must be able to reach the cluster inside.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{"first start", "second start"} {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		out := &output{}
		cmd := serverCmd(bin, dir, addr, out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var page string
		eventually(t, 2*time.Minute, start+": GET / answering 200", func() bool {
			select {
			case err := <-exited:
				t.Fatalf("%s: the server exited (%v):\n%s", start, err, out)
			default:
			}
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			page = string(body)
			return resp.StatusCode == http.StatusOK
		})
		if !strings.Contains(page, "Tiramisù") {
			t.Errorf("%s: the first page has no demo menu:\n%s", start, page)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("%s: stopped with %v:\n%s", start, err, out)
			}
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("%s: did not stop within a minute of SIGTERM:\n%s", start, out)
		}
	}
}

// TestBenchStartTimesBothStarts runs "restaurant bench start" once on the
// built program: it reports a first and a second start, and the steps of
// the second as the server logged them.
func TestBenchStartTimesBothStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program and starts it twice with a durable PostgreSQL of its own; skipped with -short")
	}
	bin := buildBinary(t)
	file := filepath.Join(t.TempDir(), "start.json")
	var out strings.Builder
	if err := run(context.Background(), []string{"bench", "start", "-runs", "1", "-binary", bin, "-json", file},
		func(string) string { return "" }, strings.NewReader(""), &out); err != nil {
		t.Fatalf("bench start: %v\n%s", err, &out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var figs bench.StartFigures
	if err := json.Unmarshal(b, &figs); err != nil {
		t.Fatal(err)
	}
	if figs.Runs != 1 || len(figs.First.Millis) != 1 || len(figs.Second.Millis) != 1 {
		t.Fatalf("one run should give one start of each kind: %s", b)
	}
	if figs.Second.MedianMillis <= 0 || figs.Second.WorstMillis < figs.Second.MedianMillis {
		t.Errorf("the second start's median and worst make no sense: %s", b)
	}
	steps := map[string]bool{}
	for _, s := range figs.SecondSteps {
		steps[s.Step] = true
	}
	for _, want := range []string{"embedded PostgreSQL accepting connections", "schema", "read models caught up"} {
		if !steps[want] {
			t.Errorf("no step %q in the second start: %s", want, b)
		}
	}
	for _, want := range []string{"first start", "second start", "median", "worst"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no %q:\n%s", want, &out)
		}
	}
}

// serverCmd is the program serving on addr with its PostgreSQL in dir.
func serverCmd(bin, dir, addr string, out *output) *exec.Cmd {
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"DATA_DIR=" + dir, "ADDR=" + addr, "METRICS_ADDR=off", "LOG_LEVEL=info",
	}
	cmd.Stdout, cmd.Stderr = out, out
	// It dies with the test binary, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}
