package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"restaurant/domain/staff"
)

// TestEveryStaffRouteByRole asks every staff and kitchen route as each kind
// of visitor: anonymous visitors and guests go to sign in, a role without
// the right gets 403, the right role gets in.
func TestEveryStaffRouteByRole(t *testing.T) {
	a := withStaff(t)
	// The team commands act on pat, so the kitchen's own account stays as it is.
	if err := a.accounts.Add(context.Background(), "pat", staff.Kitchen, "a long kitchen password", "system:test"); err != nil {
		t.Fatal(err)
	}
	g := a.guest()
	id := placedOrder(t, a, g)
	cook, manager := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	manager.signIn("maria", managerPassword)
	const signIn, forbidden = 303, 403
	routes := []struct {
		method, path     string
		kitchen, manager int
	}{
		{"GET", "/staff", 200, 200},
		{"GET", "/staff/account", 200, 200},
		{"POST", "/staff/account/commands/change-password", 422, 422},
		{"GET", "/staff/team", forbidden, 200},
		{"POST", "/staff/team/commands/add", forbidden, 422},
		{"POST", "/staff/team/pat/commands/change-role", forbidden, 422},
		{"POST", "/staff/team/pat/commands/disable", forbidden, 303},
		{"POST", "/staff/team/pat/commands/enable", forbidden, 303},
		{"POST", "/staff/team/pat/commands/set-password", forbidden, 422},
		{"GET", "/staff/menu", forbidden, 200},
		{"POST", "/menu/items/commands/add", forbidden, 422},
		{"POST", "/menu/items/margherita/commands/modify", forbidden, 422},
		{"POST", "/menu/items/espresso/commands/sold-out", 303, 303},
		{"POST", "/menu/items/espresso/commands/back-in-stock", 303, 303},
		{"POST", "/menu/items/espresso/commands/set-portions", forbidden, 422},
		{"POST", "/menu/items/espresso/commands/clear-portions", forbidden, 303},
		{"GET", "/staff/settings", forbidden, 200},
		{"POST", "/settings/commands/set-hours", forbidden, 303},
		{"POST", "/settings/closed-days/commands/add", forbidden, 422},
		{"POST", "/settings/closed-days/2026-12-25/commands/remove", forbidden, 303},
		{"POST", "/online-orders/commands/pause", 422, 422},
		{"POST", "/online-orders/commands/resume", 303, 303},
		{"POST", "/menu/items/espresso/options/commands/add", forbidden, 422},
		{"POST", "/menu/items/margherita/options/size/commands/rename", forbidden, 422},
		{"POST", "/menu/items/margherita/options/size/commands/set-rules", forbidden, 422},
		{"POST", "/menu/items/margherita/options/size/choices/commands/add", forbidden, 422},
		{"POST", "/menu/items/margherita/options/extras/choices/rocket/commands/remove", forbidden, 303},
		{"POST", "/menu/items/lemonade/options/size/commands/remove", forbidden, 303},
		{"GET", "/staff/orders", forbidden, 200},
		{"GET", "/staff/orders/" + id + "/history", forbidden, 200},
		{"GET", "/staff/events", forbidden, 200},
		{"GET", "/staff/projections", forbidden, 200},
		{"POST", "/staff/projections/nothing/commands/rebuild", forbidden, 404},
		{"GET", "/kitchen", 200, 200},
		{"POST", "/kitchen/tickets/" + id + "/commands/start", 303, 303},
		{"POST", "/kitchen/tickets/" + id + "/commands/ready", 303, 303},
		{"POST", "/kitchen/tickets/" + id + "/commands/recall", 303, 303},
		{"POST", "/kitchen/tickets/" + id + "/commands/hand-over", 409, 409},
	}
	for _, rt := range routes {
		for _, who := range []struct {
			name string
			g    *guest
			want int
		}{{"anonymous", a.guest(), signIn}, {"guest", g, signIn}, {"kitchen", cook, rt.kitchen}, {"manager", manager, rt.manager}} {
			t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, who.name), func(t *testing.T) {
				var rec interface {
					Result() *http.Response
				}
				if rt.method == "GET" {
					rec = who.g.get(rt.path)
				} else {
					rec = who.g.post(rt.path, form())
				}
				res := rec.Result()
				if res.StatusCode != who.want {
					t.Fatalf("%d, want %d", res.StatusCode, who.want)
				}
				if who.want == signIn && (who.name == "anonymous" || who.name == "guest") {
					if loc := res.Header.Get("Location"); len(loc) < 6 || loc[:6] != "/login" {
						t.Fatalf("sent to %q, want the sign-in page", loc)
					}
				}
			})
		}
	}
}
