package wiring

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"restaurant/internal/app"
	"restaurant/internal/demo"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestRolesAreReadFromAListInStartOrder(t *testing.T) {
	for _, c := range []struct{ list, want string }{
		{"", "projector,relay,notify,web"},
		{"web", "web"},
		{" Web , projector,web", "projector,web"},
		{"projector", "projector"},
	} {
		roles, err := ParseRoles(c.list)
		if err != nil {
			t.Fatalf("%q: %v", c.list, err)
		}
		if got := RoleNames(roles); got != c.want {
			t.Errorf("%q: roles %s, want %s", c.list, got, c.want)
		}
	}
	for _, list := range []string{"web,cook", ",", "projectors"} {
		_, err := ParseRoles(list)
		if err == nil || !strings.Contains(err.Error(), "the roles are projector, relay, notify, web") {
			t.Errorf("%q: %v, want an error naming the roles", list, err)
		}
	}
	if _, err := ParseRoles("web,cook"); err == nil || !strings.Contains(err.Error(), `"cook"`) {
		t.Errorf("the error does not name the unknown role: %v", err)
	}
}

// syncBuffer is a stdout that two processes' start-ups write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProcessesStartingAtOnceAddTheMenuAndTheAdminOnce prepares four
// processes on one new database at the same moment: the demo menu is added
// once, the admin once, and only one of them prints a generated password.
func TestProcessesStartingAtOnceAddTheMenuAndTheAdminOnce(t *testing.T) {
	url := testdb.EmptyURL(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	var out syncBuffer
	// Each opens (and migrates) first; then all prepare at the same moment.
	var runtimes []*Runtime
	for range 4 {
		a, err := app.Open(ctx, app.Config{DatabaseURL: url}, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		rt := New(a, log, Settings{DemoMenu: true, Stdout: &out}, nil)
		t.Cleanup(rt.Close)
		runtimes = append(runtimes, rt)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, len(runtimes))
	for _, rt := range runtimes {
		wg.Go(func() {
			<-start
			errs <- rt.Prepare(ctx)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a process failed to start: %v", err)
		}
	}
	if n := strings.Count(out.String(), "password"); n != 1 {
		t.Fatalf("%d processes printed a generated password:\n%s", n, out.String())
	}
	a, err := app.Open(ctx, app.Config{DatabaseURL: url}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var dishes, admins int
	if err := a.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE type = 'menu.MenuItemAdded'),
		count(*) FILTER (WHERE type = 'staff.StaffMemberAdded') FROM events`).Scan(&dishes, &admins); err != nil {
		t.Fatal(err)
	}
	if dishes != len(demo.DishIDs()) || admins != 1 {
		t.Fatalf("%d dishes added (want %d), the admin %d times", dishes, len(demo.DishIDs()), admins)
	}
}

// TestWaitCaughtUpNamesEveryReadModelBehindAndNoneOnceCaughtUp: with no
// projector running, every read model and policy with events of the log
// to act on is behind it, and the wait says which (one that acts on none
// of them has nothing to catch up with); once the projector has run, none
// is.
func TestWaitCaughtUpNamesEveryReadModelBehindAndNoneOnceCaughtUp(t *testing.T) {
	url := testdb.EmptyURL(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DatabaseURL: url}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	rt := New(a, log, Settings{DemoMenu: true}, nil)
	t.Cleanup(rt.Close)
	if err := rt.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	behind, err := rt.WaitCaughtUp(ctx, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range rt.Runner.Projections() {
		var types []string
		if s, ok := p.(projections.Selective); ok {
			types = eventstore.TypeNames(s.Handles())
		}
		var toDo bool
		if err := a.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE $1::text[] IS NULL OR type = ANY($1))`, types).Scan(&toDo); err != nil {
			t.Fatal(err)
		}
		if toDo {
			names = append(names, p.Name())
		}
	}
	if len(names) == 0 || len(names) == len(rt.Runner.Projections()) {
		t.Fatalf("the demo menu gives %v events to act on: the test needs some with and some without", names)
	}
	if strings.Join(behind, ",") != strings.Join(names, ",") {
		t.Fatalf("with no projector running, %v are behind; want those with events to act on, in order: %v", behind, names)
	}

	work, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rt.Runner.Run(work) }()
	t.Cleanup(func() { stop(); <-done })
	if behind, err = rt.WaitCaughtUp(ctx, time.Minute); err != nil || len(behind) != 0 {
		t.Fatalf("with the projector running, %v are still behind (%v)", behind, err)
	}
}
