package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"restaurant/internal/testdb"
)

func TestEventsCatalogueWritesTheCommittedCatalogue(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run(context.Background(), []string{"events", "catalogue", "-out", dir}, func(string) string { return "" }, nil, &out); err != nil {
		t.Fatal(err)
	}
	written, _ := filepath.Glob(filepath.Join(dir, "*"))
	committed, _ := filepath.Glob(filepath.Join("..", "..", "docs", "events", "*"))
	if len(written) < 9 || len(written) != len(committed) {
		t.Fatalf("wrote %d files, %d committed", len(written), len(committed))
	}
	for _, f := range written {
		got, _ := os.ReadFile(f)
		want, err := os.ReadFile(filepath.Join("..", "..", "docs", "events", filepath.Base(f)))
		if err != nil || string(got) != string(want) {
			t.Errorf("docs/events/%s is stale (%v): run 'go run ./cmd/restaurant events catalogue'", filepath.Base(f), err)
		}
	}
	if err := run(context.Background(), []string{"events", "list"}, func(string) string { return "" }, nil, io.Discard); err == nil {
		t.Error("an unknown events command ran")
	}
}

func TestServePublishesToTheBrokerWhenAMQPURLIsSet(t *testing.T) {
	url := os.Getenv("AMQP_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("AMQP_URL is not set: this test needs a RabbitMQ (amqp://guest:guest@127.0.0.1:5672/)")
		}
		t.Skip("AMQP_URL is not set: this test needs a RabbitMQ, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672/")
	}
	exchange := "restaurant.test.serve." + uuid.NewString()[:8]
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ch.ExchangeDelete(exchange, false, false) }()
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, "menu.#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Its own queue on the shared broker would outlive the test: no notify role.
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "AMQP_URL": url, "AMQP_EXCHANGE": exchange, "ROLES": "projector,relay,web",
		"RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	asManager(t, base, "/menu/items/tiramisu/commands/sold-out")
	select {
	case m := <-msgs:
		if m.RoutingKey != "menu.v1.ItemSoldOut" || m.Type != "menu.v1.ItemSoldOut" || !strings.Contains(string(m.Body), `"dish_id":"tiramisu"`) || m.MessageId == "" {
			t.Errorf("message %s %s %s", m.RoutingKey, m.MessageId, m.Body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no message from the server's relay")
	}
}
