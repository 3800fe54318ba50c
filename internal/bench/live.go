package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"restaurant/internal/live"
)

// LiveOptions choose the live-screen measurements.
type LiveOptions struct {
	Sockets []int
	Orders  int
	// Every is the least time between two orders. The kitchen board is
	// pushed to a thousand screens at most every 50 ms, however fast
	// tickets come (a busy topic's notices in that window go out together
	// at its end); orders further apart than that time the path from
	// commit to screen, not the wait for the window.
	Every time.Duration
	// Stuck is the number of extra screens that connect and never read,
	// measured against the same healthy screens without them.
	Stuck int
	// Base is the server under test; PID its process, for its memory.
	Base     string
	PID      int
	Metrics  Metrics
	Username string
	Password string
	// ProfileServer, when set, starts a CPU profile of the server as the
	// orders for the last number of screens are placed; orders go on until
	// the profile it returns has ended.
	ProfileServer func(ctx context.Context) <-chan error
	// Dialers is how many screens connect at once (at least one).
	Dialers int
}

// LiveFigure is one run with N kitchen screens connected.
type LiveFigure struct {
	Sockets   int     `json:"sockets"`
	Samples   int     `json:"samples"`
	P50Millis float64 `json:"commit_to_screen_p50_ms"`
	P99Millis float64 `json:"commit_to_screen_p99_ms"`
	// BytesPerSocket is the growth of the server's resident memory per idle
	// socket; nil when it cannot be measured (it shrank), and
	// BytesNotMeasurable then says why.
	BytesPerSocket     *float64 `json:"server_bytes_per_idle_socket"`
	BytesNotMeasurable string   `json:"server_bytes_per_idle_socket_not_measurable,omitempty"`
	// HeapStackPerSocket is the growth of the server's live heap (at a
	// collection) and goroutine stacks, per idle socket; nil when it cannot
	// be measured (the collector freed more than the screens took), and
	// HeapStackNotMeasurable then says why.
	HeapStackPerSocket     *float64 `json:"server_heap_stack_bytes_per_idle_socket"`
	HeapStackNotMeasurable string   `json:"server_heap_stack_bytes_per_idle_socket_not_measurable,omitempty"`
	ServerRSSBefore        int64    `json:"server_rss_before"`
	ServerRSSAfter         int64    `json:"server_rss_after"`
	HeapLiveBefore         int64    `json:"server_heap_live_before"`
	HeapLiveAfter          int64    `json:"server_heap_live_after"`
	StacksBefore           int64    `json:"server_stacks_before"`
	StacksAfter            int64    `json:"server_stacks_after"`
	// ServerP50Millis and ServerP99Millis are the server's own figures for
	// the same pushes, from its histogram restaurant_live_commit_to_screen_seconds
	// (kitchen): from the commit of the change the notice tells of to each
	// screen's write, interpolated within the histogram's buckets (1, 2, 4,
	// 8, 16, 32, 64 ms...). nil with ServerNotMeasurable when the server
	// observed nothing.
	ServerP50Millis     *float64 `json:"server_commit_to_write_p50_ms"`
	ServerP99Millis     *float64 `json:"server_commit_to_write_p99_ms"`
	ServerObservations  int      `json:"server_commit_to_write_observations"`
	ServerNotMeasurable string   `json:"server_commit_to_write_not_measurable,omitempty"`
	// PushBytes is the size of the largest board pushed to a screen, and
	// PushWireBytes the same push as it travelled (compressed).
	PushBytes     int `json:"push_bytes"`
	PushWireBytes int `json:"push_wire_bytes"`
	// With Stuck screens connected that never read: the same healthy
	// screens' figures, and how many stuck screens the server still held
	// at the end.
	Stuck          int     `json:"stuck,omitempty"`
	StuckP50Millis float64 `json:"stuck_commit_to_screen_p50_ms,omitempty"`
	StuckP99Millis float64 `json:"stuck_commit_to_screen_p99_ms,omitempty"`
	StuckP50Ratio  float64 `json:"stuck_p50_ratio,omitempty"`
	StuckP99Ratio  float64 `json:"stuck_p99_ratio,omitempty"`
	StuckStillOpen int     `json:"stuck_still_open,omitempty"`
}

// RunLive connects N kitchen screens to a running server, places orders
// one after another, and times, for every screen, the time from the place
// command's response to the push that shows the new ticket; and measures the
// server's memory per idle screen: resident memory, and live heap plus
// goroutine stacks as the server's runtime reports them.
func RunLive(ctx context.Context, opts LiveOptions, out io.Writer) ([]LiveFigure, error) {
	cookie, err := signIn(opts.Base, opts.Username, opts.Password)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "%-8s %8s %10s %10s %11s %11s %9s %9s %16s %16s", "sockets", "samples", "p50", "p99", "server p50", "server p99", "push KB", "wire KB", "RSS per socket", "heap+stack per")
	if opts.Stuck > 0 {
		fmt.Fprintf(out, " %7s %10s %10s %9s %9s %10s", "stuck", "p50", "p99", "p50 ratio", "p99 ratio", "stuck open")
	}
	fmt.Fprintln(out)
	// A first collection after the server has served its pages once, so
	// that caches filled on first use do not count as the first screen's.
	if _, err := settledMemory(ctx, opts.Base, opts.Metrics); err != nil {
		return nil, err
	}
	var figs []LiveFigure
	for i, n := range opts.Sockets {
		f, err := liveRun(ctx, opts, cookie, n, i == len(opts.Sockets)-1)
		if err != nil {
			return figs, err
		}
		figs = append(figs, f)
		printLiveRow(out, f, opts.Stuck > 0)
	}
	return figs, nil
}

// printLiveRow prints one run's line, and under it why a figure is
// missing.
func printLiveRow(out io.Writer, f LiveFigure, stuck bool) {
	fmt.Fprintf(out, "%-8d %8d %8.1fms %8.1fms %11s %11s %9.1f %9.1f %16s %16s", f.Sockets, f.Samples, f.P50Millis, f.P99Millis,
		millisColumn(f.ServerP50Millis), millisColumn(f.ServerP99Millis), float64(f.PushBytes)/1024, float64(f.PushWireBytes)/1024, bytesColumn(f.BytesPerSocket), bytesColumn(f.HeapStackPerSocket))
	if stuck {
		fmt.Fprintf(out, " %7d %8.1fms %8.1fms %9.2f %9.2f %10d", f.Stuck, f.StuckP50Millis, f.StuckP99Millis, f.StuckP50Ratio, f.StuckP99Ratio, f.StuckStillOpen)
	}
	fmt.Fprintln(out)
	for _, why := range []string{f.ServerNotMeasurable, f.BytesNotMeasurable, f.HeapStackNotMeasurable} {
		if why != "" {
			fmt.Fprintf(out, "  %d sockets: %s\n", f.Sockets, why)
		}
	}
}

// perSocket is the growth from before to after, per socket; a shrink is
// not a measurement of what the sockets take (something else freed more),
// so it gives nil and the reason instead of a negative figure.
func perSocket(before, after int64, n int, shrank string) (*float64, string) {
	if after < before {
		return nil, shrank
	}
	v := float64(after-before) / float64(n)
	return &v, ""
}

// millisColumn prints a server figure, or says there is none.
func millisColumn(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1fms", *v)
}

// bytesColumn prints a per-socket figure, or says there is none.
func bytesColumn(v *float64) string {
	if v == nil {
		return "not measurable"
	}
	return fmt.Sprintf("%.0f", *v)
}

// screen is one healthy kitchen screen: it reads every push and notes when
// each ticket first appeared.
type screen struct {
	conn  *rawScreen
	cache *pushCache
	mu    sync.Mutex
	seen  map[string]time.Time
	bytes int // the largest push's size, inflated
	wire  int // and as it came, compressed or not
}

// follow reads pushes until the socket ends, into a buffer shared with
// the other screens between reads, so that ten thousand screens do not
// keep ten thousand boards.
func (s *screen) follow() {
	for {
		buf := pushBuffers.Get().(*bytes.Buffer)
		compressed, err := s.conn.next(buf)
		at := time.Now()
		var ids []string
		var size, wire int
		if err == nil {
			wire = buf.Len()
			ids, size, err = s.cache.read(buf.Bytes(), compressed)
		}
		pushBuffers.Put(buf)
		if err != nil {
			return
		}
		s.mu.Lock()
		if size > s.bytes {
			s.bytes, s.wire = size, wire
		}
		for _, id := range ids {
			if _, ok := s.seen[id]; !ok {
				s.seen[id] = at
			}
		}
		s.mu.Unlock()
	}
}

var pushBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// connectScreens connects n kitchen screens, dialers at a time, and reads
// the first whole board on each. A refused or reset connection is tried
// again a few times (a listen queue momentarily full), each later.
//
// Each screen reads from the moment it is connected, as a real one does
// (answering the server's pings), on a goroutine that readers waits for.
func connectScreens(ctx context.Context, wsURL string, header http.Header, n, dialers int, readers *sync.WaitGroup) ([]*screen, error) {
	screens := make([]*screen, n)
	cache := newPushCache()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(dialers, n)) {
		wg.Go(func() {
			for i := range next {
				s, err := connectScreen(ctx, wsURL, header)
				if err != nil {
					cancel(fmt.Errorf("connect screen %d: %w", i+1, err))
					return
				}
				s.cache = cache
				screens[i] = s
				readers.Go(s.follow)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		for _, s := range screens {
			if s != nil {
				s.conn.Close()
			}
		}
		return nil, err
	}
	return screens, nil
}

func connectScreen(ctx context.Context, wsURL string, header http.Header) (*screen, error) {
	pause := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		conn, err := dialRaw(ctx, wsURL, header)
		if err == nil {
			var first bytes.Buffer // the first, whole board
			if _, err := conn.next(&first); err != nil {
				conn.Close()
				return nil, fmt.Errorf("first push: %w", err)
			}
			return &screen{conn: conn, seen: map[string]time.Time{}}, nil
		}
		if attempt == 5 || ctx.Err() != nil || !(errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// commitToScreen is the server's histogram of commit to screen.
const commitToScreen = "restaurant_live_commit_to_screen_seconds"

func liveRun(ctx context.Context, opts LiveOptions, cookie string, n int, profile bool) (LiveFigure, error) {
	f := LiveFigure{Sockets: n}
	before, err := settledMemory(ctx, opts.Base, opts.Metrics)
	if err != nil {
		return f, err
	}
	if f.ServerRSSBefore, err = rss(opts.PID); err != nil {
		return f, err
	}
	f.HeapLiveBefore, f.StacksBefore = before.heapLive, before.stacks
	wsURL := "ws" + strings.TrimPrefix(opts.Base, "http") + live.Href(live.KitchenTopic())
	header := http.Header{"Cookie": {cookie}}
	var readers sync.WaitGroup
	defer readers.Wait()
	screens, err := connectScreens(ctx, wsURL, header, n, opts.Dialers, &readers)
	if err != nil {
		return f, err
	}
	var stuck []*websocket.Conn
	defer func() {
		for _, s := range screens {
			s.conn.Close()
		}
		for _, c := range stuck {
			c.Close()
		}
	}()
	if f.ServerRSSAfter, err = rss(opts.PID); err != nil {
		return f, err
	}
	after, err := settledMemory(ctx, opts.Base, opts.Metrics)
	if err != nil {
		return f, err
	}
	f.HeapLiveAfter, f.StacksAfter = after.heapLive, after.stacks
	f.BytesPerSocket, f.BytesNotMeasurable = perSocket(f.ServerRSSBefore, f.ServerRSSAfter, n,
		"not measurable: the resident memory shrank while screens were opened")
	f.HeapStackPerSocket, f.HeapStackNotMeasurable = perSocket(before.heapLive+before.stacks, after.heapLive+after.stacks, n,
		"not measurable: the heap shrank while screens were opened")
	histBefore, err := opts.Metrics.histogram(ctx, commitToScreen, `topic="kitchen"`)
	if err != nil {
		return f, err
	}
	var profiled <-chan error
	if profile && opts.ProfileServer != nil {
		profiled = opts.ProfileServer(ctx)
	}
	samples, err := timeOrders(ctx, opts, screens, profiled)
	if err != nil {
		return f, err
	}
	histAfter, err := opts.Metrics.histogram(ctx, commitToScreen, `topic="kitchen"`)
	if err != nil {
		return f, err
	}
	f.serverFigures(histAfter.since(histBefore))
	f.Samples = len(samples)
	f.P50Millis = percentile(samples, 0.50)
	f.P99Millis = percentile(samples, 0.99)
	screens[0].mu.Lock()
	f.PushBytes, f.PushWireBytes = screens[0].bytes, screens[0].wire
	screens[0].mu.Unlock()

	if opts.Stuck > 0 {
		// The same healthy screens again, now beside screens that never
		// read: their receive buffers are small, so the server's writes to
		// them block after a few pushes, as a frozen tablet's would.
		f.Stuck = opts.Stuck
		dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, NetDialContext: smallReceiveBuffer.DialContext}
		for range opts.Stuck {
			conn, _, err := dialer.DialContext(ctx, wsURL, header)
			if err != nil {
				return f, fmt.Errorf("connect stuck screen %d: %w", len(stuck)+1, err)
			}
			stuck = append(stuck, conn)
		}
		samples, err := timeOrders(ctx, opts, screens, nil)
		if err != nil {
			return f, fmt.Errorf("with %d stuck screens: %w", opts.Stuck, err)
		}
		f.StuckP50Millis = percentile(samples, 0.50)
		f.StuckP99Millis = percentile(samples, 0.99)
		if f.P50Millis > 0 {
			f.StuckP50Ratio = f.StuckP50Millis / f.P50Millis
		}
		if f.P99Millis > 0 {
			f.StuckP99Ratio = f.StuckP99Millis / f.P99Millis
		}
		m, err := opts.Metrics.scrape(ctx)
		if err != nil {
			return f, err
		}
		f.StuckStillOpen = max(0, int(m["restaurant_live_sockets"])-n)
	}
	for _, s := range screens {
		s.conn.Close()
	}
	readers.Wait()
	screens = nil
	return f, nil
}

// serverFigures reads the server's own commit-to-write figures from what
// its histogram observed during the run.
func (f *LiveFigure) serverFigures(h histogram) {
	f.ServerObservations = int(h[math.Inf(1)])
	p50, ok50 := h.quantile(0.50)
	p99, ok99 := h.quantile(0.99)
	if !ok50 || !ok99 {
		f.ServerNotMeasurable = "not measurable: the server observed no kitchen push during the run"
		return
	}
	p50, p99 = p50*1000, p99*1000
	f.ServerP50Millis, f.ServerP99Millis = &p50, &p99
}

// timeOrders places orders one after another and returns, for every
// screen and order, the time from the place command's answer to the push
// that showed the ticket.
//
// While profiled is open (a profile of the server is being taken), orders go
// on past opts.Orders until it ends.
func timeOrders(ctx context.Context, opts LiveOptions, screens []*screen, profiled <-chan error) ([]time.Duration, error) {
	var samples []time.Duration
	var placed time.Time
	for i := 0; ; i++ {
		if i >= opts.Orders {
			if profiled == nil {
				break
			}
			select {
			case err := <-profiled:
				if err != nil {
					return nil, fmt.Errorf("profile the server: %w", err)
				}
				profiled = nil
				continue
			default:
			}
		}
		if wait := time.Until(placed.Add(opts.Every)); wait > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		placed = time.Now()
		id, answered, err := placeOrder(ctx, opts.Base)
		if err != nil {
			return nil, err
		}
		deadline := time.Now().Add(10 * time.Second)
		for _, s := range screens {
			for {
				s.mu.Lock()
				at, ok := s.seen[id]
				s.mu.Unlock()
				if ok {
					samples = append(samples, max(0, at.Sub(answered)))
					break
				}
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("order %s never reached a screen", id)
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	return samples, nil
}

// smallReceiveBuffer dials with a 4 KB receive buffer, set before the
// connection is made so that the window stays small.
var smallReceiveBuffer = &net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	}); err != nil {
		return err
	}
	return serr
}}

// memory is what the server's runtime reports it keeps.
type memory struct{ heapLive, stacks int64 }

// settledMemory has the server collect garbage twice, by asking for its
// menu page until its collection count moves on by two, then reads the
// heap that was live at the last collection and the goroutine stacks: what
// the server holds, without the garbage it has not collected yet.
func settledMemory(ctx context.Context, base string, metrics Metrics) (memory, error) {
	m, err := metrics.scrape(ctx)
	if err != nil {
		return memory{}, err
	}
	start := m["go_gc_cycles_total_gc_cycles_total"]
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	var load sync.WaitGroup
	for range 4 {
		load.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	defer load.Wait()
	defer cancel()
	for {
		if m, err = metrics.scrape(ctx); err != nil {
			return memory{}, err
		}
		if m["go_gc_cycles_total_gc_cycles_total"] >= start+2 {
			return memory{heapLive: int64(m["go_gc_heap_live_bytes"]), stacks: int64(m["go_memory_classes_heap_stacks_bytes"])}, nil
		}
		select {
		case <-ctx.Done():
			return memory{}, fmt.Errorf("the server did not collect garbage: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ticketIDs finds the tickets in a pushed board.
func ticketIDs(html []byte) []string {
	var ids []string
	for rest := html; ; {
		i := bytes.Index(rest, ticketMark)
		if i < 0 {
			return ids
		}
		rest = rest[i+len(ticketMark):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			ids = append(ids, string(rest[:j]))
		}
	}
}

var ticketMark = []byte(`id="ticket-`)

// placeOrder places an order as a guest, through the JSON commands, and
// returns its id and when the place command was answered.
func placeOrder(ctx context.Context, base string) (string, time.Time, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post := func(path, body string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return "", fmt.Errorf("POST %s: %s", path, resp.Status)
		}
		return resp.Header.Get("Location"), nil
	}
	order, err := post("/orders/commands/open", `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`)
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := post(order+"/commands/choose-pickup", `{}`); err != nil {
		return "", time.Time{}, err
	}
	if _, err := post(order+"/commands/give-contact", `{"name":"Bench guest"}`); err != nil {
		return "", time.Time{}, err
	}
	if _, err := post(order+"/commands/place", `{}`); err != nil {
		return "", time.Time{}, err
	}
	return strings.TrimPrefix(order, "/orders/"), time.Now(), nil
}

func signIn(base, username, password string) (string, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "staff_session" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in: %s and no session", resp.Status)
}

// rss reads a process's resident memory.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("server memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("server memory: no VmRSS for %d", pid)
}
