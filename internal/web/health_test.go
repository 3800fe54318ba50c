package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"restaurant/internal/postgres"
	"restaurant/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestReadyzSaysWhyItIsNotReady(t *testing.T) {
	pool := testdb.New(t)
	down, err := postgres.Open(context.Background(), testdb.URL(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	down.Close() // a pool whose database is gone
	none := func(context.Context) (int, error) { return 0, nil }
	tests := []struct {
		name       string
		deps       Deps
		wantStatus int
	}{
		{"ready", Deps{Pool: pool, Pending: none}, 200},
		{"migrations pending", Deps{Pool: pool, Pending: func(context.Context) (int, error) { return 1, nil }}, 503},
		{"migrations unknown", Deps{Pool: pool, Pending: func(context.Context) (int, error) { return 0, errors.New("no table") }}, 503},
		{"database down", Deps{Pool: down, Pending: none}, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(tt.deps).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantStatus != 503 {
				return
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 503 || p.Detail == "" {
				t.Fatalf("problem document %q (%v)", rec.Body, err)
			}
			if rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("Retry-After") == "" {
				t.Fatalf("headers %v", rec.Header())
			}
		})
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	h := Handler(Deps{Pool: testdb.New(t), Pending: func(context.Context) (int, error) { return 0, nil }})
	req := httptest.NewRequest("POST", "/healthz", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST answered %d, want 403", rec.Code)
	}
}

func TestMetricsTellCommandsProjectionsAndSockets(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	g.openWith("margherita", "1")
	a.caughtUp()
	body := a.metrics()
	for _, want := range []string{
		`restaurant_commands_total{command="ordering.AddItem",outcome="ok"}`,
		`restaurant_commands_total{command="ordering.OpenOrder",outcome="ok"}`,
		"restaurant_append_seconds_bucket",
		`restaurant_projection_position{projection="orders"}`,
		`restaurant_projection_lag_events{projection="menu"} 0`,
		"restaurant_live_sockets",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestReadyzNamesAStoppedProjection(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	if rec := g.get("/readyz"); rec.Code != 200 {
		t.Fatalf("ready: %d %s", rec.Code, rec.Body)
	}
	ctx := context.Background()
	if _, err := a.store.Pool().Exec(ctx, `UPDATE checkpoints SET last_error = 'orders: event 12 (ordering.ItemAddedToOrder): boom' WHERE name = 'orders'`); err != nil {
		t.Fatal(err)
	}
	rec := g.get("/readyz")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "The projection orders stopped") {
		t.Fatalf("with a stopped projection: %d %s", rec.Code, rec.Body)
	}
}
