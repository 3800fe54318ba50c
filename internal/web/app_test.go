package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/accounts"
	"restaurant/internal/contracts"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/internal/testdb"
	"restaurant/migrations"
	"restaurant/projections"
)

// testApp is the web layer on a fresh database, with the projections
// running and the demo menu on it.
type testApp struct {
	t        *testing.T
	h        http.Handler
	store    *eventstore.Store
	runner   *projections.Runner
	accounts accounts.Accounts
	// metricsHandler serves /metrics as the metrics address does.
	metricsHandler http.Handler
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppWith lets a test adjust the handlers' dependencies.
func newTestAppWith(t *testing.T, adjust func(*Deps)) *testApp {
	t.Helper()
	return newTestAppOn(t, testdb.New(t), adjust)
}

// newTestAppOn is the web layer on a database the test has prepared, with
// the projections running and the demo menu seeded if it never had one.
// It assembles them here rather than through internal/wiring, the server's
// one wiring, because that package imports this one: a test of package web
// importing it would be an import cycle. The tests in cmd/restaurant run
// the wiring itself.
func newTestAppOn(t *testing.T, pool *pgxpool.Pool, adjust func(*Deps)) *testApp {
	t.Helper()
	store := eventstore.Open(pool, contracts.Codec())
	t.Cleanup(store.Close)
	runner := projections.NewRunner(store, slog.New(slog.NewTextHandler(io.Discard, nil)), append(projections.All(), projections.Policies(store)...)...)
	hub := live.NewHub()
	runner.Notify = func(topics []live.Topic) {
		if err := live.Notify(context.Background(), pool, topics); err != nil {
			slog.Warn("live notices not sent", "err", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); runner.Run(ctx) }()
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Listen(ctx, pool) }()
	t.Cleanup(func() { <-hubDone })
	t.Cleanup(func() { cancel(); <-done })
	if _, err := demo.SeedMenu(ctx, store); err != nil {
		t.Fatal(err)
	}
	sessions, closeSessions := NewSessions(pool)
	t.Cleanup(closeSessions)
	customerSessions, closeCustomerSessions := NewCustomerSessions(pool)
	t.Cleanup(closeCustomerSessions)
	a := &testApp{t: t, store: store, runner: runner, accounts: accounts.Accounts{Store: store}, h: nil}
	deps := Deps{
		Pool: pool, Store: store, Runner: runner,
		Menus: projections.Menus{Pool: pool}, Orders: projections.Orders{Pool: pool}, Team: projections.Team{Pool: pool}, Tickets: projections.Tickets{Pool: pool},
		Sessions: sessions, Accounts: accounts.Accounts{Store: store},
		Customers: projections.Customers{Pool: pool}, CustomerSessions: customerSessions, CustomerAccounts: accounts.Customers{Store: store},
		Pending: func(ctx context.Context) (int, error) { return migrations.Pending(ctx, pool) },
		Hub:     hub,
	}
	if adjust != nil {
		adjust(&deps)
	}
	// The tickets of orders for later open by the handlers' clock, which
	// the scheduler reads often, so that a test moving it is followed soon.
	scheduler := &projections.TicketScheduler{Store: store, Now: deps.Now, Hub: hub, Tick: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	schedulerDone := make(chan struct{})
	go func() { defer close(schedulerDone); scheduler.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-schedulerDone })
	a.h = Handler(deps)
	a.metricsHandler = MetricsHandler(deps)
	a.caughtUp()
	return a
}

// metrics reads /metrics as the metrics address serves it.
func (a *testApp) metrics() string {
	a.t.Helper()
	rec := httptest.NewRecorder()
	a.metricsHandler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		a.t.Fatalf("/metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// caughtUp waits until every projection has applied every event.
func (a *testApp) caughtUp() {
	a.t.Helper()
	head, err := a.store.Head(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	for _, p := range a.runner.Projections() {
		if ok, err := a.runner.WaitFor(context.Background(), p.Name(), head, 10*time.Second); !ok || err != nil {
			a.t.Fatalf("projection %s did not catch up (%v)", p.Name(), err)
		}
	}
}

// eventually waits, with a deadline, until cond holds: for what other
// clients wrote, which arrives as the projections apply it.
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", deadline, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// events counts the events written by requests; policies react on their
// own time and are left out.
func (a *testApp) events() int {
	a.t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE actor NOT LIKE 'policy:%'`).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// guest is a browser: it keeps its cookies.
type guest struct {
	a       *testApp
	cookies map[string]*http.Cookie
	// addr is the client's address; empty: httptest's 192.0.2.1.
	addr string
}

func (a *testApp) guest() *guest { return &guest{a: a, cookies: map[string]*http.Cookie{}} }

func (g *guest) do(req *http.Request) *httptest.ResponseRecorder {
	if g.addr != "" {
		req.RemoteAddr = g.addr
	}
	for _, c := range g.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	g.a.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(g.cookies, c.Name)
		} else {
			g.cookies[c.Name] = c
		}
	}
	return rec
}

func (g *guest) get(path string) *httptest.ResponseRecorder {
	return g.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// afterOthers reads a page once every projection has applied what other
// clients wrote until now (their writes are not waited for by this one's
// reads, only its own).
func (g *guest) afterOthers(path string) *httptest.ResponseRecorder {
	g.a.caughtUp()
	return g.get(path)
}

func (g *guest) getJSON(path string, into any) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	rec := g.do(req)
	if into != nil && rec.Code == 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			g.a.t.Fatalf("GET %s: %v: %s", path, err, rec.Body)
		}
	}
	return rec
}

func (g *guest) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return g.do(req)
}

func (g *guest) postJSON(path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return g.do(req)
}

// follow GETs a 303's target, as a browser would.
func (g *guest) follow(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	g.a.t.Helper()
	if rec.Code != http.StatusSeeOther {
		g.a.t.Fatalf("want 303, got %d: %s", rec.Code, rec.Body)
	}
	// Browsers keep the fragment to themselves.
	target, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
	return g.get(target)
}

// form makes form values with a fresh command id, as a rendered page has.
func form(kv ...string) url.Values {
	v := url.Values{"command_id": {uuid.NewString()}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// giveContact gives the order's contact through its form, as a guest does
// before placing it.
func (g *guest) giveContact(id, name, phone string) {
	g.a.t.Helper()
	g.follow(g.post("/orders/"+id+"/commands/give-contact", form("name", name, "phone", phone)))
}

// openWith opens an order from the menu with one dish and returns its id.
func (g *guest) openWith(item, qty string) string {
	g.a.t.Helper()
	page := g.follow(g.post("/orders/commands/open", form(append([]string{"menu_item_id", item, "quantity", qty}, usualChoices(item)...)...)))
	href := orderHref(page.Body.String())
	if href == "" {
		g.a.t.Fatalf("no order link on the menu after adding: %s", page.Body)
	}
	return strings.TrimPrefix(href, "/orders/")
}

// usualChoices are the form fields that choose a demo dish as the menu
// prices it: a pizza's regular size, a glass of lemonade.
func usualChoices(dish string) []string {
	switch dish {
	case "margherita", "diavola", "quattro-formaggi", "funghi", "margherita-gf":
		return []string{"option-size", "regular"}
	case "lemonade":
		return []string{"option-size", "glass"}
	}
	return nil
}

func orderHref(html string) string {
	const marker = `href="/orders/`
	i := strings.Index(html, marker)
	if i < 0 {
		return ""
	}
	rest := html[i+len(`href="`):]
	return rest[:strings.Index(rest, `"`)]
}

func (g *guest) order(id string) orderDoc {
	g.a.t.Helper()
	var doc orderDoc
	if rec := g.getJSON("/orders/"+id, &doc); rec.Code != 200 {
		g.a.t.Fatalf("GET order: %d %s", rec.Code, rec.Body)
	}
	return doc
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
