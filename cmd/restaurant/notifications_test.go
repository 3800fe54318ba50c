package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"restaurant/internal/testdb"
)

// TestAGuestIsEmailedWhenTheOrderIsConfirmedAndReady follows a guest who
// gives an email for updates, through a whole server: with no broker the
// notify role follows the event store in the process (the embedded
// default's way), and with AMQP_URL the relay publishes to the broker and
// the notify role consumes its own queue there. Either way the guest gets
// one email when the order is placed and one when the kitchen has it
// ready, in DATA_DIR/outbox, as no SMTP_URL is set.
func TestAGuestIsEmailedWhenTheOrderIsConfirmedAndReady(t *testing.T) {
	t.Run("in process, from the event store", func(t *testing.T) {
		emailsTheGuest(t, map[string]string{})
	})
	t.Run("through RabbitMQ", func(t *testing.T) {
		broker := os.Getenv("AMQP_URL")
		if broker == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("AMQP_URL is not set: this test needs a RabbitMQ (amqp://guest:guest@127.0.0.1:5672/)")
			}
			t.Skip("AMQP_URL is not set: this test needs a RabbitMQ, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672/")
		}
		suffix := uuid.NewString()[:8]
		exchange, queue := "restaurant.test.notify."+suffix, "restaurant.test.notifications."+suffix
		t.Cleanup(func() {
			conn, err := amqp.Dial(broker)
			if err != nil {
				t.Errorf("clean up the broker: %v", err)
				return
			}
			defer conn.Close()
			ch, err := conn.Channel()
			if err != nil {
				t.Errorf("clean up the broker: %v", err)
				return
			}
			_, _ = ch.QueueDelete(queue, false, false, false)
			_ = ch.ExchangeDelete(exchange, false, false)
		})
		emailsTheGuest(t, map[string]string{"AMQP_URL": broker, "AMQP_EXCHANGE": exchange, "NOTIFY_QUEUE": queue})
	})
}

func emailsTheGuest(t *testing.T, env map[string]string) {
	outbox := filepath.Join(t.TempDir(), "data")
	env["DATABASE_URL"], env["DATA_DIR"], env["RESTAURANT_ADMIN_PASSWORD"] = testdb.URL(t), outbox, "owner's own secret"
	base := startServer(t, env)

	guest := newClient(t)
	send := func(client *http.Client, path, body string) (answer, int) {
		t.Helper()
		a, status, text, err := command{client: client, path: path, key: uuid.NewString(), body: body}.send(base)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if status/100 != 2 && status != http.StatusNotFound {
			t.Fatalf("%s answered %d: %s", path, status, text)
		}
		return a, status
	}
	opened, _ := send(guest, "/orders/commands/open", `{}`)
	id := opened.OrderID
	send(guest, "/orders/"+id+"/items/commands/add", `{"menu_item_id":"margherita","option-size":"regular","quantity":2}`)
	send(guest, "/orders/"+id+"/commands/choose-pickup", `{}`)
	send(guest, "/orders/"+id+"/commands/give-contact", `{"name":"Ana","email":"ana@example.com"}`)
	send(guest, "/orders/"+id+"/commands/place", `{}`)

	cook := newClient(t)
	resp, err := cook.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {"owner's own secret"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	started := false
	waitUntil(t, 30*time.Second, func() bool {
		_, status := send(cook, "/kitchen/tickets/"+id+"/commands/start", `{}`)
		started = status/100 == 2
		return started
	}, func() string { return "the order's ticket never opened" })
	send(cook, "/kitchen/tickets/"+id+"/commands/ready", `{}`)

	emails := func() map[string]string {
		files, _ := filepath.Glob(filepath.Join(outbox, "outbox", "*.eml"))
		got := map[string]string{}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil {
				got[filepath.Base(f)] = string(b)
			}
		}
		return got
	}
	waitUntil(t, 60*time.Second, func() bool { return len(emails()) >= 2 },
		func() string { return "the guest's two emails did not arrive in the outbox" })
	got := emails()
	if len(got) != 2 {
		t.Fatalf("%d emails, want 2 (one confirmed, one ready): %v", len(got), got)
	}
	var confirmed, ready int
	for name, mail := range got {
		if !strings.Contains(mail, "\r\nTo: \"Ana\" <ana@example.com>\r\n") {
			t.Errorf("%s is not to the guest:\n%s", name, mail)
		}
		switch {
		case strings.Contains(mail, "\r\nSubject: Order #1 confirmed\r\n"):
			confirmed++
		case strings.Contains(mail, "\r\nSubject: Order #1 is ready to collect\r\n"):
			ready++
		}
	}
	if confirmed != 1 || ready != 1 {
		t.Fatalf("%d confirmed and %d ready emails, want one each: %v", confirmed, ready, got)
	}
}
