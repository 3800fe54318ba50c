package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestNewPasswordsAreNeitherCommonNorTheUsername: the team page refuses a
// common password, or one with the member's username in it, with a message
// on the form and no event.
func TestNewPasswordsAreNeitherCommonNorTheUsername(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	for _, tc := range []struct {
		path     string
		form     []string
		message  string
		formHTML string
	}{
		{"/staff/team/commands/add", []string{"username", "lea", "role", "kitchen", "password", "password123"}, "most common", `id="add-member"`},
		{"/staff/team/commands/add", []string{"username", "lea", "role", "kitchen", "password", "P@ssw0rd2026!"}, "most common", `id="add-member"`},
		{"/staff/team/commands/add", []string{"username", "lea", "role", "kitchen", "password", "Lea loves the kitchen"}, "may not contain the username", `id="add-member"`},
		{"/staff/team/kai/commands/set-password", []string{"password", "qwertyuiop"}, "most common", `id="member-kai"`},
		{"/staff/team/kai/commands/set-password", []string{"password", "kai is cooking today"}, "may not contain the username", `id="member-kai"`},
	} {
		before := a.events()
		rec := m.post(tc.path, form(tc.form...))
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.message) || !strings.Contains(body, tc.formHTML) {
			t.Errorf("%s %v: %d, want 422 saying %q on the form", tc.path, tc.form, rec.Code, tc.message)
		}
		if a.events() != before {
			t.Errorf("%s %v wrote events", tc.path, tc.form)
		}
	}
}
