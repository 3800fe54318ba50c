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
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
	"restaurant/projections"
)

// serveProcessEnv, when set, makes this test binary run "restaurant serve"
// instead of its tests: a server in a process of its own, which a test can
// kill outright.
const serveProcessEnv = "RESTAURANT_SERVE_PROCESS"

func init() {
	if os.Getenv(serveProcessEnv) == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, os.Getenv, strings.NewReader(""), os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "restaurant:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childServer is the real server running as a child process.
type childServer struct {
	cmd  *exec.Cmd
	out  *output // its standard output and error
	base string
	done chan struct{}
	err  error // how it exited, once done is closed
}

// startChildServer starts the server as a process of its own with the
// environment given (and nothing of the test's own database settings), and
// waits until it listens. It is stopped when the test ends, if still running.
func startChildServer(t *testing.T, env map[string]string) *childServer {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &childServer{cmd: exec.Command(self), out: &output{}, done: make(chan struct{})}
	// Nor the broker the relay's tests use: a child publishes only where a
	// test tells it to.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "DATABASE_URL" && k != "DATA_DIR" && k != "ADDR" && k != "AMQP_URL" && k != "AMQP_EXCHANGE" {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, serveProcessEnv+"=1", "METRICS_ADDR=127.0.0.1:0")
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := listening.FindStringSubmatch(p.out.String()); m != nil {
			p.base = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("server exited before listening (%v):\n%s", p.err, p.out)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start listening:\n%s", p.out)
		}
	}
}

// kill ends the server with SIGKILL: no shutdown of any kind.
func (p *childServer) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop asks the server to shut down, and checks that it did so cleanly.
func (p *childServer) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not stop within 30 s:\n%s", p.out)
	}
	if p.err != nil {
		t.Fatalf("the server stopped with %v:\n%s", p.err, p.out)
	}
}

// postmaster reads the embedded PostgreSQL's lock file in dataDir: the
// server's process id and a connection string for the restaurant database.
func postmaster(t *testing.T, dataDir string) (pid int, conn string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		t.Fatalf("postmaster.pid: %q", b)
	}
	pid, err = strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %q", b)
	}
	return pid, fmt.Sprintf("host=%s port=%s user=postgres dbname=restaurant sslmode=disable",
		strings.TrimSpace(lines[4]), strings.TrimSpace(lines[3]))
}

// gone says whether a process has ended (a zombie has).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// command is one command of the load, as a client sends it: the same key
// again is the same command.
type command struct {
	kind    string // open, add, pickup, contact, place: the guest's; start, ready: the kitchen's
	client  *http.Client
	path    string
	key     string
	body    string
	orderID string // known before sending, except for open
}

// stream is where the command's event goes.
func (c command) stream() string {
	if c.kind == "start" || c.kind == "ready" {
		return kitchen.Stream(c.orderID)
	}
	return ordering.Stream(c.orderID)
}

// answer is the JSON answer to a command.
type answer struct {
	CommandID string `json:"command_id"`
	OrderID   string `json:"order_id"`
	Position  int64  `json:"position"`
	Duplicate bool   `json:"duplicate"`
}

// send posts the command. A nil error with a 2xx status and the whole answer
// read is an acknowledgement; an error means no answer arrived.
func (c command) send(base string) (answer, int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+c.path, strings.NewReader(c.body))
	if err != nil {
		return answer{}, 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", c.key)
	resp, err := c.client.Do(req)
	if err != nil {
		return answer{}, 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, 0, "", err
	}
	var a answer
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(body, &a); err != nil || a.CommandID == "" {
			return answer{}, resp.StatusCode, string(body), fmt.Errorf("answer without a command id: %s", body)
		}
	}
	return a, resp.StatusCode, string(body), nil
}

// acked is a command the server acknowledged, with its answer.
type acked struct {
	command
	answer
}

// ledger records what the clients sent and what the server acknowledged.
type ledger struct {
	t      *testing.T
	killed atomic.Bool // set just before the server is killed
	count  atomic.Int64

	mu      sync.Mutex
	acked   []acked
	unacked []command
}

// do sends a command during the load; it reports false once the server is
// gone. Before the kill every command must be acknowledged; a 404 from the
// kitchen (the ticket is not open yet) is reported to the caller to retry.
func (l *ledger) do(base string, c *command) (answer, int, bool) {
	a, status, body, err := c.send(base)
	switch {
	case err != nil:
		if !l.killed.Load() {
			l.t.Errorf("%s %s failed while the server was running: %v", c.kind, c.path, err)
		}
		l.mu.Lock()
		l.unacked = append(l.unacked, *c)
		l.mu.Unlock()
		return answer{}, 0, false
	case status/100 == 2:
		if c.kind == "open" {
			c.orderID = a.OrderID
		}
		l.mu.Lock()
		l.acked = append(l.acked, acked{*c, a})
		l.mu.Unlock()
		l.count.Add(1)
		return a, status, true
	case status == http.StatusNotFound && c.kind == "start":
		return answer{}, status, true
	default:
		l.t.Errorf("%s %s answered %d: %s", c.kind, c.path, status, body)
		return answer{}, status, false
	}
}

func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// guestLoad is a guest ordering again and again: open an order, add two
// dishes, choose pickup, give a name, place it; each placed order goes to
// the kitchen.
func (l *ledger) guestLoad(base string, client *http.Client, placed chan<- string) {
	for n := 0; ; n++ {
		open := command{kind: "open", client: client, path: "/orders/commands/open", key: uuid.NewString(), body: `{}`}
		a, _, ok := l.do(base, &open)
		if !ok {
			return
		}
		id := a.OrderID
		steps := []command{
			{kind: "add", path: "/orders/" + id + "/items/commands/add", body: fmt.Sprintf(`{"menu_item_id":"margherita","option-size":"regular","quantity":%d}`, n%3+1)},
			{kind: "add", path: "/orders/" + id + "/items/commands/add", body: `{"menu_item_id":"tiramisu","quantity":1,"note":"two spoons"}`},
			{kind: "pickup", path: "/orders/" + id + "/commands/choose-pickup", body: `{}`},
			{kind: "contact", path: "/orders/" + id + "/commands/give-contact", body: fmt.Sprintf(`{"name":"Guest %d"}`, n)},
			{kind: "place", path: "/orders/" + id + "/commands/place", body: `{}`},
		}
		for _, c := range steps {
			c.client, c.key, c.orderID = client, uuid.NewString(), id
			if _, _, ok := l.do(base, &c); !ok {
				return
			}
		}
		placed <- id
	}
}

// kitchenLoad is a cook starting and bumping every placed order's ticket; a
// ticket the kitchen policy has not opened yet is tried again later.
func (l *ledger) kitchenLoad(base string, client *http.Client, placed <-chan string) {
	var queue []string
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if len(queue) == 0 {
			select {
			case id := <-placed:
				queue = append(queue, id)
			case <-tick.C:
				if l.killed.Load() {
					return
				}
				continue
			}
		}
		id := queue[0]
		queue = queue[1:]
		start := command{kind: "start", client: client, path: "/kitchen/tickets/" + id + "/commands/start", key: uuid.NewString(), body: `{}`, orderID: id}
		_, status, ok := l.do(base, &start)
		if !ok {
			return
		}
		if status == http.StatusNotFound {
			queue = append(queue, id)
			<-tick.C
			continue
		}
		ready := command{kind: "ready", client: client, path: "/kitchen/tickets/" + id + "/commands/ready", key: uuid.NewString(), body: `{}`, orderID: id}
		if _, _, ok := l.do(base, &ready); !ok {
			return
		}
	}
}

// waitUntil polls until ok holds, failing the test with why() after max.
func waitUntil(t *testing.T, max time.Duration, ok func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(max)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(why())
		}
		<-tick.C
	}
}

// readModels reads every read-model row, in a stable order.
func readModels(t *testing.T, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range projections.All() {
		for _, table := range p.Tables() {
			rows, err := pool.Query(context.Background(), fmt.Sprintf(`SELECT row_to_json(t)::text FROM %s t ORDER BY 1`, table))
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

// TestKilledMidLoadLosesNothingAndRepeatsNothing kills the server with
// SIGKILL while guests and the kitchen are sending commands. The embedded
// PostgreSQL dies with it, so the next start recovers from its write-ahead
// log. Every acknowledged command must then be in the event log exactly
// once, streams and the global order must be whole, commands sent again
// with the same key must not apply twice, and the read models must equal a
// rebuild from the log.
func TestKilledMidLoadLosesNothingAndRepeatsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server with a durable PostgreSQL of its own; skipped with -short")
	}
	dir, err := os.MkdirTemp("", "restaurant-kill-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The postgres user must be able to reach the cluster inside.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "warn", "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"}
	maps.Copy(env, unlimitedOrders)
	ctx := context.Background()
	const cookPassword = "sesame street 42"
	if err := run(ctx, []string{"staff", "add", "noor", "--role", "kitchen"}, func(k string) string { return env[k] },
		strings.NewReader(cookPassword+"\n"), io.Discard); err != nil {
		t.Fatal(err)
	}

	first := startChildServer(t, env)
	firstPostgres, _ := postmaster(t, dir)
	cook := newClient(t)
	resp, err := cook.PostForm(first.base+"/login", url.Values{"username": {"noor"}, "password": {cookPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the cook's sign-in answered %d", resp.StatusCode)
	}

	l := &ledger{t: t}
	placed := make(chan string, 10000)
	var load sync.WaitGroup
	const guests = 6
	for range guests {
		client := newClient(t)
		load.Go(func() { l.guestLoad(first.base, client, placed) })
	}
	load.Go(func() { l.kitchenLoad(first.base, cook, placed) })

	const before = 80
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(2 * time.Millisecond)
	for l.count.Load() < before && !t.Failed() {
		if time.Now().After(deadline) {
			l.killed.Store(true)
			first.kill(t)
			t.Fatalf("only %d commands acknowledged in a minute", l.count.Load())
		}
		<-tick.C
	}
	tick.Stop()
	l.killed.Store(true)
	first.kill(t)
	load.Wait()
	if t.Failed() {
		t.Fatalf("the load failed before the kill:\n%s", first.out)
	}
	t.Logf("killed after %d acknowledged commands, %d in flight", len(l.acked), len(l.unacked))
	if len(l.unacked) == 0 {
		t.Fatal("no command was in flight when the server was killed: the load is too thin to test a kill mid-request")
	}

	// Pdeathsig stops PostgreSQL once its parent is gone; only then may
	// the next server start on the same cluster.
	waitUntil(t, 30*time.Second, func() bool { return gone(firstPostgres) },
		func() string { return fmt.Sprintf("PostgreSQL (pid %d) outlived the killed server", firstPostgres) })

	second := startChildServer(t, env)
	_, conn := postmaster(t, dir)
	pool, err := postgres.Open(ctx, conn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := eventstore.Open(pool, contracts.Codec())
	defer store.Close()

	// A client that got no answer sends the same command again, with the
	// same key: it is applied now, or answered as applied before. A second
	// try, and a retry of a command acknowledged before the kill, change
	// nothing.
	again := append([]command{}, l.unacked...)
	if len(l.acked) > 0 {
		again = append(again, l.acked[0].command)
	}
	for _, c := range again {
		a, status, body, err := c.send(second.base)
		// A cook's command may have been in flight for a ticket the
		// kitchen policy had not opened yet: the restarted server opens it
		// once the policy catches up, and the cook tries again meanwhile,
		// as the load does.
		for retry := time.Now().Add(30 * time.Second); err == nil && status == http.StatusNotFound && (c.kind == "start" || c.kind == "ready") && time.Now().Before(retry); {
			<-time.After(20 * time.Millisecond)
			a, status, body, err = c.send(second.base)
		}
		if err != nil || status/100 != 2 {
			t.Errorf("%s %s sent again after the restart: %d %s (%v)", c.kind, c.path, status, body, err)
			continue
		}
		if c.kind == "open" {
			c.orderID = a.OrderID
		}
		b, status, body, err := c.send(second.base)
		if err != nil || status/100 != 2 || !b.Duplicate || b.CommandID != a.CommandID || b.Position != a.Position {
			t.Errorf("%s %s sent a third time: %d %s (%v); the second answer was %+v", c.kind, c.path, status, body, err, a)
		}
		if c.orderID == "" {
			t.Fatalf("%s %s: no order id in %+v", c.kind, c.path, a)
		}
		l.acked = append(l.acked, acked{c, a})
	}

	// Every projection and policy catches up with the whole log.
	var behind, checkpoints int
	waitUntil(t, 30*time.Second, func() bool {
		if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM events e
				WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position))), count(*)
			FROM checkpoints c`).Scan(&behind, &checkpoints); err != nil {
			t.Fatal(err)
		}
		// The subscribers: every projection and policy, and the
		// notifications, which follow the log in process without a broker.
		return behind == 0 && checkpoints == len(projections.All())+len(projections.Policies(store))+1
	}, func() string {
		return fmt.Sprintf("%d of %d subscribers did not catch up after the restart:\n%s", behind, checkpoints, second.out)
	})
	if code, _, body := get(t, second.base+"/readyz"); code != http.StatusOK {
		t.Fatalf("after recovery /readyz answers %d %s", code, body)
	}

	// Every acknowledged command's one event is in the log, on its stream.
	commandsOf := map[string]map[string]bool{} // stream: the commands acknowledged on it
	orders := map[string]bool{}
	for _, a := range l.acked {
		var n int
		var stream string
		if err := pool.QueryRow(ctx, `SELECT count(*), coalesce(min(stream_id), '') FROM events WHERE command_id = $1`, a.CommandID).Scan(&n, &stream); err != nil {
			t.Fatal(err)
		}
		if n != 1 || stream != a.stream() {
			t.Errorf("acknowledged %s %s (command %s) has %d events in the log on %q, want 1 on %q", a.kind, a.path, a.CommandID, n, stream, a.stream())
		}
		if commandsOf[stream] == nil {
			commandsOf[stream] = map[string]bool{}
		}
		commandsOf[stream][a.CommandID] = true
		if a.kind == "open" {
			orders[a.orderID] = true
		}
	}
	// Nothing more: every command the clients sent is acknowledged by now,
	// so a stream holds no client event beyond those commands' own.
	for stream, cmds := range commandsOf {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE stream_id = $1 AND actor NOT LIKE 'policy:%'`, stream).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(cmds) {
			t.Errorf("%s holds %d events of guests and staff, want %d, one per acknowledged command", stream, n, len(cmds))
		}
	}
	// The policies reacted exactly once: a ticket per placed order, and
	// the order told once when its ticket started.
	var placedOrders, ticketsOpened, started, told, reactedTwice int
	if err := pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE type = 'ordering.OrderPlaced'),
			count(*) FILTER (WHERE type = 'kitchen.TicketOpened'),
			count(*) FILTER (WHERE type = 'kitchen.TicketStarted'),
			count(*) FILTER (WHERE type = 'ordering.OrderPreparationStarted'),
			(SELECT count(*) FROM (SELECT 1 FROM events WHERE actor LIKE 'policy:%' GROUP BY actor, causation_id HAVING count(*) > 1) twice)
		FROM events`).Scan(&placedOrders, &ticketsOpened, &started, &told, &reactedTwice); err != nil {
		t.Fatal(err)
	}
	if placedOrders == 0 || started == 0 || ticketsOpened != placedOrders || told != started || reactedTwice != 0 {
		t.Errorf("%d orders placed, %d tickets opened; %d tickets started, %d orders told; %d events reacted to twice",
			placedOrders, ticketsOpened, started, told, reactedTwice)
	}
	// Streams run 1, 2, 3, … with no gap.
	var broken int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT stream_id FROM events GROUP BY stream_id
		HAVING min(version) <> 1 OR max(version) <> count(*)) s`).Scan(&broken); err != nil {
		t.Fatal(err)
	}
	if broken != 0 {
		t.Errorf("%d streams have gaps in their versions", broken)
	}
	// The global order, as subscribers read it: every event once, in
	// strictly increasing (transaction, position) order.
	var total, positions int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT position) FROM events`).Scan(&total, &positions); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var last eventstore.Cursor
	if err := store.Replay(ctx, eventstore.Cursor{}, 500, func(batch []eventstore.RecordedEvent) error {
		for _, e := range batch {
			if !last.Less(e.Cursor()) || seen[e.Position] {
				return fmt.Errorf("event %d read after %v", e.Position, last)
			}
			seen[e.Position], last = true, e.Cursor()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if head, err := store.Head(ctx); err != nil || len(seen) != total || positions != total || last != head {
		t.Errorf("the log reads %d events up to %v; it holds %d (%d positions) up to %v (%v)", len(seen), last, total, positions, head, err)
	}

	// The read models hold every order, and equal a rebuild from the log.
	var shown int
	ids := make([]string, 0, len(orders))
	for id := range orders {
		ids = append(ids, id)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM orders WHERE order_id::text = ANY($1)`, ids).Scan(&shown); err != nil {
		t.Fatal(err)
	}
	if shown != len(orders) {
		t.Errorf("the orders read model shows %d of the %d acknowledged orders", shown, len(orders))
	}
	live := readModels(t, pool)
	if err := run(ctx, []string{"projections", "rebuild"}, func(k string) string {
		return map[string]string{"DATABASE_URL": conn, "LOG_LEVEL": "warn"}[k]
	}, strings.NewReader(""), io.Discard); err != nil {
		t.Fatal(err)
	}
	if rebuilt := readModels(t, pool); !reflect.DeepEqual(live, rebuilt) {
		t.Errorf("the read models after recovery differ from a rebuild:\nlive    %v\nrebuilt %v", live, rebuilt)
	}
	store.Close()
	pool.Close()
	second.stop(t)
}
