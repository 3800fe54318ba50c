package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestGuestPagesSpeakToGuests: guests read no developer's words: no footer
// about events, and a button's address opened by hand explains itself;
// JSON clients still get the methods the address takes.
func TestGuestPagesSpeakToGuests(t *testing.T) {
	a := withStaff(t)
	g := a.guest()
	menu := g.get("/").Body.String()
	if strings.Contains(menu, "Every change here is an event") || !strings.Contains(menu, `<body class="guest">`) {
		t.Fatal("the guest's menu shows the event-sourcing footer, or is not marked as a guest's page")
	}
	for _, want := range []string{`<meta name="description" content="Order Gomes Kitchen`, `<link rel="icon" href="/static/favicon.`} {
		if !strings.Contains(menu, want) {
			t.Errorf("the menu lacks %s", want)
		}
	}
	icon := regexp.MustCompile(`/static/favicon\.[0-9a-f]+\.svg`).FindString(menu)
	if rec := g.get(icon); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("the favicon %s: %d %s", icon, rec.Code, rec.Header().Get("Content-Type"))
	}
	m := a.guest()
	m.signIn("maria", managerPassword)
	if staff := m.get("/staff").Body.String(); !strings.Contains(staff, "Every change here is an event") {
		t.Fatal("the staff pages lost their footer")
	}

	id := g.openWith("margherita", "1")
	page := g.get("/orders/" + id + "/commands/place")
	if page.Code != http.StatusMethodNotAllowed || page.Header().Get("Allow") != "POST" ||
		!strings.Contains(page.Body.String(), "This address is what a button does, not a page to open") || strings.Contains(page.Body.String(), "GET is not allowed") {
		t.Fatalf("a button's address opened by hand: %d %q\n%s", page.Code, page.Header().Get("Allow"), page.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/orders/"+id+"/commands/place", nil)
	req.Header.Set("Accept", "application/json")
	if rec := g.do(req); rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), "GET is not allowed here; this address takes POST.") {
		t.Fatalf("a JSON client's GET of a command: %d %s", rec.Code, rec.Body)
	}
}
