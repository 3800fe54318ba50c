package main

import (
	"flag"

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
