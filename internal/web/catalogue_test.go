package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"restaurant/internal/integration"
)

func TestEveryStaffMemberReadsTheEventCatalogue(t *testing.T) {
	a := withStaff(t)
	if rec := a.guest().get("/staff/events/catalogue"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest reads the catalogue: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	for user, password := range map[string]string{"kai": kitchenPassword, "maria": managerPassword} {
		s := a.guest()
		s.signIn(user, password)
		rec := s.get("/staff/events/catalogue")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", user, rec.Code)
		}
		page := rec.Body.String()
		for _, spec := range integration.Specs() {
			if !strings.Contains(page, `id="`+spec.Type+`"`) {
				t.Errorf("%s: no section for %s", user, spec.Type)
			}
		}
		for _, want := range []string{"restaurant.events", "&#34;$schema&#34;: &#34;https://json-schema.org/draft/2020-12/schema&#34;", "&#34;order_id&#34;"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the catalogue lacks %s", user, want)
			}
		}
	}
}

func TestTheProjectionsPageAndTheMetricsTellHowTheRelayStands(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	a.caughtUp()
	if page := m.get("/staff/projections").Body.String(); strings.Contains(page, `id="relay"`) {
		t.Fatal("a relay row where no relay ever ran")
	}
	if body := a.metrics(); strings.Contains(body, "restaurant_relay_connected") {
		t.Fatal("relay metrics where no relay ever ran")
	}
	// A relay that is connected but has published nothing yet, as the
	// relay records itself (see internal/relay).
	ctx := context.Background()
	if _, err := a.store.Pool().Exec(ctx, `INSERT INTO checkpoints (name) VALUES ('relay');
		INSERT INTO relay_status (name, connected, last_error) VALUES ('relay', false, 'connect to the broker: connection refused')`); err != nil {
		t.Fatal(err)
	}
	page := m.get("/staff/projections").Body.String()
	for _, want := range []string{`id="relay"`, "disconnected", "connect to the broker: connection refused"} {
		if !strings.Contains(page, want) {
			t.Errorf("the projections page lacks %q", want)
		}
	}
	body := a.metrics()
	for _, want := range []string{"restaurant_relay_running 1", "restaurant_relay_connected 0", "restaurant_relay_position 0", "restaurant_relay_failing 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "restaurant_relay_lag_events 0\n") {
		t.Error("a relay at position 0 of a log with events is not behind")
	}
	// Its heartbeat stops: it is no longer running.
	if _, err := a.store.Pool().Exec(ctx, `UPDATE relay_status SET seen_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	if page := m.get("/staff/projections").Body.String(); !strings.Contains(page, "not running") {
		t.Error("a relay gone silent is shown as running")
	}
}
