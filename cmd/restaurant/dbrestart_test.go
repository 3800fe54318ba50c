package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/pgembed"
	"restaurant/internal/postgres"
	"restaurant/projections"
)

// ownPostgres is a PostgreSQL of the test's own, which it stops and starts
// again; its address stays the same across restarts.
type ownPostgres struct {
	t    *testing.T
	dir  string
	mu   sync.Mutex
	srv  *pgembed.Server
	conn string
}

func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	// A short path under the temporary directory, reachable by the postgres
	// user when the test runs as root, keeps the socket in the data
	// directory, at the same address after every start.
	dir, err := os.MkdirTemp("", "pgdown-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := &ownPostgres{t: t, dir: dir}
	t.Cleanup(func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		if db.srv != nil {
			_ = db.srv.Stop()
		}
		_ = os.RemoveAll(dir)
	})
	db.start()
	ctx := context.Background()
	admin, err := postgres.Open(ctx, db.srv.ConnString("postgres"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := postgres.CreateDatabase(ctx, admin, "restaurant", ""); err != nil {
		t.Fatal(err)
	}
	db.conn = db.srv.ConnString("restaurant")
	return db
}

func (db *ownPostgres) start() {
	db.t.Helper()
	srv, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: db.dir, Throwaway: true})
	if err != nil {
		db.t.Fatalf("start PostgreSQL: %v", err)
	}
	db.mu.Lock()
	db.srv = srv
	db.mu.Unlock()
	if db.conn != "" && srv.ConnString("restaurant") != db.conn {
		db.t.Fatalf("PostgreSQL came back at another address: %s", srv.ConnString("restaurant"))
	}
}

// stop shuts PostgreSQL down in fast mode: sessions are ended at once.
func (db *ownPostgres) stop() {
	db.t.Helper()
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.srv.Stop(); err != nil {
		db.t.Fatalf("stop PostgreSQL: %v", err)
	}
	db.srv = nil
}

// phases of the database, as the requests saw it. A request that began and
// ended in phaseDown ran while PostgreSQL was stopped, from first to last.
const (
	phaseUp = iota
	phaseDown
	phaseStarting
	phaseBack
)

// restartAnswer is one request's outcome.
type restartAnswer struct {
	what             string
	json             bool
	startPhase       int32
	endPhase         int32
	status           int
	retryAfter       string
	contentType      string
	body             string
	err              error
	elapsed          time.Duration
	unexpectedStatus bool
}

// restartLoad is guests ordering against the server while the database
// goes away and comes back.
type restartLoad struct {
	t      *testing.T
	base   string
	phase  atomic.Int32
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	log    []restartAnswer
	orders []placedOrder
	// downAnswers counts, per guest, the answers to requests sent and
	// answered while the database was away.
	downAnswers []int
	// guests keep their cookies, for the probes.
	jars []http.CookieJar
}

// placedOrder is an order a guest saw through: opened with one dish, a
// second added, pickup chosen, placed; each step answered 2xx or 303.
type placedOrder struct {
	id         string
	guest      int
	placedWhen int32
}

// requestTimeout is how long a client waits: an answer must come sooner.
const requestTimeout = 5 * time.Second

func startRestartLoad(t *testing.T, base string, guests int) *restartLoad {
	ctx, cancel := context.WithCancel(context.Background())
	l := &restartLoad{t: t, base: base, ctx: ctx, stop: cancel, downAnswers: make([]int, guests)}
	for g := range guests {
		jar, _ := cookiejar.New(nil)
		l.jars = append(l.jars, jar)
		client := &http.Client{Jar: jar, Timeout: requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		l.wg.Go(func() { l.guest(g, client, g%2 == 1) })
	}
	t.Cleanup(l.finish)
	return l
}

// finish stops the guests once each has placed the order it is in the
// middle of.
func (l *restartLoad) finish() {
	l.stop()
	l.wg.Wait()
}

// guest orders again and again; forms says whether it posts forms, as a
// browser does, rather than JSON, after opening each order.
func (l *restartLoad) guest(g int, client *http.Client, forms bool) {
	for l.ctx.Err() == nil {
		order, ok := l.send(g, client, "open", "/orders/commands/open", false, `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`, http.StatusCreated)
		if !ok {
			return
		}
		id := strings.TrimPrefix(order, "/orders/")
		steps := []struct{ path, body string }{
			{"/items/commands/add", `{"menu_item_id":"tiramisu","quantity":2,"note":"two spoons"}`},
			{"/commands/choose-pickup", `{}`},
			{"/commands/give-contact", `{"name":"Ana","phone":"+351 912 345 678"}`},
			{"/commands/place", `{}`},
		}
		for _, s := range steps {
			want := http.StatusAccepted
			if forms {
				want = http.StatusSeeOther
			}
			if _, ok := l.send(g, client, s.path, "/orders/"+id+s.path, forms, s.body, want); !ok {
				return
			}
		}
		l.mu.Lock()
		l.orders = append(l.orders, placedOrder{id: id, guest: g, placedWhen: l.phase.Load()})
		l.mu.Unlock()
	}
}

// send posts one command until it is answered as wanted, keeping its
// idempotency key (or form command id) across tries, as a client retrying
// after a 503 does. It returns the Location, or false when the command went
// wrong in a way no retry mends.
func (l *restartLoad) send(g int, client *http.Client, what, path string, form bool, body string, want int) (string, bool) {
	key := uuid.NewString()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var req *http.Request
		if form {
			values := url.Values{"command_id": {key}}
			var fields map[string]any
			_ = json.Unmarshal([]byte(body), &fields)
			for k, v := range fields {
				values.Set(k, fmt.Sprint(v))
			}
			req, _ = http.NewRequest(http.MethodPost, l.base+path, strings.NewReader(values.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
		} else {
			req, _ = http.NewRequest(http.MethodPost, l.base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
		}
		a := restartAnswer{what: what, json: !form, startPhase: l.phase.Load()}
		began := time.Now()
		resp, err := client.Do(req)
		a.elapsed, a.endPhase, a.err = time.Since(began), l.phase.Load(), err
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a.status, a.retryAfter, a.contentType, a.body = resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), string(b)
			a.unexpectedStatus = resp.StatusCode != want && resp.StatusCode != http.StatusServiceUnavailable
		}
		l.mu.Lock()
		l.log = append(l.log, a)
		if a.startPhase == phaseDown && a.endPhase == phaseDown {
			l.downAnswers[g]++
		}
		l.mu.Unlock()
		if err == nil && a.status == want {
			return resp.Header.Get("Location"), true
		}
		if a.unexpectedStatus || time.Now().After(deadline) || (l.ctx.Err() != nil && l.t.Failed()) {
			// A failed test does not wait for orders to be finished.
			return "", false
		}
		// A client that was told 503 tries again after a moment; the test
		// ending lets a guest finish the order it is placing.
		pause := time.NewTimer(50 * time.Millisecond)
		<-pause.C
	}
}

func (l *restartLoad) placed() []placedOrder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]placedOrder(nil), l.orders...)
}

func (l *restartLoad) answers() []restartAnswer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]restartAnswer(nil), l.log...)
}

// noBadAnswers fails the test at once on an answer no guest should get:
// none in time, or neither success nor 503.
func (l *restartLoad) noBadAnswers() {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.log {
		if a.err != nil || a.unexpectedStatus {
			l.t.Fatalf("%s (database %d→%d): %d %v %.300s", a.what, a.startPhase, a.endPhase, a.status, a.err, a.body)
		}
	}
}

// everyGuestSawTheOutage says whether each guest has had at least n
// answers while the database was away.
func (l *restartLoad) everyGuestSawTheOutage(n int) bool {
	l.t.Helper()
	l.noBadAnswers()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.downAnswers {
		if c < n {
			return false
		}
	}
	return true
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		<-tick.C
	}
}

// kitchenScreen follows /live?topic=kitchen as the kitchen display does:
// when the socket closes, it connects again after a pause.
type kitchenScreen struct {
	mu          sync.Mutex
	messages    []string
	connections int
	// drops says why each connection ended, and when.
	drops []string
}

func followKitchen(t *testing.T, base, password string) *kitchenScreen {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: requestTimeout}
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	header := http.Header{}
	for _, c := range jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	ks := &kitchenScreen{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var current *websocket.Conn
	var connMu sync.Mutex
	go func() {
		defer close(done)
		dialer := websocket.Dialer{HandshakeTimeout: requestTimeout}
		for ctx.Err() == nil {
			conn, _, err := dialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/live?topic=kitchen", header)
			if err == nil {
				connMu.Lock()
				current = conn
				connMu.Unlock()
				ks.mu.Lock()
				ks.connections++
				ks.mu.Unlock()
				for {
					_, msg, err := conn.ReadMessage()
					if err != nil {
						ks.mu.Lock()
						ks.drops = append(ks.drops, fmt.Sprintf("%s: %v", time.Now().Format("15:04:05.000"), err))
						ks.mu.Unlock()
						break
					}
					ks.mu.Lock()
					ks.messages = append(ks.messages, string(msg))
					ks.mu.Unlock()
				}
				conn.Close()
			}
			pause := time.NewTimer(250 * time.Millisecond)
			select {
			case <-ctx.Done():
				pause.Stop()
			case <-pause.C:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		connMu.Lock()
		if current != nil {
			current.Close()
		}
		connMu.Unlock()
		<-done
	})
	eventually(t, 10*time.Second, "the kitchen screen connects", func() bool {
		ks.mu.Lock()
		defer ks.mu.Unlock()
		return ks.connections > 0 && len(ks.messages) > 0
	})
	return ks
}

func (ks *kitchenScreen) shows(text string) bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	// The latest board is the whole board.
	for i := len(ks.messages) - 1; i >= 0; i-- {
		if strings.Contains(ks.messages[i], "kitchen-board") || strings.Contains(ks.messages[i], "ticket") {
			return strings.Contains(ks.messages[i], text)
		}
	}
	return false
}

func (ks *kitchenScreen) connectionCount() int {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.connections
}

func (ks *kitchenScreen) dropped() []string {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return append([]string(nil), ks.drops...)
}

// probe sends one request as a browser or a JSON client.
func probe(t *testing.T, client *http.Client, method, target, accept string) restartAnswer {
	t.Helper()
	req, _ := http.NewRequest(method, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: no answer within %s: %v", method, target, requestTimeout, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return restartAnswer{what: method + " " + target, status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		contentType: resp.Header.Get("Content-Type"), body: string(b), elapsed: time.Since(began)}
}

// unavailableSentence is what a browser is told while the database is away.
const unavailableSentence = "cannot reach its database"

// checkUnavailable asserts a 503 with a Retry-After, in the client's form.
func checkUnavailable(t *testing.T, a restartAnswer, asJSON bool) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("%s while the database is away: %d, want 503: %.300s", a.what, a.status, a.body)
		return
	}
	if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 || n > 30 {
		t.Errorf("%s: 503 with Retry-After %q, want a few seconds", a.what, a.retryAfter)
	}
	if asJSON {
		var p struct {
			Status int    `json:"status"`
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if !strings.HasPrefix(a.contentType, "application/problem+json") || json.Unmarshal([]byte(a.body), &p) != nil || p.Status != 503 || p.Detail == "" {
			t.Errorf("%s: 503 is not a problem document: %s %s", a.what, a.contentType, a.body)
		}
		return
	}
	if !strings.HasPrefix(a.contentType, "text/html") || !strings.Contains(a.body, unavailableSentence) {
		t.Errorf("%s: 503 page without the sentence %q: %s %.500s", a.what, unavailableSentence, a.contentType, a.body)
	}
}

// TestServerRidesOutADatabaseRestart stops PostgreSQL (fast shutdown) while
// guests order and the kitchen display follows, and starts it again. While
// it is away every request that needs it is answered quickly with 503 and
// Retry-After, a page for browsers and a problem for JSON clients, and the
// process stays up; when it is back, commands succeed again, every command
// ever answered with success is in the log exactly once, the read models
// equal a rebuild from the log, and the kitchen display shows new tickets.
func TestServerRidesOutADatabaseRestart(t *testing.T) {
	const password = "owner's own secret"
	db := startOwnPostgres(t)
	const scrape = "a scrape token for the restart"
	env := map[string]string{"DATABASE_URL": db.conn, "RESTAURANT_ADMIN_PASSWORD": password, "LOG_LEVEL": "error",
		"METRICS_TOKEN": scrape}
	maps.Copy(env, unlimitedOrders)
	base := startServer(t, env)
	display := followKitchen(t, base, password)
	plain := &http.Client{Timeout: requestTimeout}

	staffJar, _ := cookiejar.New(nil)
	staffClient := &http.Client{Jar: staffJar, Timeout: requestTimeout}
	if resp, err := staffClient.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {password}}); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}

	load := startRestartLoad(t, base, 4)
	eventually(t, 30*time.Second, "orders placed before the restart", func() bool {
		load.noBadAnswers()
		return len(load.placed()) >= 4
	})

	t.Logf("%s: stopping PostgreSQL", time.Now().Format("15:04:05.000"))
	db.stop()
	load.phase.Store(phaseDown)
	// Away for a couple of seconds at least: long enough for the
	// projections to fail to reconnect, and back off, more than once.
	downSince := time.Now()
	eventually(t, 20*time.Second, "every guest answered while the database is away",
		func() bool { return load.everyGuestSawTheOutage(3) && time.Since(downSince) > 2*time.Second })

	// Probes while the database is away.
	if a := probe(t, plain, http.MethodGet, base+"/healthz", ""); a.status != http.StatusOK {
		t.Errorf("/healthz while the database is away: %d %s", a.status, a.body)
	}
	if a := probe(t, plain, http.MethodGet, base+"/readyz", ""); a.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while the database is away: %d %s", a.status, a.body)
	}
	if status, body := getWith(t, base+"/metrics", "Authorization", "Bearer "+scrape); status != http.StatusOK || !strings.Contains(body, "restaurant_commands_total") {
		t.Errorf("/metrics while the database is away: %d %.300s", status, body)
	}
	first := load.placed()[0]
	guestClient := &http.Client{Jar: load.jars[first.guest], Timeout: requestTimeout}
	checkUnavailable(t, probe(t, guestClient, http.MethodGet, base+"/orders/"+first.id, "text/html"), false)
	checkUnavailable(t, probe(t, guestClient, http.MethodGet, base+"/orders/"+first.id, "application/json"), true)
	checkUnavailable(t, probe(t, staffClient, http.MethodGet, base+"/staff/orders", "text/html"), false)

	load.phase.Store(phaseStarting)
	db.start()
	load.phase.Store(phaseBack)
	t.Logf("%s: PostgreSQL is back", time.Now().Format("15:04:05.000"))
	eventually(t, 30*time.Second, "/readyz answers 200 again", func() bool {
		return probe(t, plain, http.MethodGet, base+"/readyz", "").status == http.StatusOK
	})
	placedBefore := len(load.placed())
	eventually(t, 30*time.Second, "orders placed after the restart", func() bool {
		load.noBadAnswers()
		return len(load.placed()) >= placedBefore+4
	})
	load.finish()

	// Every answer was quick and either success or 503 with Retry-After;
	// while the database was away, every command was answered 503.
	down, slowest := 0, time.Duration(0)
	for _, a := range load.answers() {
		switch {
		case a.err != nil:
			t.Errorf("%s (database %d→%d): no answer within %s: %v", a.what, a.startPhase, a.endPhase, requestTimeout, a.err)
		case a.unexpectedStatus:
			t.Errorf("%s (database %d→%d): %d %.300s", a.what, a.startPhase, a.endPhase, a.status, a.body)
		case a.startPhase == phaseDown && a.endPhase == phaseDown:
			down++
			slowest = max(slowest, a.elapsed)
			checkUnavailable(t, a, a.json)
		case a.status == http.StatusServiceUnavailable:
			checkUnavailable(t, a, a.json)
		}
	}
	if down == 0 {
		t.Fatal("no command was sent while the database was away")
	}

	// A new order after the restart reaches the kitchen display, which
	// needs no one to reload it.
	connectionsBefore := display.connectionCount()
	note := "after the restart " + uuid.NewString()[:8]
	placeWithNote(t, base, note)
	eventually(t, 20*time.Second, "the kitchen display shows the order placed after the restart", func() bool { return display.shows(note) })

	ctx := context.Background()
	pool, err := postgres.Open(ctx, db.conn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := eventstore.Open(pool, contracts.Codec())
	defer store.Close()
	// Every read model and policy catches up with the whole log.
	all := append(projections.All(), projections.Policies(store)...)
	eventually(t, 30*time.Second, "every projection has applied every event", func() bool {
		statuses, err := projections.Statuses(ctx, store, all)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if s.LagEvents > 0 || s.LastError != "" {
				return false
			}
		}
		return true
	})
	// The server's runner holds every projection's and policy's lock again,
	// taken on the restarted database, and the notifications (which follow
	// the log in process, with no broker) hold theirs.
	eventually(t, 15*time.Second, "the runner holds one lock per projection and policy, and the notifications theirs", func() bool {
		var held int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted`).Scan(&held); err != nil {
			t.Fatal(err)
		}
		return held == len(all)+1
	})

	// The log holds every command answered with success exactly once, and
	// the policy opened one ticket per placed order.
	orders := load.placed()
	want := map[string]int{"ordering.OrderOpened": 1, "ordering.ItemAddedToOrder": 2, "ordering.PickupChosen": 1, "ordering.ContactGiven": 1, "ordering.OrderPlaced": 1, "kitchen.TicketOpened": 1}
	for _, o := range orders {
		rows, err := pool.Query(ctx, `SELECT type, count(*) FROM events WHERE stream_id IN ($1, $2) GROUP BY type`, ordering.Stream(o.id), kitchen.Stream(o.id))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for rows.Next() {
			var typ string
			var n int
			if err := rows.Scan(&typ, &n); err != nil {
				t.Fatal(err)
			}
			got[typ] = n
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("order %s (placed while the database was %d): events %v, want %v", o.id, o.placedWhen, got, want)
		}
	}

	var tickets, placed int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE type = 'kitchen.TicketOpened'), count(*) FILTER (WHERE type = 'ordering.OrderPlaced') FROM events`).Scan(&tickets, &placed); err != nil {
		t.Fatal(err)
	}
	if tickets != placed {
		t.Errorf("%d tickets opened for %d placed orders", tickets, placed)
	}
	live := dumpReadModels(t, pool)
	if n := len(live["orders"]); n < len(orders)+1 {
		t.Errorf("the orders read model holds %d orders, want at least %d", n, len(orders)+1)
	}
	for _, p := range projections.All() {
		if _, err := projections.Rebuild(ctx, store, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	if rebuilt := dumpReadModels(t, pool); !reflect.DeepEqual(live, rebuilt) {
		for table := range rebuilt {
			if !reflect.DeepEqual(live[table], rebuilt[table]) {
				t.Errorf("read model %s differs from its rebuild:\nlive    %v\nrebuilt %v", table, live[table], rebuilt[table])
			}
		}
	}
	t.Logf("%d orders placed; %d commands answered while the database was away, the slowest in %s; the kitchen screen connected %d times (%d before the last order; dropped: %v)",
		len(orders), down, slowest.Round(time.Millisecond), display.connectionCount(), connectionsBefore, display.dropped())
}

// placeWithNote places one order whose dish carries a note the kitchen
// display shows.
func placeWithNote(t *testing.T, base, note string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: requestTimeout}
	post := func(path, body string, want int) string {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
		return resp.Header.Get("Location")
	}
	order := post("/orders/commands/open", fmt.Sprintf(`{"menu_item_id":"diavola","option-size":"regular","quantity":1,"note":%q}`, note), http.StatusCreated)
	post(order+"/commands/choose-pickup", `{}`, http.StatusAccepted)
	post(order+"/commands/give-contact", `{"name":"Ana"}`, http.StatusAccepted)
	post(order+"/commands/place", `{}`, http.StatusAccepted)
}

// dumpReadModels reads every read-model row, in a stable order.
func dumpReadModels(t *testing.T, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range projections.All() {
		for _, table := range p.Tables() {
			rows, err := pool.Query(context.Background(), fmt.Sprintf(`SELECT row_to_json(t)::text FROM %s t ORDER BY 1`, pgx.Identifier{table}.Sanitize()))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out[table] = append(out[table], s)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}
