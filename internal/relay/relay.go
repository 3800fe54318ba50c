// Package relay publishes the restaurant's integration messages (see
// internal/integration) to RabbitMQ. It follows the event store like a
// projection, from a durable checkpoint in PostgreSQL, with one active relay
// across every process on the database (an advisory lock). Each batch is
// published in global order on one channel, and the checkpoint moves past it
// only once the broker has confirmed every message of it: after a crash or
// an outage the relay sends again from the checkpoint, so delivery is at
// least once, in order per stream, and consumers deduplicate by message id
// (the event's id). While the broker is away the restaurant works on; the
// relay only lags, reconnects with backoff and catches up.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"restaurant/internal/eventstore"
	"restaurant/internal/integration"
	"restaurant/internal/metrics"
)

// DefaultExchange is the durable topic exchange messages go to.
const DefaultExchange = "restaurant.events"

// DefaultName names the relay's checkpoint and status.
const DefaultName = "relay"

// Config is what a relay needs; zero values take the defaults.
type Config struct {
	Store *eventstore.Store
	// URL is the broker's AMQP URL, e.g. amqp://guest:guest@127.0.0.1:5672/.
	URL string
	// Exchange is the topic exchange, declared durable; default
	// restaurant.events.
	Exchange string
	Log      *slog.Logger
	// Name names the checkpoint and the lock; default "relay".
	Name string
	// Translator makes the messages; nil: one on Store.
	Translator *integration.Translator
	// BatchSize caps the events read, published and confirmed at once
	// (default 200).
	BatchSize int
	// MinBackoff and MaxBackoff bound the pause between attempts after a
	// failure (defaults 500 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// ConfirmTimeout bounds the wait for a batch's confirms (default 15 s).
	ConfirmTimeout time.Duration
	// PollInterval is how long to wait for a notice of new events before
	// reading anyway (default 1 s).
	PollInterval time.Duration

	// hook, in tests, is told of each stage of a batch: "published" after
	// each message is handed to the broker, "confirmed" once the batch is
	// confirmed and before its checkpoint moves.
	hook func(stage string)
}

func (c *Config) defaults() error {
	if c.Store == nil {
		return errors.New("relay: no event store")
	}
	if c.URL == "" {
		return errors.New("relay: no AMQP URL")
	}
	if c.Exchange == "" {
		c.Exchange = DefaultExchange
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.Translator == nil {
		c.Translator = &integration.Translator{Store: c.Store}
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 200
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(30*time.Second, c.MinBackoff)
	}
	if c.ConfirmTimeout <= 0 {
		c.ConfirmTimeout = 15 * time.Second
	}
	if c.PollInterval <= 0 || c.PollInterval > time.Second {
		c.PollInterval = time.Second
	}
	return nil
}

// Run publishes until ctx ends, when it returns nil. It waits its turn while
// another process's relay leads; on a failure (the broker or the database
// away, a message the broker refused) it records why, pauses, longer each
// time without progress, and starts again from the checkpoint.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.defaults(); err != nil {
		return err
	}
	pause := time.Duration(0)
	for ctx.Err() == nil {
		progressed, err := lead(ctx, &cfg)
		if ctx.Err() != nil {
			break
		}
		switch {
		case err == nil:
			pause = followerPause // another relay leads: look again later
		case progressed || pause == 0:
			pause = cfg.MinBackoff
		default:
			pause = min(pause*2, cfg.MaxBackoff)
		}
		if err != nil {
			cfg.Log.Warn("relay paused; it will resend from its checkpoint", "relay", cfg.Name, "error", err, "pause", pause)
			recordError(context.WithoutCancel(ctx), &cfg, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
	return nil
}

// followerPause is how often a relay that does not lead asks for the lock.
const followerPause = time.Second

// lead publishes while this relay holds the lock. It returns nil when
// another relay leads or ctx ends, and says whether a batch committed.
func lead(ctx context.Context, cfg *Config) (progressed bool, err error) {
	lock, err := cfg.Store.Pool().Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("connect for the relay's lock: %w", err)
	}
	// The lock is the session's: hijack the connection so that it is
	// closed, and the lock released, when this relay stops.
	conn := lock.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	var leader bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, "relay:"+cfg.Name).Scan(&leader); err != nil {
		return false, fmt.Errorf("take the relay's lock: %w", err)
	}
	if !leader {
		return false, nil
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	beat := make(chan struct{})
	// The heartbeat uses the lock's connection: it must end before the
	// connection closes (deferred above, so run after this).
	defer func() { <-beat }()
	defer cancel()
	go func() {
		defer close(beat)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			if _, err := conn.Exec(runCtx, `INSERT INTO relay_status (name) VALUES ($1)
				ON CONFLICT (name) DO UPDATE SET seen_at = now()`, cfg.Name); err != nil && runCtx.Err() == nil {
				// Losing the lock's session means another relay may take over.
				cfg.Log.Warn("relay lost its lock's connection", "relay", cfg.Name, "error", err)
				cancel()
				return
			}
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			}
		}
	}()

	broker, err := dial(runCtx, cfg)
	if err != nil {
		setConnected(context.WithoutCancel(ctx), cfg, false, err)
		return false, err
	}
	defer broker.close()
	setConnected(runCtx, cfg, true, nil)
	cfg.Log.Info("relay connected to the broker", "relay", cfg.Name, "exchange", cfg.Exchange)
	err = publish(runCtx, cfg, broker, func() { progressed = true })
	if ctx.Err() != nil {
		// Stopped: say so at once rather than when the heartbeat is missed.
		stopped, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		setStopped(stopped, cfg)
		return progressed, nil
	}
	if runCtx.Err() != nil && err != nil && errors.Is(err, context.Canceled) {
		err = errors.New("relay lost its lock's connection")
	}
	setConnected(context.WithoutCancel(ctx), cfg, false, err)
	return progressed, err
}

// broker is one connection and its confirming channel.
type broker struct {
	conn   *amqp.Connection
	ch     *amqp.Channel
	closed chan *amqp.Error
}

func dial(ctx context.Context, cfg *Config) (*broker, error) {
	conn, err := amqp.DialConfig(cfg.URL, amqp.Config{
		Heartbeat: 10 * time.Second,
		Locale:    "en_US",
		Dial:      amqp.DefaultDial(5 * time.Second),
		Properties: amqp.Table{
			"connection_name": "restaurant relay " + cfg.Name,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to the broker: %w", err)
	}
	b := &broker{conn: conn, closed: conn.NotifyClose(make(chan *amqp.Error, 1))}
	if b.ch, err = conn.Channel(); err != nil {
		b.close()
		return nil, fmt.Errorf("open a channel: %w", err)
	}
	if err := b.ch.Confirm(false); err != nil {
		b.close()
		return nil, fmt.Errorf("ask for publisher confirms: %w", err)
	}
	if err := b.ch.ExchangeDeclare(cfg.Exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		b.close()
		return nil, fmt.Errorf("declare exchange %s: %w", cfg.Exchange, err)
	}
	if ctx.Err() != nil {
		b.close()
		return nil, ctx.Err()
	}
	return b, nil
}

func (b *broker) close() {
	if b.ch != nil {
		_ = b.ch.Close()
	}
	_ = b.conn.Close()
}

// publish follows the event store from the checkpoint, publishing each
// batch's messages and moving the checkpoint once the broker confirmed them.
func publish(ctx context.Context, cfg *Config, b *broker, committed func()) error {
	store := cfg.Store
	if _, err := store.Pool().Exec(ctx, `INSERT INTO checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING`, cfg.Name); err != nil {
		return fmt.Errorf("relay checkpoint: %w", err)
	}
	cur, err := store.Checkpoint(ctx, cfg.Name)
	if err != nil {
		return err
	}
	poll := time.NewTimer(cfg.PollInterval)
	defer poll.Stop()
	caughtUp := false
	for {
		wake := store.Changes()
		events, err := store.ReadAll(ctx, cur, cfg.BatchSize)
		if err != nil {
			return fmt.Errorf("relay read: %w", err)
		}
		if len(events) > 0 {
			if err := publishBatch(ctx, cfg, b, events); err != nil {
				return err
			}
			next := events[len(events)-1].Cursor()
			if err := moveCheckpoint(ctx, cfg, cur, next); err != nil {
				return err
			}
			cur = next
			committed()
			continue
		}
		if !caughtUp {
			// Caught up: whatever failed before is over.
			if err := clearError(ctx, cfg); err != nil {
				return fmt.Errorf("relay status: %w", err)
			}
			caughtUp = true
		}
		poll.Reset(cfg.PollInterval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case amqpErr := <-b.closed:
			if amqpErr == nil {
				return errors.New("the broker closed the connection")
			}
			return fmt.Errorf("the broker closed the connection: %w", amqpErr)
		case <-wake:
		case <-poll.C:
		}
	}
}

// publishBatch publishes the batch's messages in order and waits until the
// broker has confirmed every one.
func publishBatch(ctx context.Context, cfg *Config, b *broker, events []eventstore.RecordedEvent) error {
	var pending []*amqp.DeferredConfirmation
	var sent []integration.Message
	for _, e := range events {
		msgs, err := cfg.Translator.Translate(ctx, e)
		if err != nil {
			return fmt.Errorf("translate event %d (%s): %w", e.Position, e.Type, err)
		}
		for _, m := range msgs {
			dc, err := b.ch.PublishWithDeferredConfirmWithContext(ctx, cfg.Exchange, m.Type, false, false, amqp.Publishing{
				ContentType:  "application/json",
				DeliveryMode: amqp.Persistent,
				MessageId:    m.ID,
				Type:         m.Type,
				Timestamp:    m.OccurredAt,
				AppId:        "restaurant",
				Headers:      amqp.Table{"type": m.Type, "stream": m.Stream, "position": m.Position},
				Body:         m.Body,
			})
			if err != nil {
				return fmt.Errorf("publish %s %s: %w", m.Type, m.ID, err)
			}
			pending, sent = append(pending, dc), append(sent, m)
			if cfg.hook != nil {
				cfg.hook("published")
			}
		}
	}
	if len(pending) == 0 {
		return nil
	}
	wait, cancel := context.WithTimeout(ctx, cfg.ConfirmTimeout)
	defer cancel()
	for i, dc := range pending {
		acked, err := dc.WaitContext(wait)
		if err != nil {
			return fmt.Errorf("confirm of %s %s: %w", sent[i].Type, sent[i].ID, err)
		}
		if !acked {
			return fmt.Errorf("the broker did not confirm %s %s", sent[i].Type, sent[i].ID)
		}
	}
	if cfg.hook != nil {
		cfg.hook("confirmed")
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	metrics.RelayPublished.Add(float64(len(pending)))
	return nil
}

// moveCheckpoint moves the checkpoint from one cursor to the next, unless
// another relay moved it meanwhile.
func moveCheckpoint(ctx context.Context, cfg *Config, from, to eventstore.Cursor) error {
	tag, err := cfg.Store.Pool().Exec(ctx, `UPDATE checkpoints
		SET transaction_id = $2, position = $3, updated_at = now(), last_error = NULL, last_error_at = NULL
		WHERE name = $1 AND transaction_id = $4 AND position = $5`, cfg.Name, to.TxID, to.Position, from.TxID, from.Position)
	if err != nil {
		return fmt.Errorf("move the relay's checkpoint: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return eventstore.ErrCheckpointMoved
	}
	return nil
}
