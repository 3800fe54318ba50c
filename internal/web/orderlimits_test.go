package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// placeAnOrder has the guest open an order with a dish, choose pickup and
// place it; it returns the place command's answer.
func (g *guest) placeAnOrder() *httptest.ResponseRecorder {
	g.a.t.Helper()
	id := g.openWith("margherita", "1")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	return g.post("/orders/"+id+"/commands/place", form())
}

// wantTooMany checks a 429 with a Retry-After within the hour.
func wantTooMany(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("%s: %d, want 429: %s", what, rec.Code, rec.Body)
	}
	s, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || s < 1 || s > 3600 {
		t.Fatalf("%s: Retry-After %q, want seconds within the hour", what, rec.Header().Get("Retry-After"))
	}
}

func TestOneAddressCannotFloodTheKitchen(t *testing.T) {
	a := newTestAppWith(t, func(d *Deps) {
		d.OrderLimits = OrderLimits{OpenedPerGuest: 10, OpenedPerAddress: 4, PlacedPerGuest: 5, PlacedPerAddress: 3}
	})
	const flooder = "203.0.113.7:40000"
	// A fresh guest for every order, all from one address.
	for i := range 3 {
		g := a.guest()
		g.addr = flooder
		if rec := g.placeAnOrder(); rec.Code != http.StatusSeeOther {
			t.Fatalf("order %d from the address: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	g := a.guest()
	g.addr = flooder
	id := g.openWith("margherita", "1")
	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	before := a.events()
	place := g.post("/orders/"+id+"/commands/place", form())
	wantTooMany(t, place, "the 4th order placed from the address")
	if body := place.Body.String(); !strings.Contains(body, "3 orders were placed from your network this hour") || !strings.Contains(body, `id="place-order"`) {
		t.Fatalf("the order page should say which limit was met: %s", body)
	}
	if n := a.events(); n != before {
		t.Fatalf("a refused place wrote %d events", n-before)
	}

	// Four orders were opened from the address; the fifth is refused,
	// as a page and as a problem document, and writes nothing.
	fresh := a.guest()
	fresh.addr = flooder
	rec := fresh.post("/orders/commands/open", form("menu_item_id", "margherita", "option-size", "regular", "quantity", "1"))
	wantTooMany(t, rec, "the 5th order opened")
	if !strings.Contains(rec.Body.String(), "4 orders were started from your network this hour") {
		t.Fatalf("the menu should say which limit was met: %s", rec.Body)
	}
	fresh = a.guest()
	fresh.addr = flooder
	rec = fresh.postJSON("/orders/commands/open", "", `{}`)
	wantTooMany(t, rec, "the 5th order opened, as JSON")
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Header().Get("Content-Type") != "application/problem+json" ||
		p.Status != 429 || !strings.Contains(p.Detail, "4 orders were started from your network this hour") {
		t.Fatalf("problem: %s %q", rec.Header().Get("Content-Type"), rec.Body)
	}
	if n := a.events(); n != before {
		t.Fatalf("refused opens wrote %d events", n-before)
	}

	// Another address still orders; so does one in another IPv6 /64, but
	// not a neighbour in the same /64.
	other := a.guest()
	other.addr = "198.51.100.20:5000"
	if rec := other.placeAnOrder(); rec.Code != http.StatusSeeOther {
		t.Fatalf("another address: %d %s", rec.Code, rec.Body)
	}
	for i := range 4 {
		v6 := a.guest()
		v6.addr = "[2001:db8:1:2::" + strconv.Itoa(i+1) + "]:443"
		if rec := v6.post("/orders/commands/open", form()); rec.Code != http.StatusSeeOther {
			t.Fatalf("open %d from the /64: %d", i+1, rec.Code)
		}
	}
	v6 := a.guest()
	v6.addr = "[2001:db8:1:2:ffff::9]:443"
	rec = v6.post("/orders/commands/open", form())
	wantTooMany(t, rec, "a 5th open from the same /64")
	if !strings.Contains(rec.Body.String(), "from your network this hour") {
		t.Fatalf("the menu should say the limit even with no dish's form to show it by: %s", rec.Body)
	}
	v6.addr = "[2001:db8:1:3::1]:443"
	if rec := v6.post("/orders/commands/open", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("another /64: %d", rec.Code)
	}
}

func TestAGuestCannotPlaceMoreThanTheLimit(t *testing.T) {
	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	a := newTestAppWith(t, func(d *Deps) { d.Now = func() time.Time { return *now.Load() } })
	g := a.guest()
	for i := range 5 {
		if i == 0 {
			// A double-clicked place counts once.
			id := g.openWith("margherita", "1")
			g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
			g.giveContact(id, "Ana", "")
			click := form()
			for range 2 {
				if rec := g.post("/orders/"+id+"/commands/place", click); rec.Code != http.StatusSeeOther {
					t.Fatalf("a double click: %d %s", rec.Code, rec.Body)
				}
			}
			continue
		}
		if rec := g.placeAnOrder(); rec.Code != http.StatusSeeOther {
			t.Fatalf("order %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := g.placeAnOrder()
	wantTooMany(t, rec, "the guest's 6th order")
	if !strings.Contains(rec.Body.String(), "You have placed 5 orders this hour, the most we take online from one guest.") {
		t.Fatalf("the order page should say the limit: %s", rec.Body)
	}
	// The next hour, the guest may order again.
	later := start.Add(time.Hour)
	now.Store(&later)
	if rec := g.placeAnOrder(); rec.Code != http.StatusSeeOther {
		t.Fatalf("an hour later: %d %s", rec.Code, rec.Body)
	}
}
