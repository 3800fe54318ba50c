package main

import (
	"flag"

	"restaurant/internal/relay"
)

// brokerOptions say where the integration messages are: the relay
// publishes them there, and the notifications service consumes them.
type brokerOptions struct {
	url, exchange string
}

// brokerFlags adds the broker's flags; the options are read after parsing.
func brokerFlags(fs *flag.FlagSet, getenv func(string) string) *brokerOptions {
	o := &brokerOptions{}
	fs.StringVar(&o.url, "amqp-url", getenv("AMQP_URL"),
		"the RabbitMQ integration messages are published to and consumed from, e.g. amqp://guest:guest@127.0.0.1:5672/; empty: none are published, and notifications follow the event store in process (AMQP_URL)")
	fs.StringVar(&o.exchange, "amqp-exchange", envOr(getenv, "AMQP_EXCHANGE", relay.DefaultExchange),
		"the durable topic exchange integration messages go to (AMQP_EXCHANGE)")
	return o
}
