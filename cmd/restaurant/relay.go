package main

import (
	"context"
	"flag"
	"log/slog"
	"net/url"

	"restaurant/internal/eventstore"
	"restaurant/internal/relay"
)

// relayOptions configure the relay that publishes integration messages.
type relayOptions struct {
	url, exchange string
}

// relayFlags adds the relay's flags; the options are read after parsing.
func relayFlags(fs *flag.FlagSet, getenv func(string) string) *relayOptions {
	o := &relayOptions{}
	fs.StringVar(&o.url, "amqp-url", getenv("AMQP_URL"),
		"the RabbitMQ to publish integration messages to, e.g. amqp://guest:guest@127.0.0.1:5672/; empty: none are published (AMQP_URL)")
	fs.StringVar(&o.exchange, "amqp-exchange", envOr(getenv, "AMQP_EXCHANGE", relay.DefaultExchange),
		"the durable topic exchange integration messages go to (AMQP_EXCHANGE)")
	return o
}

// startRelay runs the relay in the background when a broker is configured,
// and returns what stops it and waits for it.
func startRelay(store *eventstore.Store, o *relayOptions, log *slog.Logger) (stop func()) {
	if o.url == "" {
		log.Info("no AMQP_URL: integration messages are not published")
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := relay.Run(ctx, relay.Config{Store: store, URL: o.url, Exchange: o.exchange, Log: log}); err != nil {
			log.Error("relay stopped", "error", err)
		}
	}()
	log.Info("publishing integration messages", "broker", redacted(o.url), "exchange", o.exchange)
	return func() { cancel(); <-done }
}

// redacted is a URL without its password, for the logs.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
