// Package live fans change notices out to the screens that follow them. A
// notice only names a Topic (the kitchen, the menu, one order); the screen's
// connection renders the topic's current state itself, so notices coalesce,
// a slow screen never holds the others back, and a screen that missed some
// loses nothing: the next render is whole.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Hub is this process's fan-out.
type Hub struct {
	// PerFollower and MaxEvery set the least time between two deliveries
	// of one topic: PerFollower for each screen following it, at most
	// MaxEvery. A notice within that window waits for the window's end, and
	// every notice in the window goes out as one; a quiet topic's notice
	// goes out at once. Pushing a change costs a write per screen, so a
	// topic followed by many screens is pushed less often: a busy kitchen
	// with a thousand displays then costs at most one push per display per
	// MaxEvery, however fast tickets change, while a guest's own order
	// goes out at once. Zero delivers every notice at once.
	PerFollower, MaxEvery time.Duration

	mu      sync.Mutex
	subs    map[Topic]map[*Subscription]struct{}
	windows map[Topic]*window
	// generations counts notices of the topics asked about (Topic to
	// *atomic.Uint64): every screen of a change reads its topic's count,
	// a thousand at once, so reading it takes no lock.
	generations sync.Map
	// origin tells this hub's notices from other processes' when they come
	// back through PostgreSQL.
	origin string
}

// window is a topic's last delivery, while its length has not passed since.
type window struct {
	last    time.Time
	every   time.Duration
	pending bool      // a delivery is due at the window's end
	at      time.Time // the earliest commit of the notices it holds, if known
}

// NewHub makes an empty hub.
func NewHub() *Hub {
	origin := make([]byte, 8)
	_, _ = rand.Read(origin)
	return &Hub{subs: map[Topic]map[*Subscription]struct{}{}, windows: map[Topic]*window{}, origin: hex.EncodeToString(origin)}
}

// Generation counts a topic's notices: screens that render a topic at the
// same generation may share one rendering. Only topics asked about are
// counted (one per order would grow without end); a topic's count starts
// when first asked and is never reset, so a cached rendering can never be
// mistaken for a newer one.
func (h *Hub) Generation(topic Topic) uint64 {
	if g, ok := h.generations.Load(topic); ok {
		return g.(*atomic.Uint64).Load()
	}
	g, _ := h.generations.LoadOrStore(topic, new(atomic.Uint64))
	return g.(*atomic.Uint64).Load()
}

// Subscription is one screen's interest in some topics.
type Subscription struct {
	hub     *Hub
	topics  []Topic
	wake    func()
	mu      sync.Mutex
	pending map[Topic]time.Time // changed topics, each with its earliest notice's commit (zero: not known)
	gone    bool                // set when the hub drops every screen
}

// Subscribe follows topics until Close. wake is called, without blocking
// the publisher for long, whenever a topic changed since the last Take or
// the hub drops the subscription; it must not block (a screen starts its
// writing, or notes that it is already writing). Notices that arrive while
// the screen is busy fold into the next Take.
func (h *Hub) Subscribe(wake func(), topics ...Topic) *Subscription {
	s := &Subscription{hub: h, topics: topics, wake: wake, pending: map[Topic]time.Time{}}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		if h.subs[t] == nil {
			h.subs[t] = map[*Subscription]struct{}{}
		}
		h.subs[t][s] = struct{}{}
	}
	return s
}

// Close stops following.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range s.topics {
		if h.subs[t] == nil {
			continue
		}
		delete(h.subs[t], s)
		if len(h.subs[t]) == 0 {
			delete(h.subs, t)
		}
	}
}

// Gone says the hub dropped the subscription: the server is going away,
// and the screen should reconnect (to another process, or this one when it
// is back).
func (s *Subscription) Gone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// DropAll ends every subscription, at shutdown: websockets outlive an HTTP
// server's graceful shutdown unless told.
func (h *Hub) DropAll() {
	h.mu.Lock()
	var dropped []*Subscription
	for t, subs := range h.subs {
		for s := range subs {
			dropped = append(dropped, s)
		}
		delete(h.subs, t)
	}
	h.mu.Unlock()
	for _, s := range dropped {
		s.mu.Lock()
		already := s.gone
		s.gone = true
		s.mu.Unlock()
		if !already {
			s.wake()
		}
	}
}

// Take returns the topics that changed since it was last called.
func (s *Subscription) Take() []Topic {
	notices := s.TakeNotices()
	out := make([]Topic, len(notices))
	for i, n := range notices {
		out[i] = n.Topic
	}
	return out
}

// A Notice is a topic that changed, and when the change it tells of
// committed: the earliest of the notices folded into it, zero when no
// notice said (a notice of this process's own, or every topic told again
// after the connection to the database came back).
type Notice struct {
	Topic     Topic
	Committed time.Time
}

// TakeNotices returns the topics that changed since the last Take, with
// when their changes committed.
func (s *Subscription) TakeNotices() []Notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Notice, 0, len(s.pending))
	for t, at := range s.pending {
		out = append(out, Notice{Topic: t, Committed: at})
	}
	clear(s.pending)
	return out
}

// earlier is the earlier of two commit times, either of which may be
// unknown (zero).
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// Publish tells every subscription of the topic that it changed. It never
// waits for a screen: notices for a screen that has not caught up fold
// together.
func (h *Hub) Publish(topic Topic) { h.publish(topic, time.Time{}) }

// publish is Publish of a change that committed at the time at (zero: not
// known).
func (h *Hub) publish(topic Topic, at time.Time) {
	h.mu.Lock()
	if g, counted := h.generations.Load(topic); counted {
		g.(*atomic.Uint64).Add(1)
	}
	if every := min(h.MaxEvery, time.Duration(len(h.subs[topic]))*h.PerFollower); every > 0 {
		now := time.Now()
		w := h.windows[topic]
		switch {
		case w != nil && w.pending:
			w.at = earlier(w.at, at)
			h.mu.Unlock()
			return // goes out with the delivery already due
		case w != nil && now.Sub(w.last) < w.every:
			w.pending, w.at = true, at
			h.mu.Unlock()
			time.AfterFunc(w.every-now.Sub(w.last), func() {
				h.mu.Lock()
				held := w.at
				w.pending, w.last, w.at = false, time.Now(), time.Time{}
				h.mu.Unlock()
				h.forgetLater(topic, w)
				h.deliver(topic, held)
			})
			return
		case w == nil:
			w = &window{}
			h.windows[topic] = w
		}
		w.last, w.every = now, every
		h.mu.Unlock()
		h.forgetLater(topic, w)
		h.deliver(topic, at)
		return
	}
	h.mu.Unlock()
	h.deliver(topic, at)
}

// forgetLater drops a topic's window once it has passed with nothing
// more to deliver, so that windows do not pile up (one per order).
func (h *Hub) forgetLater(topic Topic, w *window) {
	h.mu.Lock()
	every := w.every
	h.mu.Unlock()
	time.AfterFunc(every, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !w.pending && time.Since(w.last) >= w.every && h.windows[topic] == w {
			delete(h.windows, topic)
		}
	})
}

// deliver tells the topic's followers it changed, in a change committed at
// the time at.
func (h *Hub) deliver(topic Topic, at time.Time) {
	h.mu.Lock()
	subs := make([]*Subscription, 0, len(h.subs[topic]))
	for s := range h.subs[topic] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		if was, ok := s.pending[topic]; ok {
			s.pending[topic] = earlier(was, at)
		} else {
			s.pending[topic] = at
		}
		s.mu.Unlock()
		s.wake()
	}
}

// channel carries notices between processes.
const channel = "restaurant_live"

// Notify sends notices to every process on the database (this one too), in
// one round trip, bounded in time: a lost notice is made good by the next.
// It is called once the change they tell of has committed, and says when:
// each process measures from then to its screens' writes.
func Notify(ctx context.Context, pool *pgxpool.Pool, topics []Topic) error {
	return notify(ctx, pool, wire(topics, time.Now(), ""))
}

// Notify tells this hub's screens at once, without the round trip through
// PostgreSQL, and every other process's as the package's Notify does; the
// hub knows its own notices when they come back, and drops them.
func (h *Hub) Notify(ctx context.Context, pool *pgxpool.Pool, topics []Topic) error {
	now := time.Now()
	for _, t := range topics {
		h.publish(t, now)
	}
	return notify(ctx, pool, wire(topics, now, h.origin))
}

func notify(ctx context.Context, pool *pgxpool.Pool, payloads []string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := pool.Exec(ctx, `SELECT pg_notify($1, t) FROM unnest($2::text[]) AS t`, channel, payloads)
	return err
}

// wire is how notices travel between processes: each topic's string, a
// tab, the commit's time in Unix nanoseconds and, when a hub sent it, a
// tab and the hub's origin.
func wire(topics []Topic, committed time.Time, origin string) []string {
	out := make([]string, len(topics))
	at := "\t" + strconv.FormatInt(committed.UnixNano(), 10)
	if origin != "" {
		at += "\t" + origin
	}
	for i, t := range topics {
		out[i] = string(t) + at
	}
	return out
}

// unwire reads a notice from another process; one without a time (sent by
// an older version) reads as a commit not known, one without an origin as
// no hub's.
func unwire(payload string) (topic Topic, at time.Time, origin string) {
	name, rest, ok := strings.Cut(payload, "\t")
	if !ok {
		return Topic(payload), time.Time{}, ""
	}
	nanos, origin, _ := strings.Cut(rest, "\t")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return Topic(name), time.Time{}, origin
	}
	return Topic(name), time.Unix(0, n), origin
}

// Listen publishes every process's notices to this hub until ctx ends,
// reconnecting when the connection drops. After a reconnect it publishes
// every topic with subscribers, since notices may have been missed.
func (h *Hub) Listen(ctx context.Context, pool *pgxpool.Pool) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listenOnce(ctx, pool)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("live notices: connection lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

func (h *Hub) listenOnce(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	h.publishAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		topic, at, origin := unwire(n.Payload)
		if origin == h.origin {
			continue // told here already, when it was sent
		}
		h.publish(topic, at)
	}
}

func (h *Hub) publishAll() {
	h.mu.Lock()
	topics := make([]Topic, 0, len(h.subs))
	for t := range h.subs {
		topics = append(topics, t)
	}
	h.mu.Unlock()
	for _, t := range topics {
		h.Publish(t)
	}
}
