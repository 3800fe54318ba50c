package eventstore_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

// logRecorder keeps what is logged through the default logger.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// count is how many records at level mention words in their message.
func (l *logRecorder) count(level slog.Level, words string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Level == level && strings.Contains(r.Message, words) {
			n++
		}
	}
	return n
}

func recordLogs(t *testing.T) *logRecorder {
	l := &logRecorder{}
	previous := slog.Default()
	slog.SetDefault(slog.New(l))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return l
}

// preparedHolder prepares a transaction that wrote on another database of
// the server: it holds the fence with no session at all.
func preparedHolder(t *testing.T) (gid, database string, release func()) {
	t.Helper()
	ctx := context.Background()
	other, err := postgres.Open(ctx, testdb.URL(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	gid = "fence-test-" + t.Name()
	conn, err := other.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&database); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `BEGIN; CREATE TABLE fence_holder (n int); PREPARE TRANSACTION '`+gid+`'`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := other.Exec(ctx, `COMMIT PREPARED '`+gid+`'`); err != nil {
				t.Error(err)
			}
		})
	}
	// Registered after other.Close, so it runs first: a prepared
	// transaction left behind would stall every later test.
	t.Cleanup(release)
	return gid, database, release
}

// TestAHeldFenceIsNamed holds the fence from another database of the same
// server, by a session idle in its transaction and by a prepared
// transaction, and expects the store to name the holder once events have
// waited past the threshold, to warn once and say once when it clears, and
// its subscriber to deliver promptly when it does.
func TestAHeldFenceIsNamed(t *testing.T) {
	type holder struct {
		pid      int32
		gid      string
		database string
		release  func()
	}
	tests := []struct {
		name  string
		hold  func(t *testing.T) holder
		state string
	}{
		{"idle in another database", func(t *testing.T) holder {
			held := testdb.HoldFence(t, `CREATE TABLE fence_holder (n int)`)
			pid, db, release := held.PID, held.Database, held.Release
			return holder{pid: pid, database: db, release: release}
		}, "idle in transaction"},
		{"prepared", func(t *testing.T) holder {
			gid, db, release := preparedHolder(t)
			return holder{gid: gid, database: db, release: release}
		}, "prepared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			logs := recordLogs(t)
			s, counter := countedStore(t)
			// Past a second and a half the subscriber looks again only once
			// a second: a prompt delivery once the holder ends is the
			// watcher's doing.
			s.WarnFenceAfter(1500 * time.Millisecond)
			var user string
			if err := s.Pool().QueryRow(ctx, `SELECT current_user`).Scan(&user); err != nil {
				t.Fatal(err)
			}
			var delivered atomic.Int64
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			t.Cleanup(func() { cancel(); <-done })
			go func() {
				defer close(done)
				_ = s.Subscribe(runCtx, "screen", func(_ context.Context, _ pgx.Tx, events []eventstore.RecordedEvent) error {
					delivered.Add(int64(len(events)))
					return nil
				}, eventstore.SubscribeOptions{})
			}()
			h := tt.hold(t)
			if _, err := s.Append(ctx, "behind-the-fence", eventstore.NoStream, meta(), counted{N: 1}); err != nil {
				t.Fatal(err)
			}

			waitFor(t, "the fence reported held", func() bool { return s.Fence().Held })
			r := s.Fence()
			got := r.Holder
			if got.PID != h.pid || got.GID != h.gid || got.Database != h.database || got.User != user || got.State != tt.state {
				t.Fatalf("holder %+v, want pid %d gid %q database %s user %s state %s", got, h.pid, h.gid, h.database, user, tt.state)
			}
			if got.Age <= 0 || r.Since.IsZero() || got.XID == 0 {
				t.Fatalf("report %+v lacks the age, the start or the xid", r)
			}
			if h.pid != 0 && !strings.Contains(got.Query, "CREATE TABLE fence_holder") {
				t.Fatalf("holder's query %q", got.Query)
			}
			if delivered.Load() != 0 {
				t.Fatal("an event behind the fence was delivered")
			}

			// Release just after the subscriber has looked: it will not
			// look again by itself for a second.
			reads := counter.reads.Load()
			waitFor(t, "the subscriber to look again", func() bool { return counter.reads.Load() > reads })
			released := time.Now()
			h.release()
			waitFor(t, "the event once the fence clears", func() bool { return delivered.Load() == 1 })
			took := time.Since(released)
			t.Logf("delivered %s after the fence cleared", took)
			if took > 500*time.Millisecond {
				t.Errorf("the event came %s after the fence cleared", took)
			}
			waitFor(t, "the report cleared", func() bool { return !s.Fence().Held })
			waitFor(t, "the fence said cleared", func() bool { return logs.count(slog.LevelInfo, "fence cleared") == 1 })
			if n := logs.count(slog.LevelWarn, "events wait behind"); n != 1 {
				t.Fatalf("%d warnings, want one", n)
			}
		})
	}
}
