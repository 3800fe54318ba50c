package web

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

// eventually waits for cond, failing the test after the deadline.
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", deadline, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var fenceAge = regexp.MustCompile(`(?m)^restaurant_fence_holder_age_seconds (\S+)$`)

// TestAHeldFenceIsNamedOnEveryScreen leaves a transaction that wrote open
// on another database of the same server, so that the restaurant's events
// wait behind it, and expects /readyz, the projections page and /metrics to
// name it after the default five seconds, and to stop once it commits.
func TestAHeldFenceIsNamedOnEveryScreen(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	ctx := context.Background()
	other, err := postgres.Open(ctx, testdb.URL(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var pid int32
	var database, user string
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid(), current_database(), current_user`).Scan(&pid, &database, &user); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE reporting_job (n int)`); err != nil {
		t.Fatal(err)
	}
	a.guest().post("/orders/commands/open", form("menu_item_id", "margherita", "quantity", "1"))

	names := func(body string) bool {
		return strings.Contains(body, fmt.Sprint(pid)) && strings.Contains(body, database) &&
			strings.Contains(body, user) && strings.Contains(body, "idle in transaction")
	}
	eventually(t, 20*time.Second, "/readyz to say degraded, naming the holder", func() bool {
		rec := m.get("/readyz")
		return rec.Code == 200 && strings.Contains(rec.Body.String(), `"status":"degraded"`) && names(rec.Body.String())
	})
	if body := a.guest().get("/readyz").Body.String(); strings.Contains(body, "reporting_job") {
		t.Fatalf("/readyz, which answers anyone, shows the holder's statement: %s", body)
	}
	page := m.get("/staff/projections").Body.String()
	if !strings.Contains(page, `id="fence-warning"`) || !names(page) || !strings.Contains(page, "CREATE TABLE reporting_job") {
		t.Fatalf("the projections page does not name the holder:\n%s", page)
	}
	got := fenceAge.FindStringSubmatch(m.get("/metrics").Body.String())
	if len(got) != 2 {
		t.Fatal("no restaurant_fence_holder_age_seconds")
	}
	if age, err := strconv.ParseFloat(got[1], 64); err != nil || age <= 0 {
		t.Fatalf("restaurant_fence_holder_age_seconds %q, want above 0", got[1])
	}

	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	a.caughtUp()
	eventually(t, 5*time.Second, "/readyz to say ready", func() bool {
		return strings.Contains(m.get("/readyz").Body.String(), `"status":"ready"`)
	})
	if page := m.get("/staff/projections").Body.String(); strings.Contains(page, `id="fence-warning"`) {
		t.Fatal("the warning stays once the fence clears")
	}
	if got := fenceAge.FindStringSubmatch(m.get("/metrics").Body.String()); len(got) != 2 || got[1] != "0" {
		t.Fatalf("restaurant_fence_holder_age_seconds after: %q", got)
	}
}
