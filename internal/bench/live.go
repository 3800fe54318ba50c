package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// LiveOptions choose the live-screen measurements.
type LiveOptions struct {
	Sockets []int
	Orders  int
	// Base is the server under test; PID its process, for its memory.
	Base     string
	PID      int
	Username string
	Password string
}

// LiveFigure is one run with N kitchen screens connected.
type LiveFigure struct {
	Sockets         int     `json:"sockets"`
	Samples         int     `json:"samples"`
	P50Millis       float64 `json:"commit_to_screen_p50_ms"`
	P99Millis       float64 `json:"commit_to_screen_p99_ms"`
	BytesPerSocket  float64 `json:"server_bytes_per_idle_socket"`
	ServerRSSBefore int64   `json:"server_rss_before"`
	ServerRSSAfter  int64   `json:"server_rss_after"`
}

// RunLive connects N kitchen screens to a running server, places orders
// one after another, and times, for every screen, the time from the place
// command's response to the push that shows the new ticket; and measures the
// server's resident memory per idle screen.
func RunLive(ctx context.Context, opts LiveOptions, out io.Writer) ([]LiveFigure, error) {
	cookie, err := signIn(opts.Base, opts.Username, opts.Password)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "%-8s %8s %12s %12s %16s\n", "sockets", "samples", "p50", "p99", "bytes per socket")
	var figs []LiveFigure
	for _, n := range opts.Sockets {
		f, err := liveRun(ctx, opts, cookie, n)
		if err != nil {
			return figs, err
		}
		figs = append(figs, f)
		fmt.Fprintf(out, "%-8d %8d %10.1fms %10.1fms %16.0f\n", f.Sockets, f.Samples, f.P50Millis, f.P99Millis, f.BytesPerSocket)
	}
	return figs, nil
}

func liveRun(ctx context.Context, opts LiveOptions, cookie string, n int) (LiveFigure, error) {
	f := LiveFigure{Sockets: n}
	before, err := rss(opts.PID)
	if err != nil {
		return f, err
	}
	f.ServerRSSBefore = before
	wsURL := "ws" + strings.TrimPrefix(opts.Base, "http") + "/live?topic=kitchen"
	header := http.Header{"Cookie": {cookie}}
	type screen struct {
		conn *websocket.Conn
		mu   sync.Mutex
		seen map[string]time.Time
	}
	screens := make([]*screen, 0, n)
	defer func() {
		for _, s := range screens {
			s.conn.Close()
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
	after, err := rss(opts.PID)
	if err != nil {
		return f, err
	}
	f.ServerRSSAfter = after
	f.BytesPerSocket = float64(after-before) / float64(n)
	for _, s := range screens {
		readers.Go(func() {
			for {
				_, msg, err := s.conn.ReadMessage()
				if err != nil {
					return
				}
				at := time.Now()
				s.mu.Lock()
				for _, id := range ticketIDs(string(msg)) {
					if _, ok := s.seen[id]; !ok {
						s.seen[id] = at
					}
				}
				s.mu.Unlock()
			}
		})
	}
	var samples []time.Duration
	for range opts.Orders {
		id, answered, err := placeOrder(ctx, opts.Base)
		if err != nil {
			return f, err
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
					return f, fmt.Errorf("order %s never reached a screen", id)
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	for _, s := range screens {
		s.conn.Close()
	}
	readers.Wait()
	screens = nil
	f.Samples = len(samples)
	f.P50Millis = percentile(samples, 0.50)
	f.P99Millis = percentile(samples, 0.99)
	return f, nil
}

// ticketIDs finds the tickets in a pushed board.
func ticketIDs(html string) []string {
	var ids []string
	for rest := html; ; {
		i := strings.Index(rest, `id="ticket-`)
		if i < 0 {
			return ids
		}
		rest = rest[i+len(`id="ticket-`):]
		if j := strings.IndexByte(rest, '"'); j > 0 {
			ids = append(ids, rest[:j])
		}
	}
}

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
	order, err := post("/orders/commands/open", `{"menu_item_id":"margherita","quantity":1}`)
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := post(order+"/commands/choose-pickup", `{}`); err != nil {
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
