package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
	"restaurant/migrations"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// output is a stdout that tests can read while the program writes to it.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs the real program in-process on a free port and returns
// its base URL; the server stops, and must stop cleanly, when the test ends.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	base, _ := startServerOutput(t, env)
	return base
}

// startServerOutput is startServer that also hands over what the program
// printed.
func startServerOutput(t *testing.T, env map[string]string) (string, *output) {
	t.Helper()
	base, out, _ := startServerAt(t, env, "127.0.0.1:0")
	return base, out
}

// startServerAt runs the program on an address; stop ends it early (it is
// also ended, once, when the test ends).
func startServerAt(t *testing.T, env map[string]string, addr string) (base string, out *output, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &output{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", addr}, testEnv(env), strings.NewReader(""), out)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server stopped with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(time.Minute)
	for {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, stop
		}
		select {
		case err := <-done:
			t.Fatalf("server exited before listening: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testEnv is the environment a test gives a server, with the metrics on a
// free port of their own unless the test chooses: servers in tests run
// side by side, and beside others on the machine.
func testEnv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok || k != "METRICS_ADDR" {
			return v
		}
		return "127.0.0.1:0"
	}
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestServeAnswersHealthReadinessAndHome(t *testing.T) {
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t)})

	if code, _, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, h, body := get(t, base+"/readyz"); code != 200 || !strings.Contains(body, "ready") || h.Get("Content-Type") != "application/json" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	code, h, body := get(t, base+"/")
	if code != 200 || !strings.Contains(body, "Margherita") || !strings.Contains(body, "Desserts") {
		t.Errorf("/: %d %q", code, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	css := regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatalf("no hashed stylesheet link in %q", body)
	}
	if code, h, _ := get(t, base+css[1]); code != 200 || !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet: %d, Cache-Control %q", code, h.Get("Cache-Control"))
	}
	if code, _, _ := get(t, base+"/static/style.css"); code != 404 {
		t.Errorf("unhashed asset name answered %d, want 404", code)
	}
}

func TestPendingMigrationsAreCounted(t *testing.T) {
	ctx := context.Background()
	migrated, err := postgres.Open(ctx, testdb.URL(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer migrated.Close()
	if n, err := migrations.Pending(ctx, migrated); err != nil || n != 0 {
		t.Fatalf("a migrated database reports %d pending (%v)", n, err)
	}
	empty, err := postgres.Open(ctx, testdb.EmptyURL(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if n, err := migrations.Pending(ctx, empty); err != nil || n == 0 {
		t.Fatalf("an empty database reports %d pending (%v), want some", n, err)
	}
}

func TestServeOnTheEmbeddedDatabaseKeepsData(t *testing.T) {
	dir, err := os.MkdirTemp("", "restaurant-serve-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATA_DIR": dir}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	var order string
	t.Run("first start", func(t *testing.T) {
		base := startServer(t, env)
		req, _ := http.NewRequest(http.MethodPost, base+"/orders/commands/open", strings.NewReader(`{"menu_item_id":"tiramisu","quantity":2}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("open an order: %d", resp.StatusCode)
		}
		order = base + resp.Header.Get("Location")
	})
	if _, err := os.Stat(dir + "/postgres/PG_VERSION"); err != nil {
		t.Fatalf("no cluster in DATA_DIR: %v", err)
	}
	t.Run("second start", func(t *testing.T) {
		base := startServer(t, env)
		req, _ := http.NewRequest(http.MethodGet, base+order[strings.Index(order, "/orders/"):], nil)
		req.Header.Set("Accept", "application/json")
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(body), `"quantity":2`) {
				return // the order outlived the restart
			}
			if time.Now().After(deadline) {
				t.Fatalf("after a restart the order answers %d %s", resp.StatusCode, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestMigrationsAreSafeFromTwoProcessesAtOnce(t *testing.T) {
	url := testdb.EmptyURL(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			errs <- run(context.Background(), []string{"migrate"}, func(k string) string {
				return map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "error"}[k]
			}, strings.NewReader(""), io.Discard)
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	pool, err := postgres.Open(context.Background(), url, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var applied int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if n, _ := migrations.Pending(context.Background(), pool); n != 0 || applied == 0 {
		t.Fatalf("after two concurrent migrations: %d applied, %d pending", applied, n)
	}
}

// TestMigrateRunsAsTheOwner applies the schema with MIGRATE_DATABASE_URL,
// from two processes at once, and leaves the server's role, DATABASE_URL,
// unable to rewrite history.
func TestMigrateRunsAsTheOwner(t *testing.T) {
	owner := testdb.EmptyURL(t)
	server := testdb.AppURL(t, owner)
	env := map[string]string{"DATABASE_URL": server, "MIGRATE_DATABASE_URL": owner, "LOG_LEVEL": "error"}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			errs <- run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard)
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("migrate as the owner: %v", err)
		}
	}
	pool, err := postgres.Open(context.Background(), server, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n, err := migrations.Pending(context.Background(), pool); err != nil || n != 0 {
		t.Fatalf("after migrate: %d pending (%v)", n, err)
	}
	if exposed, err := migrations.Exposures(context.Background(), pool); err != nil || len(exposed) > 0 {
		t.Fatalf("after migrate the server's role could rewrite history: %q (%v)", exposed, err)
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	env := func(string) string { return "" }
	if err := run(context.Background(), []string{"dance"}, env, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	if err := run(context.Background(), []string{"serve", "-log-level", "loud"}, env, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "log level") {
		t.Errorf("bad log level: %v", err)
	}
	if err := run(context.Background(), []string{"serve", "-nope"}, env, nil, io.Discard); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("unknown flag: %v", err)
	}
}

var generatedPassword = regexp.MustCompile(`user "admin", password "([^"]+)"`)

func signIn(t *testing.T, base, username, password string) int {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminPasswordIsGeneratedOnceOrSetFromTheEnvironment(t *testing.T) {
	url := testdb.URL(t)
	var password string
	t.Run("first start prints a password", func(t *testing.T) {
		base, out := startServerOutput(t, map[string]string{"DATABASE_URL": url})
		m := generatedPassword.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no admin password printed: %s", out)
		}
		password = m[1]
		if code := signIn(t, base, "admin", password); code != http.StatusSeeOther {
			t.Fatalf("signing in with the printed password: %d", code)
		}
	})
	t.Run("second start prints nothing", func(t *testing.T) {
		base, out := startServerOutput(t, map[string]string{"DATABASE_URL": url})
		if strings.Contains(out.String(), "password") {
			t.Fatalf("a second start printed a password: %s", out)
		}
		if code := signIn(t, base, "admin", password); code != http.StatusSeeOther {
			t.Fatalf("the first password stopped working: %d", code)
		}
	})
	t.Run("the environment resets it", func(t *testing.T) {
		base, _ := startServerOutput(t, map[string]string{"DATABASE_URL": url, "RESTAURANT_ADMIN_PASSWORD": "chosen by the owner"})
		if code := signIn(t, base, "admin", "chosen by the owner"); code != http.StatusSeeOther {
			t.Fatalf("RESTAURANT_ADMIN_PASSWORD does not sign in: %d", code)
		}
		if code := signIn(t, base, "admin", password); code != http.StatusUnauthorized {
			t.Fatalf("the generated password still works: %d", code)
		}
	})
}

func TestStaffAddReadsThePasswordFromStandardInput(t *testing.T) {
	url := testdb.URL(t)
	env := func(k string) string { return map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "error"}[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"staff", "add", "noor", "--role", "kitchen"}, env, strings.NewReader("sesame street 42\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "added noor as kitchen") {
		t.Fatalf("output: %s", out.String())
	}
	if err := run(context.Background(), []string{"staff", "add", "ola", "--role", "chef"}, env, strings.NewReader("sesame street 42\n"), io.Discard); err == nil {
		t.Fatal("a bad role was accepted")
	}
	if err := run(context.Background(), []string{"staff", "add", "ola"}, env, strings.NewReader("short\n"), io.Discard); err == nil {
		t.Fatal("a short password was accepted")
	}
	base := startServer(t, map[string]string{"DATABASE_URL": url, "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	if code := signIn(t, base, "noor", "sesame street 42"); code != http.StatusSeeOther {
		t.Fatalf("the added member cannot sign in: %d", code)
	}
}

// TestKitchenOnOneProcessSeesAnOrderPlacedThroughAnother runs two server
// processes on one database: notices travel between them through
// PostgreSQL, so a screen on either sees every change.
func TestKitchenOnOneProcessSeesAnOrderPlacedThroughAnother(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"}
	first := startServer(t, env)
	second := startServer(t, env)

	jar, _ := cookiejar.New(nil)
	staffClient := &http.Client{Jar: jar}
	resp, err := staffClient.PostForm(second+"/login", url.Values{"username": {"admin"}, "password": {"owner's own secret"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(second)
	header := http.Header{}
	for _, c := range jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(second, "http")+"/live?topic=kitchen", header)
	if err != nil {
		t.Fatalf("kitchen socket on the second process: %v", err)
	}
	defer conn.Close()

	placeByJSON(t, first)
	deadline := time.Now().Add(15 * time.Second)
	for {
		_ = conn.SetReadDeadline(deadline)
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("no ticket reached the kitchen on the second process: %v", err)
		}
		if strings.Contains(string(msg), "ticket-queued") && strings.Contains(string(msg), "Diavola") {
			return
		}
	}
}
