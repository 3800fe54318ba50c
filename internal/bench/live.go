package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	// Stuck is the number of extra screens that connect and never read,
	// measured against the same healthy screens without them.
	Stuck int
	// Base is the server under test; PID its process, for its memory.
	Base     string
	PID      int
	Metrics  Metrics
	Username string
	Password string
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
	fmt.Fprintf(out, "%-8s %8s %10s %10s %16s %16s", "sockets", "samples", "p50", "p99", "RSS per socket", "heap+stack per")
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
	for _, n := range opts.Sockets {
		f, err := liveRun(ctx, opts, cookie, n)
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
	fmt.Fprintf(out, "%-8d %8d %8.1fms %8.1fms %16s %16s", f.Sockets, f.Samples, f.P50Millis, f.P99Millis, bytesColumn(f.BytesPerSocket), bytesColumn(f.HeapStackPerSocket))
	if stuck {
		fmt.Fprintf(out, " %7d %8.1fms %8.1fms %9.2f %9.2f %10d", f.Stuck, f.StuckP50Millis, f.StuckP99Millis, f.StuckP50Ratio, f.StuckP99Ratio, f.StuckStillOpen)
	}
	fmt.Fprintln(out)
	for _, why := range []string{f.BytesNotMeasurable, f.HeapStackNotMeasurable} {
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
	conn *websocket.Conn
	mu   sync.Mutex
	seen map[string]time.Time
}

func liveRun(ctx context.Context, opts LiveOptions, cookie string, n int) (LiveFigure, error) {
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
	screens := make([]*screen, 0, n)
	var stuck []*websocket.Conn
	defer func() {
		for _, s := range screens {
			s.conn.Close()
		}
		for _, c := range stuck {
			c.Close()
		}
	}()
	var readers sync.WaitGroup
	for range n {
		conn, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, header)
		if err != nil {
			return f, fmt.Errorf("connect screen %d: %w", len(screens)+1, err)
		}
		if _, _, err := conn.ReadMessage(); err != nil { // the first, whole board
			return f, fmt.Errorf("first push: %w", err)
		}
		s := &screen{conn: conn, seen: map[string]time.Time{}}
		screens = append(screens, s)
	}
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
	for _, s := range screens {
		readers.Go(func() {
			for {
				_, msg, err := s.conn.ReadMessage()
				if err != nil {
					return
				}
				at := time.Now()
				s.mu.Lock()
				for _, id := range ticketIDs(msg) {
					if _, ok := s.seen[id]; !ok {
						s.seen[id] = at
					}
				}
				s.mu.Unlock()
			}
		})
	}
	samples, err := timeOrders(ctx, opts, screens)
	if err != nil {
		return f, err
	}
	f.Samples = len(samples)
	f.P50Millis = percentile(samples, 0.50)
	f.P99Millis = percentile(samples, 0.99)

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
		samples, err := timeOrders(ctx, opts, screens)
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

// timeOrders places orders one after another and returns, for every
// screen and order, the time from the place command's answer to the push
// that showed the ticket.
func timeOrders(ctx context.Context, opts LiveOptions, screens []*screen) ([]time.Duration, error) {
	var samples []time.Duration
	for range opts.Orders {
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
