package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"restaurant/domain/menu"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// dial opens a live socket as the guest's browser would, cookies and all.
func (g *guest) dial(t *testing.T, srv *httptest.Server, query, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	for _, c := range g.cookies {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/live?"+query, h)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

// await reads pushes until one contains want, or fails at the deadline.
func await(t *testing.T, conn *websocket.Conn, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = conn.SetReadDeadline(deadline)
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if strings.Contains(string(msg), want) {
			return string(msg)
		}
	}
}

func TestKitchenAndGuestScreensFollowLive(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)

	kitchenSocket, _, err := cook.dial(t, srv, "topic=kitchen", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := await(t, kitchenSocket, `id="kitchen-board"`)
	if !strings.Contains(first, `hx-swap-oob="true"`) {
		t.Fatalf("the first push is not an out-of-band region: %s", first)
	}
	kitchenTimed, orderTimed := pushesTimed(t, a, "kitchen"), pushesTimed(t, a, "order")
	id := placedOrder(t, a, g)
	await(t, kitchenSocket, `id="ticket-`+id+`"`)

	guestSocket, _, err := g.dial(t, srv, "topic=order:"+id, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, guestSocket, `id="order-status"`)
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/ready", form()))
	await(t, guestSocket, "Your order is ready")
	await(t, kitchenSocket, "ticket-ready")
	// Each push was timed from its change's commit, by kind of topic.
	if n := pushesTimed(t, a, "kitchen"); n <= kitchenTimed {
		t.Errorf("kitchen pushes timed from their commit: %d before, %d after", kitchenTimed, n)
	}
	if n := pushesTimed(t, a, "order"); n <= orderTimed {
		t.Errorf("order pushes timed from their commit: %d before, %d after", orderTimed, n)
	}
}

// pushesTimed is how many pushes to screens of a kind of topic /metrics has
// timed from their change's commit.
func pushesTimed(t *testing.T, a *testApp, kind string) int {
	t.Helper()
	prefix := `restaurant_live_commit_to_screen_seconds_count{topic="` + kind + `"} `
	for _, line := range strings.Split(a.metrics(), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			n, err := strconv.Atoi(rest)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return n
		}
	}
	return 0
}

func TestLiveRefusesWhatTheScreenMayNotSee(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	owner, stranger, cook := a.guest(), a.guest(), a.guest()
	id := placedOrder(t, a, owner)
	stranger.get("/")
	cook.signIn("kai", kitchenPassword)
	for _, tc := range []struct {
		name   string
		g      *guest
		query  string
		origin string
		status int
	}{
		{"anonymous kitchen", a.guest(), "topic=kitchen", srv.URL, http.StatusForbidden},
		{"a guest on the kitchen", owner, "topic=kitchen", srv.URL, http.StatusForbidden},
		{"a stranger's order", stranger, "topic=order:" + id, srv.URL, http.StatusNotFound},
		{"an unknown topic", owner, "topic=everything", srv.URL, http.StatusNotFound},
		{"no topic", owner, "", srv.URL, http.StatusBadRequest},
		{"another site's page", cook, "topic=kitchen", "https://evil.example", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := tc.g.dial(t, srv, tc.query, tc.origin)
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				code := 0
				if resp != nil {
					code = resp.StatusCode
				}
				t.Fatalf("got %d (%v), want %d", code, err, tc.status)
			}
		})
	}
	if _, _, err := owner.dial(t, srv, "topic=order:"+id, srv.URL); err != nil {
		t.Fatalf("the owner may follow their order: %v", err)
	}
}

func TestMenuPagesFollowSoldOutLive(t *testing.T) {
	a := newTestApp(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	g := a.guest()
	conn, _, err := g.dial(t, srv, "topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := await(t, conn, `id="menu"`)
	if strings.Contains(first, `dish card sold-out" id="item-tiramisu"`) {
		t.Fatal("setup: tiramisu already sold out")
	}
	if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream("tiramisu"),
		menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	await(t, conn, `sold-out" id="item-tiramisu"`)
}

// TestLiveScreensStopWhenAccessEnds: a kitchen screen of a member who is
// disabled, or signs out, is closed at the next check.
func TestLiveScreensStopWhenAccessEnds(t *testing.T) {
	a := newTestAppWith(t, func(d *Deps) { d.LivePing = 50 * time.Millisecond })
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	ctx := context.Background()
	for _, name := range []string{"kai", "noor"} {
		if err := a.accounts.Add(ctx, name, staff.Kitchen, kitchenPassword, "system:test"); err != nil {
			t.Fatal(err)
		}
	}
	closedFor := func(who string, g *guest, end func()) {
		t.Helper()
		t.Log(who)
		conn, _, err := g.dial(t, srv, "topic=kitchen", srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		await(t, conn, `id="kitchen-board"`)
		// The screen keeps reading (and answering pings, as a browser does)
		// while its member's access ends.
		ended := make(chan error, 1)
		go func() {
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					ended <- err
					return
				}
			}
		}()
		end()
		if err := <-ended; !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
			t.Fatalf("the screen ended with %v, want a policy-violation close", err)
		}
	}
	kai := a.guest()
	kai.signIn("kai", kitchenPassword)
	closedFor("disabled", kai, func() {
		if _, err := a.accounts.Run(ctx, "kai", eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, staff.Disable{}); err != nil {
			t.Fatal(err)
		}
	})
	noor := a.guest()
	noor.signIn("noor", kitchenPassword)
	closedFor("signed out", noor, func() { noor.post("/logout", nil) })
}

// TestLiveKitchenKeepsItsSessionAlive: a wall screen that only listens is
// still in use; its session's idle expiry moves on.
func TestLiveKitchenKeepsItsSessionAlive(t *testing.T) {
	a := newTestAppWith(t, func(d *Deps) { d.LivePing = 50 * time.Millisecond })
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	if err := a.accounts.Add(context.Background(), "kai", staff.Kitchen, kitchenPassword, "system:test"); err != nil {
		t.Fatal(err)
	}
	kai := a.guest()
	kai.signIn("kai", kitchenPassword)
	expiry := func() time.Time {
		var at time.Time
		if err := a.store.Pool().QueryRow(context.Background(), `SELECT expiry FROM sessions WHERE token = $1`, kai.cookies["staff_session"].Value).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	before := expiry()
	conn, _, err := kai.dial(t, srv, "topic=kitchen", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, conn, `id="kitchen-board"`)
	deadline := time.Now().Add(10 * time.Second)
	for !expiry().After(before) {
		if time.Now().After(deadline) {
			t.Fatal("the live screen's session never moved its idle expiry")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStaffPagesFollowLive: the orders list gains new orders, an order's
// history its new events, and the projections page their progress.
func TestStaffPagesFollowLive(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)

	list, _, err := m.dial(t, srv, "topic=orders", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, list, `id="orders-list"`)
	progress, _, err := m.dial(t, srv, "topic=projections", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, progress, `id="projections-table"`)

	id := placedOrder(t, a, g)
	await(t, list, `/staff/orders/`+id+`/history`)
	await(t, progress, `id="projection-orders"`)

	history, _, err := m.dial(t, srv, "topic=history:"+id, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, history, `id="history-body"`)
	cook.follow(cook.post("/kitchen/tickets/"+id+"/commands/start", form()))
	await(t, history, "The kitchen started cooking")

	for _, topic := range []string{"orders", "projections", "history:" + id} {
		if _, resp, err := cook.dial(t, srv, "topic="+topic, srv.URL); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("kitchen followed %s", topic)
		}
	}
}

// TestLiveScreensAreToldToReconnectAtShutdown: when the hub drops every
// screen, as the server does on its way down, each screen gets a 1012
// "service restart" close, so it reconnects and resyncs.
func TestLiveScreensAreToldToReconnectAtShutdown(t *testing.T) {
	var hub *live.Hub
	a := newTestAppWith(t, func(d *Deps) { hub = d.Hub })
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	g := a.guest()
	var screens []*websocket.Conn
	for range 3 {
		conn, _, err := g.dial(t, srv, "topic=menu", srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		await(t, conn, `id="menu"`)
		screens = append(screens, conn)
	}
	hub.DropAll()
	for i, conn := range screens {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := conn.ReadMessage()
			if err == nil {
				continue
			}
			if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
				t.Fatalf("screen %d ended with %v, want 1012", i, err)
			}
			break
		}
	}
}

// TestLiveClosesOnDataScreensDoNotSend: a screen's text message is let go and
// the screen keeps following; binary data closes the socket with 1003, text
// that is not UTF-8 with 1007, a topic named twice is sent once, and a topic
// naming an order by a malformed id names nothing.
func TestLiveClosesOnDataScreensDoNotSend(t *testing.T) {
	a := newTestApp(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	g := a.guest()
	closedWith := func(conn *websocket.Conn) int {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					return ce.Code
				}
				t.Fatalf("the socket ended without a close frame: %v", err)
			}
		}
	}

	conn, _, err := g.dial(t, srv, "topic=menu&topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if first := await(t, conn, `id="menu"`); strings.Count(first, `id="menu"`) != 1 {
		t.Errorf("a topic named twice was sent %d times", strings.Count(first, `id="menu"`))
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"HEADERS":{}}`)); err != nil {
		t.Fatal(err)
	}
	// The screen still follows the menu after its text message.
	if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream("tiramisu"),
		menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	await(t, conn, `sold-out" id="item-tiramisu"`)
	if err := conn.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if code := closedWith(conn); code != websocket.CloseUnsupportedData {
		t.Errorf("binary data closed with %d, want %d", code, websocket.CloseUnsupportedData)
	}

	conn, _, err = g.dial(t, srv, "topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, conn, `id="menu"`)
	if err := conn.WriteMessage(websocket.TextMessage, []byte{'a', 0xff, 0xfe}); err != nil {
		t.Fatal(err)
	}
	if code := closedWith(conn); code != websocket.CloseInvalidFramePayloadData {
		t.Errorf("text that is not UTF-8 closed with %d, want %d", code, websocket.CloseInvalidFramePayloadData)
	}

	for _, q := range []string{"topic=order:not-an-id", "topic=history:" + strings.ToUpper(uuid.NewString()), "topic=menu&topic=orders:x"} {
		if _, resp, err := g.dial(t, srv, q, srv.URL); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: want 404, got %v", q, err)
		}
	}
}

// TestGuestScreensOutliveTheirPings: a guest's screen has no staff session;
// it is checked again at every ping like any other, and keeps following.
func TestGuestScreensOutliveTheirPings(t *testing.T) {
	a := newTestAppWith(t, func(d *Deps) { d.LivePing = 30 * time.Millisecond })
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	conn, _, err := a.guest().dial(t, srv, "topic=menu", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	await(t, conn, `id="menu"`)
	for range 5 { // each heartbeat follows a ping, and its access check
		await(t, conn, `id="live-beat"`)
	}
	if _, err := eventstore.Handle(context.Background(), a.store, menu.Stream("tiramisu"),
		menu.Decider,
		eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}, menu.Command(menu.MarkSoldOut{})); err != nil {
		t.Fatal(err)
	}
	await(t, conn, `sold-out" id="item-tiramisu"`)
}
