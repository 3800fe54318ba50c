package eventstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The fence (readAllSQL) is cluster-wide: a transaction that holds an xid
// anywhere on the PostgreSQL server, in any database, keeps every subscriber
// from reading past it for as long as it stays open. That is what keeps the
// order gapless, so it stays; what this file adds is that a held fence is
// named (FenceReport) and costs little: one watcher per store follows the
// horizon while subscribers wait behind it, wakes them the moment it moves,
// and looks up who holds it once a second.

const (
	// DefaultFenceWarnAfter is how long events may wait behind one
	// transaction before the store says so: longer than any append or batch
	// of ours, short enough that a stalled kitchen screen is explained.
	DefaultFenceWarnAfter = 5 * time.Second
	// maxFencedPoll caps a fenced subscriber's backoff; the watcher's wake
	// usually comes much sooner.
	maxFencedPoll = time.Second
	// horizonPoll is how often the watcher reads the horizon while
	// subscribers wait: one cheap statement per store, not per subscriber.
	horizonPoll = 100 * time.Millisecond
	// holderEvery is how often, at most, the watcher asks who holds it.
	holderEvery = time.Second
	// fenceLease is how long past its own wait a fenced subscriber keeps
	// the watcher going, to cover its next read.
	fenceLease = time.Second
	// holderQueryChars is how much of the holder's statement is shown.
	holderQueryChars = 200
)

// horizonSQL is the fence: the oldest transaction still running.
const horizonSQL = `SELECT pg_snapshot_xmin(pg_current_snapshot())`

// holderSQL names the transaction whose xid is the fence. backend_xid is
// the xid a backend holds (backend_xmin is its snapshot, which holds back
// vacuum, not the fence). Both are 32-bit xids, compared with the 64-bit
// horizon narrowed to xid: a running xid is unambiguous in 32 bits.
const holderSQL = `SELECT pid, coalesce(datname, ''), coalesce(usename, ''), coalesce(state, ''),
		coalesce(application_name, ''), '' AS gid,
		coalesce(extract(epoch FROM now() - xact_start), 0)::float8, left(coalesce(query, ''), $2)
	FROM pg_stat_activity WHERE backend_xid = $1::xid8::xid
	UNION ALL
	SELECT 0, database, owner, 'prepared', '', gid, extract(epoch FROM now() - prepared)::float8, ''
	FROM pg_prepared_xacts WHERE transaction = $1::xid8::xid
	LIMIT 1`

// FenceHolder is the transaction every subscriber waits behind, as
// PostgreSQL describes it: what an operator needs to find it and end it.
type FenceHolder struct {
	XID         uint64
	PID         int32 // 0 for a prepared transaction
	Database    string
	User        string
	State       string // "idle in transaction", "active", "prepared"
	Application string
	GID         string        // a prepared transaction's global id
	Age         time.Duration // since it began, or was prepared
	Query       string        // the start of its latest statement
}

// String says who holds the fence in one sentence, for the log and /readyz.
func (h FenceHolder) String() string {
	switch {
	case h.GID != "":
		return fmt.Sprintf("prepared transaction %q (xid %d) in database %s, owner %s, prepared %s ago",
			h.GID, h.XID, h.Database, h.User, h.Age.Round(time.Second))
	case h.PID != 0:
		said := fmt.Sprintf("transaction %d of backend pid %d in database %s, user %s, %s for %s",
			h.XID, h.PID, h.Database, h.User, h.State, h.Age.Round(time.Second))
		if h.Query != "" {
			said += ": " + h.Query
		}
		return said
	}
	return fmt.Sprintf("transaction %d, which pg_stat_activity does not show", h.XID)
}

// FenceReport is what the store knows of its fence, so that the page, the
// metrics, /readyz and the log all tell the same story.
type FenceReport struct {
	// Held says events have waited behind one transaction for longer than
	// the warning threshold: every subscriber is stalled.
	Held bool
	// Since is when subscribers began to wait behind it; zero when they
	// have not waited long enough for it to be looked up.
	Since time.Time
	// Holder is the transaction they wait behind.
	Holder FenceHolder
}

// fenceWatch is the state shared by fenced subscribers and the watcher.
type fenceWatch struct {
	warnAfter atomic.Int64 // a time.Duration
	until     atomic.Int64 // unix nanoseconds: subscribers wait until at least then
	nudge     chan struct{}
	mu        sync.Mutex
	report    FenceReport
}

func newFenceWatch() *fenceWatch {
	f := &fenceWatch{nudge: make(chan struct{}, 1)}
	f.warnAfter.Store(int64(DefaultFenceWarnAfter))
	return f
}

// waiting is called by a subscriber about to wait behind the fence after
// waiting prev: it returns the next, longer wait (at most ceiling), and
// keeps the watcher following the fence until then.
func (f *fenceWatch) waiting(prev, ceiling time.Duration) time.Duration {
	next := min(max(2*prev, fencedPoll), maxFencedPoll, ceiling)
	until := time.Now().Add(next + fenceLease).UnixNano()
	for {
		old := f.until.Load()
		if old >= until || f.until.CompareAndSwap(old, until) {
			break
		}
	}
	select {
	case f.nudge <- struct{}{}:
	default:
	}
	return next
}

// wanted says whether any subscriber still waits behind the fence.
func (f *fenceWatch) wanted() bool { return time.Now().UnixNano() < f.until.Load() }

func (f *fenceWatch) publish(r FenceReport) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.report = r
}

// WarnFenceAfter sets how long events may wait behind one transaction
// before the store reports it held; zero or less: DefaultFenceWarnAfter.
func (s *Store) WarnFenceAfter(d time.Duration) {
	if d <= 0 {
		d = DefaultFenceWarnAfter
	}
	s.fence.warnAfter.Store(int64(d))
}

// Fence reports whether subscribers wait behind a transaction and which,
// as the store's one watcher last saw it: reading it costs no query.
func (s *Store) Fence() FenceReport {
	s.fence.mu.Lock()
	defer s.fence.mu.Unlock()
	return s.fence.report
}

// horizon reads the fence's transaction id.
func (s *Store) horizon(ctx context.Context) (uint64, error) {
	var xmin uint64
	if err := s.pool.QueryRow(ctx, horizonSQL).Scan(&xmin); err != nil {
		return 0, fmt.Errorf("read the fence: %w", err)
	}
	return xmin, nil
}

// fenceHolder looks up the transaction whose xid is xmin; one that has just
// ended, or that this role may not see, is named by its xid alone.
func (s *Store) fenceHolder(ctx context.Context, xmin uint64) (FenceHolder, error) {
	h := FenceHolder{XID: xmin}
	rows, err := s.pool.Query(ctx, holderSQL, xmin, holderQueryChars)
	if err != nil {
		return h, fmt.Errorf("look up who holds the fence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var age float64
		if err := rows.Scan(&h.PID, &h.Database, &h.User, &h.State, &h.Application, &h.GID, &age, &h.Query); err != nil {
			return h, fmt.Errorf("look up who holds the fence: %w", err)
		}
		h.Age = time.Duration(age * float64(time.Second))
		h.Query = strings.Join(strings.Fields(h.Query), " ")
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("look up who holds the fence: %w", err)
	}
	return h, nil
}
