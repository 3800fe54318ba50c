package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"restaurant/domain/staff"
	"restaurant/internal/live"
)

// withStaffAndScreens is withStaff with live screens that are pinged (and
// so checked) only once an hour: whatever closes them sooner is the notice.
// The second server is another process on the same database, with its own
// hub.
func withStaffAndScreens(t *testing.T) (*testApp, *httptest.Server) {
	t.Helper()
	a, _ := withStaffOnTwoServers(t)
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	return a, srv
}

func withStaffOnTwoServers(t *testing.T) (*testApp, *httptest.Server) {
	t.Helper()
	var deps *Deps
	a := newTestAppWith(t, func(d *Deps) { d.LivePing = time.Hour; deps = d })
	other := *deps
	other.Hub = live.NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); other.Hub.Listen(ctx, other.Pool) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := httptest.NewServer(Handler(other))
	t.Cleanup(srv.Close)
	if err := a.accounts.Add(ctx, "maria", staff.Manager, managerPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	if err := a.accounts.Add(ctx, "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	return a, srv
}

// kitchenScreen opens a kitchen socket for the guest and waits for its board.
func kitchenScreen(t *testing.T, srv *httptest.Server, g *guest) *websocket.Conn {
	t.Helper()
	conn, _, err := g.dial(t, srv, "topic=kitchen", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, conn, `id="kitchen-board"`)
	return conn
}

// closedSoon reads the socket until it ends, within a few seconds, and
// says how it ended.
func closedSoon(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("the screen did not close at once as no longer allowed: %v", err)
			}
			return
		}
	}
}

// TestAPasswordResetEndsTheMembersSessionsAndScreens: once a manager sets a
// member's password, the member's sessions are over and their wall screen
// closes at once, not at its next ping.
func TestAPasswordResetEndsTheMembersSessionsAndScreens(t *testing.T) {
	a, srv := withStaffAndScreens(t)
	m, phone, wall := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	phone.signIn("kai", kitchenPassword)
	wall.signIn("kai", kitchenPassword)
	screen := kitchenScreen(t, srv, wall)
	const fresh = "new basil for the kitchen"
	if rec := m.post("/staff/team/kai/commands/set-password", form("password", fresh)); rec.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	for name, g := range map[string]*guest{"phone": phone, "wall": wall} {
		if rec := g.get("/staff"); rec.Code != http.StatusSeeOther {
			t.Errorf("kai's %s session still opens staff pages after the reset: %d", name, rec.Code)
		}
	}
	closedSoon(t, screen)
	if rec := m.get("/staff"); rec.Code != http.StatusOK {
		t.Fatalf("the manager who reset it was signed out: %d", rec.Code)
	}
	if rec := a.guest().signIn("kai", fresh); rec.Code != http.StatusSeeOther {
		t.Fatalf("kai cannot sign in with the new password: %d", rec.Code)
	}
}

// TestDisablingClosesTheMembersScreensAtOnce: a disabled member's kitchen
// screen stops receiving tickets at once, on another server too.
func TestDisablingClosesTheMembersScreensAtOnce(t *testing.T) {
	a, srv := withStaffOnTwoServers(t)
	m, wall := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	wall.signIn("kai", kitchenPassword)
	screen := kitchenScreen(t, srv, wall)
	if rec := m.post("/staff/team/kai/commands/disable", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	closedSoon(t, screen)
	var left int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, wall.cookies["staff_session"].Value).Scan(&left); err != nil || left != 0 {
		t.Fatalf("the disabled member's session is still stored (%d, %v)", left, err)
	}
}

// TestChangingYourOwnPasswordAsksForTheCurrentOne: the current password
// first; then this session stays and the member's others end.
func TestChangingYourOwnPasswordAsksForTheCurrentOne(t *testing.T) {
	a, _ := withStaffAndScreens(t)
	here, there := a.guest(), a.guest()
	here.signIn("maria", managerPassword)
	there.signIn("maria", managerPassword)
	const fresh = "olives capers anchovies"
	const path = "/staff/account/commands/change-password"
	for _, tc := range []struct {
		current, password, message string
	}{
		{"", fresh, "current password is not right"},
		{"not my password", fresh, "current password is not right"},
		{managerPassword, "qwerty123456", "most common"},
	} {
		before := a.events()
		rec := here.post(path, url.Values{"current_password": {tc.current}, "password": {tc.password}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.message) || !strings.Contains(rec.Body.String(), `action="/staff/account/commands/change-password"`) {
			t.Errorf("current %q, new %q: %d, want 422 saying %q on the form", tc.current, tc.password, rec.Code, tc.message)
		}
		if a.events() != before {
			t.Errorf("current %q, new %q wrote events", tc.current, tc.password)
		}
	}
	page := here.follow(here.post(path, url.Values{"current_password": {managerPassword}, "password": {fresh}}))
	if !strings.Contains(page.Body.String(), "Your password was changed") {
		t.Fatalf("no confirmation: %d", page.Code)
	}
	if rec := here.get("/staff"); rec.Code != http.StatusOK {
		t.Fatalf("the session that changed the password was signed out: %d", rec.Code)
	}
	if rec := there.get("/staff"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the member's other session still opens staff pages: %d", rec.Code)
	}
	if rec := a.guest().signIn("maria", fresh); rec.Code != http.StatusSeeOther {
		t.Fatalf("the new password does not sign in: %d", rec.Code)
	}
}

// TestResettingAManagersPasswordNeedsYourOwn: a manager's session left open
// does not hand over another manager's account.
func TestResettingAManagersPasswordNeedsYourOwn(t *testing.T) {
	a, _ := withStaffAndScreens(t)
	if err := a.accounts.Add(context.Background(), "lea", staff.Manager, "lemons and thyme", "system:test"); err != nil {
		t.Fatal(err)
	}
	m, lea := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	lea.signIn("lea", "lemons and thyme")
	const fresh = "a quiet pantry shelf"
	const path = "/staff/team/lea/commands/set-password"
	for _, own := range []string{"", "not my password"} {
		before := a.events()
		rec := m.post(path, url.Values{"password": {fresh}, "current_password": {own}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Your own password is not right") {
			t.Errorf("own password %q: %d, want 422 asking for it", own, rec.Code)
		}
		if a.events() != before {
			t.Errorf("own password %q wrote events", own)
		}
	}
	if rec := m.post(path, url.Values{"password": {fresh}, "current_password": {managerPassword}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("with the manager's own password: %d %s", rec.Code, rec.Body)
	}
	if rec := lea.get("/staff"); rec.Code != http.StatusSeeOther {
		t.Fatalf("lea's session outlived the reset: %d", rec.Code)
	}
}
