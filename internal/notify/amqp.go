package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Run consumes the service's queue on the broker at cfg.AMQPURL until ctx
// ends, reconnecting with a growing pause (capped) whenever the broker or
// the connection goes away. It returns nil when ctx ends, and an error only
// for a configuration it cannot work with.
func Run(ctx context.Context, cfg Config) error {
	if cfg.AMQPURL == "" {
		return errors.New("notify: no AMQP_URL to consume from")
	}
	s, err := newService(cfg)
	if err != nil {
		return err
	}
	s.log.Info("notifications consuming", "broker", redactURL(s.cfg.AMQPURL), "exchange", s.cfg.Exchange, "queue", s.cfg.Queue, "via", s.sender.String())
	pause := s.cfg.ReconnectFirst
	for {
		progressed, err := s.consume(ctx)
		if errors.Is(err, errCrashed) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		if progressed {
			pause = s.cfg.ReconnectFirst
		}
		s.log.Warn("notifications lost the broker; reconnecting", "err", err, "pause", pause)
		if !sleep(ctx, pause) {
			return nil
		}
		pause = min(pause*2, s.cfg.ReconnectMax)
	}
}

// consume connects, declares the exchange, the queue and its bindings, and
// handles deliveries one at a time until the connection or ctx ends; it
// says whether it acknowledged any.
func (s *service) consume(ctx context.Context) (progressed bool, err error) {
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName("restaurant notify")
	conn, err := amqp.DialConfig(s.cfg.AMQPURL, amqp.Config{
		Heartbeat:  10 * time.Second,
		Properties: props,
		Dial: func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: 10 * time.Second}
			return d.DialContext(ctx, network, addr)
		},
	})
	if err != nil {
		return false, fmt.Errorf("connect to the broker: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return false, fmt.Errorf("open a channel: %w", err)
	}
	// The exchange is declared as the publisher declares it, so the queue
	// can be bound before the publisher's first start.
	if err := ch.ExchangeDeclare(s.cfg.Exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		return false, fmt.Errorf("declare exchange %s: %w", s.cfg.Exchange, err)
	}
	if _, err := ch.QueueDeclare(s.cfg.Queue, true, false, false, false, nil); err != nil {
		return false, fmt.Errorf("declare queue %s: %w", s.cfg.Queue, err)
	}
	for _, t := range Types {
		if err := ch.QueueBind(s.cfg.Queue, t, s.cfg.Exchange, false, nil); err != nil {
			return false, fmt.Errorf("bind queue %s to %s: %w", s.cfg.Queue, t, err)
		}
	}
	if err := ch.Qos(s.cfg.Prefetch, 0, false); err != nil {
		return false, fmt.Errorf("set the prefetch: %w", err)
	}
	deliveries, err := ch.Consume(s.cfg.Queue, "", false, false, false, false, nil)
	if err != nil {
		return false, fmt.Errorf("consume %s: %w", s.cfg.Queue, err)
	}
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	s.log.Debug("notifications connected", "queue", s.cfg.Queue)
	for {
		select {
		case <-ctx.Done():
			// Unacknowledged deliveries go back to the queue with the
			// connection.
			return progressed, ctx.Err()
		case e := <-closed:
			if e == nil {
				return progressed, errors.New("the connection closed")
			}
			return progressed, e
		case d, ok := <-deliveries:
			if !ok {
				return progressed, errors.New("the broker ended the consumer")
			}
			if _, err := s.handle(ctx, Delivery{MessageID: d.MessageId, Type: d.RoutingKey, Body: d.Body}); err != nil {
				return progressed, err
			}
			if s.cfg.crashAfterRecord != nil && s.cfg.crashAfterRecord(d.MessageId) {
				return progressed, errCrashed
			}
			if err := d.Ack(false); err != nil {
				return progressed, fmt.Errorf("acknowledge %s: %w", d.MessageId, err)
			}
			progressed = true
		}
	}
}

// redactURL drops a URL's password, for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}
