package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"restaurant/internal/testdb"
)

// eventually waits for cond, failing the test after the deadline.

var fenceAge = regexp.MustCompile(`(?m)^restaurant_fence_holder_age_seconds (\S+)$`)

// TestAHeldFenceIsNamedOnEveryScreen leaves a transaction that wrote open
// on another database of the same server, so that the restaurant's events
// wait behind it, and expects /readyz, the projections page and /metrics to
// name it after the default five seconds, and to stop once it commits.
func TestAHeldFenceIsNamedOnEveryScreen(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	held := testdb.HoldFence(t, `CREATE TABLE reporting_job (n int)`)
	pid, database, user := held.PID, held.Database, held.User
	a.guest().post("/orders/commands/open", form("menu_item_id", "margherita", "option-size", "regular", "quantity", "1"))

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
	got := fenceAge.FindStringSubmatch(a.metrics())
	if len(got) != 2 {
		t.Fatal("no restaurant_fence_holder_age_seconds")
	}
	if age, err := strconv.ParseFloat(got[1], 64); err != nil || age <= 0 {
		t.Fatalf("restaurant_fence_holder_age_seconds %q, want above 0", got[1])
	}

	held.Release()
	a.caughtUp()
	eventually(t, 5*time.Second, "/readyz to say ready", func() bool {
		return strings.Contains(m.get("/readyz").Body.String(), `"status":"ready"`)
	})
	if page := m.get("/staff/projections").Body.String(); strings.Contains(page, `id="fence-warning"`) {
		t.Fatal("the warning stays once the fence clears")
	}
	if got := fenceAge.FindStringSubmatch(a.metrics()); len(got) != 2 || got[1] != "0" {
		t.Fatalf("restaurant_fence_holder_age_seconds after: %q", got)
	}
}
