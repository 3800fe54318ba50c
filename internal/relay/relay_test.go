package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/integration"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// brokerURL is the RabbitMQ the tests publish to. Without one they skip,
// saying why; in CI they fail.
func brokerURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("AMQP_URL is not set: the relay's tests need a RabbitMQ (amqp://guest:guest@127.0.0.1:5672/)")
		}
		t.Skip("AMQP_URL is not set: the relay's tests need a RabbitMQ, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672/")
	}
	return url
}

// world is a store with its projections running, as the server runs them.
func world(t *testing.T) *eventstore.Store {
	t.Helper()
	store := eventstore.Open(testdb.New(t), contracts.Codec())
	t.Cleanup(store.Close)
	r := projections.NewRunner(store, quiet, append(projections.All(), projections.Policies(store)...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return store
}

// delivery is a message as a consumer got it.
type delivery struct {
	id, typ, key, stream, contentType string
	position                          int64
	persistent                        bool
	body                              string
	timestamp                         time.Time
}

// consumer follows a test's own exchange through a queue of its own.
type consumer struct {
	mu  sync.Mutex
	got []delivery
}

func (c *consumer) all() []delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]delivery(nil), c.got...)
}

// consume declares the exchange as the relay does and binds a queue of the
// test's own to every routing key; both go when the test ends.
func consume(t *testing.T, url, exchange string) *consumer {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("connect to the broker: %v", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare(exchange+".test", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, "#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &consumer{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range msgs {
			pos, _ := m.Headers["position"].(int64)
			stream, _ := m.Headers["stream"].(string)
			typ := m.Type
			if h, _ := m.Headers["type"].(string); h != typ {
				typ = "header " + h + " property " + typ
			}
			c.mu.Lock()
			c.got = append(c.got, delivery{id: m.MessageId, typ: typ, key: m.RoutingKey, stream: stream, position: pos,
				contentType: m.ContentType, persistent: m.DeliveryMode == amqp.Persistent, body: string(m.Body), timestamp: m.Timestamp})
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(q.Name, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
		_ = conn.Close()
		<-done
	})
	return c
}

func exchangeName(t *testing.T) string {
	return "restaurant.test." + uuid.NewString()[:8] + "." + t.Name()
}

// placeOrder opens and places an order, and cancels it when asked; it
// returns the ids of the events that have a public counterpart.
func placeOrder(t *testing.T, store *eventstore.Store, cancel bool) []string {
	t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	at := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	cmds := []ordering.Command{
		ordering.OpenOrder{OrderID: id, CustomerID: "guest-" + id, At: at},
		ordering.AddItem{LineID: "a", MenuItemID: "margherita", Name: "Margherita", Quantity: 2, UnitPrice: domain.Cents(1100)},
		ordering.ChoosePickup{},
		ordering.GiveContact{Name: "Ana"},
		ordering.PlaceOrder{At: at},
	}
	if cancel {
		cmds = append(cmds, ordering.CancelOrder{Reason: "changed my mind", At: at.Add(time.Minute)})
	}
	var public []string
	for _, c := range cmds {
		res, err := eventstore.Handle(ctx, store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:test"}, c)
		if err != nil {
			t.Errorf("%T: %v", c, err)
			return nil
		}
		for _, e := range res.Events {
			switch e.Event.(type) {
			case ordering.OrderPlaced, ordering.OrderCanceled:
				public = append(public, e.EventID.String())
			}
		}
	}
	return public
}

// eventually waits for cond, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what())
		}
		<-tick.C
	}
}

// received says which of the wanted ids have not arrived yet.
func missing(c *consumer, want []string) []string {
	got := map[string]bool{}
	for _, d := range c.all() {
		got[d.id] = true
	}
	var out []string
	for _, id := range want {
		if !got[id] {
			out = append(out, id)
		}
	}
	return out
}

// checkDeliveries asserts what every consumer may count on: each message
// id always carries the same message; first arrivals of one stream come in
// the order of their events; the properties are as the contract says.
func checkDeliveries(t *testing.T, got []delivery) (duplicates int) {
	t.Helper()
	first := map[string]delivery{}
	last := map[string]int64{}
	for _, d := range got {
		if d.contentType != "application/json" || !d.persistent || d.typ != d.key || d.timestamp.IsZero() {
			t.Errorf("message %s: content type %q, persistent %v, type %q, routing key %q, timestamp %v", d.id, d.contentType, d.persistent, d.typ, d.key, d.timestamp)
		}
		if f, seen := first[d.id]; seen {
			duplicates++
			if f.body != d.body || f.typ != d.typ || f.stream != d.stream || f.position != d.position {
				t.Errorf("message %s sent again differently:\n%+v\n%+v", d.id, f, d)
			}
			continue
		}
		first[d.id] = d
		if d.position <= last[d.stream] {
			t.Errorf("stream %s: message at position %d arrived after one at %d", d.stream, d.position, last[d.stream])
		}
		last[d.stream] = d.position
	}
	return duplicates
}

func run(t *testing.T, cfg Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("relay: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestEveryPlacedOrderIsPublishedOnceInOrderPerStream(t *testing.T) {
	url := brokerURL(t)
	store := world(t)
	exchange := exchangeName(t)
	c := consume(t, url, exchange)
	stop := run(t, Config{Store: store, URL: url, Exchange: exchange, Log: quiet})

	var want []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 6 {
				ids := placeOrder(t, store, (g+i)%3 == 0)
				mu.Lock()
				want = append(want, ids...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	eventually(t, 30*time.Second, func() string { return fmt.Sprintf("%d of %d missing", len(missing(c, want)), len(want)) },
		func() bool { return len(missing(c, want)) == 0 })
	got := c.all()
	if dups := checkDeliveries(t, got); dups != 0 {
		t.Errorf("%d messages arrived twice without a crash", dups)
	}
	if len(got) != len(want) {
		t.Errorf("%d messages for %d events", len(got), len(want))
	}
	var placed integration.OrderPlacedV1
	for _, d := range got {
		if d.typ == integration.OrderPlaced {
			if err := json.Unmarshal([]byte(d.body), &placed); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if placed.Number == 0 || placed.Contact.Name != "Ana" || len(placed.Lines) != 1 || placed.Total.Amount != 2200 || placed.Fulfilment != "pickup" {
		t.Errorf("placed order's message: %+v", placed)
	}
	// The relay's status says it is connected and caught up.
	eventually(t, 10*time.Second, func() string {
		s, _, err := ReadStatus(context.Background(), store.Pool(), "")
		return fmt.Sprintf("%+v %v", s, err)
	},
		func() bool {
			s, found, err := ReadStatus(context.Background(), store.Pool(), "")
			head, _ := store.Head(context.Background())
			return err == nil && found && s.Running && s.Connected && s.LastError == "" && s.Position == head.Position && s.LagEvents == 0
		})
	// Stopped, it says so at once.
	stop()
	if s, _, err := ReadStatus(context.Background(), store.Pool(), ""); err != nil || s.Running || s.Connected {
		t.Errorf("a stopped relay: %+v (%v)", s, err)
	}
}

func TestARelayStoppedAtAnyPointResendsFromItsCheckpoint(t *testing.T) {
	url := brokerURL(t)
	store := world(t)
	exchange := exchangeName(t)
	c := consume(t, url, exchange)

	var mu sync.Mutex
	var want []string
	for range 10 {
		want = append(want, placeOrder(t, store, false)...)
	}
	// More orders come while the relays start and stop.
	var allPlaced atomic.Bool
	go func() {
		for i := range 15 {
			ids := placeOrder(t, store, i%4 == 0)
			mu.Lock()
			want = append(want, ids...)
			mu.Unlock()
		}
		allPlaced.Store(true)
	}()
	wanted := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), want...) }
	caughtUp := func() bool {
		if !allPlaced.Load() {
			return false
		}
		cp, err1 := store.Checkpoint(context.Background(), DefaultName)
		head, err2 := store.Head(context.Background())
		return err1 == nil && err2 == nil && cp == head && len(missing(c, wanted())) == 0
	}

	rng := rand.New(rand.NewPCG(1, 2))
	crashes, afterConfirm := 0, 0
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(90 * time.Second)
	for !caughtUp() {
		if time.Now().After(deadline) {
			t.Fatalf("the relays never caught up: %d of %d missing", len(missing(c, wanted())), len(wanted()))
		}
		ctx, cancel := context.WithCancel(context.Background())
		// Stop this relay at a stage drawn at random: after some message is
		// handed to the broker, or once a batch is confirmed but before its
		// checkpoint moves.
		stage := []string{"published", "confirmed"}[rng.IntN(2)]
		n, seen := 1+rng.IntN(6), 0
		var crashed atomic.Bool
		cfg := Config{Store: store, URL: url, Exchange: exchange, Log: quiet, BatchSize: 1 + rng.IntN(8), MinBackoff: 10 * time.Millisecond,
			hook: func(s string) {
				if s == stage {
					if seen++; seen == n {
						crashed.Store(true)
						cancel()
					}
				}
			}}
		done := make(chan error, 1)
		go func() { done <- Run(ctx, cfg) }()
	wait:
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				break wait
			case <-tick.C:
				if caughtUp() {
					cancel()
				}
			}
		}
		cancel()
		if crashed.Load() {
			crashes++
			if stage == "confirmed" {
				afterConfirm++
			}
		}
	}
	got := c.all()
	if m := missing(c, wanted()); len(m) > 0 {
		t.Fatalf("%d messages never arrived", len(m))
	}
	dups := checkDeliveries(t, got)
	t.Logf("%d crashes (%d after a confirm), %d messages, %d sent again", crashes, afterConfirm, len(got), dups)
	if afterConfirm > 0 && dups == 0 {
		t.Error("relays stopped after the broker confirmed a batch, yet nothing was sent again: the checkpoint moved before the confirm")
	}
	if crashes < 3 {
		t.Errorf("only %d crashes: the test did not test much", crashes)
	}
}

// proxy is a TCP proxy of the test's own between the relay and the broker,
// which the test cuts (every connection dropped, new ones refused) and
// restores.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { _ = ln.Close(); p.setCut(true) })
	return p
}

func (p *proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			_ = in.Close()
			continue
		}
		out, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			p.mu.Unlock()
			_ = in.Close()
			continue
		}
		p.conns[in], p.conns[out] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
		go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
	}
}

func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			_ = c.Close()
		}
		clear(p.conns)
	}
}

func (p *proxy) url() string { return "amqp://guest:guest@" + p.ln.Addr().String() + "/" }

func TestTheRelayCatchesUpAfterTheBrokerWasAway(t *testing.T) {
	url := brokerURL(t)
	u, err := amqp.ParseURI(url)
	if err != nil {
		t.Fatal(err)
	}
	store := world(t)
	exchange := exchangeName(t)
	c := consume(t, url, exchange)
	p := newProxy(t, net.JoinHostPort(u.Host, fmt.Sprint(u.Port)))
	// Armed, the relay's next publish cuts the connection under it: in the
	// middle of a batch, some messages handed to the broker and none of
	// their confirms back yet.
	var armed atomic.Bool
	run(t, Config{Store: store, URL: p.url(), Exchange: exchange, Log: quiet, BatchSize: 3, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		hook: func(stage string) {
			if stage == "published" && armed.CompareAndSwap(true, false) {
				p.setCut(true)
			}
		}})

	var want []string
	for range 5 {
		want = append(want, placeOrder(t, store, false)...)
	}
	eventually(t, 30*time.Second, func() string { return "the first orders' messages" }, func() bool { return len(missing(c, want)) == 0 })

	status := func() Status {
		s, _, err := ReadStatus(context.Background(), store.Pool(), "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for round := range 4 {
		// Orders keep coming while the connection is cut mid-stream: by
		// the relay's own publish in even rounds, from outside in odd ones.
		placed := make(chan []string)
		go func() {
			var ids []string
			for i := range 8 {
				ids = append(ids, placeOrder(t, store, i%3 == 0)...)
			}
			placed <- ids
		}()
		if round%2 == 0 {
			armed.Store(true)
		} else {
			p.setCut(true)
		}
		eventually(t, 30*time.Second, func() string { return fmt.Sprintf("round %d: relay status %+v", round, status()) },
			func() bool { s := status(); return !s.Connected && s.LastError != "" })
		want = append(want, <-placed...)
		// The restaurant works on: an order is placed while the broker is
		// away, and the relay lags.
		want = append(want, placeOrder(t, store, false)...)
		if s := status(); s.LagEvents == 0 || s.Connected {
			t.Errorf("round %d: the broker is away, yet %+v", round, s)
		}
		p.setCut(false)
		eventually(t, 30*time.Second, func() string { return fmt.Sprintf("round %d: %d messages missing", round, len(missing(c, want))) },
			func() bool { return len(missing(c, want)) == 0 })
	}
	checkDeliveries(t, c.all())
	eventually(t, 10*time.Second, func() string { return fmt.Sprintf("%+v", status()) },
		func() bool { s := status(); return s.Connected && s.LastError == "" && s.LagEvents == 0 })
}

func TestOneRelayLeadsAcrossProcesses(t *testing.T) {
	url := brokerURL(t)
	store := world(t)
	exchange := exchangeName(t)
	c := consume(t, url, exchange)
	// Two relays on one database, as two processes would run them: only
	// one publishes at a time, so nothing arrives twice.
	run(t, Config{Store: store, URL: url, Exchange: exchange, Log: quiet})
	run(t, Config{Store: store, URL: url, Exchange: exchange, Log: quiet})
	var want []string
	for range 10 {
		want = append(want, placeOrder(t, store, true)...)
	}
	eventually(t, 30*time.Second, func() string { return fmt.Sprintf("%d missing", len(missing(c, want))) },
		func() bool { return len(missing(c, want)) == 0 })
	if dups := checkDeliveries(t, c.all()); dups != 0 {
		t.Errorf("%d messages sent twice by two relays", dups)
	}
}

func TestConfigNeedsAStoreAndAURL(t *testing.T) {
	if err := Run(context.Background(), Config{URL: "amqp://x"}); err == nil {
		t.Error("a relay without a store ran")
	}
	if err := Run(context.Background(), Config{Store: &eventstore.Store{}}); err == nil {
		t.Error("a relay without a URL ran")
	}
}
