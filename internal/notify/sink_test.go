package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	amqp "github.com/rabbitmq/amqp091-go"
)

// received is one email as the sink took it.
type received struct {
	From, To string
	Data     []byte
}

func (r received) header(t *testing.T) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(r.Data)))
	if err != nil {
		t.Fatalf("the email does not read as a message: %v\n%s", err, r.Data)
	}
	return m.Header
}

// sink is an SMTP server of the test's own that keeps what it accepts and
// answers as its fail functions say.
type sink struct {
	addr string

	mu       sync.Mutex
	mails    []received
	rcpts    int // RCPT commands seen
	datas    int // DATA commands seen
	changed  chan struct{}
	failRcpt func(n int, to string) error // n counts from 1
	failData func(n int) error
}

func newSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &sink{addr: ln.Addr().String(), changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: k}, nil }))
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return k
}

func (k *sink) url() string { return "smtp://" + k.addr }

func (k *sink) all() []received {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]received(nil), k.mails...)
}

func (k *sink) counts() (rcpts, datas int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rcpts, k.datas
}

// waitFor waits until cond holds of the mails, or fails the test.
func (k *sink) waitFor(t *testing.T, what string, cond func([]received) bool) []received {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		k.mu.Lock()
		mails, changed := append([]received(nil), k.mails...), k.changed
		k.mu.Unlock()
		if cond(mails) {
			return mails
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; the sink has %d emails", what, len(mails))
		}
	}
}

func (k *sink) touch() {
	close(k.changed)
	k.changed = make(chan struct{})
}

type sinkSession struct {
	sink     *sink
	from, to string
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	k := s.sink
	k.mu.Lock()
	k.rcpts++
	n, fail := k.rcpts, k.failRcpt
	k.touch()
	k.mu.Unlock()
	if fail != nil {
		if err := fail(n, to); err != nil {
			return err
		}
	}
	s.to = to
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	k := s.sink
	k.mu.Lock()
	defer k.mu.Unlock()
	k.datas++
	defer k.touch()
	if k.failData != nil {
		if err := k.failData(k.datas); err != nil {
			return err
		}
	}
	k.mails = append(k.mails, received{From: s.from, To: s.to, Data: b})
	return nil
}

func (s *sinkSession) Reset()        { s.from, s.to = "", "" }
func (s *sinkSession) Logout() error { return nil }

// transient is the 4xx a busy server answers.
var transient = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}

// broker is a test exchange and queue of their own on the shared RabbitMQ,
// deleted when the test ends.
type broker struct {
	url, exchange, queue string
	ch                   *amqp.Channel
}

func amqpURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("AMQP_URL is not set: CI runs RabbitMQ and must say where (amqp://guest:guest@127.0.0.1:5672/)")
		}
		t.Skip("AMQP_URL is not set: these tests need a RabbitMQ (e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672/)")
	}
	return url
}

func newBroker(t *testing.T) *broker {
	t.Helper()
	url := amqpURL(t)
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("connect to RabbitMQ at AMQP_URL: %v", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	name := "test.notify." + strings.ToLower(t.Name()) + "." + randomHex()
	b := &broker{url: url, exchange: name, queue: name, ch: ch}
	if err := ch.ExchangeDeclare(b.exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A fresh channel: a failed assertion may have closed this one.
		if c, err := conn.Channel(); err == nil {
			_, _ = c.QueueDelete(b.queue, false, false, false)
			_ = c.ExchangeDelete(b.exchange, false, false)
		}
		conn.Close()
	})
	return b
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (b *broker) publish(t *testing.T, typ, id, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := b.ch.PublishWithContext(ctx, b.exchange, typ, true, false, amqp.Publishing{
		MessageId: id, ContentType: "application/json", DeliveryMode: amqp.Persistent, Body: []byte(body),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// outcomes collects what the service did with each message.
type outcomes struct {
	mu      sync.Mutex
	seen    []string // "id outcome", in order
	changed chan struct{}
}

func newOutcomes() *outcomes { return &outcomes{changed: make(chan struct{})} }

func (o *outcomes) add(id string, out Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, id+" "+string(out))
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *outcomes) count(entry string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, s := range o.seen {
		if s == entry {
			n++
		}
	}
	return n
}

// waitFor waits until the service has reported id with that outcome.
func (o *outcomes) waitFor(t *testing.T, id string, out Outcome) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		o.mu.Lock()
		changed := o.changed
		o.mu.Unlock()
		if o.count(id+" "+string(out)) > 0 {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			o.mu.Lock()
			defer o.mu.Unlock()
			t.Fatalf("timed out waiting for %s to be %s; outcomes so far: %v", id, out, o.seen)
		}
	}
}

// start runs the service in the background until the test ends, and
// returns a function that stops it and gives Run's error.
func start(t *testing.T, run func(ctx context.Context) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = errors.New("the service did not stop within 20 s")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil && !errors.Is(err, errCrashed) {
			t.Errorf("service: %v", err)
		}
	})
	return stop
}

func amqpDial(url string) (*amqp.Connection, error) { return amqp.Dial(url) }

// inspect reads the test queue's counts (ready messages, consumers).
func inspect(t *testing.T, b *broker) amqp.Queue {
	t.Helper()
	conn, err := amqp.Dial(b.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclarePassive(b.queue, true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func parseAMQPHost(raw string) (*url.URL, error) { return url.Parse(raw) }
