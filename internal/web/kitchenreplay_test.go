package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestKitchenReplayFoldsTheBoardAsItWas: an order placed at 20:15 is cooked
// slowly and handed over at 20:31. The board replayed at 20:16 has it new,
// at 20:28 late, at 20:32 gone; read only, and moved five minutes at a time.
func TestKitchenReplayFoldsTheBoardAsItWas(t *testing.T) {
	a, clock := withClock(t, lisbonAt("2026-12-01", "20:15"))
	cook, manager, g := a.guest(), a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	manager.signIn("maria", managerPassword)
	id := placedOrder(t, a, g)
	for _, step := range [][2]string{{"20:17", "start"}, {"20:30", "ready"}, {"20:31", "hand-over"}} {
		clock.set(lisbonAt("2026-12-01", step[0]))
		if rec := cook.post("/kitchen/tickets/"+id+"/commands/"+step[1], form("payment", "cash")); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", step[1], rec.Code, rec.Body)
		}
	}
	clock.set(lisbonAt("2026-12-01", "20:45"))
	ticket := `id="ticket-` + id + `"`
	for _, c := range []struct {
		at         string
		banner     string
		want, lack []string
	}{
		{"2026-12-01T20:16", "The kitchen as it was at 20:16 on Tuesday 1 December",
			[]string{ticket, "ticket-queued", `data-placed-at="">1 min</span>`, "2 ×</strong> Margherita", "· Ana", `href="/kitchen?at=2026-12-01T20%3A11"`, `href="/kitchen?at=2026-12-01T20%3A21"`},
			[]string{"LATE", "WAITING"}},
		{"2026-12-01T20:24", "The kitchen as it was at 20:24 on Tuesday 1 December",
			[]string{ticket, "ticket-preparing", "9 min", "WAITING"}, []string{"LATE"}},
		{"2026-12-01T20:28", "The kitchen as it was at 20:28 on Tuesday 1 December",
			[]string{ticket, "ticket-preparing ticket-late", "13 min", "LATE"}, nil},
		{"2026-12-01T20:28:00Z", "The kitchen as it was at 20:28 on Tuesday 1 December", // RFC 3339; Lisbon keeps UTC in winter
			[]string{ticket, "LATE"}, nil},
		{"2026-12-01T20:30:30", "The kitchen as it was at 20:30 on Tuesday 1 December",
			[]string{ticket, "ticket-ready", "Ready to hand over"}, []string{"LATE"}},
		{"2026-12-01T20:32", "The kitchen as it was at 20:32 on Tuesday 1 December",
			[]string{"No open tickets."}, []string{ticket}},
		{"2026-12-01T20:44", "The kitchen as it was at 20:44 on Tuesday 1 December",
			[]string{`href="/kitchen?at=2026-12-01T20%3A39"`}, []string{`href="/kitchen?at=2026-12-01T20%3A49"`}},
	} {
		rec := manager.afterOthers("/kitchen?at=" + c.at)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, c.banner) {
			t.Errorf("at %s: %d, want the banner %q:\n%s", c.at, rec.Code, c.banner, body)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("at %s: the board lacks %q", c.at, want)
			}
		}
		for _, lack := range append(c.lack, "/commands/", `method="post" action="/kitchen`, "ws-connect", "style=") {
			if strings.Contains(body, lack) {
				t.Errorf("at %s: the board has %q", c.at, lack)
			}
		}
	}
	// The live display has moved on meanwhile.
	if body := cook.afterOthers("/kitchen").Body.String(); strings.Contains(body, ticket) {
		t.Fatal("the live display still shows the handed-over ticket")
	}
}

func TestKitchenReplayRefusesBadMoments(t *testing.T) {
	a, _ := withClock(t, lisbonAt("2026-12-01", "20:45"))
	manager := a.guest()
	manager.signIn("maria", managerPassword)
	for at, want := range map[string]string{
		"yesterday":        "Choose a moment as a date and a time, like 2026-12-01T20:45.",
		"2026-12-01":       "Choose a moment as a date and a time, like 2026-12-01T20:45.",
		"2026-12-01T25:00": "Choose a moment as a date and a time, like 2026-12-01T20:45.",
		"2026-12-01T20:46": "That moment is still to come; the live display shows the kitchen now.",
		"":                 "Choose a moment as a date and a time, like 2026-12-01T20:45.",
	} {
		rec := manager.get("/kitchen?at=" + at)
		body := rec.Body.String()
		input, message := strings.Index(body, `aria-describedby="replay-at-error"`), strings.Index(body, `id="replay-at-error" role="alert">`+want)
		if rec.Code != http.StatusUnprocessableEntity || input < 0 || message < input {
			t.Errorf("at=%q: %d, want 422 with %q next to the time:\n%s", at, rec.Code, want, body)
		}
		if strings.Contains(body, `id="kitchen-board"`) {
			t.Errorf("at=%q: a board for a bad moment", at)
		}
	}
}
