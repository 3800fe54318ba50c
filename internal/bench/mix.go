package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/live"
)

// MixOptions choose the mixed load: guests ordering, cooks working the
// tickets, and screens listening, for a time or a number of orders.
type MixOptions struct {
	// Base is the server under test; PID its process when it runs on this
	// machine (its memory is then read from /proc, else from /metrics).
	Base    string
	PID     int
	Metrics Metrics
	// Username and Password sign the cooks and the kitchen screens in.
	Username, Password string

	Guests         int           // guests ordering at once
	Cooks          int           // kitchen staff starting, bumping and handing over
	KitchenScreens int           // kitchen displays following the board
	GuestScreens   int           // guests following their order's status, at most at once
	Duration       time.Duration // how long the load runs
	Orders         int           // stop once this many orders are placed (0: no limit)

	// PgBench and PgBenchConn run pgbench's one-row insert at the same
	// concurrency as a baseline, on Pool's database; empty skips it.
	PgBench     string
	Pool        *pgxpool.Pool
	PgBenchConn []string
	// Progress receives a progress bar; nil draws none. With ProgressLines
	// it gets a line every five seconds instead (for logs, not terminals).
	Progress      io.Writer
	ProgressLines bool
}

// MixReport is everything one mixed run measured, beside its baselines.
type MixReport struct {
	When     time.Time `json:"when"`
	Machine  string    `json:"machine"`
	Target   string    `json:"target"`
	Seconds  float64   `json:"seconds"`
	Guests   int       `json:"guests"`
	Cooks    int       `json:"cooks"`
	Screens  [2]int    `json:"kitchen_and_guest_screens"`
	Orders   int       `json:"orders_placed"`
	Commands int       `json:"commands"`
	Pages    int       `json:"pages"`

	CommandsPerSec float64 `json:"commands_per_sec"`
	RequestsPerSec float64 `json:"requests_per_sec"`
	CommandP50     float64 `json:"command_p50_ms"`
	CommandP95     float64 `json:"command_p95_ms"`
	CommandP99     float64 `json:"command_p99_ms"`
	PageP50        float64 `json:"page_p50_ms"`
	PageP99        float64 `json:"page_p99_ms"`

	// Commit to screen: a kitchen screen showing a placed order's ticket,
	// counted from the place command's answer; a guest's screen showing
	// "ready", counted from the kitchen's bump.
	KitchenScreenSamples int     `json:"kitchen_screen_samples"`
	KitchenScreenP50     float64 `json:"kitchen_screen_p50_ms"`
	KitchenScreenP99     float64 `json:"kitchen_screen_p99_ms"`
	GuestScreenSamples   int     `json:"guest_screen_samples"`
	GuestScreenP50       float64 `json:"guest_screen_p50_ms"`
	GuestScreenP99       float64 `json:"guest_screen_p99_ms"`

	ProjectionLagEvents  float64 `json:"projection_lag_max_events"`
	ProjectionLagSeconds float64 `json:"projection_lag_max_seconds"`

	ServerRSS     int64          `json:"server_rss_bytes"`
	ServerHeap    int64          `json:"server_heap_and_stacks_bytes"`
	RSSPerSocket  float64        `json:"server_rss_per_idle_socket_bytes"`
	HeapPerSocket float64        `json:"server_heap_per_idle_socket_bytes"`
	Errors        map[string]int `json:"errors"`

	BareRequestsPerSec float64 `json:"baseline_bare_handler_requests_per_sec"`
	PgBenchInserts     float64 `json:"baseline_pgbench_inserts_per_sec"`
	RatioToBare        float64 `json:"ratio_requests_to_bare_handler"`
	RatioToPgBench     float64 `json:"ratio_commands_to_pgbench"`
}

// RunMix runs the mixed load against the server, then the same guests and
// cooks against a bare net/http handler, then pgbench's one-row insert at the
// same concurrency, and prints every figure with its ratio.
func RunMix(ctx context.Context, opts MixOptions, out io.Writer) (MixReport, error) {
	r := MixReport{When: time.Now().UTC(), Target: opts.Base, Guests: opts.Guests, Cooks: opts.Cooks,
		Screens: [2]int{opts.KitchenScreens, opts.GuestScreens}, Errors: map[string]int{},
		Machine: fmt.Sprintf("%d cores, %s/%s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)}
	cookie, err := signIn(opts.Base, opts.Username, opts.Password)
	if err != nil {
		return r, err
	}
	items, err := menuItems(ctx, opts.Base)
	if err != nil {
		return r, err
	}

	l := newLoad(opts, opts.Base, cookie, items, r.Errors)
	l.fromScreen = opts.KitchenScreens > 0

	// Memory per idle screen: the server before and after the screens connect.
	before, err := serverMemory(ctx, opts)
	if err != nil {
		return r, err
	}
	screens, err := connectKitchenScreens(ctx, opts, cookie)
	defer screens.close()
	if err != nil {
		return r, err
	}
	after, err := serverMemory(ctx, opts)
	if err != nil {
		return r, err
	}
	if n := float64(opts.KitchenScreens); n > 0 {
		r.RSSPerSocket = float64(after.rss-before.rss) / n
		r.HeapPerSocket = float64(after.heap-before.heap) / n
	}
	screens.follow(l)

	lagDone := make(chan struct{})
	go func() {
		defer close(lagDone)
		l.watchLag(ctx, opts.Metrics, &r)
	}()
	seconds := l.run(ctx, opts.Progress)
	<-lagDone
	screens.close()
	end, err := serverMemory(ctx, opts)
	if err != nil {
		return r, err
	}
	r.ServerRSS, r.ServerHeap = end.rss, end.heap

	r.Seconds = seconds
	r.Orders = int(l.placed.Load())
	r.Commands, r.Pages = len(l.commands), len(l.pages)
	r.CommandsPerSec = float64(r.Commands) / seconds
	r.RequestsPerSec = float64(r.Commands+r.Pages) / seconds
	r.CommandP50, r.CommandP95, r.CommandP99 = percentile(l.commands, 0.50), percentile(l.commands, 0.95), percentile(l.commands, 0.99)
	r.PageP50, r.PageP99 = percentile(l.pages, 0.50), percentile(l.pages, 0.99)
	kitchen, guests := screens.delays(l), l.guestDelays()
	r.KitchenScreenSamples, r.KitchenScreenP50, r.KitchenScreenP99 = len(kitchen), percentile(kitchen, 0.50), percentile(kitchen, 0.99)
	r.GuestScreenSamples, r.GuestScreenP50, r.GuestScreenP99 = len(guests), percentile(guests, 0.50), percentile(guests, 0.99)

	// The same guests and cooks against a handler that does nothing.
	bareURL, stopBare, err := serveOn(bareRestaurant())
	if err != nil {
		return r, err
	}
	bare := newLoad(MixOptions{Guests: opts.Guests, Cooks: opts.Cooks, Duration: min(opts.Duration, 10*time.Second)},
		bareURL, "", items, map[string]int{})
	bareSeconds := bare.run(ctx, nil)
	stopBare()
	r.BareRequestsPerSec = float64(len(bare.commands)+len(bare.pages)) / bareSeconds
	r.RatioToBare = r.RequestsPerSec / r.BareRequestsPerSec
	if opts.PgBench != "" {
		tps, _, err := pgbenchInsert(ctx, opts.Pool, Options{PgBench: opts.PgBench, PgBenchConn: opts.PgBenchConn,
			Duration: max(time.Second, min(opts.Duration, 10*time.Second))}, opts.Guests+opts.Cooks)
		if err != nil {
			return r, err
		}
		r.PgBenchInserts = tps
		r.RatioToPgBench = r.CommandsPerSec / tps
	}
	printMix(out, r)
	return r, nil
}

func printMix(out io.Writer, r MixReport) {
	fmt.Fprintf(out, "\n%d guests, %d cooks, %d kitchen screens, %d guest screens, %.0f s on %s: %d orders placed\n\n",
		r.Guests, r.Cooks, r.Screens[0], r.Screens[1], r.Seconds, r.Machine, r.Orders)
	row := func(what, figure, baseline, ratio string) {
		fmt.Fprintf(out, "%-34s %-30s %-36s %s\n", what, figure, baseline, ratio)
	}
	row("figure", "ours", "baseline (same run)", "ratio")
	pg, pgRatio := "pgbench not run", ""
	if r.PgBenchInserts > 0 {
		pg, pgRatio = fmt.Sprintf("pgbench one-row insert %.0f/s", r.PgBenchInserts), fmt.Sprintf("%.2f", r.RatioToPgBench)
	}
	row("commands", fmt.Sprintf("%.0f/s", r.CommandsPerSec), pg, pgRatio)
	row("requests (pages and commands)", fmt.Sprintf("%.0f/s", r.RequestsPerSec),
		fmt.Sprintf("bare net/http handler %.0f/s", r.BareRequestsPerSec), fmt.Sprintf("%.2f", r.RatioToBare))
	row("command latency p50 / p95 / p99", fmt.Sprintf("%.1f / %.1f / %.1f ms", r.CommandP50, r.CommandP95, r.CommandP99), "", "")
	row("pages (menu, order) p50 / p99", fmt.Sprintf("%.1f / %.1f ms", r.PageP50, r.PageP99), "", "")
	row("commit to kitchen screen p50 / p99", fmt.Sprintf("%.1f / %.1f ms", r.KitchenScreenP50, r.KitchenScreenP99),
		fmt.Sprintf("%d samples", r.KitchenScreenSamples), "")
	row("commit to guest screen p50 / p99", fmt.Sprintf("%.1f / %.1f ms", r.GuestScreenP50, r.GuestScreenP99),
		fmt.Sprintf("%d samples", r.GuestScreenSamples), "")
	row("projection lag, worst seen", fmt.Sprintf("%.0f events, %.2f s", r.ProjectionLagEvents, r.ProjectionLagSeconds), "", "")
	row("server memory at the end", fmt.Sprintf("%.1f MB RSS, %.1f MB heap+stacks", float64(r.ServerRSS)/1e6, float64(r.ServerHeap)/1e6), "", "")
	row("memory per idle kitchen screen", fmt.Sprintf("%.1f KB RSS, %.1f KB heap+stacks", r.RSSPerSocket/1e3, r.HeapPerSocket/1e3), "", "")
	if len(r.Errors) == 0 {
		row("errors", "none", "", "")
		return
	}
	kinds := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		row("errors: "+k, strconv.Itoa(r.Errors[k]), "", "")
	}
}

// WriteMixJSON writes a mixed run's report.
func WriteMixJSON(path string, r MixReport) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// load is one run of guests and cooks against a server.
type load struct {
	opts    MixOptions
	base    string
	cookie  string
	items   []string
	stop    chan struct{}
	tickets chan string // placed orders, for the cooks
	// fromScreen: the cooks work from a kitchen screen, as a kitchen does;
	// without screens they take each order as it is placed.
	fromScreen bool

	placed atomic.Int64
	done   atomic.Int64 // requests answered, for the progress bar
	failed atomic.Int64

	mu        sync.Mutex
	commands  []time.Duration
	pages     []time.Duration
	placedAt  map[string]time.Time // the place command answered
	bumpedAt  map[string]time.Time // the kitchen's "ready" answered
	readySeen map[string]time.Time // the guest's screen showed "ready"
	errors    map[string]int
	watching  chan struct{} // a token per guest screen
	following map[*websocket.Conn]bool
	followers sync.WaitGroup
}

func newLoad(opts MixOptions, base, cookie string, items []string, errs map[string]int) *load {
	l := &load{opts: opts, base: base, cookie: cookie, items: items, stop: make(chan struct{}),
		tickets: make(chan string, 1<<16), errors: errs,
		placedAt: map[string]time.Time{}, bumpedAt: map[string]time.Time{}, readySeen: map[string]time.Time{},
		following: map[*websocket.Conn]bool{},
		watching:  make(chan struct{}, opts.GuestScreens)}
	for range opts.GuestScreens {
		l.watching <- struct{}{}
	}
	return l
}

// run drives the load until its time is up or its orders are placed, and
// returns how long it ran.
func (l *load) run(ctx context.Context, progress io.Writer) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	for range l.opts.Guests {
		wg.Go(func() { l.guest(ctx) })
	}
	var cooks sync.WaitGroup
	for range l.opts.Cooks {
		cooks.Go(func() { l.cook(ctx) })
	}
	every := 250 * time.Millisecond
	if l.opts.ProgressLines {
		every = 5 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	deadline := time.NewTimer(l.opts.Duration)
	defer deadline.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-deadline.C:
			break loop
		case <-tick.C:
			if progress != nil {
				l.drawProgress(progress, time.Since(start))
			}
			if l.opts.Orders > 0 && l.placed.Load() >= int64(l.opts.Orders) {
				break loop
			}
		}
	}
	close(l.stop)
	wg.Wait()
	cooks.Wait()
	elapsed := time.Since(start).Seconds()
	l.mu.Lock()
	for conn := range l.following {
		conn.Close()
	}
	l.mu.Unlock()
	l.followers.Wait()
	if progress != nil {
		l.drawProgress(progress, time.Since(start))
		if !l.opts.ProgressLines {
			fmt.Fprintln(progress)
		}
	}
	return elapsed
}

func (l *load) drawProgress(w io.Writer, elapsed time.Duration) {
	frac := elapsed.Seconds() / l.opts.Duration.Seconds()
	if l.opts.Orders > 0 {
		frac = max(frac, float64(l.placed.Load())/float64(l.opts.Orders))
	}
	frac = min(frac, 1)
	const width = 30
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
	start, end := "\r", " "
	if l.opts.ProgressLines {
		start, end = "", "\n"
	}
	fmt.Fprintf(w, "%s[%s] %3.0f%% %5.1fs  %d orders  %d requests  %.0f/s  %d errors%s", start, bar, frac*100,
		elapsed.Seconds(), l.placed.Load(), l.done.Load(), float64(l.done.Load())/max(elapsed.Seconds(), 0.001), l.failed.Load(), end)
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// guest browses the menu, opens an order, adds dishes, chooses pickup,
// gives a name and places it, again and again; some guests follow their
// order's status.
func (l *load) guest(ctx context.Context) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	dish := func() string { return l.items[rnd.IntN(len(l.items))] }
	for !l.stopped() {
		if _, ok := l.request(ctx, client, http.MethodGet, "/", "", true); !ok {
			continue
		}
		opened, ok := l.request(ctx, client, http.MethodPost, "/orders/commands/open",
			fmt.Sprintf(`{%s,"quantity":%d}`, dish(), 1+rnd.IntN(2)), false)
		order, _, _ := strings.Cut(opened, "?")
		if !ok || !strings.HasPrefix(order, "/orders/") {
			continue
		}
		for range 1 + rnd.IntN(3) {
			l.request(ctx, client, http.MethodPost, order+"/items/commands/add",
				fmt.Sprintf(`{%s,"quantity":%d}`, dish(), 1+rnd.IntN(3)), false)
		}
		if _, ok := l.request(ctx, client, http.MethodPost, order+"/commands/choose-pickup", `{}`, false); !ok {
			continue
		}
		if _, ok := l.request(ctx, client, http.MethodPost, order+"/commands/give-contact", `{"name":"Bench guest","phone":"+351 912 345 678"}`, false); !ok {
			continue
		}
		placed, ok := l.request(ctx, client, http.MethodPost, order+"/commands/place", `{}`, false)
		if !ok {
			continue
		}
		id := strings.TrimPrefix(order, "/orders/")
		l.mu.Lock()
		l.placedAt[id] = time.Now()
		l.mu.Unlock()
		l.placed.Add(1)
		if !l.fromScreen {
			l.offer(id)
		}
		// The guest lands on the order's page and, with a screen free,
		// follows it live.
		page := order
		if _, seen, found := strings.Cut(placed, "?"); found {
			page += "?" + seen
		}
		if _, ok := l.request(ctx, client, http.MethodGet, page, "", true); ok && l.cookie != "" {
			l.follow(ctx, jar, id)
		}
	}
}

// follow opens a guest screen on the order, when one of the guest screens
// is free; it is given back once the screen shows the order ready.
func (l *load) follow(ctx context.Context, jar http.CookieJar, id string) {
	select {
	case <-l.watching:
	default:
		return
	}
	u, _ := url.Parse(l.base)
	header := http.Header{"Origin": {l.base}}
	for _, c := range jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, wsURL(l.base, live.OrderTopic(id)), header)
	if err != nil {
		if resp != nil {
			l.fail(fmt.Sprintf("guest screen: refused with %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
		} else {
			l.fail("guest screen: " + errorKind(err))
		}
		l.watching <- struct{}{}
		return
	}
	l.mu.Lock()
	l.following[conn] = true
	l.mu.Unlock()
	l.followers.Go(func() {
		defer func() {
			l.mu.Lock()
			delete(l.following, conn)
			l.mu.Unlock()
			conn.Close()
			l.watching <- struct{}{}
		}()
		for first := true; ; first = false {
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, msg, err := conn.ReadMessage()
			if err != nil {
				if !l.stopped() {
					l.fail("guest screen: " + errorKind(err))
				}
				return
			}
			if !bytes.Contains(msg, []byte("status-ready")) {
				continue
			}
			if first { // ready before the screen opened: nothing to time
				return
			}
			l.mu.Lock()
			l.readySeen[id] = time.Now()
			l.mu.Unlock()
			return
		}
	})
}

// offer hands a ticket to the cooks.
func (l *load) offer(id string) {
	select {
	case l.tickets <- id:
	case <-l.stop:
	}
}

// cook starts each ticket, bumps it when ready, and hands it over.
func (l *load) cook(ctx context.Context) {
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for {
		var id string
		select {
		case id = <-l.tickets:
		case <-l.stop:
			return
		}
		ticket := "/kitchen/tickets/" + id + "/commands/"
		if _, ok := l.request(ctx, client, http.MethodPost, ticket+"start", `{}`, false); !ok {
			continue
		}
		if _, ok := l.request(ctx, client, http.MethodPost, ticket+"ready", `{}`, false); !ok {
			continue
		}
		l.mu.Lock()
		l.bumpedAt[id] = time.Now()
		l.mu.Unlock()
		l.request(ctx, client, http.MethodPost, ticket+"hand-over", `{"payment":"card"}`, false)
	}
}

// request sends one page request or JSON command; it records the latency of
// an answer in 2xx or 3xx, and the kind of any failure. It returns the
// answer's Location.
func (l *load) request(ctx context.Context, client *http.Client, method, path, body string, page bool) (string, bool) {
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, strings.NewReader(body))
	if err != nil {
		l.fail("bad request: " + err.Error())
		return "", false
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Idempotency-Key", uuid.NewString())
	}
	if l.cookie != "" && strings.HasPrefix(path, "/kitchen/") {
		req.Header.Set("Cookie", l.cookie)
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if !l.stopped() {
			l.fail(what(path) + ": " + errorKind(err))
		}
		return "", false
	}
	var answer struct {
		Seen string `json:"seen"`
	}
	if method == http.MethodPost && resp.StatusCode < 300 {
		_ = json.NewDecoder(resp.Body).Decode(&answer)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(t0)
	l.done.Add(1)
	if resp.StatusCode >= 400 {
		l.fail(fmt.Sprintf("%s: %d %s", what(path), resp.StatusCode, http.StatusText(resp.StatusCode)))
		return "", false
	}
	l.mu.Lock()
	if page {
		l.pages = append(l.pages, took)
	} else {
		l.commands = append(l.commands, took)
	}
	l.mu.Unlock()
	if answer.Seen != "" { // read-your-writes: the next page waits for this
		return resp.Header.Get("Location") + "?seen=" + url.QueryEscape(answer.Seen), true
	}
	return resp.Header.Get("Location"), true
}

func (l *load) fail(kind string) {
	l.failed.Add(1)
	l.mu.Lock()
	l.errors[kind]++
	l.mu.Unlock()
}

// what names a request for the error table: its command, or the page.
func what(path string) string {
	if i := strings.LastIndex(path, "/commands/"); i >= 0 {
		return path[i+len("/commands/"):]
	}
	if strings.HasPrefix(path, "/orders/") {
		return "GET /orders/{id}"
	}
	return "GET " + path
}

// errorKind names a failure without its particulars.
func errorKind(err error) string {
	var ne net.Error
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return fmt.Sprintf("closed by the server (%d)", ce.Code)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "other"
}

func wsURL(base string, topic live.Topic) string {
	return "ws" + strings.TrimPrefix(base, "http") + live.Href(topic)
}

var (
	menuItemID = regexp.MustCompile(`name="menu_item_id" value="([^"]+)"`)
	// usualChoice is a choice a dish's form starts with.
	usualChoice = regexp.MustCompile(`name="(option-[^"]+)" value="([^"]+)"[^>]*\bchecked\b`)
)

// menuItems reads the dishes a guest can add from the menu page, each as
// the fields of a JSON object that add it as its form starts: its id, and
// the choices its form has chosen.
func menuItems(ctx context.Context, base string) ([]string, error) {
	page, err := fetch(ctx, base+"/")
	if err != nil {
		return nil, fmt.Errorf("the menu: %w", err)
	}
	var ids, dishes []string
	for _, form := range bytes.Split(page, []byte("<form ")) {
		m := menuItemID.FindSubmatch(form)
		if m == nil || slices.Contains(ids, string(m[1])) {
			continue
		}
		ids = append(ids, string(m[1]))
		fields := fmt.Sprintf(`"menu_item_id":%q`, m[1])
		for _, c := range usualChoice.FindAllSubmatch(form, -1) {
			fields += fmt.Sprintf(`,%q:%q`, c[1], c[2])
		}
		dishes = append(dishes, fields)
	}
	if len(dishes) == 0 {
		return nil, fmt.Errorf("the menu at %s offers no dish to order", base)
	}
	return dishes, nil
}

// footprint is what the server holds: resident memory, and the heap live
// at its last collection with the goroutine stacks.
type footprint struct{ rss, heap int64 }

// serverMemory reads the server's footprint after it has collected garbage;
// resident memory from /proc when it runs here, else as it reports it.
func serverMemory(ctx context.Context, opts MixOptions) (footprint, error) {
	m, err := settledMemory(ctx, opts.Base, opts.Metrics)
	if err != nil {
		return footprint{}, err
	}
	f := footprint{heap: m.heapLive + m.stacks}
	if opts.PID > 0 {
		f.rss, err = rss(opts.PID)
		return f, err
	}
	metrics, err := opts.Metrics.scrape(ctx)
	if err != nil {
		return f, err
	}
	f.rss = int64(metrics["process_resident_memory_bytes"])
	return f, nil
}

var lagLine = regexp.MustCompile(`(?m)^restaurant_projection_lag_(events|seconds)\{[^}]*\} ([0-9.e+-]+)$`)

// watchLag samples every projection's lag from /metrics while the load
// runs, keeping the worst.
func (l *load) watchLag(ctx context.Context, metrics Metrics, r *MixReport) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		page, err := metrics.page(ctx)
		if err != nil {
			continue
		}
		for _, m := range lagLine.FindAllSubmatch(page, -1) {
			v, _ := strconv.ParseFloat(string(m[2]), 64)
			if string(m[1]) == "events" {
				r.ProjectionLagEvents = max(r.ProjectionLagEvents, v)
			} else {
				r.ProjectionLagSeconds = max(r.ProjectionLagSeconds, v)
			}
		}
	}
}

// maxTimedScreens is how many kitchen screens note when each ticket shows;
// the others read and drop their pushes, as a display would.
const maxTimedScreens = 50

// kitchenScreens are the kitchen displays; the first is the one the cooks
// work from.
type kitchenScreens struct {
	conns   []*websocket.Conn
	readers sync.WaitGroup
	mu      sync.Mutex
	seen    []map[string]time.Time // per timed screen: when each ticket first showed
	once    sync.Once
}

func connectKitchenScreens(ctx context.Context, opts MixOptions, cookie string) (*kitchenScreens, error) {
	s := &kitchenScreens{}
	header := http.Header{"Cookie": {cookie}, "Origin": {opts.Base}}
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	for i := range opts.KitchenScreens {
		conn, _, err := dialer.DialContext(ctx, wsURL(opts.Base, live.KitchenTopic()), header)
		if err != nil {
			return s, fmt.Errorf("connect kitchen screen %d: %w", i+1, err)
		}
		s.conns = append(s.conns, conn)
		if _, _, err := conn.ReadMessage(); err != nil { // the first, whole board
			return s, fmt.Errorf("kitchen screen %d: first push: %w", i+1, err)
		}
	}
	return s, nil
}

// follow starts reading every screen: the timed ones note when each ticket
// first shows; the first hands new tickets to the cooks.
func (s *kitchenScreens) follow(l *load) {
	for i, conn := range s.conns {
		var seen map[string]time.Time
		if i < maxTimedScreens {
			seen = map[string]time.Time{}
			s.seen = append(s.seen, seen)
		}
		s.readers.Go(func() {
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					if !l.stopped() {
						l.fail("kitchen screen: " + errorKind(err))
					}
					return
				}
				if seen == nil {
					continue
				}
				at := time.Now()
				var fresh []string
				s.mu.Lock()
				for _, id := range ticketIDs(msg) {
					if _, ok := seen[id]; !ok {
						seen[id] = at
						fresh = append(fresh, id)
					}
				}
				s.mu.Unlock()
				if i == 0 {
					for _, id := range fresh {
						l.offer(id)
					}
				}
			}
		})
	}
}

func (s *kitchenScreens) close() {
	s.once.Do(func() {
		for _, c := range s.conns {
			c.Close()
		}
		s.readers.Wait()
	})
}

// delays is, for every timed screen and every placed order it showed, the
// time from the place command's answer to the push.
func (s *kitchenScreens) delays(l *load) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	var ds []time.Duration
	for _, seen := range s.seen {
		for id, placed := range l.placedAt {
			if at, ok := seen[id]; ok {
				ds = append(ds, max(0, at.Sub(placed)))
			}
		}
	}
	return ds
}

// guestDelays is the time from the kitchen's bump to the guest's screen
// showing "ready".
func (l *load) guestDelays() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ds []time.Duration
	for id, at := range l.readySeen {
		if bumped, ok := l.bumpedAt[id]; ok {
			ds = append(ds, max(0, at.Sub(bumped)))
		}
	}
	return ds
}

// bareRestaurant answers the guests' and cooks' requests as the restaurant
// would, doing nothing: the baseline for the web server's own cost.
func bareRestaurant() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		_, _ = io.Copy(io.Discard, bufio.NewReader(r.Body))
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/orders/commands/open" {
			w.Header().Set("Location", "/orders/"+uuid.NewString())
			w.WriteHeader(http.StatusCreated)
		} else {
			w.WriteHeader(http.StatusAccepted)
		}
		_, _ = io.WriteString(w, "{}\n")
	})
}
