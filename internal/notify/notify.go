// Package notify is the notifications service: a downstream consumer of the
// restaurant's public event contract that emails guests about their orders
// (confirmed, ready to collect, on its way, canceled). It reads the
// contract's messages from a durable queue of its own on the RabbitMQ
// exchange (Run), or, in the embedded default without a broker, from the
// event store through a translation into the same messages (RunFromStore).
//
// Each message is handled at most once per message id: the service checks
// its inbox table, sends, records the outcome (commit), and only then
// acknowledges. A crash after the commit finds the row on redelivery and
// sends nothing; a crash between the send and the commit sends again, which
// SMTP cannot prevent, with the same Message-ID header.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of the configuration.
const (
	DefaultExchange = "restaurant.events"
	DefaultQueue    = "restaurant.notifications"
	DefaultFrom     = "Gomes Kitchen <orders@localhost>"
	DefaultPrefetch = 16
)

// Config is what the service needs; zero values take the defaults.
type Config struct {
	// Pool is the database holding the service's inbox (notify_inbox).
	Pool *pgxpool.Pool
	// AMQPURL is the broker, for Run (AMQP_URL).
	AMQPURL string
	// Exchange is the topic exchange the contract is published to
	// (AMQP_EXCHANGE, default restaurant.events).
	Exchange string
	// Queue is the service's own durable queue (NOTIFY_QUEUE, default
	// restaurant.notifications).
	Queue string
	// Prefetch is how many unacknowledged messages the broker hands over
	// at once (default 16).
	Prefetch int
	// SMTPURL is the mail server (SMTP_URL): smtp://user:pass@host:587
	// (STARTTLS when offered) or smtps://host:465. Empty writes each
	// message to OutboxDir instead.
	SMTPURL string
	// OutboxDir is where messages go without an SMTP server; empty is
	// DataDir/outbox.
	OutboxDir string
	// DataDir is the application's data directory (DATA_DIR).
	DataDir string
	// From is the sender (NOTIFY_FROM), e.g. "Gomes Kitchen <orders@example.com>".
	From string
	// PublicURL is where guests reach the site (PUBLIC_URL), for the link
	// to the order's page; empty leaves the link out.
	PublicURL string
	// Location is the restaurant's time zone, for a scheduled order's
	// time (default the server's).
	Location *time.Location
	// RetryFirst and RetryMax bound the pause between attempts at an
	// unavailable mail server: it doubles from the first to the most
	// (defaults 1 s and 5 min).
	RetryFirst, RetryMax time.Duration
	// ReconnectFirst and ReconnectMax bound the pause between attempts at
	// the broker (defaults 1 s and 30 s).
	ReconnectFirst, ReconnectMax time.Duration
	Log                          *slog.Logger

	// crashAfterRecord, in tests, stops the service after a message's
	// outcome is committed and before it is acknowledged, as a crash would.
	crashAfterRecord func(messageID string) bool
	// handled, in tests, is told each message's outcome.
	handled func(messageID string, o Outcome)
}

// Outcome is what the service did with a message.
type Outcome string

const (
	// Sent: the email went out (or into the outbox) and is recorded.
	Sent Outcome = "sent"
	// Failed: it cannot be sent (refused for good, or unreadable): recorded.
	Failed Outcome = "failed"
	// Skipped: there is nobody to write to (no email given): recorded.
	Skipped Outcome = "skipped"
	// Duplicate: the inbox had the message already; nothing was done.
	Duplicate Outcome = "duplicate"
	// Ignored: not a message the service emails about; not recorded.
	Ignored Outcome = "ignored"
)

// errCrashed is returned by a service that a test stopped as a crash would.
var errCrashed = errors.New("stopped after the commit, before the acknowledgement")

// service is the handling shared by both ways of feeding it.
type service struct {
	cfg    Config
	from   *mail.Address
	view   view
	sender sender
	log    *slog.Logger
	now    func() time.Time
}

func newService(cfg Config) (*service, error) {
	if cfg.Pool == nil {
		return nil, errors.New("notify: no database for the inbox")
	}
	if cfg.Exchange == "" {
		cfg.Exchange = DefaultExchange
	}
	if cfg.Queue == "" {
		cfg.Queue = DefaultQueue
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = DefaultPrefetch
	}
	if cfg.From == "" {
		cfg.From = DefaultFrom
	}
	if cfg.RetryFirst <= 0 {
		cfg.RetryFirst = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Minute
	}
	if cfg.ReconnectFirst <= 0 {
		cfg.ReconnectFirst = time.Second
	}
	if cfg.ReconnectMax <= 0 {
		cfg.ReconnectMax = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_FROM %q: %w", cfg.From, err)
	}
	s := &service{cfg: cfg, from: from, view: view{PublicURL: cfg.PublicURL, Location: cfg.Location}, log: cfg.Log, now: time.Now}
	if cfg.SMTPURL != "" {
		if s.sender, err = newSMTPSender(cfg.SMTPURL); err != nil {
			return nil, err
		}
	} else {
		dir := cfg.OutboxDir
		if dir == "" {
			dir = filepath.Join(cfg.DataDir, "outbox")
		}
		s.sender = outboxSender{dir: dir}
	}
	return s, nil
}

// handle does what one message asks, once: check the inbox, send, record.
// An error means the message must not be acknowledged (the service is
// stopping, or the database is away): it will come again.
func (s *service) handle(ctx context.Context, d Delivery) (Outcome, error) {
	out, err := s.handleOnce(ctx, d)
	if err == nil && s.cfg.handled != nil {
		s.cfg.handled(d.MessageID, out)
	}
	return out, err
}

func (s *service) handleOnce(ctx context.Context, d Delivery) (Outcome, error) {
	log := s.log.With("message_id", d.MessageID, "type", d.Type)
	if !wanted(d.Type) {
		return Ignored, nil
	}
	if d.MessageID == "" {
		log.Warn("message without an id ignored: it cannot be told apart from a resend")
		return Ignored, nil
	}
	if seen, err := s.seen(ctx, s.cfg.Pool, d.MessageID); err != nil {
		return "", err
	} else if seen {
		log.Debug("message handled before; acknowledged again")
		return Duplicate, nil
	}
	n, err := s.view.noticeOf(d)
	switch {
	case errors.Is(err, errIgnored):
		return Ignored, nil
	case err != nil:
		reason := redact(err.Error(), "")
		log.Warn("message cannot be read; recorded as failed", "err", reason)
		return Failed, s.record(ctx, d, Failed, reason)
	case n.To.Email == "":
		return Skipped, s.record(ctx, d, Skipped, "no email address given")
	}
	m, err := compose(n, s.from, d.MessageID, s.now())
	if err != nil {
		if isPermanent(err) {
			log.Warn("message cannot be sent; recorded as failed", "err", redact(err.Error(), n.To.Email))
			return Failed, s.record(ctx, d, Failed, redact(err.Error(), n.To.Email))
		}
		return "", err
	}
	pause := s.cfg.RetryFirst
	for attempt := 1; ; attempt++ {
		err := s.sender.send(ctx, m, d.MessageID)
		if err == nil {
			break
		}
		reason := redact(err.Error(), m.To)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if isPermanent(err) {
			log.Warn("email refused for good; recorded as failed", "err", reason)
			return Failed, s.record(ctx, d, Failed, reason)
		}
		log.Warn("email not sent; trying again", "err", reason, "attempt", attempt, "pause", pause, "via", s.sender.String())
		if !sleep(ctx, pause) {
			return "", ctx.Err()
		}
		pause = min(pause*2, s.cfg.RetryMax)
	}
	if err := s.record(ctx, d, Sent, ""); err != nil {
		return "", err
	}
	log.Info("email sent", "subject", n.Subject, "order_id", n.OrderID, "via", s.sender.String())
	return Sent, nil
}

func wanted(t string) bool {
	for _, w := range Types {
		if w == t {
			return true
		}
	}
	return false
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// seen says whether the inbox has the message.
func (s *service) seen(ctx context.Context, q querier, id string) (bool, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notify_inbox WHERE message_id = $1)`, id).Scan(&exists); err != nil {
		return false, fmt.Errorf("read the inbox: %w", err)
	}
	return exists, nil
}

// record commits a message's outcome, trying again while the database is
// away (an email already sent must not be forgotten for a moment's outage),
// until ctx ends; an attempt under way when ctx ends is finished. It keeps no personal data: id, type, order, outcome, why.
func (s *service) record(ctx context.Context, d Delivery, o Outcome, reason string) error {
	pause := s.cfg.RetryFirst
	for {
		// A shutdown while an email is out still records it: forgetting
		// it would send it again on the next start.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		_, err := s.cfg.Pool.Exec(rctx, `INSERT INTO notify_inbox (message_id, type, order_id, outcome, reason)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING`,
			d.MessageID, d.Type, orderOf(d.Body), string(o), reason)
		cancel()
		if err == nil {
			return nil
		}
		s.log.Warn("outcome not recorded; trying again", "message_id", d.MessageID, "err", err, "pause", pause)
		if !sleep(ctx, pause) {
			return fmt.Errorf("record message %s: %w", d.MessageID, err)
		}
		pause = min(pause*2, s.cfg.RetryMax)
	}
}

// sleep waits d, or less if ctx ends; it says whether it waited it all.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
