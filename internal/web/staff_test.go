package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"restaurant/domain/staff"
)

const (
	managerPassword = "correct horse battery"
	kitchenPassword = "tomatoes and basil"
)

// withStaff adds a manager and a kitchen account.
func withStaff(t *testing.T) *testApp {
	t.Helper()
	a := newTestApp(t)
	addStaff(t, a)
	return a
}

// addStaff adds the manager and the kitchen account to an app.
func addStaff(t *testing.T, a *testApp) {
	t.Helper()
	ctx := context.Background()
	if err := a.accounts.Add(ctx, "maria", staff.Manager, managerPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	if err := a.accounts.Add(ctx, "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
}

func (g *guest) signIn(username, password string) *httptest.ResponseRecorder {
	return g.post("/login", url.Values{"username": {username}, "password": {password}, "next": {"/staff"}})
}

func TestStaffRoutesNeedTheRightRole(t *testing.T) {
	a := withStaff(t)
	anonymous, cook, manager := a.guest(), a.guest(), a.guest()
	if rec := cook.signIn("kai", kitchenPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("kitchen sign-in: %d %s", rec.Code, rec.Body)
	}
	if rec := manager.signIn("maria", managerPassword); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff" {
		t.Fatalf("manager sign-in: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	routes := []struct {
		method, path string
		kitchen      int
	}{
		{"GET", "/staff", 200},
		{"GET", "/staff/team", 403},
		{"POST", "/staff/team/commands/add", 403},
		{"POST", "/staff/team/kai/commands/disable", 403},
		{"POST", "/staff/team/kai/commands/change-role", 403},
		{"POST", "/staff/team/kai/commands/set-password", 403},
		{"GET", "/staff/settings", 403},
		{"POST", "/settings/commands/set-hours", 403},
		{"POST", "/settings/closed-days/commands/add", 403},
		{"POST", "/settings/closed-days/2026-12-25/commands/remove", 403},
		{"POST", "/menu/items/margherita/commands/set-portions", 403},
		{"POST", "/menu/items/margherita/commands/clear-portions", 403},
	}
	for _, rt := range routes {
		send := func(g *guest) *httptest.ResponseRecorder {
			if rt.method == "GET" {
				return g.get(rt.path)
			}
			return g.post(rt.path, form("role", "kitchen"))
		}
		if rec := send(anonymous); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
			t.Errorf("anonymous %s %s: %d %q, want 303 to /login", rt.method, rt.path, rec.Code, rec.Header().Get("Location"))
		}
		if rec := send(cook); rec.Code != rt.kitchen {
			t.Errorf("kitchen %s %s: %d, want %d", rt.method, rt.path, rec.Code, rt.kitchen)
		}
	}
	if rec := manager.get("/staff/team"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "member-kai") {
		t.Fatalf("manager's team page: %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/staff/team", nil)
	req.Header.Set("Accept", "application/json")
	if rec := anonymous.do(req); rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous JSON: %d, want 401", rec.Code)
	}
}

func TestSignInRenewsTheSessionAndSignOutEndsIt(t *testing.T) {
	a := withStaff(t)
	g := a.guest()
	g.signIn("maria", managerPassword)
	first := g.cookies["staff_session"]
	if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", first)
	}
	g.signIn("maria", managerPassword)
	second := g.cookies["staff_session"]
	if second == nil || second.Value == first.Value {
		t.Fatal("signing in kept the old session id")
	}
	old := a.guest()
	old.cookies["staff_session"] = first
	if rec := old.get("/staff"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the replaced session still opens staff pages: %d", rec.Code)
	}
	if rec := g.post("/logout", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", rec.Code)
	}
	g.cookies["staff_session"] = second // as if the browser had kept it
	if rec := g.get("/staff"); rec.Code != http.StatusSeeOther {
		t.Fatalf("after sign-out the session still opens staff pages: %d", rec.Code)
	}
}

func TestFailedSignInsSlowDown(t *testing.T) {
	a := withStaff(t)
	g := a.guest()
	for i := range 5 {
		rec := g.signIn("maria", "not the password")
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "Wrong username or password.") {
			t.Fatalf("failure %d: %d", i+1, rec.Code)
		}
	}
	rec := g.signIn("maria", managerPassword)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("after five failures the right password answered %d", rec.Code)
	}
	// Another account from the same address waits too.
	if rec := g.signIn("kai", kitchenPassword); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("the address was not slowed down: %d", rec.Code)
	}
	if rec := g.signIn("nobody", "whatever it is"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("unknown user from a slowed address: %d", rec.Code)
	}
}

func TestManagerKeepsTheTeam(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	const secret = "a brand new secret"
	page := m.follow(m.post("/staff/team/commands/add", form("username", "lea", "role", "kitchen", "password", secret)))
	if !strings.Contains(page.Body.String(), "member-lea") {
		t.Fatal("the new member is not on the team page")
	}
	if rec := a.guest().signIn("lea", secret); rec.Code != http.StatusSeeOther {
		t.Fatalf("the new member cannot sign in: %d", rec.Code)
	}
	var leaked int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE data::text LIKE '%' || $1 || '%'`, secret).Scan(&leaked); err != nil || leaked != 0 {
		t.Fatalf("the password is in %d events (%v)", leaked, err)
	}
	var changed int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = 'staff.StaffPasswordChanged' AND stream_id = $1 AND actor = 'staff:maria'`, staff.Stream("lea")).Scan(&changed); err != nil || changed != 1 {
		t.Fatalf("%d password changes recorded for lea by maria (%v)", changed, err)
	}

	rejections := []struct {
		path    string
		form    []string
		status  int
		message string
	}{
		{"/staff/team/commands/add", []string{"username", "Lea Smith", "role", "kitchen", "password", secret}, 422, "lowercase letters"},
		{"/staff/team/commands/add", []string{"username", "tom", "role", "kitchen", "password", "short"}, 422, "at least 10 characters"},
		{"/staff/team/commands/add", []string{"username", "tom", "role", "chef", "password", secret}, 422, "Choose a role"},
		{"/staff/team/commands/add", []string{"username", "lea", "role", "kitchen", "password", secret}, 409, "already a staff member"},
		{"/staff/team/maria/commands/disable", nil, 409, "cannot disable yourself"},
		{"/staff/team/maria/commands/change-role", []string{"role", "kitchen"}, 409, "own manager role"},
		{"/staff/team/nobody/commands/disable", nil, 404, "no such staff member"},
	}
	for _, r := range rejections {
		before := a.events()
		rec := m.post(r.path, form(r.form...))
		if rec.Code != r.status || !strings.Contains(rec.Body.String(), r.message) {
			t.Errorf("%s %v: %d, want %d saying %q", r.path, r.form, rec.Code, r.status, r.message)
		}
		if a.events() != before {
			t.Errorf("%s %v wrote events", r.path, r.form)
		}
	}

	// Disabling locks the member out at once, session or not.
	lea := a.guest()
	lea.signIn("lea", secret)
	m.follow(m.post("/staff/team/lea/commands/disable", form()))
	if rec := lea.get("/staff"); rec.Code != http.StatusSeeOther {
		t.Fatalf("a disabled member's session still opens staff pages: %d", rec.Code)
	}
	if rec := a.guest().signIn("lea", secret); rec.Code != http.StatusUnauthorized {
		t.Fatalf("a disabled member signed in: %d", rec.Code)
	}
	m.follow(m.post("/staff/team/lea/commands/enable", form()))
	m.follow(m.post("/staff/team/lea/commands/change-role", form("role", "manager")))
	if rec := a.guest().signIn("lea", secret); rec.Code != http.StatusSeeOther {
		t.Fatalf("an enabled member cannot sign in: %d", rec.Code)
	}
	if member, _ := a.accounts.Member(context.Background(), "lea"); member.Role != staff.Manager {
		t.Fatalf("lea's role is %s", member.Role)
	}
	page = m.follow(m.post("/staff/team/lea/commands/set-password", url.Values{"password": {"yet another secret"}, "current_password": {managerPassword}}))
	if !strings.Contains(page.Body.String(), "The password was changed.") {
		t.Fatal("no confirmation of the new password")
	}
	if rec := a.guest().signIn("lea", secret); rec.Code != http.StatusUnauthorized {
		t.Fatal("the old password still works")
	}
}

func TestSignInGoesOnlyToThisSite(t *testing.T) {
	a := withStaff(t)
	for next, want := range map[string]string{
		"/staff/team":          "/staff/team",
		"https://evil.example": "/staff",
		"//evil.example":       "/staff",
		"/\\evil.example":      "/staff",
		"/./%5Cevil.example":   "/staff",
		"/%09/evil.example":    "/staff",
		"/\t/evil.example":     "/staff",
		"/%2F/evil.example":    "/staff",
		"/staff/../kitchen":    "/kitchen",
	} {
		rec := a.guest().post("/login", url.Values{"username": {"maria"}, "password": {managerPassword}, "next": {next}})
		if rec.Header().Get("Location") != want {
			t.Errorf("next=%q went to %q, want %q", next, rec.Header().Get("Location"), want)
		}
	}
}
