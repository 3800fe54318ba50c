package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/gorilla/websocket"

	"restaurant/domain/staff"
	"restaurant/internal/live"
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

// The upgrader keeps an idle screen small: a screen only ever sends pongs
// and a close, so its read buffer holds a frame header or two; the write
// buffer is taken from the pool for a write and given back after it, and
// shared regions are written as prepared frames, with no buffer at all.
//
// Pushes are compressed (permessage-deflate, which browsers offer) without
// context takeover, so a shared region is compressed once for every screen
// that shows it (its prepared frame keeps the compressed bytes): a kitchen
// board of 50 KB goes to a thousand screens as a few KB each, which is what
// a write to a socket costs. A screen that offers no compression is sent
// the same region uncompressed, framed once as well.
var upgrader = websocket.Upgrader{
	ReadBufferSize:    256,
	WriteBufferSize:   4096,
	WriteBufferPool:   &sync.Pool{},
	CheckOrigin:       sameOrigin,
	EnableCompression: true,
}

// piece is one region's bytes for a push; shared regions also carry their
// websocket frame, built once for every screen that shows them.
type piece struct {
	html     []byte
	prepared *websocket.PreparedMessage
}

// shared renders a region once per generation of its topic, for every screen
// that shows the same thing (the kitchen display): a change costs one query,
// one rendering and one websocket frame, however many screens follow it.
// The thousand screens of a change ask at once: the first renders, the rest
// wait for its rendering to be done and are woken together, and a screen
// that finds the rendering done takes it without a lock.
type shared struct {
	mu      sync.Mutex // held only to start a rendering
	current atomic.Pointer[rendering]
}

// rendering is one generation's region, done when done is closed.
type rendering struct {
	generation uint64
	done       chan struct{}
	piece      piece
	err        error
}

// get returns the region at generation or later: a newer rendering shows
// the newer state, which a screen woken for an older change may show as
// well. A failed rendering is not kept: the next screen tries again.
func (s *shared) get(generation uint64, render func() ([]byte, error)) (piece, error) {
	r := s.current.Load()
	if r == nil || r.generation < generation {
		s.mu.Lock()
		if r = s.current.Load(); r == nil || r.generation < generation {
			r = &rendering{generation: generation, done: make(chan struct{})}
			s.current.Store(r)
			s.mu.Unlock()
			r.piece, r.err = prepare(render)
			if r.err != nil {
				s.current.CompareAndSwap(r, nil)
			}
			close(r.done)
		} else {
			s.mu.Unlock()
		}
	}
	<-r.done
	return r.piece, r.err
}

// prepare renders a region and frames it once for every screen.
func prepare(render func() ([]byte, error)) (piece, error) {
	html, err := render()
	if err != nil {
		return piece{}, err
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, html)
	if err != nil {
		return piece{}, fmt.Errorf("prepare a live region: %w", err)
	}
	return piece{html: html, prepared: pm}, nil
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
type region func(ctx context.Context, first bool) (piece, error)

// rendered turns a component into a region's bytes.
func rendered(ctx context.Context, c templ.Component, err error) (piece, error) {
	if err != nil {
		return piece{}, err
	}
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return piece{}, err
	}
	return piece{html: buf.Bytes()}, nil
}

// followLive is GET /live?topic=…: a websocket that first sends the current
// state of every region it follows, then a region again each time it
// changes. Each topic is checked before the upgrade: the kitchen needs
// kitchen staff or a manager, an order its own guest. A socket past a cap
// (see Deps.LiveSocketsPerAddress) is refused before the upgrade: 429 for
// a guest's address holding its share, 503 when the server holds all it
// may, each a problem document with Retry-After.
//
// An idle screen costs one goroutine, the reader, parked in the network
// poller: the handler returns once the first push is written, and a
// screen's writes run on a goroutine that exists only while it has
// something to write (a change, a ping, the close at shutdown). So a screen
// that cannot take a write holds up nobody but itself, and is dropped when
// its write deadline passes.
func (d Deps) followLive(w http.ResponseWriter, r *http.Request) {
	topics, err := parseTopics(r.URL.Query()[live.Param])
	if err != nil {
		fail(w, r, err)
		return
	}
	// The session is read, never written back: the session middleware
	// would commit it when this long request's handler returns, and bring
	// back a session its member had signed out of meanwhile.
	ctx, _, err := d.readSession(r.Context(), r)
	if err != nil {
		fail(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	// The screen's first render shows the client's own last write.
	var access live.Topic
	m, signedIn, err := d.staffMember(r)
	if err == nil && signedIn {
		r = r.WithContext(context.WithValue(r.Context(), staffCtxKey{}, m))
		access = live.AccessTopic(m.Username)
	}
	// A place among the sockets is held before any read model is read,
	// so a flood of sockets is refused cheaply.
	release, refused := d.sockets.take(clientAddress(r), signedIn && (m.Role == staff.Kitchen || m.Role == staff.Manager))
	if refused != nil {
		refuseSocket(w, r, refused)
		return
	}
	upgraded := false
	defer func() {
		if !upgraded {
			release()
		}
	}()
	d.waitFor(r, readModelsOf(topics)...)
	regions := map[live.Topic]region{}
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
	upgraded = true
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	s := &screen{d: d, conn: conn, topics: topics, wakes: wakesOf(topics), regions: regions, access: access, ctx: ctx, cancel: cancel, writing: true, release: release,
		// What the access checks at every ping read: the address, the
		// cookies and the session; nothing else of the request is kept.
		req: (&http.Request{Method: r.Method, URL: r.URL, Host: r.Host, RemoteAddr: r.RemoteAddr,
			Header: http.Header{"Cookie": r.Header.Values("Cookie")}}).WithContext(ctx)}
	metrics.Sockets.Inc()
	s.sub = d.Hub.Subscribe(s.wake, s.followed()...)
	conn.SetReadLimit(readLimit)
	s.mu.Lock()
	s.ping = time.AfterFunc(d.LivePing, s.pingDue)
	s.mu.Unlock()
	go s.read()
	// The writer's first turn runs here: everything now, then whatever
	// changed meanwhile; later turns start from wake.
	s.write(true)
}

// screen is one live socket.
type screen struct {
	d       Deps
	conn    *websocket.Conn
	req     *http.Request
	topics  []live.Topic
	wakes   map[live.Topic][]live.Topic // topics that change regions of other topics (wakesOf)
	regions map[live.Topic]region
	access  live.Topic // the staff member's access notices, if one is signed in
	sub     *live.Subscription
	ctx     context.Context
	cancel  context.CancelFunc
	ping    *time.Timer
	release func() // gives the socket's place among the capped ones back

	mu       sync.Mutex
	writing  bool // a goroutine is in write
	pingNow  bool
	denied   bool        // the access check failed
	checking atomic.Bool // an access check is running
	recheck  atomic.Bool // an access check is due
	closed   bool
	stopping bool // the writer is ending the socket
}

// read answers pings, notices a closed or silent screen, closes on data no
// screen of ours sends, and cleans up when the socket ends, whoever ended it.
func (s *screen) read() {
	defer s.close()
	wait := s.d.pongWait()
	_ = s.conn.SetReadDeadline(time.Now().Add(wait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(wait)) })
	for {
		kind, payload, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		if act := clientFrame(kind, payload); act.close {
			_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(act.code, act.reason), time.Now().Add(writeWait))
			return
		}
	}
}

func (s *screen) close() {
	s.mu.Lock()
	s.closed = true
	ping := s.ping
	s.mu.Unlock()
	ping.Stop()
	s.sub.Close()
	s.cancel()
	_ = s.conn.Close()
	s.release()
	metrics.Sockets.Dec()
}

// wake starts the writer unless it is running: it will see the news
// before it stops.
func (s *screen) wake() {
	s.mu.Lock()
	if s.writing || s.closed || s.stopping {
		s.mu.Unlock()
		return
	}
	s.writing = true
	s.mu.Unlock()
	go s.write(false)
}

// pingDue runs on the ping timer's own goroutine: the ping goes out at a
// steady pace through the writer, and the access check, which reads the
// database, runs here, off the writer's path, so a slow check never holds
// back a push.
func (s *screen) pingDue() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.pingNow = true
	ping := s.ping
	s.mu.Unlock()
	ping.Reset(s.d.LivePing)
	s.wake()
	// A screen keeps following only while it still may: a signed-out or
	// disabled member's kitchen screen stops within a ping period, and at
	// once when their access notice comes.
	s.checkAccess()
}

// followed is what the screen subscribes to: its topics, and its member's
// access notices.
func (s *screen) followed() []live.Topic {
	topics := slices.Clone(s.topics)
	for w := range s.wakes {
		if !slices.Contains(topics, w) {
			topics = append(topics, w)
		}
	}
	if s.access == "" {
		return topics
	}
	return append(topics, s.access)
}

// wakesOf maps the topics that change a screen's regions without being
// regions of it to the regions they change: the menu's topic (a dish sold
// out, the opening hours, a pause) changes whether an open order can be
// placed, and the kitchen's queue (any ticket) when an order will be
// ready, so an order's page follows both. The page is sent its own order,
// never the kitchen's board.
func wakesOf(topics []live.Topic) map[live.Topic][]live.Topic {
	wakes := map[live.Topic][]live.Topic{}
	for _, t := range topics {
		if _, order := t.Order(); order {
			for _, w := range []live.Topic{live.MenuTopic(), live.QueueTopic()} {
				if !slices.Contains(topics, w) {
					wakes[w] = append(wakes[w], t)
				}
			}
		}
	}
	return wakes
}

// regionsFor turns the topics that were published into the screen's
// regions to render again, each once.
func (s *screen) regionsFor(published []live.Topic) []live.Topic {
	var out []live.Topic
	for _, t := range published {
		for _, r := range append([]live.Topic{t}, s.wakes[t]...) {
			if _, ok := s.regions[r]; ok && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// checkAccess checks the screen's access again, off the writer's path; a
// check asked for while one runs runs after it, so no notice is missed.
func (s *screen) checkAccess() {
	s.recheck.Store(true)
	for s.checking.CompareAndSwap(false, true) {
		for s.recheck.Swap(false) {
			if !s.allowed() {
				break
			}
		}
		s.checking.Store(false)
		if !s.recheck.Load() {
			return
		}
	}
}

// accessKey names what an access check of the screen asks: the client (its
// cookies) and what it follows (the socket's query). Screens with the same
// key share their checks (accessChecks).
func (s *screen) accessKey() string {
	return strings.Join(s.req.Header.Values("Cookie"), "; ") + "\x00" + s.req.URL.RawQuery
}

// allowed runs one access check, or takes the answer of one that screens
// like this one ran within a third of the ping period; a screen no longer
// allowed is closed.
func (s *screen) allowed() bool {
	err := s.d.accessChecks.check(s.accessKey(), s.d.LivePing/3, func() error { return s.d.stillAllowed(s.req, s.topics) })
	if err == nil {
		return true
	}
	if statusOf(err) == http.StatusServiceUnavailable {
		// The database is away: access cannot be checked now. The screen
		// keeps what it shows, is checked again at the next ping, and
		// catches up once notices flow.
		slog.Warn("live screen's access not checked; the database is unavailable", "topics", s.topics, "error", err)
		return true
	}
	s.mu.Lock()
	s.denied = true
	s.mu.Unlock()
	s.wake()
	return false
}

// write sends what is due until nothing is, then lets its goroutine end.
func (s *screen) write(first bool) {
	for {
		s.mu.Lock()
		ping, denied := s.pingNow, s.denied
		s.pingNow = false
		notices := s.sub.TakeNotices()
		topics := make([]live.Topic, len(notices))
		for i, n := range notices {
			topics[i] = n.Topic
		}
		if i := slices.Index(topics, s.access); s.access != "" && i >= 0 {
			topics = slices.Delete(topics, i, i+1)
			// The member's access changed: no answer from before holds.
			s.d.accessChecks.forget(s.accessKey())
			go s.checkAccess()
		}
		topics = s.regionsFor(topics)
		gone := s.sub.Gone()
		if s.closed || (!first && !ping && !gone && !denied && len(topics) == 0) {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		ok := true
		switch {
		case denied:
			s.end(websocket.ClosePolicyViolation, "no longer allowed")
			return
		case gone:
			// 1012, service restart: the screen reconnects, and is then
			// sent everything again.
			s.end(websocket.CloseServiceRestart, "server restarting")
			return
		case first:
			ok, _ = s.push(s.topics, true)
			first = false
		case len(topics) > 0:
			var wrote bool
			if ok, wrote = s.push(topics, false); wrote {
				timePushed(notices)
			}
		}
		if ok && ping {
			ok = s.heartbeat()
		}
		if !ok {
			s.end(-1, "")
			return
		}
	}
}

// timePushed observes, for each notice whose commit time is known, how
// long its change took from the commit to this screen.
func timePushed(notices []live.Notice) {
	now := time.Now()
	for _, n := range notices {
		if !n.Committed.IsZero() {
			metrics.CommitToScreen.WithLabelValues(n.Topic.Kind()).Observe(max(0, now.Sub(n.Committed).Seconds()))
		}
	}
}

// end closes the socket, with a close message unless code is negative;
// the reader then cleans up.
func (s *screen) end(code int, reason string) {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	if code >= 0 {
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(s.d.liveWriteWait()))
	}
	_ = s.conn.Close()
}

// heartbeat pings the screen and sends a heartbeat the page can see; the
// screen has its pong time from the ping.
func (s *screen) heartbeat() bool {
	_ = s.conn.SetReadDeadline(time.Now().Add(s.d.pongWait()))
	if s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.d.liveWriteWait())) != nil {
		return false
	}
	// Pings are invisible to JavaScript: a screen that hears nothing for a
	// while says so.
	// A heartbeat is a few bytes: compressing them would cost a
	// compressor's setup for nothing.
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.d.liveWriteWait()))
	s.conn.EnableWriteCompression(false)
	defer s.conn.EnableWriteCompression(true)
	return s.conn.WriteMessage(websocket.TextMessage, heartbeat) == nil
}

// pongWait is how long a screen may stay silent after a ping: the ping
// period, and a ninth of it or a second, whichever is longer, for the pong
// to come back over a slow network or from a busy device.
func (d Deps) pongWait() time.Duration { return d.LivePing + max(d.LivePing/9, time.Second) }

// liveWriteWait is how long a screen may take to accept one write.
func (d Deps) liveWriteWait() time.Duration {
	if d.LiveWriteWait > 0 {
		return d.LiveWriteWait
	}
	return writeWait
}

// readSession reads the staff session the request's cookie names (an empty
// one for a guest) into ctx, for a request that only reads it.
func (d Deps) readSession(ctx context.Context, r *http.Request) (context.Context, string, error) {
	token := ""
	if c, err := r.Cookie(d.Sessions.Cookie.Name); err == nil {
		token = c.Value
	}
	ctx, err := d.Sessions.Load(ctx, token)
	return ctx, token, err
}

// stillAllowed checks the topics again, with the staff session as the store
// has it now (signed out, it is gone).
func (d Deps) stillAllowed(r *http.Request, topics []live.Topic) error {
	// A context without the session read at connect time: Load keeps a
	// session it finds in the context instead of reading the store again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(context.Background()), 5*time.Second)
	defer cancel()
	ctx, token, err := d.readSession(ctx, r)
	if err != nil {
		return err
	}
	for _, t := range topics {
		if _, err := d.authorize(r.WithContext(ctx), t); err != nil {
			return err
		}
	}
	// A screen on the wall is in use while it is live: keep its staff
	// session from expiring for idleness, as a page request would. Only
	// the stored session's expiry moves, and only while it is still
	// stored: writing the session back could bring a session signed out
	// meanwhile back to life.
	if d.Sessions.Exists(ctx, staffKey) {
		expiry := time.Now().Add(d.Sessions.IdleTimeout)
		if deadline := d.Sessions.Deadline(ctx); deadline.Before(expiry) {
			expiry = deadline
		}
		if _, err := d.Pool.Exec(ctx, `UPDATE sessions SET expiry = $2 WHERE token = $1 AND expiry > now()`, token, expiry); err != nil {
			return fmt.Errorf("keep the screen's session: %w", err)
		}
	}
	return nil
}

// push renders the topics' regions into one message, and says whether the
// screen is still well and whether a message was written. A single shared
// region goes out as its prepared frame.
func (s *screen) push(topics []live.Topic, first bool) (ok, wrote bool) {
	var pieces []piece
	for _, t := range topics {
		reg, ok := s.regions[t]
		if !ok {
			continue
		}
		p, err := reg(s.ctx, first)
		if err != nil {
			switch {
			case s.ctx.Err() != nil:
			case statusOf(err) == http.StatusServiceUnavailable:
				// The screen reconnects, and is sent everything once the
				// database answers again.
				slog.Warn("live region not rendered; the database is unavailable", "topic", t, "err", err)
			default:
				slog.Error("render a live region", "topic", t, "err", err)
			}
			return false, false
		}
		pieces = append(pieces, p)
	}
	if len(pieces) == 0 {
		return true, false
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.d.liveWriteWait()))
	var err error
	if len(pieces) == 1 && pieces[0].prepared != nil {
		err = s.conn.WritePreparedMessage(pieces[0].prepared)
	} else {
		var buf bytes.Buffer
		for _, p := range pieces {
			buf.Write(p.html)
		}
		err = s.conn.WriteMessage(websocket.TextMessage, buf.Bytes())
	}
	if err != nil {
		metrics.Pushes.WithLabelValues("dropped").Inc()
		return false, false
	}
	metrics.Pushes.WithLabelValues("sent").Inc()
	return true, true
}

// maxTopics is how many topics one socket may follow.
const maxTopics = 8

// parseTopics reads the topic parameters of /live: one to eight, each one
// live.ParseTopic reads. A topic named twice is followed once. Who may
// follow what is decided after, by authorize.
func parseTopics(raw []string) ([]live.Topic, error) {
	if len(raw) == 0 || len(raw) > maxTopics {
		return nil, &requestError{http.StatusBadRequest, "Name one to eight topics to follow."}
	}
	topics := make([]live.Topic, 0, len(raw))
	for _, s := range raw {
		t, ok := live.ParseTopic(s)
		if !ok {
			return nil, &requestError{http.StatusNotFound, "There is no such topic."}
		}
		if !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	return topics, nil
}

// readModelsOf names the read models the topics' regions show.
func readModelsOf(topics []live.Topic) []string {
	var names []string
	for _, t := range topics {
		var shown []string
		_, order := t.Order()
		switch {
		case t == live.MenuTopic():
			shown = menuReadModels
		case t == live.KitchenTopic():
			shown = kitchenReadModels
		case t == live.OrdersTopic(), order:
			shown = []string{"orders"}
		}
		for _, name := range shown {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// frameAction is what the server does with a message from a screen: keep
// following, or close the socket with a close code and reason.
type frameAction struct {
	close  bool
	code   int
	reason string
}

// clientFrame decides about one message a screen sent. Screens only listen,
// so a text message is read and let go; what no screen of ours sends closes
// the socket with the code RFC 6455 has for it: binary data (1003), text
// that is not UTF-8 (1007), or more than the read limit (1009; the socket
// library stops such a message before it is read).
func clientFrame(kind int, payload []byte) frameAction {
	switch {
	case kind != websocket.TextMessage:
		return frameAction{close: true, code: websocket.CloseUnsupportedData, reason: "screens send text only"}
	case len(payload) > readLimit:
		return frameAction{close: true, code: websocket.CloseMessageTooBig, reason: "message too long"}
	case !utf8.Valid(payload):
		return frameAction{close: true, code: websocket.CloseInvalidFramePayloadData, reason: "text is not UTF-8"}
	}
	return frameAction{}
}

// authorize decides whether this request may follow a topic, and how its
// region renders.
func (d Deps) authorize(r *http.Request, topic live.Topic) (region, error) {
	orderID, isOrder := topic.Order()
	historyID, isHistory := topic.History()
	switch {
	case topic == live.MenuTopic():
		guest, _ := orderer(r)
		filter := menuFilter(r.URL.Query()) // the page's own, in its socket's address
		return func(ctx context.Context, _ bool) (piece, error) {
			v, err := d.menuView(ctx, guest, nil, true, filter)
			return rendered(ctx, views.MenuList(v, true), err)
		}, nil
	case topic == live.KitchenTopic():
		m, ok, err := d.staffMember(r)
		if err != nil {
			return nil, err
		}
		if !ok || (m.Role != staff.Kitchen && m.Role != staff.Manager) {
			return nil, &requestError{http.StatusForbidden, "Only kitchen staff and managers may follow the kitchen."}
		}
		screen := screenOf(r)
		if err := d.checkStation(r.Context(), screen); err != nil {
			return nil, err
		}
		if screen.expo || screen.station != "" {
			// A station's screen and the expo's are rendered for each.
			return func(ctx context.Context, _ bool) (piece, error) {
				v, err := d.kitchenView(ctx, screen)
				if screen.expo {
					return rendered(ctx, views.ExpoLive(v), err)
				}
				return rendered(ctx, views.KitchenLive(v), err)
			}, nil
		}
		board := func(ctx context.Context) ([]byte, error) {
			v, err := d.kitchenView(ctx, screen)
			p, err := rendered(ctx, views.KitchenLive(v), err)
			return p.html, err
		}
		return func(ctx context.Context, first bool) (piece, error) {
			if first {
				html, err := board(ctx)
				return piece{html: html}, err
			}
			// The one rendering serves every screen: it must not end with
			// the screen that happened to start it.
			return d.kitchenBoard.get(d.Hub.Generation(live.KitchenTopic()), func() ([]byte, error) {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeWait)
				defer cancel()
				return board(ctx)
			})
		}, nil
	case topic == live.ProjectionsTopic():
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow the projections."}
		}
		return func(ctx context.Context, _ bool) (piece, error) {
			v, err := d.projectionsView(ctx)
			return rendered(ctx, views.ProjectionsTable(v, true), err)
		}, nil
	case isHistory:
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow an order's history."}
		}
		if _, err := d.historyView(r.Context(), historyID, 0); err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ bool) (piece, error) {
			v, err := d.historyView(ctx, historyID, 0)
			return rendered(ctx, views.HistoryBody(v, true), err)
		}, nil
	case topic == live.OrdersTopic():
		if manager, err := d.isManager(r); err != nil {
			return nil, err
		} else if !manager {
			return nil, &requestError{http.StatusForbidden, "Only managers may follow the orders."}
		}
		q := r.URL.Query()
		return func(ctx context.Context, _ bool) (piece, error) {
			v, _, err := d.staffOrdersView(ctx, q)
			return rendered(ctx, views.OrdersList(v, true), err)
		}, nil
	case isOrder:
		guest, _ := orderer(r)
		if _, err := d.guestOrder(r, orderID, guest); err != nil {
			return nil, err // another guest's order does not exist
		}
		return func(ctx context.Context, _ bool) (piece, error) {
			o, err := d.Orders.Get(ctx, orderID)
			if err != nil {
				return piece{}, err
			}
			ctx = context.WithValue(ctx, livePush{}, true)
			return rendered(ctx, views.OrderLive(d.orderView(ctx, o, guest, nil)), nil)
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
