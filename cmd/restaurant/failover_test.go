package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

// takeoverPromise is how soon after a projector dies another one carries
// on with every read model and policy it ran.
const takeoverPromise = 5 * time.Second

// TestAProjectorKilledMidStreamIsReplaced runs the real binary as four
// processes on one empty database, started at once: two web processes
// behind a round-robin proxy and two projectors. Guests order through the
// proxy while a kitchen screen follows the board on the second web process.
// The projector that opens the kitchen's tickets is killed (SIGKILL) while
// orders keep coming. It shows that the other projector carries on, within
// takeoverPromise, with every read model and policy the dead one ran
// (measured from the kill until the survivor holds the projection's lock
// and has committed a batch since it was first seen holding it: an upper
// bound); that every placed order got exactly one ticket and its read-model
// rows, no event skipped and none applied twice; that every read model
// reaches the head of the log; and that the kitchen screen, connected to a
// web process that never stopped, shows tickets of orders placed after the
// kill. It does not show what happens when the database itself goes away
// (see dbrestart_test.go), nor a web process dying.
func TestAProjectorKilledMidStreamIsReplaced(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs four processes of it")
	}
	bin := buildBinary(t)
	dbURL := testdb.EmptyURL(t) // the four processes migrate it at once
	const password = "the failover owner's secret"

	web1 := startProcess(t, bin, dbURL, "web-1", "web")
	web2 := startProcess(t, bin, dbURL, "web-2", "web")
	projA := startProcess(t, bin, dbURL, "projector-a", "projector")
	projB := startProcess(t, bin, dbURL, "projector-b", "projector")
	all := []*process{web1, web2, projA, projB}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range all {
				t.Logf("--- %s (%s) said:\n%s", p.name, p.roles, p.out)
			}
		}
	})
	for _, p := range all {
		p.waitReady(t, 2*time.Minute)
	}

	ctx := context.Background()
	pool, err := postgres.Open(ctx, dbURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := eventstore.Open(pool, contracts.Codec())
	t.Cleanup(store.Close)
	var names []string
	for _, p := range append(projections.All(), projections.Policies(store)...) {
		names = append(names, p.Name())
	}
	var dishes int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE type = 'menu.MenuItemAdded'`).Scan(&dishes); err != nil {
		t.Fatal(err)
	}
	if dishes == 0 {
		t.Fatal("no process added the demo menu")
	}
	var admins int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE type = 'staff.StaffMemberAdded'`).Scan(&admins); err != nil || admins != 1 {
		t.Fatalf("four processes starting at once added the admin %d times (%v)", admins, err)
	}

	// The proxy in front of the web processes: round robin, one request to
	// the first, the next to the second.
	targets := []*url.URL{mustURL(t, web1.base), mustURL(t, web2.base)}
	var turn atomic.Uint64
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(targets[turn.Add(1)%2])
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(proxy.Close)

	// The kitchen screen, on the second web process.
	screen := openBoardSocket(t, web2.base, password)

	// Guests order through the proxy until told to stop.
	var mu sync.Mutex
	var placed []guestOrder
	var guestErrs []error
	stopGuests := make(chan struct{})
	var guests sync.WaitGroup
	for g := range 3 {
		guests.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stopGuests:
					return
				default:
				}
				name := fmt.Sprintf("Guest%dx%d", g, n)
				id, err := placeThrough(proxy.URL, name)
				mu.Lock()
				if err != nil {
					guestErrs = append(guestErrs, err)
					mu.Unlock()
					return
				}
				placed = append(placed, guestOrder{id: id, name: name, at: time.Now()})
				mu.Unlock()
			}
		})
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(stopGuests)
			guests.Wait()
		}
	}
	t.Cleanup(stop)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(placed) }
	failedGuests := func() error { mu.Lock(); defer mu.Unlock(); return errors.Join(guestErrs...) }

	// Mid-stream: orders are flowing, tickets opening, the screen showing them.
	eventually(t, 2*time.Minute, "ten orders placed with their tickets open", func() bool {
		if err := failedGuests(); err != nil {
			t.Fatalf("a guest failed before the kill: %v", err)
		}
		var tickets int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM tickets`).Scan(&tickets); err != nil {
			t.Fatal(err)
		}
		return count() >= 10 && tickets >= 10
	})

	// Who runs what: each projection's lock holder.
	holders := lockHolders(t, pool, names)
	for _, n := range names {
		if h := holders[n]; h != projA.name && h != projB.name {
			t.Fatalf("projection %s is run by %q, not by a projector (holders: %v)", n, h, holders)
		}
	}
	victim, survivor := projA, projB
	if holders["policy:kitchen-tickets"] == projB.name {
		victim, survivor = projB, projA
	}
	var victims []string
	for _, n := range names {
		if holders[n] == victim.name {
			victims = append(victims, n)
		}
	}
	t.Logf("killing %s, which runs %v; %s runs the rest", victim.name, victims, survivor.name)

	killedAt := time.Now()
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.exited
	placedBeforeKill := count()

	// The survivor takes over each projection the dead one ran: it holds
	// the lock, and the checkpoint has moved since it was first seen
	// holding it (a batch committed by the survivor).
	took := map[string]time.Duration{}
	firstSeen := map[string]eventstore.Cursor{}
	eventually(t, time.Minute, "the surviving projector to carry on with every projection", func() bool {
		now := lockHolders(t, pool, victims)
		for _, n := range victims {
			if _, done := took[n]; done || now[n] != survivor.name {
				continue
			}
			c, err := store.Checkpoint(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if at, seen := firstSeen[n]; !seen {
				firstSeen[n] = c
			} else if at.Less(c) {
				took[n] = time.Since(killedAt)
			}
		}
		return len(took) == len(victims)
	})
	var slowest time.Duration
	for _, n := range victims {
		slowest = max(slowest, took[n])
	}
	t.Logf("takeover after the kill: slowest %s, each %v", slowest.Round(time.Millisecond), took)
	if slowest > takeoverPromise {
		t.Errorf("the surviving projector took %s to carry on (promise: %s): %v", slowest, takeoverPromise, took)
	}

	// Orders keep coming; the screen on web 2 shows one placed after the kill.
	eventually(t, 2*time.Minute, "the kitchen screen to show a ticket of an order placed after the kill", func() bool {
		if err := failedGuests(); err != nil {
			t.Fatalf("a guest failed: %v", err)
		}
		mu.Lock()
		after := slices.DeleteFunc(slices.Clone(placed), func(o guestOrder) bool { return !o.at.After(killedAt) })
		mu.Unlock()
		return len(after) >= 5 && slices.ContainsFunc(after, func(o guestOrder) bool { return screen.saw("· " + o.name) })
	})
	stop()
	if err := failedGuests(); err != nil {
		t.Fatalf("a guest failed: %v", err)
	}
	t.Logf("%d orders placed, %d of them after the kill", len(placed), len(placed)-placedBeforeKill)

	// Every read model and policy reaches the head of the log (the
	// policies append as they go: wait for a head that stays put).
	eventually(t, 2*time.Minute, "every projection to reach the head of the log", func() bool {
		head, err := store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			c, err := store.Checkpoint(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if c.Less(head) {
				return false
			}
		}
		again, err := store.Head(ctx)
		return err == nil && again == head
	})

	// Exactly one ticket per placed order, and its read-model rows.
	var placedEvents, ticketEvents, doubled int
	if err := pool.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE type = 'ordering.OrderPlaced'),
		count(*) FILTER (WHERE type = 'kitchen.TicketOpened')
		FROM events`).Scan(&placedEvents, &ticketEvents); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT stream_id FROM events
		WHERE type = 'kitchen.TicketOpened' GROUP BY stream_id HAVING count(*) > 1) twice`).Scan(&doubled); err != nil {
		t.Fatal(err)
	}
	if doubled != 0 || placedEvents != len(placed) || ticketEvents != len(placed) {
		t.Fatalf("%d orders placed by the guests, %d OrderPlaced and %d TicketOpened events; %d tickets opened more than once",
			len(placed), placedEvents, ticketEvents, doubled)
	}
	for _, o := range placed {
		var opened int
		var ticketRow, orderPlaced bool
		if err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM events WHERE stream_id = $1 AND type = 'kitchen.TicketOpened'),
			EXISTS (SELECT 1 FROM tickets WHERE ticket_id = $2),
			EXISTS (SELECT 1 FROM orders WHERE order_id = $2 AND status <> 'open')`,
			kitchen.Stream(o.id), o.id).Scan(&opened, &ticketRow, &orderPlaced); err != nil {
			t.Fatal(err)
		}
		if opened != 1 || !ticketRow || !orderPlaced {
			t.Fatalf("order %s (%s, stream %s): %d tickets opened, ticket row %v, placed in the orders read model %v",
				o.id, o.name, ordering.Stream(o.id), opened, ticketRow, orderPlaced)
		}
	}

	// The processes still running stop cleanly when asked.
	for _, p := range []*process{web1, web2, survivor} {
		p.stop(t)
	}
}

type guestOrder struct {
	id, name string
	at       time.Time // when the place command was acknowledged
}

// buildBinary builds the program once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "restaurant")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go tool on PATH to build the binary with: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is the binary running as one process of the restaurant.
type process struct {
	name, roles string
	base        string // the web role's address
	cmd         *exec.Cmd
	out         *output
	exited      chan struct{}
	err         error // how it exited, once exited is closed
}

// startProcess starts "restaurant serve" with the roles on the database;
// its connections carry its name as their application_name.
func startProcess(t *testing.T, bin, dbURL, name, roles string) *process {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, roles: roles, base: "http://" + addr, out: &output{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"DATABASE_URL=" + dbURL + " application_name=" + name,
		"ROLES=" + roles, "ADDR=" + addr, "METRICS_ADDR=off", "LOG_LEVEL=info",
		"RESTAURANT_ADMIN_PASSWORD=the failover owner's secret",
		// Every guest comes from this machine, through the proxy.
		"MAX_CONNS_PER_ADDRESS=0",
	}
	for k, v := range unlimitedOrders {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// It dies with the test binary, whatever ends it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitReady waits until the web role answers ready, or the projector
// says it runs.
func (p *process) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	eventually(t, within, p.name+" to start", func() bool {
		select {
		case <-p.exited:
			t.Fatalf("%s exited while starting (%v):\n%s", p.name, p.err, p.out)
		default:
		}
		if !strings.Contains(p.roles, "web") {
			return strings.Contains(p.out.String(), "running projector (")
		}
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stop asks the process to stop, as an operator would, and expects it to
// stop cleanly.
func (p *process) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("%s stopped with %v", p.name, p.err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// lockHolders names, for each projection, the application holding its
// runner's lock ("" for none).
func lockHolders(t *testing.T, pool *pgxpool.Pool, names []string) map[string]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT n.name, coalesce(a.application_name, '')
		FROM unnest($1::text[]) AS n(name)
		CROSS JOIN LATERAL (SELECT hashtext('projection:' || n.name)::bigint AS key) k
		LEFT JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)
		LEFT JOIN pg_stat_activity a ON a.pid = l.pid`, names)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	holders := map[string]string{}
	for rows.Next() {
		var name, holder string
		if err := rows.Scan(&name, &holder); err != nil {
			t.Fatal(err)
		}
		holders[name] = holder
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return holders
}

// boardSocket is one kitchen display's socket, keeping what it was sent;
// it does not connect again, so what it receives came over one connection.
type boardSocket struct {
	mu     sync.Mutex
	pushes []string
}

func (s *boardSocket) saw(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.pushes, func(p string) bool { return strings.Contains(p, text) })
}

// openBoardSocket signs the admin in on a web process and follows the
// kitchen board there.
func openBoardSocket(t *testing.T, base, password string) *boardSocket {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar}
	resp, err := staff.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u := mustURL(t, base)
	header := http.Header{}
	for _, c := range jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/live?topic=kitchen", header)
	if err != nil {
		t.Fatalf("kitchen screen: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &boardSocket{}
	go func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.pushes = append(s.pushes, string(msg))
			s.mu.Unlock()
		}
	}()
	return s
}

// placeThrough places a pickup order for one dish under a guest's name
// through the JSON commands, and returns its id.
func placeThrough(base, name string) (string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, body string) (string, error) {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("POST %s: %w", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return "", fmt.Errorf("POST %s: %s %s", path, resp.Status, b)
		}
		return resp.Header.Get("Location"), nil
	}
	order, err := post("/orders/commands/open", `{"menu_item_id":"tiramisu","quantity":1}`)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(order, "/orders/") {
		return "", fmt.Errorf("opening an order answered Location %q", order)
	}
	for _, step := range []struct{ path, body string }{
		{"/commands/choose-pickup", `{}`},
		{"/commands/give-contact", fmt.Sprintf(`{"name":%q}`, name)},
		{"/commands/place", `{}`},
	} {
		if _, err := post(order+step.path, step.body); err != nil {
			return "", err
		}
	}
	return strings.TrimPrefix(order, "/orders/"), nil
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
