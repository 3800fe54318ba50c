package web

import (
	"net/http"
	"testing"
)

// TestFieldsThatAreNotTextAreRefused: a NUL character or bytes that are not
// UTF-8 in any field of a form or a JSON command get 400 before anything is
// stored. PostgreSQL refuses both in text, so they used to answer 500 (the
// sign-in and the team forms) or be stored in a menu event the menu read
// model could not apply, which stopped it.
func TestFieldsThatAreNotTextAreRefused(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	before := a.events()
	for _, bad := range []string{"Pizza\x00", "Pizza \xff\xfe"} {
		cases := []struct {
			path string
			body []string
		}{
			{"/login", []string{"username", bad, "password", "whatever-long"}},
			{"/menu/items/commands/add", []string{"name", bad, "category_id", "pizza", "price", "9.50"}},
			{"/menu/items/commands/add", []string{"name", "Pizza", "category_id", bad, "price", "9.50"}},
			{"/menu/items/commands/add", []string{"name", "Pizza", "category_id", "pizza", "price", "9.50", "allergens", bad}},
			{"/menu/categories/commands/add", []string{"name", bad}},
			{"/menu/categories/pizza/commands/rename", []string{"name", bad}},
			{"/orders/commands/open", []string{"menu_item_id", "margherita", "option-size", "regular", "quantity", "1", "note", bad}},
			{"/staff/team/commands/add", []string{"username", bad, "role", "kitchen", "password", "long enough password"}},
		}
		for _, c := range cases {
			if rec := m.post(c.path, form(c.body...)); rec.Code != http.StatusBadRequest {
				t.Errorf("form %s with %q: %d, want 400", c.path, bad, rec.Code)
			}
		}
	}
	for _, body := range []string{
		`{"name":"Pizza\u0000","category_id":"pizza","price":"9.50"}`,
		`{"name":"Pizza","category_id":"pizza","price":"9.50","description":"a\u0000b"}`,
	} {
		if rec := m.postJSON("/menu/items/commands/add", "", body); rec.Code != http.StatusBadRequest {
			t.Errorf("JSON %s: %d, want 400", body, rec.Code)
		}
	}
	// Every read model still keeps up, and nothing was stored.
	a.caughtUp()
	if n := a.events(); n != before {
		t.Errorf("%d events were stored from fields that are not text", n-before)
	}
	// The same fields as text go through.
	if rec := m.post("/menu/items/commands/add", form("name", "Pizza ünd Bier", "category_id", "pizza", "price", "9.50")); rec.Code != http.StatusSeeOther {
		t.Errorf("a dish with a name that is text: %d, want 303", rec.Code)
	}
}
