package wiring

import (
	"context"
	"net/url"

	"restaurant/internal/relay"
)

// RelaySettings are the relay role's: where to publish integration
// messages.
type RelaySettings struct {
	// URL is the RabbitMQ to publish to; empty: nothing is published, and
	// the role only says so.
	URL string
	// Exchange is the durable topic exchange the messages go to.
	Exchange string
}

// startRelay publishes the integration messages to RabbitMQ from the
// relay's checkpoint, when a broker is configured; one relay leads across
// every process on the database, the others stand by.
func startRelay(ctx context.Context, rt *Runtime) (*Running, error) {
	s := rt.Settings.Relay
	if s.URL == "" {
		rt.Log.Info("no AMQP_URL: integration messages are not published")
		return &Running{Stop: func(context.Context) error { return nil }}, nil
	}
	exchange := s.Exchange
	if exchange == "" {
		exchange = relay.DefaultExchange
	}
	work, stop := context.WithCancel(context.WithoutCancel(ctx))
	failed := make(chan error, 1)
	go func() {
		defer close(failed)
		if err := relay.Run(work, relay.Config{Store: rt.App.Store, URL: s.URL, Exchange: exchange, Log: rt.Log}); err != nil {
			failed <- err
		}
	}()
	rt.Log.Info("publishing integration messages", "broker", redacted(s.URL), "exchange", exchange)
	return &Running{Failed: failed, Stop: func(context.Context) error {
		stop()
		for range failed {
		}
		return nil
	}}, nil
}

// redacted is a URL without its password, for the logs.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
