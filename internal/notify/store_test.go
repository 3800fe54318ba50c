package notify

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
)

// translateForTest is a small translation of the test's own: a placed
// order becomes the contract's OrderPlaced, a canceled one OrderCanceled,
// and the message id is the event's id, as the publisher's is.
func translateForTest(emails map[string]string) Translate {
	return func(_ context.Context, e eventstore.RecordedEvent) ([]Delivery, error) {
		switch ev := e.Event.(type) {
		case ordering.OrderPlaced:
			body := fmt.Sprintf(`{"order_id":%q,"number":7,"placed_at":%q,"fulfilment":"pickup","total":{"amount":%d,"currency":"EUR"},"lines":[],"contact":{"name":"","email":%q}}`,
				ev.OrderID, ev.PlacedAt.Format(time.RFC3339), ev.Total.Amount, emails[ev.OrderID])
			return []Delivery{{MessageID: e.EventID.String(), Type: TypeOrderPlaced, Body: []byte(body)}}, nil
		case ordering.OrderCanceled:
			// Two messages for one event, the second of a type the service
			// ignores: neither may hold the service up.
			body := fmt.Sprintf(`{"order_id":%q,"number":7,"reason":%q,"canceled_at":%q,"contact":{"name":"","email":%q}}`,
				ev.OrderID, ev.Reason, ev.CanceledAt.Format(time.RFC3339), emails[ev.OrderID])
			return []Delivery{
				{MessageID: e.EventID.String(), Type: TypeOrderCanceled, Body: []byte(body)},
				{MessageID: uuid.NewSHA1(e.EventID, []byte("ready")).String(), Type: TypeOrderReady, Body: []byte(`{"order_id":"x","number":7,"fulfilment":"delivery","contact":{"email":"a@b.test"}}`)},
			}, nil
		}
		return nil, nil
	}
}

func appendEvents(t *testing.T, store *eventstore.Store, stream string, events ...domain.Event) {
	t.Helper()
	if _, err := store.Append(context.Background(), stream, eventstore.Any, eventstore.Metadata{CommandID: uuid.New(), Actor: "test"}, events...); err != nil {
		t.Fatal(err)
	}
}

func TestInProcessTheEventStoreFeedsTheServiceOnceAcrossRestartsAndProcesses(t *testing.T) {
	pool := testdb.New(t)
	store := eventstore.Open(pool, contracts.Codec())
	k, got := newSink(t), newOutcomes()
	at := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	emails := map[string]string{"o-1": "ana@guest.test", "o-2": "rui@guest.test"}
	appendEvents(t, store, ordering.Stream("o-1"), ordering.OrderPlaced{OrderID: "o-1", PlacedAt: at, Total: domain.Cents(1200)})
	src := StoreSource{Store: store, Translate: translateForTest(emails)}
	cfg := config(t, pool, nil, k, got)
	cfg.Pool = nil // taken from the store
	// Two processes follow the same store: one leads, and each message is
	// sent once.
	first := start(t, func(ctx context.Context) error { return RunFromStore(ctx, cfg, src) })
	second := start(t, func(ctx context.Context) error { return RunFromStore(ctx, cfg, src) })
	k.waitFor(t, "the first confirmation", func(m []received) bool { return len(m) == 1 })
	appendEvents(t, store, ordering.Stream("o-2"),
		ordering.OrderPlaced{OrderID: "o-2", PlacedAt: at, Total: domain.Cents(800)},
		ordering.OrderCanceled{OrderID: "o-2", Reason: "Out of dough.", CanceledAt: at.Add(time.Minute)})
	mails := k.waitFor(t, "three emails", func(m []received) bool { return len(m) == 3 })
	waitForCheckpoint(t, store, DefaultCheckpoint)
	for i, want := range []struct{ subject, to string }{
		{"Order #7 confirmed", "ana@guest.test"}, {"Order #7 confirmed", "rui@guest.test"}, {"Order #7 was canceled", "rui@guest.test"},
	} {
		if s := mails[i].header(t).Get("Subject"); s != want.subject || mails[i].To != want.to {
			t.Errorf("email %d: %q to %s, want %q to %s", i, s, mails[i].To, want.subject, want.to)
		}
	}
	if err := first(); err != nil {
		t.Fatal(err)
	}
	if err := second(); err != nil {
		t.Fatal(err)
	}

	// A new start sends nothing again, and goes on with what comes next.
	emails["o-3"] = "eva@guest.test"
	start(t, func(ctx context.Context) error { return RunFromStore(ctx, cfg, src) })
	appendEvents(t, store, ordering.Stream("o-3"), ordering.OrderPlaced{OrderID: "o-3", PlacedAt: at, Total: domain.Cents(500)})
	mails = k.waitFor(t, "the third confirmation", func(m []received) bool { return len(m) >= 4 })
	if len(mails) != 4 || mails[3].To != "eva@guest.test" {
		t.Errorf("after a restart: %d emails, the last to %s", len(mails), mails[len(mails)-1].To)
	}
}

func TestInProcessAFailingMailServerHoldsTheCheckpointUntilItSends(t *testing.T) {
	pool := testdb.New(t)
	store := eventstore.Open(pool, contracts.Codec())
	k, got := newSink(t), newOutcomes()
	k.failData = func(n int) error {
		if n <= 2 {
			return transient
		}
		return nil
	}
	at := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	appendEvents(t, store, ordering.Stream("o-1"), ordering.OrderPlaced{OrderID: "o-1", PlacedAt: at, Total: domain.Cents(1200)})
	src := StoreSource{Store: store, Translate: translateForTest(map[string]string{"o-1": "ana@guest.test"}), Checkpoint: "notifications-test"}
	start(t, func(ctx context.Context) error { return RunFromStore(ctx, config(t, pool, nil, k, got), src) })
	k.waitFor(t, "the confirmation", func(m []received) bool { return len(m) == 1 })
	if _, datas := k.counts(); datas != 3 {
		t.Errorf("the sink saw %d DATA commands, want 2 refusals and one acceptance", datas)
	}
}

// proxy forwards TCP to a target and can cut every connection it carries,
// as a broker going away would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	return n
}

func TestTheServiceReconnectsWhenTheBrokerGoesAway(t *testing.T) {
	pool, b, k, got := testdb.New(t), newBroker(t), newSink(t), newOutcomes()
	u, err := parseAMQPHost(b.url)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	cfg := config(t, pool, b, k, got)
	u.Host = p.ln.Addr().String()
	cfg.AMQPURL = u.String()
	start(t, func(ctx context.Context) error { return Run(ctx, cfg) })
	waitForQueue(t, b)
	before := uuid.NewString()
	b.publish(t, TypeOrderPlaced, before, placedBody("o-1", 1, "ana@guest.test"))
	got.waitFor(t, before, Sent)
	if n := p.cut(); n == 0 {
		t.Fatal("the service was not connected through the proxy")
	}
	after := uuid.NewString()
	b.publish(t, TypeOrderPlaced, after, placedBody("o-2", 2, "rui@guest.test"))
	got.waitFor(t, after, Sent)
	if n := len(k.all()); n != 2 {
		t.Errorf("want 2 emails, got %d", n)
	}
}

// waitForCheckpoint waits until the checkpoint has passed every event.
func waitForCheckpoint(t *testing.T, store *eventstore.Store, name string) {
	t.Helper()
	ctx := context.Background()
	head, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		cp, err := store.Checkpoint(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if cp == head {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %s at %v, the store's head at %v", name, cp, head)
		}
		time.Sleep(10 * time.Millisecond) // polling the checkpoint row
	}
}
