package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// config is a service configuration for a test: its own database, broker
// names and sink, and short pauses.
func config(t *testing.T, pool *pgxpool.Pool, b *broker, k *sink, got *outcomes) Config {
	cfg := Config{
		Pool:           pool,
		From:           "Gomes Kitchen <orders@gomes.test>",
		PublicURL:      "https://order.gomes.test",
		Location:       time.UTC,
		RetryFirst:     10 * time.Millisecond,
		RetryMax:       50 * time.Millisecond,
		ReconnectFirst: 10 * time.Millisecond,
		ReconnectMax:   100 * time.Millisecond,
		Log:            quietLog(),
		DataDir:        t.TempDir(),
		handled:        got.add,
	}
	if b != nil {
		cfg.AMQPURL, cfg.Exchange, cfg.Queue = b.url, b.exchange, b.queue
	}
	if k != nil {
		cfg.SMTPURL = k.url()
	}
	return cfg
}

func placedBody(orderID string, number int, email string) string {
	return fmt.Sprintf(`{"order_id":%q,"number":%d,"placed_at":"2026-12-01T18:00:00Z","fulfilment":"delivery",
		"scheduled_for":"2026-12-01T19:30:00Z","total":{"amount":2350,"currency":"EUR"},
		"lines":[{"dish_id":"d1","name":"Pizza Margherita","quantity":2,"options":["Large","Extra basil"]},
		         {"dish_id":"d2","name":"Lemonade","quantity":1,"options":[]}],
		"contact":{"name":"Ana Lima","email":%q}}`, orderID, number, email)
}

// parts reads the text and HTML parts of an email.
func parts(t *testing.T, r received) (text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: want multipart/alternative (%v)", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			html = string(b)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("want a text and an HTML part; got text %q, html %q", text, html)
	}
	return text, html
}

func bySubject(mails []received, subject string) []received {
	var out []received
	for _, m := range mails {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			continue
		}
		s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if s == subject {
			out = append(out, m)
		}
	}
	return out
}

func TestEachOrderMessageIsEmailedOnceToItsGuest(t *testing.T) {
	pool, b, k, got := testdb.New(t), newBroker(t), newSink(t), newOutcomes()
	start(t, func(ctx context.Context) error { return Run(ctx, config(t, pool, b, k, got)) })

	placed, ready, away, canceled, noEmail := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	soldOut := uuid.NewString()
	// The queue exists once the service has declared it: wait for that
	// before publishing, or the first messages would go nowhere.
	waitForQueue(t, b)
	b.publish(t, TypeOrderPlaced, placed, placedBody("o-1", 41, "ana@guest.test"))
	b.publish(t, TypeOrderPlaced, placed, placedBody("o-1", 41, "ana@guest.test")) // a publisher's resend
	b.publish(t, "menu.v1.ItemSoldOut", soldOut, `{"dish_id":"d1"}`)
	b.publish(t, TypeOrderReady, ready, `{"order_id":"o-2","number":42,"ready_at":"2026-12-01T18:20:00Z","fulfilment":"pickup","contact":{"name":"Rui","email":"rui@guest.test"}}`)
	b.publish(t, TypeOrderOutForDelivery, away, `{"order_id":"o-1","number":41,"at":"2026-12-01T19:20:00Z","contact":{"name":"Ana Lima","email":"ana@guest.test"}}`)
	b.publish(t, TypeOrderCanceled, canceled, `{"order_id":"o-3","number":43,"reason":"The kitchen closed early.","canceled_at":"2026-12-01T18:05:00Z","contact":{"name":"Eva","email":"eva@guest.test"}}`)
	b.publish(t, TypeOrderPlaced, noEmail, placedBody("o-4", 44, ""))

	got.waitFor(t, noEmail, Skipped) // the last one published
	got.waitFor(t, placed, Duplicate)
	mails := k.all()
	if len(mails) != 4 {
		t.Fatalf("want 4 emails, got %d", len(mails))
	}
	want := []struct{ subject, to, id string }{
		{"Order #41 confirmed", "ana@guest.test", placed},
		{"Order #42 is ready to collect", "rui@guest.test", ready},
		{"Order #41 is on its way", "ana@guest.test", away},
		{"Order #43 was canceled", "eva@guest.test", canceled},
	}
	for _, w := range want {
		ms := bySubject(mails, w.subject)
		if len(ms) != 1 {
			t.Fatalf("%q: want one email, got %d", w.subject, len(ms))
		}
		m := ms[0]
		h := m.header(t)
		if m.To != w.to || m.From != "orders@gomes.test" {
			t.Errorf("%q: envelope from %q to %q, want orders@gomes.test to %s", w.subject, m.From, m.To, w.to)
		}
		if to, err := mail.ParseAddress(h.Get("To")); err != nil || to.Address != w.to {
			t.Errorf("%q: To header %q, want %s", w.subject, h.Get("To"), w.to)
		}
		if h.Get("From") != `"Gomes Kitchen" <orders@gomes.test>` {
			t.Errorf("%q: From header %q", w.subject, h.Get("From"))
		}
		if h.Get("Message-ID") != "<"+w.id+"@gomes.test>" {
			t.Errorf("%q: Message-ID %q, want one derived from the message id %s", w.subject, h.Get("Message-ID"), w.id)
		}
		if _, err := h.Date(); err != nil {
			t.Errorf("%q: Date header: %v", w.subject, err)
		}
	}
	text, html := parts(t, bySubject(mails, "Order #41 confirmed")[0])
	for _, s := range []string{"Hello Ana Lima", "deliver", "2 x Pizza Margherita", "Large, Extra basil", "1 x Lemonade",
		"Total: €23.50", "Tue 1 Dec 2026, 19:30", "https://order.gomes.test/orders/o-1"} {
		if !strings.Contains(text, s) {
			t.Errorf("the confirmation's text lacks %q:\n%s", s, text)
		}
	}
	if !strings.Contains(html, `<a href="https://order.gomes.test/orders/o-1">`) || !strings.Contains(html, "Pizza Margherita") {
		t.Errorf("the confirmation's HTML lacks the link or the dishes:\n%s", html)
	}
	if text, _ := parts(t, bySubject(mails, "Order #43 was canceled")[0]); !strings.Contains(text, "Reason: The kitchen closed early.") {
		t.Errorf("the cancelation does not say why:\n%s", text)
	}
	if got.count(soldOut+" "+string(Ignored)) != 0 {
		t.Error("the queue is bound to types it does not email about")
	}

	// The inbox says what was done with each message, and nothing of whom.
	rows, err := pool.Query(context.Background(), `SELECT message_id, type, order_id, outcome, reason, handled_at::text FROM notify_inbox ORDER BY order_id, type`)
	if err != nil {
		t.Fatal(err)
	}
	var inbox []string
	for rows.Next() {
		var id, typ, order, outcome, reason, at string
		if err := rows.Scan(&id, &typ, &order, &outcome, &reason, &at); err != nil {
			t.Fatal(err)
		}
		row := strings.Join([]string{id, typ, order, outcome, reason, at}, " ")
		for _, personal := range []string{"@", "Ana", "Lima", "Rui", "Eva"} {
			if strings.Contains(row, personal) {
				t.Errorf("the inbox keeps personal data (%q): %s", personal, row)
			}
		}
		inbox = append(inbox, order+" "+typ+" "+outcome)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	wantInbox := "o-1 orders.v1.OrderOutForDelivery sent|o-1 orders.v1.OrderPlaced sent|o-2 orders.v1.OrderReady sent|o-3 orders.v1.OrderCanceled sent|o-4 orders.v1.OrderPlaced skipped"
	if strings.Join(inbox, "|") != wantInbox {
		t.Errorf("inbox:\n%s\nwant\n%s", strings.Join(inbox, "|"), wantInbox)
	}
}

// waitForQueue waits until the service has declared its queue and bound it.
func waitForQueue(t *testing.T, b *broker) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := amqpDial(b.url)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		q, err := ch.QueueDeclarePassive(b.queue, true, false, false, false, nil)
		conn.Close()
		if err == nil && q.Consumers > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not declare and consume queue %s: %v", b.queue, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the broker, which has no notice of a new queue
	}
}

func TestACrashBetweenCommitAndAckSendsNothingTwice(t *testing.T) {
	pool, b, k, got := testdb.New(t), newBroker(t), newSink(t), newOutcomes()
	id := uuid.NewString()
	cfg := config(t, pool, b, k, got)
	var crashed atomic.Bool
	cfg.crashAfterRecord = func(string) bool { return !crashed.Swap(true) }
	first := start(t, func(ctx context.Context) error { return Run(ctx, cfg) })
	waitForQueue(t, b)
	b.publish(t, TypeOrderPlaced, id, placedBody("o-9", 9, "ana@guest.test"))
	k.waitFor(t, "the confirmation", func(m []received) bool { return len(m) == 1 })
	got.waitFor(t, id, Sent)
	// The service stopped as a crash would: sent and recorded, not acked.
	// The hook runs just after the outcome is recorded, so no outcome may
	// follow it: look at the flag itself until the deadline.
	deadline := time.After(20 * time.Second)
	look := time.NewTicker(5 * time.Millisecond)
	defer look.Stop()
	for !crashed.Load() {
		select {
		case <-deadline:
			t.Fatal("the service did not reach the crash")
		case <-look.C:
		}
	}
	if err := first(); !errors.Is(err, errCrashed) {
		t.Fatalf("the first run ended with %v, want the crash", err)
	}

	// The broker hands the message to the next run, which finds it in the
	// inbox and only acknowledges it.
	cfg.crashAfterRecord = nil
	second := start(t, func(ctx context.Context) error { return Run(ctx, cfg) })
	got.waitFor(t, id, Duplicate)
	if err := second(); err != nil {
		t.Fatal(err)
	}
	if n := len(k.all()); n != 1 {
		t.Fatalf("want one email across the crash, got %d", n)
	}
	if q := inspect(t, b); q.Messages != 0 {
		t.Errorf("the redelivered message is still queued: %d", q.Messages)
	}
}

func TestAMailServerThatFailsForAWhileGetsOneEmailInTheEnd(t *testing.T) {
	pool, b, k, got := testdb.New(t), newBroker(t), newSink(t), newOutcomes()
	k.failData = func(n int) error {
		if n <= 3 {
			return transient
		}
		return nil
	}
	start(t, func(ctx context.Context) error { return Run(ctx, config(t, pool, b, k, got)) })
	waitForQueue(t, b)
	id := uuid.NewString()
	b.publish(t, TypeOrderReady, id, `{"order_id":"o-5","number":5,"ready_at":"2026-12-01T18:20:00Z","fulfilment":"pickup","contact":{"name":"Rui","email":"rui@guest.test"}}`)
	got.waitFor(t, id, Sent)
	if _, datas := k.counts(); datas != 4 {
		t.Errorf("want 3 refusals and one acceptance, the sink saw %d DATA commands", datas)
	}
	if n := len(k.all()); n != 1 {
		t.Errorf("want one email, got %d", n)
	}
}

func TestAnAddressRefusedForGoodIsRecordedFailedAndNotTriedAgain(t *testing.T) {
	pool, b, k, got := testdb.New(t), newBroker(t), newSink(t), newOutcomes()
	k.failRcpt = func(_ int, to string) error {
		if to == "nobody@guest.test" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<nobody@guest.test>: no such user here"}
		}
		return nil
	}
	stop := start(t, func(ctx context.Context) error { return Run(ctx, config(t, pool, b, k, got)) })
	waitForQueue(t, b)
	refused, next := uuid.NewString(), uuid.NewString()
	b.publish(t, TypeOrderPlaced, refused, placedBody("o-6", 6, "nobody@guest.test"))
	b.publish(t, TypeOrderPlaced, next, placedBody("o-7", 7, "ana@guest.test"))
	got.waitFor(t, refused, Failed)
	got.waitFor(t, next, Sent) // the queue moved on
	if rcpts, _ := k.counts(); rcpts != 2 {
		t.Errorf("want one attempt per message, the sink saw %d RCPT commands", rcpts)
	}
	var outcome, reason string
	if err := pool.QueryRow(context.Background(), `SELECT outcome, reason FROM notify_inbox WHERE message_id = $1`, refused).Scan(&outcome, &reason); err != nil {
		t.Fatal(err)
	}
	if outcome != "failed" || !strings.Contains(reason, "550") || !strings.Contains(reason, "no such user") {
		t.Errorf("recorded %s, %q; want failed with the server's answer", outcome, reason)
	}
	if strings.Contains(reason, "nobody@") {
		t.Errorf("the reason keeps the address: %q", reason)
	}
	// Stopped, the service gives back what it has not acknowledged.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if q := inspect(t, b); q.Messages != 0 {
		t.Errorf("%d messages still queued; the refused one should be acknowledged", q.Messages)
	}
}

func TestWithoutAnSMTPServerEachMessageIsAFileInTheOutbox(t *testing.T) {
	got := newOutcomes()
	cfg := config(t, testdb.New(t), nil, nil, got)
	s, err := newService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := uuid.NewString()
	d := Delivery{MessageID: id, Type: TypeOrderPlaced, Body: []byte(placedBody("o-8", 8, "ana@guest.test"))}
	if out, err := s.handle(ctx, d); err != nil || out != Sent {
		t.Fatalf("handle: %v, %v", out, err)
	}
	if out, err := s.handle(ctx, d); err != nil || out != Duplicate {
		t.Fatalf("handle again: %v, %v; want a duplicate", out, err)
	}
	dir := filepath.Join(cfg.DataDir, "outbox")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != id+".eml" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("the outbox holds %v; want only %s.eml", names, id)
	}
	data, err := os.ReadFile(filepath.Join(dir, id+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	r := received{Data: data}
	h := r.header(t)
	if h.Get("Subject") != "Order #8 confirmed" || h.Get("To") != `"Ana Lima" <ana@guest.test>` || h.Get("Message-ID") != "<"+id+"@gomes.test>" {
		t.Errorf("headers: Subject %q, To %q, Message-ID %q", h.Get("Subject"), h.Get("To"), h.Get("Message-ID"))
	}
	if text, _ := parts(t, r); !strings.Contains(text, "2 x Pizza Margherita") {
		t.Errorf("the text part lacks the dishes:\n%s", text)
	}
}

func TestUnreadableMessagesAreRecordedFailed(t *testing.T) {
	got := newOutcomes()
	pool := testdb.New(t)
	s, err := newService(config(t, pool, nil, nil, got))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, d := range []Delivery{
		{MessageID: uuid.NewString(), Type: TypeOrderCanceled, Body: []byte(`{"order_id":`)},
		{MessageID: uuid.NewString(), Type: TypeOrderCanceled, Body: []byte(`{"order_id":"o-1","number":0}`)},
		{MessageID: uuid.NewString(), Type: TypeOrderReady, Body: []byte(`{"order_id":"o-1","number":3,"contact":{"email":"not an address"}}`)},
	} {
		if out, err := s.handle(ctx, d); err != nil || out != Failed {
			t.Errorf("%s: %v, %v; want failed", d.Body, out, err)
		}
	}
	// A delivery's ready message is not for the guest: they hear when it leaves.
	d := Delivery{MessageID: uuid.NewString(), Type: TypeOrderReady, Body: []byte(`{"order_id":"o-1","number":3,"fulfilment":"delivery","contact":{"email":"a@b.test"}}`)}
	if out, err := s.handle(ctx, d); err != nil || out != Ignored {
		t.Errorf("a delivery's ready message: %v, %v; want ignored", out, err)
	}
	var failed int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM notify_inbox WHERE outcome = 'failed' AND reason <> ''`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 3 {
		t.Errorf("%d failures recorded with a reason, want 3", failed)
	}
}

func TestARedactedReasonKeepsNoAddress(t *testing.T) {
	got := redact("550 5.1.1 <Ana.Lima@guest.test>: unknown;\n see ana.lima@guest.test", "ana.lima@guest.test")
	if strings.Contains(strings.ToLower(got), "ana.lima") || strings.Contains(got, "\n") || !strings.Contains(got, "550 5.1.1") {
		t.Errorf("redact: %q", got)
	}
}
