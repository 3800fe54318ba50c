package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"restaurant/internal/metrics"
)

// A client that never follows a redirect, and reads right after each
// command, in JSON and in HTML, sees each of its commands: 20 orders
// opened, filled and changed back to back.
func TestAClientAlwaysReadsItsOwnWrites(t *testing.T) {
	// Forty orders back to back: more than the limits let one guest open.
	a := newTestAppWith(t, func(d *Deps) { d.OrderLimits = OrderLimits{OpenedPerGuest: 100, OpenedPerAddress: 100} })
	g := a.guest()
	for i := range 20 {
		var opened struct {
			OrderID string `json:"order_id"`
		}
		rec := g.postJSON("/orders/commands/open", uuid.NewString(), `{}`)
		if rec.Code != http.StatusCreated || jsonUnmarshal(rec.Body.Bytes(), &opened) != nil {
			t.Fatalf("open %d: %d %s", i, rec.Code, rec.Body)
		}
		href := "/orders/" + opened.OrderID
		if doc := g.getJSON(href, nil); doc.Code != http.StatusOK {
			t.Fatalf("order %d right after it was opened: %d, want 200", i, doc.Code)
		}

		if rec := g.postJSON(href+"/items/commands/add", uuid.NewString(), `{"menu_item_id":"margherita","option-size":"regular","quantity":1}`); rec.Code != http.StatusAccepted {
			t.Fatalf("add %d: %d %s", i, rec.Code, rec.Body)
		}
		var doc orderDoc
		g.getJSON(href, &doc)
		if len(doc.Lines) != 1 || doc.Lines[0].Quantity != 1 {
			t.Fatalf("order %d right after the add: %+v, want one line of 1", i, doc.Lines)
		}

		line := doc.Lines[0]
		rec = g.post(href+"/items/"+line.LineID+"/commands/change-quantity", form("quantity", "3"))
		if rec.Code != http.StatusSeeOther || strings.Contains(rec.Header().Get("Location"), "seen") {
			t.Fatalf("change %d: %d to %q, want 303 with no position in the address", i, rec.Code, rec.Header().Get("Location"))
		}
		g.getJSON(href, &doc)
		if len(doc.Lines) != 1 || doc.Lines[0].Quantity != 3 {
			t.Fatalf("order %d in JSON right after the change: %+v, want 3", i, doc.Lines)
		}
		if rec := g.postJSON(href+"/commands/choose-pickup", uuid.NewString(), `{}`); rec.Code != http.StatusAccepted {
			t.Fatalf("pickup %d: %d %s", i, rec.Code, rec.Body)
		}
		if rec := g.postJSON(href+"/commands/give-contact", uuid.NewString(), `{"name":"Ana"}`); rec.Code != http.StatusAccepted {
			t.Fatalf("contact %d: %d %s", i, rec.Code, rec.Body)
		}
		var cmds struct {
			Commands map[string]link `json:"commands"`
		}
		g.getJSON(href+"/commands", &cmds)
		if cmds.Commands["place"].Href == "" {
			t.Fatalf("order %d: the commands right after choosing pickup and giving a name do not offer to place it: %+v", i, cmds.Commands)
		}

		// A form from the menu opens another order; its page, read without
		// following the redirect, shows the dish.
		rec = g.post("/orders/commands/open", form("menu_item_id", "diavola", "option-size", "regular", "quantity", "2"))
		if rec.Code != http.StatusSeeOther || strings.Contains(rec.Header().Get("Location"), "seen") {
			t.Fatalf("open from the menu %d: %d to %q", i, rec.Code, rec.Header().Get("Location"))
		}
		if menu := g.get("/"); !strings.Contains(menu.Body.String(), "2 items") {
			t.Fatalf("the menu right after adding %d does not show the guest's new order in its header", i)
		}
	}
}

// Positions from the address are not read at all: a forged one (far past
// the head of the log) makes no one wait.
func TestAForgedPositionIsNotWaitedFor(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	id := g.openWith("margherita", "1")
	before := testutil.ToFloat64(metrics.OwnWritesWaits.WithLabelValues("behind"))
	stranger := a.guest()
	for _, path := range []string{"/?seen=999999999.999999999", "/orders/" + id + "?seen=999999999.999999999"} {
		stranger.get(path)
		g.get(path)
	}
	if after := testutil.ToFloat64(metrics.OwnWritesWaits.WithLabelValues("behind")); after != before {
		t.Fatalf("%v reads waited for a place the log has not reached", after-before)
	}
}

// An idempotency key sent again with another request (another body,
// another command, another order) is refused with a problem saying so, and
// changes nothing; sent again with the same request, it is answered as the
// first time.
func TestAKeyReusedForAnotherRequestIsRefused(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	first, other := g.openWith("margherita", "1"), g.openWith("diavola", "1")
	key := uuid.NewString()
	add := `{"menu_item_id":"tiramisu","quantity":1}`
	if rec := g.postJSON("/orders/"+first+"/items/commands/add", key, add); rec.Code != http.StatusAccepted {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	before := a.events()
	for _, c := range []struct{ name, path, body string }{
		{"another body", "/orders/" + first + "/items/commands/add", `{"menu_item_id":"tiramisu","quantity":2}`},
		{"another command", "/orders/" + first + "/commands/cancel", `{}`},
		{"another order", "/orders/" + other + "/items/commands/add", add},
	} {
		rec := g.postJSON(c.path, key, c.body)
		var p Problem
		if rec.Code != http.StatusUnprocessableEntity || jsonUnmarshal(rec.Body.Bytes(), &p) != nil || !strings.Contains(p.Detail, "already used for a different request") {
			t.Fatalf("%s with a used key: %d %s, want 422 saying the key was used", c.name, rec.Code, rec.Body)
		}
	}
	if a.events() != before {
		t.Fatal("a request with a used key wrote events")
	}
	rec := g.postJSON("/orders/"+first+"/items/commands/add", key, add)
	var again struct {
		Duplicate bool `json:"duplicate"`
	}
	if rec.Code != http.StatusAccepted || jsonUnmarshal(rec.Body.Bytes(), &again) != nil || !again.Duplicate {
		t.Fatalf("the same request again: %d %s, want its first answer", rec.Code, rec.Body)
	}
	if doc := g.order(first); doc.Status != "open" || len(doc.Lines) != 2 || doc.Lines[1].Quantity != 1 {
		t.Fatalf("the order after it all: %+v", doc)
	}
}
