// Package projections keeps the read models: event listeners that maintain
// query tables. Each projection owns its tables; its changes and its
// checkpoint commit in one transaction per batch, so a crash anywhere
// applies nothing twice and loses nothing. One runner per projection is
// active across every process on the database.
package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/internal/postgres"
)

// Projection is a read model kept from events.
type Projection interface {
	// Name identifies the projection and its checkpoint.
	Name() string
	// Tables are the projection's own tables, which a rebuild replaces.
	Tables() []string
	// Apply applies one event inside the batch's transaction; events the
	// projection does not care about are ignored.
	Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error
}

// Notifier is a projection whose changes screens follow: it names the topics
// an event changed.
type Notifier interface {
	Topics(e eventstore.RecordedEvent) []live.Topic
}

// Runner runs projections and tells waiters how far they have got.
type Runner struct {
	store       *eventstore.Store
	projections []Projection
	log         *slog.Logger
	// Notify, when set, is told the topics a committed batch changed.
	Notify func(topics []live.Topic)

	mu       sync.Mutex
	progress chan struct{} // closed and replaced whenever a batch commits here
	// reached is where each projection run here has got to, so a wait for
	// a place it has passed needs no query.
	reached map[string]eventstore.Cursor
	// handled are the event types each selective projection acts on.
	handled map[string][]string
}

// NewRunner makes a runner for the projections.
func NewRunner(store *eventstore.Store, log *slog.Logger, ps ...Projection) *Runner {
	handled := map[string][]string{}
	for _, p := range ps {
		if types := handledTypes(p); types != nil {
			handled[p.Name()] = types
		}
	}
	return &Runner{store: store, projections: ps, log: log, progress: make(chan struct{}), reached: map[string]eventstore.Cursor{}, handled: handled}
}

// Projections lists what the runner runs.
func (r *Runner) Projections() []Projection { return r.projections }

// Run keeps every projection up to date until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range r.projections {
		wg.Go(func() { r.runOne(ctx, p) })
	}
	wg.Wait()
}

// lockKey is the advisory lock that elects a projection's one active runner.
func lockKey(name string) string { return "projection:" + name }

// runOne waits to become the projection's active runner (the holder of its
// advisory lock, held by a session of its own, so it is released when the
// holder's process dies; the runners standing by wait on the lock itself,
// so one takes over at once), then follows the event store; on an error it
// records it, pauses, and starts again from the checkpoint. While the
// database is unreachable it only pauses, a little longer each time, and
// tries again: there is nowhere to record that, and the projection itself
// is not at fault.
func (r *Runner) runOne(ctx context.Context, p Projection) {
	var pauses backoff
	for ctx.Err() == nil {
		progressed, err := r.lead(ctx, p)
		if ctx.Err() != nil {
			return
		}
		pause := pauses.next(err, progressed)
		switch {
		case errors.Is(err, eventstore.ErrCheckpointMoved):
			r.log.Info("projection rebuilt; it carries on from its new checkpoint", "projection", p.Name())
			continue
		case err != nil && postgres.Unavailable(err):
			r.log.Warn("projection paused: the database is unavailable; it will resume from its checkpoint", "projection", p.Name(), "error", err, "pause", pause)
		case err != nil:
			attrs := []any{"projection", p.Name(), "error", err, "pause", pause}
			if panicked := (*Panic)(nil); errors.As(err, &panicked) {
				attrs = append(attrs, "stack", string(panicked.Stack))
			}
			r.log.Error("projection stopped; it will start again from its checkpoint", attrs...)
			_ = r.store.RecordError(context.WithoutCancel(ctx), p.Name(), err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// Pauses between a projection's attempts.
const (
	firstPause          = time.Second
	maxFailurePause     = 30 * time.Second
	maxUnavailablePause = 5 * time.Second // it resumes within this long of the database's return
)

// backoff is how long a runner waits between attempts. Repeated failures
// wait longer each time; a failure after progress (a batch committed since
// the last failure) is a new one, and waits the first pause again, however
// long the pause before the projection recovered.
type backoff struct {
	last time.Duration // the pause after the last attempt, if it failed
}

// next is the pause after an attempt that ended with err (nil: another
// runner leads) and that committed a batch or not.
func (b *backoff) next(err error, progressed bool) time.Duration {
	switch {
	case errors.Is(err, eventstore.ErrCheckpointMoved):
		b.last = 0 // rebuilt: carry on at once
	case err == nil:
		b.last = 0
		return firstPause
	case progressed || b.last == 0:
		b.last = firstPause
	case postgres.Unavailable(err):
		b.last = min(b.last*2, maxUnavailablePause)
	default:
		b.last = min(b.last*2, maxFailurePause)
	}
	return b.last
}

// lead runs the projection while this runner holds its lock, and says
// whether a batch committed. It returns nil when another runner leads, or
// when ctx ends; ErrCheckpointMoved when a rebuild moved the checkpoint.
func (r *Runner) lead(ctx context.Context, p Projection) (progressed bool, err error) {
	cfg := r.store.Pool().Config().ConnConfig.Copy()
	// A wait for the lock that ends here (a shutdown) asks the server to
	// stop waiting too, rather than leave a session queued for the lock.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connect for the runner's lock: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var leader bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, lockKey(p.Name())).Scan(&leader); err != nil {
		return false, fmt.Errorf("take the runner's lock: %w", err)
	}
	if !leader {
		if leader, err = r.standBy(ctx, conn, p); err != nil || !leader {
			return false, err // look again after a pause
		}
	}
	r.log.Debug("running projection", "projection", p.Name())
	subCtx, cancel := context.WithCancel(ctx)
	var watch sync.WaitGroup
	// The watcher uses the lock's connection: it must be gone before the
	// connection is closed (deferred above, so run after this).
	defer watch.Wait()
	defer cancel()
	// Losing the lock's session means another process may take over: stop.
	watch.Go(func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-subCtx.Done():
				return
			case <-t.C:
				if err := conn.Ping(subCtx); err != nil && subCtx.Err() == nil {
					r.log.Warn("projection lost its lock's connection", "projection", p.Name(), "error", err)
					cancel()
					return
				}
			}
		}
	})
	notifier, _ := p.(Notifier)
	var topics []live.Topic // of the batch being applied; told once it commits
	err = r.store.Subscribe(subCtx, p.Name(), func(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
		if err := applyAll(ctx, tx, p, events); err != nil {
			return err
		}
		topics, err = topicsOf(notifier, p, events, topics[:0])
		return err
	}, eventstore.SubscribeOptions{BatchSize: batchSize(p), AsyncCommit: readModelOnly(p), Relevant: relevance(r.handled[p.Name()]), Skipped: func(c eventstore.Cursor) {
		r.advanced(p.Name(), c)
	}, Committed: func(c eventstore.Cursor) {
		progressed = true
		r.advanced(p.Name(), c)
		if r.Notify != nil {
			// The projections page follows every batch's progress.
			topics = append(topics, live.ProjectionsTopic())
			slices.Sort(topics)
			r.Notify(slices.Compact(topics))
		}
	}})
	switch {
	case errors.Is(err, eventstore.ErrCheckpointMoved):
		return progressed, eventstore.ErrCheckpointMoved // rebuilt under us: start again from the checkpoint
	case errors.Is(err, context.Canceled):
		return progressed, nil
	}
	return progressed, err
}

// lockNotAvailable is PostgreSQL's error code for a lock wait that ran
// out of lock_timeout.
const lockNotAvailable = "55P03"

// standbyCheck is how long a runner standing by waits on the lock at a
// time; between waits it finds out whether its connection still answers.
var standbyCheck = 30 * time.Second

// standBy waits on the lock's connection for the projection's lock, which
// another runner holds, and says whether it got it. The lock is released
// the moment the holder's session ends (its process stopped, or died:
// PostgreSQL ends the session of a closed connection), and the first
// runner waiting takes it then, with no pause. It gives up (false, nil)
// when the connection stops answering.
func (r *Runner) standBy(ctx context.Context, conn *pgx.Conn, p Projection) (bool, error) {
	// The server ends each wait after standbyCheck, and the connection is
	// known to be alive; a wait that outlasts it by far has lost it.
	if _, err := conn.Exec(ctx, fmt.Sprintf(`SET lock_timeout = %d`, standbyCheck.Milliseconds())); err != nil {
		return false, fmt.Errorf("stand by for the runner's lock: %w", err)
	}
	r.log.Debug("standing by", "projection", p.Name())
	for ctx.Err() == nil {
		waitCtx, cancel := context.WithTimeout(ctx, standbyCheck+15*time.Second)
		_, err := conn.Exec(waitCtx, `SELECT pg_advisory_lock(hashtext($1))`, lockKey(p.Name()))
		cancel()
		var pgErr *pgconn.PgError
		switch {
		case err == nil:
			_, err = conn.Exec(ctx, `SET lock_timeout = 0`)
			return err == nil, err
		case errors.As(err, &pgErr) && pgErr.Code == lockNotAvailable:
			continue // the connection answers: wait again
		case ctx.Err() != nil:
			return false, nil
		case waitCtx.Err() != nil:
			r.log.Warn("projection's stand-by connection does not answer; connecting again", "projection", p.Name())
			return false, nil
		default:
			return false, fmt.Errorf("stand by for the runner's lock: %w", err)
		}
	}
	return false, nil
}

// topicsOf are the topics a batch changed, added to topics; a panic naming
// them is the projection's failure at that event.
func topicsOf(n Notifier, p Projection, events []eventstore.RecordedEvent, topics []live.Topic) ([]live.Topic, error) {
	if n == nil {
		return topics, nil
	}
	for _, e := range events {
		err := guarded(func() error {
			topics = append(topics, n.Topics(e)...)
			return nil
		})
		if err != nil {
			return topics, &eventstore.EventFailed{At: e.Cursor(), Err: fmt.Errorf("%s: topics of event %d (%s): %w", p.Name(), e.Position, e.Type, err)}
		}
	}
	return topics, nil
}

// readModelOnly says whether the projection's every effect is rows of its
// own tables, kept with its checkpoint: a read model, whose batches may
// commit without waiting for the disk (see SubscribeOptions.AsyncCommit).
// A policy has no tables of its own, and appends events others act on at
// once: its batches commit durably.
func readModelOnly(p Projection) bool { return len(p.Tables()) > 0 }

// batchSize keeps every projection's transaction short: a write-only
// projection's batch is one round trip, a folded one's two, a policy's
// takes a few per event.
func batchSize(p Projection) int {
	_, writeOnly := p.(WriteOnly)
	_, folded := p.(Folder)
	if writeOnly || folded {
		return 500
	}
	return 50
}

func (r *Runner) advanced(name string, c eventstore.Cursor) {
	r.mu.Lock()
	if r.reached[name].Less(c) {
		r.reached[name] = c
	}
	close(r.progress)
	r.progress = make(chan struct{})
	r.mu.Unlock()
}

// changed returns a channel closed at the next batch committed here, and
// whether the projection, run here, has reached c already.
func (r *Runner) changed(name string, c eventstore.Cursor) (<-chan struct{}, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.progress, !r.reached[name].Less(c)
}

// NothingBetween says whether a projection whose checkpoint is at from has
// reached to already: a selective projection saves its place past events
// it does not act on only now and then, and has reached to when none of
// those it acts on lie between.
func (r *Runner) NothingBetween(ctx context.Context, name string, from, to eventstore.Cursor) (bool, error) {
	types, ok := r.handled[name]
	if !ok {
		return false, nil
	}
	return r.store.NoneOfTypes(ctx, from, to, types)
}

// WaitFor waits, at most max, until the projection has applied the event at
// cursor c: the read-your-writes promise for the user who just acted. It
// reads the checkpoint from the database, so it works whichever process runs
// the projection; it reports whether the projection got there in time.
func (r *Runner) WaitFor(ctx context.Context, name string, c eventstore.Cursor, max time.Duration) (bool, error) {
	if c == (eventstore.Cursor{}) {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		changed, reached := r.changed(name, c)
		if reached {
			return true, nil
		}
		at, err := r.store.Checkpoint(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		if !at.Less(c) {
			return true, nil
		}
		if none, err := r.NothingBetween(ctx, name, at, c); err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		} else if none {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-changed:
		case <-tick.C:
		}
	}
}
