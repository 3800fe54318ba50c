package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"

	"restaurant/internal/bench"
)

// runBenchLive is "restaurant bench live": N kitchen screens on a server
// running as its own process (so its memory is its own), orders placed one
// after another, commit-to-screen latency and memory per idle screen; with
// -stuck, the latency again beside screens that never read.
func runBenchLive(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("bench live", getenv, stdout)
	sockets := fs.String("sockets", "1,100,1000", "kitchen screens, comma separated")
	orders := fs.Int("orders", 20, "orders placed for each number of screens")
	stuck := fs.Int("stuck", 0, "extra screens that connect and never read; the orders are then timed again beside them")
	env, err := startBench(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer env.close()
	ns, err := positiveInts("sockets", *sockets)
	if err != nil {
		return err
	}
	if *stuck < 0 {
		return fmt.Errorf("-stuck: %d is not a number of screens", *stuck)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	secret := make([]byte, 18)
	_, _ = rand.Read(secret)
	password := base64.RawURLEncoding.EncodeToString(secret)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	server := exec.CommandContext(ctx, self, "serve", "-addr", addr)
	server.Env = append(os.Environ(), "DATABASE_URL="+env.app.ConnString, "RESTAURANT_ADMIN_PASSWORD="+password, "LOG_LEVEL=warn", "GOGC=")
	server.Stdout, server.Stderr = io.Discard, os.Stderr
	if err := server.Start(); err != nil {
		return fmt.Errorf("start the server: %w", err)
	}
	defer func() { _ = server.Process.Signal(os.Interrupt); _ = server.Wait() }()
	base := "http://" + addr
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	figs, err := bench.RunLive(ctx, bench.LiveOptions{Sockets: ns, Orders: *orders, Stuck: *stuck, Base: base, PID: server.Process.Pid,
		Username: "admin", Password: password}, stdout)
	if err != nil || env.jsonOut == "" {
		return err
	}
	b, err := json.MarshalIndent(figs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(env.jsonOut, append(b, '\n'), 0o644)
}
