package eventstore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the LISTEN/NOTIFY channel that says "new events".
const notifyChannel = "restaurant_events"

// signal is a broadcast: waiters take the current channel, fire closes it and
// starts a new one. Taking the channel before reading means no wake-up is
// lost between a read and the wait that follows it.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	close(s.ch)
	s.ch = make(chan struct{})
	s.mu.Unlock()
}

// notify sends one NOTIFY per request, after the appends that asked for it
// have committed; requests that arrive meanwhile fold into the next one.
func (s *Store) notify(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.notifyReq:
		}
		if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, notifyChannel); err != nil && ctx.Err() == nil {
			slog.Warn("event notification not sent; other processes will poll", "err", err)
		}
	}
}

// listen keeps a dedicated connection LISTENing and wakes subscribers on every
// notification. When the connection drops it wakes them too (they poll) and
// reconnects with a growing pause.
func (s *Store) listen(ctx context.Context) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, func() { pause = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		slog.Warn("event listener lost its connection; reconnecting", "err", err, "pause", pause)
		s.wake.fire()
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	connected()
	// Anything appended while we were not listening is found by this read.
	s.wake.fire()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.fire()
	}
}

// Changes returns a channel closed when events may have committed since:
// in this process, or, through LISTEN/NOTIFY, in another. A reader outside
// Subscribe (the relay, which commits its checkpoint apart from its reads)
// takes it before reading, so no wake-up between the read and its wait is
// lost; a poll of its own still covers lost notifications.
func (s *Store) Changes() <-chan struct{} { return s.wake.wait() }
