package main

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

func TestServeRefusesAnUnknownRole(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"serve", "-roles", "web,cook"}, nil},
		{[]string{"serve"}, map[string]string{"ROLES": "cook"}},
	} {
		err := run(context.Background(), c.args, func(k string) string { return c.env[k] }, strings.NewReader(""), io.Discard)
		if err == nil || !strings.Contains(err.Error(), `unknown role "cook"`) || !strings.Contains(err.Error(), "the roles are projector, relay, notify, web") {
			t.Errorf("%v %v: %v, want an error naming the unknown role and the known ones", c.args, c.env, err)
		}
	}
}

// startRoles runs the program in-process with the roles in env's ROLES and
// waits until it says it runs them; the process stops when the test ends.
func startRoles(t *testing.T, env map[string]string, addr string) *output {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &output{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "-addr", addr}, testEnv(env), strings.NewReader(""), out) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s stopped with %v", env["ROLES"], err)
			}
		})
	})
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "running ") {
		select {
		case err := <-done:
			t.Fatalf("%s exited while starting: %v\n%s", env["ROLES"], err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", env["ROLES"], out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out
}

// TestAWebProcessAndAProjectorStartedTogetherServeTheMenuAtOnce starts a
// web-only and a projector-only process at the same moment on a database
// with no menu yet: the projector serves no pages, and the web process
// takes requests only once the projector's read models have caught up, so
// its first page already lists the menu.
func TestAWebProcessAndAProjectorStartedTogetherServeTheMenuAtOnce(t *testing.T) {
	db := testdb.URL(t)
	projectorAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	var web string
	var projector *output
	var wg sync.WaitGroup
	wg.Go(func() {
		projector = startRoles(t, map[string]string{"DATABASE_URL": db, "ROLES": "projector", "METRICS_ADDR": "off"}, projectorAddr)
	})
	web = startServer(t, map[string]string{"DATABASE_URL": db, "ROLES": "web"})
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if !strings.Contains(projector.String(), "running projector (") || strings.Contains(projector.String(), "listening on") {
		t.Fatalf("the projector's output:\n%s", projector)
	}
	if conn, err := net.DialTimeout("tcp", projectorAddr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("a process without the web role listens on %s", projectorAddr)
	}
	if code, _, body := get(t, web+"/"); code != 200 || !strings.Contains(body, "Margherita") {
		t.Fatalf("the first page of the web process: %d, no Margherita:\n%s", code, body)
	}
	// An order placed on the web process gets its ticket from the projector.
	id := placeJSON(t, web, "Noor", `{"menu_item_id":"tiramisu","quantity":1}`)
	pool, err := postgres.Open(context.Background(), db, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	eventually(t, 30*time.Second, "the order's ticket", func() bool {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM tickets WHERE ticket_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
}
