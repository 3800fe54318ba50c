package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
)

// Translate turns one domain event into the contract's messages it stands
// for (none for most events), each with its message id, type and body as
// the publisher would send them. It must give the same message ids for the
// same event every time (derive them from the event's id), or the inbox
// cannot tell a message handled before from a new one.
type Translate func(ctx context.Context, e eventstore.RecordedEvent) ([]Delivery, error)

// DefaultCheckpoint is the checkpoint the in-process mode keeps its place
// under in the event store.
const DefaultCheckpoint = "notifications"

// StoreSource feeds the service from the event store, in the store's order,
// for the embedded default that runs without a broker.
type StoreSource struct {
	Store     *eventstore.Store
	Translate Translate
	// Checkpoint names the durable checkpoint (default "notifications").
	Checkpoint string
	// Relevant, when set, names the events Translate may give messages
	// for; the others are passed by without a transaction.
	Relevant func(eventstore.RecordedEvent) bool
}

// errPending stops a batch at an event whose messages are not all in the
// inbox yet: they are sent outside the batch's transaction, then the
// subscription resumes at that event, which it now passes.
var errPending = errors.New("messages to send")

// RunFromStore handles the messages that src translates from the event
// store until ctx ends, as Run handles the queue's: inbox, send, record,
// and then the checkpoint moves past the event, as the acknowledgement
// would. One process at a time runs it (an advisory lock); the others wait
// to take over. It returns nil when ctx ends.
func RunFromStore(ctx context.Context, cfg Config, src StoreSource) error {
	if src.Store == nil || src.Translate == nil {
		return errors.New("notify: the store source needs a store and a translation")
	}
	if src.Checkpoint == "" {
		src.Checkpoint = DefaultCheckpoint
	}
	if cfg.Pool == nil {
		cfg.Pool = src.Store.Pool()
	}
	s, err := newService(cfg)
	if err != nil {
		return err
	}
	s.log.Info("notifications following the event store", "checkpoint", src.Checkpoint, "via", s.sender.String())
	pause := s.cfg.ReconnectFirst
	for {
		progressed, err := s.leadStore(ctx, src)
		if errors.Is(err, errCrashed) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		if progressed {
			pause = s.cfg.ReconnectFirst
		}
		if err != nil {
			s.log.Warn("notifications stopped following the event store; starting again from the checkpoint", "err", err, "pause", pause)
			_ = src.Store.RecordError(context.WithoutCancel(ctx), src.Checkpoint, err)
		}
		if !sleep(ctx, pause) {
			return nil
		}
		if err != nil {
			pause = min(pause*2, s.cfg.ReconnectMax)
		}
	}
}

// leadStore follows the store while this process holds the notifier's
// advisory lock, on a connection of its own so that the lock goes with the
// process; it returns nil at once when another process holds it.
func (s *service) leadStore(ctx context.Context, src StoreSource) (progressed bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, src.Store.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("connect for the notifier's lock: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var leader bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, "notify:"+src.Checkpoint).Scan(&leader); err != nil {
		return false, fmt.Errorf("take the notifier's lock: %w", err)
	}
	if !leader {
		return false, nil
	}
	subCtx, cancel := context.WithCancel(ctx)
	var watch sync.WaitGroup
	defer watch.Wait()
	defer cancel()
	// Losing the lock's session means another process may lead: stop.
	watch.Go(func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-subCtx.Done():
				return
			case <-t.C:
				if err := conn.Ping(subCtx); err != nil && subCtx.Err() == nil {
					s.log.Warn("notifications lost their lock's connection", "err", err)
					cancel()
					return
				}
			}
		}
	})
	// passed is the event whose messages were just handled, which the next
	// batch starts with: messages the inbox does not record (ignored ones)
	// pass by this.
	var passed eventstore.Cursor
	for {
		var pending []Delivery
		var pendingAt eventstore.Cursor
		err := src.Store.Subscribe(subCtx, src.Checkpoint, func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
			for _, e := range events {
				if e.Cursor() == passed {
					continue
				}
				ds, err := src.Translate(ctx, e)
				if err != nil {
					return &eventstore.EventFailed{At: e.Cursor(), Err: fmt.Errorf("translate event %s: %w", e.EventID, err)}
				}
				var todo []Delivery
				for _, d := range ds {
					if !wanted(d.Type) || d.MessageID == "" {
						continue
					}
					seen, err := s.seen(ctx, tx, d.MessageID)
					if err != nil {
						return err
					}
					if !seen {
						todo = append(todo, d)
					}
				}
				if len(todo) > 0 {
					// Nothing is sent while the batch's transaction is
					// open: it would hold every subscriber's fence for as
					// long as the mail server takes.
					pending, pendingAt = todo, e.Cursor()
					return &eventstore.EventFailed{At: e.Cursor(), Err: errPending}
				}
			}
			return nil
		}, eventstore.SubscribeOptions{Relevant: src.Relevant, Committed: func(eventstore.Cursor) { progressed = true }})
		if !errors.Is(err, errPending) {
			if subCtx.Err() != nil && ctx.Err() == nil {
				return progressed, errors.New("lost the notifier's lock")
			}
			return progressed, err
		}
		for _, d := range pending {
			if _, err := s.handle(subCtx, d); err != nil {
				return progressed, err
			}
			if s.cfg.crashAfterRecord != nil && s.cfg.crashAfterRecord(d.MessageID) {
				return progressed, errCrashed
			}
		}
		passed, progressed = pendingAt, true
	}
}
