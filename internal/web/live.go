package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/websocket"

	"restaurant/domain/staff"
	"restaurant/internal/metrics"
	"restaurant/views"
)

// Websocket timing, after gorilla/websocket's chat example: the server pings
// within every pongWait, a screen that stops answering is dropped (it
// reconnects and resyncs), and a write that cannot finish in writeWait drops
// a slow screen rather than holding anyone back.
const (
	writeWait  = 5 * time.Second
	pongWait   = 30 * time.Second // a screen silent this long is dropped
	pingPeriod = pongWait * 9 / 10
	readLimit  = 4096
)

// heartbeat replaces an empty element of the live-state region.
var heartbeat = []byte(`<span id="live-beat" hx-swap-oob="true" hidden></span>`)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	// Idle screens hold no write buffer: it is taken from the pool per write.
	WriteBufferPool: &sync.Pool{},
	CheckOrigin:     sameOrigin,
}

// shared renders a region once per generation of its topic, for every screen
// that shows the same thing (the kitchen display): a change costs one query
// and one rendering, however many screens follow it.
type shared struct {
	mu         sync.Mutex
	generation uint64
	html       []byte
}

func (s *shared) get(generation uint64, render func() ([]byte, error)) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.html != nil && s.generation == generation {
		return s.html, nil
	}
	html, err := render()
	if err != nil {
		return nil, err
	}
	s.generation, s.html = generation, html
	return html, nil
}

// sameOrigin accepts a browser's socket only from pages of this site.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser: cookies are the only credentials
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// region renders one topic's live region for this screen; first says it is
// the push on (re)connecting, which is always rendered afresh.
type region func(ctx context.Context, first bool) ([]byte, error)

// rendered turns a component into a region's bytes.
func rendered(ctx context.Context, c templ.Component, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// followLive is GET /live?topic=…: a websocket that first sends the current
// state of every region it follows, then a region again each time it
// changes. Each topic is checked before the upgrade: the kitchen needs
// kitchen staff or a manager, an order its own guest.
func (d Deps) followLive(w http.ResponseWriter, r *http.Request) {
	topics := r.URL.Query()["topic"]
	if len(topics) == 0 || len(topics) > 8 {
		fail(w, r, &requestError{http.StatusBadRequest, "Name one to eight topics to follow."})
		return
	}
	regions := map[string]region{}
	for _, t := range topics {
		reg, err := d.authorize(r, t)
		if err != nil {
			fail(w, r, err)
			return
		}
		regions[t] = reg
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	sub := d.Hub.Subscribe(topics...)
	defer sub.Close()
	metrics.Sockets.Inc()
	defer metrics.Sockets.Dec()
	defer conn.Close()

	// The reader: answers pings, notices a closed or silent screen.
	go func() {
		defer cancel()
		conn.SetReadLimit(readLimit)
		wait := d.LivePing * 10 / 9
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wait)) })
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()

	// The writer: everything now, then what changes.
	ping := time.NewTicker(d.LivePing)
	defer ping.Stop()
	if !d.push(ctx, conn, regions, topics, true) {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Gone():
			// 1012, service restart: the screen reconnects, and is then sent
			// everything again.
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseServiceRestart, "server restarting"), time.Now().Add(writeWait))
			return
		case <-sub.Ready():
			if !d.push(ctx, conn, regions, sub.Take(), false) {
				return
			}
		case <-ping.C:
			// A screen keeps following only while it still may: a signed-out
			// or disabled member's kitchen screen stops within a ping period.
			if err := d.stillAllowed(r, topics); err != nil {
				if statusOf(err) == http.StatusServiceUnavailable {
					// The database is away: access cannot be checked now.
					// The screen keeps what it shows, is checked again at
					// the next ping, and catches up once notices flow.
					slog.Warn("live screen's access not checked; the database is unavailable", "topics", topics, "err", err)
				} else {
					_ = conn.WriteControl(websocket.CloseMessage,
						websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "no longer allowed"), time.Now().Add(writeWait))
					return
				}
			}
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
			// A heartbeat the page can see (pings are invisible to
			// JavaScript): a screen that hears nothing for a while says so.
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if conn.WriteMessage(websocket.TextMessage, heartbeat) != nil {
				return
			}
		}
	}
}

// stillAllowed checks the topics again, with the staff session as the store
// has it now (signed out, it is gone).
func (d Deps) stillAllowed(r *http.Request, topics []string) error {
	// A context without the session read at connect time: Load keeps a
	// session it finds in the context instead of reading the store again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(context.Background()), 5*time.Second)
	defer cancel()
	if c, err := r.Cookie(d.Sessions.Cookie.Name); err == nil {
		if ctx, err = d.Sessions.Load(ctx, c.Value); err != nil {
			return err
		}
	}
	for _, t := range topics {
		if _, err := d.authorize(r.WithContext(ctx), t); err != nil {
			return err
		}
	}
	// A screen on the wall is in use while it is live: keep its staff
	// session from expiring for idleness, as a page request would.
	if d.Sessions.Exists(ctx, staffKey) {
		d.Sessions.Put(ctx, "live_at", time.Now().Unix())
		if _, _, err := d.Sessions.Commit(ctx); err != nil {
			return err
		}
	}
	return nil
}

// push renders the topics' regions into one message.
func (d Deps) push(ctx context.Context, conn *websocket.Conn, regions map[string]region, topics []string, first bool) bool {
	var buf bytes.Buffer
	for _, t := range topics {
		reg, ok := regions[t]
		if !ok {
			continue
		}
		html, err := reg(ctx, first)
		buf.Write(html)
		if err != nil {
			switch {
			case ctx.Err() != nil:
			case statusOf(err) == http.StatusServiceUnavailable:
				// The screen reconnects, and is sent everything once the
				// database answers again.
				slog.Warn("live region not rendered; the database is unavailable", "topic", t, "err", err)
			default:
				slog.Error("render a live region", "topic", t, "err", err)
			}
			return false
		}
	}
	if buf.Len() == 0 {
		return true
	}
	_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := conn.WriteMessage(websocket.TextMessage, buf.Bytes()); err != nil {
		metrics.Pushes.WithLabelValues("dropped").Inc()
		return false
	}
	metrics.Pushes.WithLabelValues("sent").Inc()
	return true
}

// authorize decides whether this request may follow a topic, and how its
// region renders.
func (d Deps) authorize(r *http.Request, topic string) (region, error) {
	switch {
	case topic == "menu":
		guest, _ := guestID(r)
		return func(ctx context.Context, _ bool) ([]byte, error) {
			v, err := d.menuView(ctx, guest, nil, true)
			return rendered(ctx, views.MenuList(v, true), err)
		}, nil
	case topic == "kitchen":
		m, ok, err := d.staffMember(r)
		if err != nil {
			return nil, err
		}
		if !ok || (m.Role != staff.Kitchen && m.Role != staff.Manager) {
			return nil, &requestError{http.StatusForbidden, "Only kitchen staff and managers may follow the kitchen."}
		}
		board := func(ctx context.Context) ([]byte, error) {
			v, err := d.kitchenView(ctx)
			return rendered(ctx, views.KitchenBoard(v, true), err)
		}
		return func(ctx context.Context, first bool) ([]byte, error) {
			if first {
				return board(ctx)
			}
			return d.kitchenBoard.get(d.Hub.Generation("kitchen"), func() ([]byte, error) { return board(ctx) })
		}, nil
	case topic == "projections":
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow the projections."}
		}
		return func(ctx context.Context, _ bool) ([]byte, error) {
			v, err := d.projectionsView(ctx)
			return rendered(ctx, views.ProjectionsTable(v, true), err)
		}, nil
	case strings.HasPrefix(topic, "history:"):
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow an order's history."}
		}
		id := strings.TrimPrefix(topic, "history:")
		if _, err := d.historyView(r.Context(), id, 0); err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ bool) ([]byte, error) {
			v, err := d.historyView(ctx, id, 0)
			return rendered(ctx, views.HistoryBody(v, true), err)
		}, nil
	case topic == "orders":
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow the orders."}
		}
		q := r.URL.Query()
		return func(ctx context.Context, _ bool) ([]byte, error) {
			v, _, err := d.staffOrdersView(ctx, q)
			return rendered(ctx, views.OrdersList(v, true), err)
		}, nil
	case strings.HasPrefix(topic, "order:"):
		guest, _ := guestID(r)
		id := strings.TrimPrefix(topic, "order:")
		if _, err := d.guestOrder(r, id, guest); err != nil {
			return nil, err // another guest's order does not exist
		}
		return func(ctx context.Context, _ bool) ([]byte, error) {
			o, err := d.Orders.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			return rendered(ctx, views.OrderStatus(d.orderView(ctx, o, guest, nil), true), nil)
		}, nil
	}
	return nil, &requestError{http.StatusNotFound, "There is no such topic."}
}

func (d Deps) isManager(r *http.Request) (bool, error) {
	m, ok, err := d.staffMember(r)
	return ok && m.Role == staff.Manager, err
}

// staffMember reads who is signed in on this request, if anyone; an error
// means it could not be read (the database is away), not that no one is.
func (d Deps) staffMember(r *http.Request) (staff.State, bool, error) {
	username := d.Sessions.GetString(r.Context(), staffKey)
	if username == "" {
		return staff.State{}, false, nil
	}
	m, err := d.Accounts.Member(r.Context(), username)
	if err != nil {
		return staff.State{}, false, err
	}
	if !m.Exists || m.Disabled {
		return staff.State{}, false, nil
	}
	return m, true, nil
}
